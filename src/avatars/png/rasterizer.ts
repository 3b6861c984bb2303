/**
 * resvg, run in a worker thread and waited for synchronously, so that the memory of PNG rendering
 * has a bound that does not depend on the garbage collector.
 *
 * Why a worker: `@resvg/resvg-js` (2.6) keeps each render's pixels (width × height × 4 bytes, 1 MiB
 * at 512 px) in native memory that is freed only by the finalizer of its JS wrapper. V8 is not told
 * of that memory, so it never collects because of it; and Node runs N-API finalizers on a later turn
 * of the event loop, so in a synchronous stretch (a template drawing 1,000 PNG data URLs, a loop of
 * route requests) nothing is freed even by a forced `gc()`. In the main thread RSS grew by the pixels
 * of every render (1,000 renders of 16–512 px: +450 MB; bench/png-memory.ts). Ending a worker frees
 * everything its renders held, so the worker is replaced after `recycleBytes` of pixels, and ended
 * when idle: the rasteriser's memory is at most that budget, one render and one worker's heap.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** Options of {@link createRasterizer}. */
export interface RasterizerOptions {
  /** The module the worker requires for `Resvg`. @default the path of `@resvg/resvg-js` */
  module?: string;
  /** Pixel bytes (width × height × 4) one worker draws before it is replaced. @default 33554432 (32 MiB) */
  recycleBytes?: number;
  /** Milliseconds without a render after which the worker is ended. @default 10000 */
  idleMs?: number;
  /** Milliseconds one render may take before the worker is ended and the render fails. @default 5000 */
  timeoutMs?: number;
}

/** Draws SVGs as PNG bytes, one at a time, synchronously. */
export interface Rasterizer {
  /**
   * The PNG of `svg`, drawn `size` pixels wide and high with `fontFiles` only.
   * @throws {Error} when resvg fails or the worker does not answer within `timeoutMs`.
   */
  rasterize(svg: string, size: number, fontFiles: readonly string[]): Buffer;
  /** How many workers were started so far (for tests and the bench). */
  readonly workersStarted: () => number;
  /** Ends the worker now (the next render starts one). */
  close(): void;
}

interface WorkerState {
  worker: Worker;
  port: MessagePort;
  /** Set to 1 by the worker once its reply is on the port. */
  flag: Int32Array;
  /** Pixel bytes drawn so far. */
  drawn: number;
  failure?: Error;
}

interface Reply {
  png?: Uint8Array;
  error?: string;
}

/**
 * The worker, as CommonJS source run with `eval`: no file to locate next to the sources or the
 * build, and no loader hooks (tsx) inherited. It answers on a port and then wakes the caller.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, signal, module } = workerData;
const flag = new Int32Array(signal);
let Resvg;
let loadError;
try { ({ Resvg } = require(module)); } catch (error) { loadError = error; }
port.on('message', ({ svg, options }) => {
  let reply;
  try {
    if (loadError) throw loadError;
    const png = new Resvg(svg, options).render().asPng();
    reply = { png: new Uint8Array(png.buffer, png.byteOffset, png.length) };
  } catch (error) {
    reply = { error: String((error && error.message) || error).split('\\n')[0] };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

const requireHere = createRequire(import.meta.url);

/** A rasteriser with its own worker (started on the first render). */
export function createRasterizer(options: RasterizerOptions = {}): Rasterizer {
  const recycleBytes = options.recycleBytes ?? 32 * 1024 * 1024;
  const idleMs = options.idleMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let current: WorkerState | undefined;
  /** The successor, started at half the budget so that its start-up overlaps the renders left. */
  let next: WorkerState | undefined;
  let started = 0;
  let idle: NodeJS.Timeout | undefined;

  function end(state: WorkerState | undefined): void {
    if (state === undefined) return;
    state.port.close();
    void state.worker.terminate().catch(() => undefined);
  }

  function close(): void {
    end(current);
    end(next);
    current = next = undefined;
  }

  function start(): WorkerState {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { port: port2, signal: flag.buffer, module: options.module ?? requireHere.resolve('@resvg/resvg-js') },
      transferList: [port2],
    });
    const state: WorkerState = { worker, port: port1, flag, drawn: 0 };
    // Without a listener a worker's error would be thrown in the main thread; it is kept for the message.
    worker.on('error', (error) => {
      state.failure = error;
    });
    // Neither keeps the process alive: a server or a script ends as it would without PNGs.
    worker.unref();
    port1.unref();
    started++;
    return state;
  }

  /** Counts a render's pixels against the worker's budget: successor at half, replacement at all. */
  function spend(state: WorkerState, bytes: number): void {
    state.drawn += bytes;
    if (state.drawn >= recycleBytes / 2) next ??= start();
    if (state.drawn >= recycleBytes) {
      end(state);
      current = next;
      next = undefined;
    }
  }

  return {
    rasterize(svg, size, fontFiles) {
      const state = (current ??= start());
      Atomics.store(state.flag, 0, 0);
      state.port.postMessage({ svg, options: { font: { loadSystemFonts: false, fontFiles }, logLevel: 'off', fitTo: { mode: 'width', value: size } } });
      Atomics.wait(state.flag, 0, 0, timeoutMs);
      const reply = receiveMessageOnPort(state.port)?.message as Reply | undefined;
      if (reply === undefined) {
        close();
        const why = state.failure ? `it failed: ${state.failure.message}` : `it did not answer within ${timeoutMs} ms`;
        throw new Error(`the PNG worker drew nothing (${why})`);
      }
      spend(state, size * size * 4);
      if (idle === undefined) {
        idle = setTimeout(close, idleMs);
        idle.unref();
      } else idle.refresh();
      if (reply.error !== undefined || reply.png === undefined) throw new Error(`resvg could not draw the avatar: ${reply.error ?? 'no PNG'}`);
      return Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength);
    },
    workersStarted: () => started,
    close,
  };
}

let shared: Rasterizer | undefined;

/** The process's (this thread's) one rasteriser, shared by every PNG renderer: one worker, one budget. */
export function sharedRasterizer(): Rasterizer {
  return (shared ??= createRasterizer());
}
