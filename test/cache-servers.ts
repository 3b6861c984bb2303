/**
 * A media server on 127.0.0.1 whose answers the cache tests control: which files exist, how slow it
 * is, when it answers (a request can be held until the test releases it), how it fails — and what
 * it saw: requests, requests in flight at once, requests the client gave up on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogoResolver, httpStorage, uiAvatars, type LogoFallbackError, type LogoResolverOptions } from '../src/index.js';
import { startServer, type TestServer } from './storage/servers.js';

/** A request the server has decided on (present or missing, when it ARRIVED) but not answered yet. */
export interface HeldRequest {
  readonly key: string;
  /** What the server decided when the request arrived. */
  readonly present: boolean;
  /** Answers it now. */
  release(): void;
}

export interface MediaServer extends TestServer {
  /** Keys that exist (under `/media/`). */
  readonly files: Set<string>;
  /** Answer after this many ms; `'hold'` keeps each request in {@link MediaServer.held} until released; `'hang'` never answers. */
  delay: number | 'hold' | 'hang';
  /** Answer every request with this status instead (a fault), while set. */
  status: number | undefined;
  readonly held: HeldRequest[];
  /** Requests whose client went away before the answer (aborted checks). */
  readonly aborted: string[];
  /** Requests being handled right now, and the most at once so far. */
  inFlight: number;
  maxInFlight: number;
  /** How many checks (HEAD, or GET for one byte) arrived, in all or for one key. */
  checks(key?: string): number;
  /** Resolves once `count` checks have arrived in all; rejects after `within` ms (a test must not hang). */
  arrived(count: number, within?: number): Promise<void>;
  /** Base URL for httpStorage. */
  readonly baseUrl: string;
}

const BODY = Buffer.from('png');

function answer(request: IncomingMessage, response: ServerResponse, status: number | undefined, present: boolean): void {
  if (status !== undefined) {
    response.writeHead(status).end();
  } else if (!present) {
    response.writeHead(404).end();
  } else if (request.method === 'GET' && request.headers.range !== undefined) {
    response.writeHead(206, { 'Content-Range': `bytes 0-0/${BODY.length}`, 'Content-Length': '1', 'Content-Type': 'image/png' }).end(BODY.subarray(0, 1));
  } else {
    response.writeHead(200, { 'Content-Length': String(BODY.length), 'Content-Type': 'image/png' }).end(request.method === 'HEAD' ? undefined : BODY);
  }
}

/** Starts the server. Close it in `finally`. */
export async function mediaServer(): Promise<MediaServer> {
  const seen: string[] = [];
  const state = {
    files: new Set<string>(),
    delay: 0 as MediaServer['delay'],
    status: undefined as number | undefined,
    held: [] as HeldRequest[],
    aborted: [] as string[],
    inFlight: 0,
    maxInFlight: 0,
  };
  const server = await startServer((request, response, path) => {
    const key = path.replace(/^\/media\//, '');
    seen.push(key);
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      state.inFlight--;
    };
    response.on('close', () => {
      if (!response.writableFinished) state.aborted.push(key);
      finish();
    });
    // Decided now, on arrival: a later change to `files` does not change this answer.
    const present = state.files.has(key);
    const status = state.status;
    const respond = (): void => {
      if (!response.destroyed) answer(request, response, status, present);
    };
    if (state.delay === 'hang') {
      // never answered
    } else if (state.delay === 'hold') {
      state.held.push({ key, present, release: respond });
    } else if (state.delay > 0) {
      setTimeout(respond, state.delay);
    } else {
      respond();
    }
  });
  return Object.assign(state, server, {
    baseUrl: `${server.origin}/media/`,
    checks: (key?: string) => (key === undefined ? seen.length : seen.filter((k) => k === key).length),
    arrived: (count: number, within = 20_000) =>
      until(() => seen.length >= count, within, `${count} checks to arrive (${seen.length} did)`),
  });
}

/** Polls `condition` every 10 ms until it holds; throws after `within` ms, so a failing test cannot hang the run. */
export async function until(condition: () => boolean, within = 20_000, what = 'a condition'): Promise<void> {
  // performance.now(), not Date.now(): some tests mock Date.
  const end = performance.now() + within;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`gave up waiting for ${what} after ${within} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The avatar the resolvers below draw for "Acme Corp". */
export const AVATAR_AC = 'https://ui-avatars.com/api/?name=AC&background=1e3a8a&color=ffffff';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A resolver over `media` through httpStorage, its reports, and `settled()`: resolves once no
 * check of the storage is running and its answer is stored.
 */
export function httpResolver(media: MediaServer, options: LogoResolverOptions = {}) {
  const errors: LogoFallbackError[] = [];
  const http = httpStorage({ baseUrl: media.baseUrl });
  let running = 0;
  const logos = createLogoResolver({
    storage: {
      ...http,
      exists(key, signal) {
        running++;
        return http.exists(key, signal).finally(() => running--);
      },
    },
    avatar: uiAvatars({ background: '#1e3a8a' }),
    onError: (error) => errors.push(error),
    ...options,
  });
  const settled = async (): Promise<void> => {
    await nextTurn(); // a check starts a microtask after the call that needs it
    await until(() => running === 0, 10_000, 'the running check');
    await nextTurn(); // and its answer is stored a few microtasks after the driver's
  };
  return { logos, errors, settled };
}
