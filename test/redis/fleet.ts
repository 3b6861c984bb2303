/**
 * A fleet of replicas as separate Node processes (test/redis/replica.ts), an HTTP storage on
 * 127.0.0.1 that counts what it is asked, and the page they render. Every process is ended by
 * `close()` (or, failing that, by the runner's leak check).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { fileServer, type TestServer } from '../storage/servers.js';
import type { ReplicaConfig } from './replica.js';

const script = fileURLToPath(new URL('replica.ts', import.meta.url));
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

/** A company of the page: `icon` is its storage key. */
export interface Company {
  company: string;
  icon: string;
}

/** `count` companies `prefix-0` …, with keys `logos/prefix-N.png`. */
export function companies(count: number, prefix = 'c'): Company[] {
  return Array.from({ length: count }, (_, i) => ({ company: `Company ${prefix.toUpperCase()} ${i}`, icon: `logos/${prefix}-${i}.png` }));
}

/** The counting storage: files (mutable: an upload is a `set`), and the HEADs it got per key. */
export interface Storage {
  readonly files: Map<string, Buffer>;
  readonly server: TestServer;
  readonly baseUrl: string;
  upload(key: string, bytes?: Buffer): void;
  /** How many requests each key got so far. */
  counts(): Map<string, number>;
  /** Requests so far. */
  total(): number;
}

export async function startStorage(present: readonly string[]): Promise<Storage> {
  const files = new Map<string, Buffer>(present.map((key) => [key, PNG]));
  const server = await fileServer(files);
  return {
    files,
    server,
    baseUrl: `${server.origin}/media/`,
    upload: (key, bytes = PNG) => void files.set(key, bytes),
    counts() {
      const counts = new Map<string, number>();
      for (const request of server.requests) {
        const key = request.replace(/^\w+ \/media\//, '');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    total: () => server.requests.length,
  };
}

/** One replica process. */
export interface Replica {
  readonly name: string;
  render(list: readonly Company[]): Promise<string>;
  renderSync(list: readonly Company[]): Promise<string>;
  /** Renders the page `times` times, one after the other; the last page and the time taken. */
  renderMany(list: readonly Company[], times: number): Promise<{ html: string; ms: number }>;
  invalidate(file?: string): Promise<void>;
  /** What onError heard since the last call. */
  reports(): Promise<Array<{ code: string; message: string }>>;
  /** Whether both of its Redis connections are up. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
  /** stderr so far, for failure messages. */
  output(): string;
}

/**
 * How long a command may take before the test calls it a hang: far beyond any budget or timeout
 * the tests set (a liveness check, not a timing assertion).
 */
const HANG_MS = 30_000;

export async function startReplica(name: string, config: ReplicaConfig): Promise<Replica> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, REPLICA: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiting = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  let next = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    for (const { reject } of waiting.values()) reject(new Error(`replica ${name} exited (${code ?? signal}):\n${stderr}`));
    waiting.clear();
  });
  if (child.stdout !== null) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as Record<string, unknown> & { id: number };
      waiting.get(reply.id)?.resolve(reply);
      waiting.delete(reply.id);
    });
  }

  function send(op: string, extra: Record<string, unknown> = {}, hangMs = HANG_MS): Promise<Record<string, unknown>> {
    const id = next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`replica ${name}: "${op}" did not answer within ${hangMs} ms (a hang)\n${stderr}`));
      }, hangMs);
      waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (typeof reply.error === 'string') reject(new Error(`replica ${name}: "${op}" threw: ${reply.error}`));
          else resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.stdin?.write(`${JSON.stringify({ id, op, ...extra })}\n`);
    });
  }

  const replica: Replica = {
    name,
    render: async (list) => (await send('render', { companies: list })).html as string,
    renderSync: async (list) => (await send('renderSync', { companies: list })).html as string,
    renderMany: async (list, times) => {
      const reply = await send('renderMany', { companies: list, times }, HANG_MS * Math.max(1, times / 10));
      return { html: reply.html as string, ms: reply.ms as number };
    },
    invalidate: async (file) => void (await send('invalidate', file === undefined ? {} : { file })),
    reports: async () => (await send('reports')).reports as Array<{ code: string; message: string }>,
    ready: async () => (await send('ready')).ready === true,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await Promise.race([send('close').catch(() => undefined), exited]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    output: () => stderr,
  };
  // Ready when it answers: its Redis connections are up.
  try {
    await send('reports');
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return replica;
}

/** Starts replicas side by side. */
export async function startFleet(names: readonly string[], config: ReplicaConfig): Promise<Replica[]> {
  const started = await Promise.allSettled(names.map((name) => startReplica(name, config)));
  const fleet = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(fleet.map((replica) => replica.close()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return fleet;
}

/** The `src` of each `<img>` of a page, in order. */
export function logosOf(html: string): string[] {
  return [...html.matchAll(/<img src="([^"]*)"/g)].map((match) => (match[1] ?? '').replaceAll('&amp;', '&'));
}

/** Asserts what a page shows: the logo for `present` keys, an avatar for the others. */
export function assertPage(html: string, list: readonly Company[], storage: Storage, present: (key: string) => boolean, who: string): void {
  const srcs = logosOf(html);
  assert.is(srcs.length, list.length, `${who}: one <img> per company`);
  list.forEach((company, i) => {
    const src = srcs[i];
    if (present(company.icon)) assert.ok(showsLogo(src, storage, company.icon), `${who}: ${company.icon} shows its logo, got ${src?.slice(0, 80)}`);
    else assert.ok(src?.startsWith('data:image/svg+xml,'), `${who}: ${company.icon} shows an avatar, got ${src?.slice(0, 80)}`);
  });
}

/** Whether a printed src is the storage URL of `key` (possibly with `?v=`), rather than an avatar. */
export function showsLogo(src: string | undefined, storage: Storage, key: string): boolean {
  return src !== undefined && (src === storage.baseUrl + key || src.startsWith(`${storage.baseUrl + key}?v=`));
}

/** Polls `probe` until it is true; false if it never was within `attempts` × `everyMs`. */
export async function eventually(probe: () => Promise<boolean>, { attempts = 200, everyMs = 25 } = {}): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}
