/**
 * The network drivers (http, S3) in a long-running process: deadlines that fire after a garbage
 * collection (issue 8 §1), and connections kept alive between checks (issue 8 §2).
 */
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, httpStorage, s3Storage, type Storage } from '../../src/index.js';
import { fileServer, S3RVER_CREDENTIALS, startS3, startServer, type TestServer } from './servers.js';

// A real `gc()` in this process, as `node --expose-gc` would give.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const s3Options = (origin: string, extra: Record<string, unknown> = {}) => ({
  endpoint: origin,
  region: 'us-east-1',
  bucket: 'media',
  ...S3RVER_CREDENTIALS,
  forcePathStyle: true,
  ...extra,
});

const DRIVERS: Array<[string, (origin: string, extra?: Record<string, unknown>) => Storage]> = [
  ['http', (origin, extra = {}) => httpStorage({ baseUrl: `${origin}/media/`, ...extra })],
  ['s3', (origin, extra = {}) => s3Storage(s3Options(origin, extra))],
];

/** A server whose first request hangs (until closed) and whose later ones answer 200. */
function hangsOnce(): Promise<TestServer> {
  let seen = 0;
  return startServer((_request, response) => {
    seen++;
    if (seen > 1) response.writeHead(200, { 'Content-Length': '3' }).end();
  });
}

/** Settles `promise`, or fails the test if it has not settled within `ms` (never a hung run). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), guard]);
  } finally {
    clearTimeout(timer);
  }
}

for (const [name, make] of DRIVERS) {
  for (const withSignal of [false, true]) {
    test(`${name}: a hung check is aborted at the driver timeout after a garbage collection (${withSignal ? 'with' : 'without'} a caller's signal), and the next check gets through`, async () => {
      const server = await hangsOnce();
      try {
        const storage = make(server.origin, { timeout: 1000 });
        // The resolver always passes its own signal, which never aborts here: the driver's deadline must.
        const caller = new AbortController();
        const pending = within(storage.exists('a.png', withSignal ? caller.signal : undefined), 5_000, 'the hung check');
        // Collect while the request is in flight: a deadline held only weakly is gone after this.
        for (let i = 0; i < 3; i++) {
          gc();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const first = await pending;
        assert.instance(first.error, LogoFallbackError, `expected a fault, got ${JSON.stringify(first)}`);
        assert.is((first.error as LogoFallbackError).code, 'STORAGE_FAILED');
        assert.match((first.error as LogoFallbackError).message, /no answer within 1000 ms/);
        gc();
        const second = await within(storage.exists('a.png'), 5_000, 'the next check');
        assert.is(second.value, true, String(second.error));
        assert.is(server.requests.length, 2);
      } finally {
        await server.close();
      }
    });
  }

  test(`${name}: a caller's abort after a garbage collection still ends the check`, async () => {
    const server = await hangsOnce();
    try {
      const storage = make(server.origin, { timeout: 60_000 });
      const controller = new AbortController();
      const pending = within(storage.exists('a.png', controller.signal), 5_000, 'the aborted check');
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      const result = await pending;
      assert.instance(result.error, LogoFallbackError);
      assert.match((result.error as LogoFallbackError).message, /aborted/);
    } finally {
      await server.close();
    }
  });
}

test('http: 50 checks, one after the other, share one kept-alive connection; 50 at once use at most maxSockets', async () => {
  const files = new Map([['a.png', Buffer.from('png')]]);
  const server = await fileServer(files);
  try {
    const storage = httpStorage({ baseUrl: `${server.origin}/media/`, maxSockets: 4 });
    for (let i = 0; i < 50; i++) assert.is(await storage.exists(i % 2 === 0 ? 'a.png' : 'b.png'), i % 2 === 0);
    assert.ok(server.connections() <= 2, `${server.connections()} connections for 50 sequential checks`);
    const before = server.connections();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => storage.exists(i % 2 === 0 ? 'a.png' : 'b.png')));
    assert.equal(answers, Array.from({ length: 50 }, (_, i) => i % 2 === 0));
    assert.ok(server.connections() - before <= 4, `${server.connections() - before} new connections for 50 checks at once, maxSockets 4`);
    assert.is(server.requests.length, 100);
  } finally {
    await server.close();
  }
});

test('s3: 50 HEADs against s3rver share kept-alive connections; a listing too', async () => {
  const s3 = await startS3(new Map([['a.png', Buffer.from('png')]]));
  try {
    const storage = s3Storage({ ...s3Options(s3.origin), maxSockets: 4 });
    for (let i = 0; i < 50; i++) assert.is(await storage.exists(i % 2 === 0 ? 'a.png' : 'b.png'), i % 2 === 0);
    await Promise.all(Array.from({ length: 50 }, () => storage.exists('a.png')));
    for (let i = 0; i < 5; i++) for await (const entry of storage.list?.('') ?? []) assert.is(entry.key, 'a.png');
    assert.ok(s3.connections() <= 5, `${s3.connections()} connections for 105 requests, maxSockets 4`);
    assert.is(s3.requests.length, 105);
  } finally {
    await s3.close();
  }
});

test('http: a kept-alive connection the server drops as it is reused is retried once, on a new connection', async () => {
  // Each connection answers its first request and drops the second unanswered (a server closing an
  // idle connection just as the request arrives).
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    let answered = 0;
    socket.on('data', () => {
      if (answered++ === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n');
      else socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const storage = httpStorage({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/` });
    for (let i = 0; i < 3; i++) assert.is(await storage.exists('a.png'), true, `check ${i}`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('maxSockets is checked at construction', () => {
  for (const maxSockets of [0, 1.5, -1, Number.NaN, 'many']) {
    for (const [, make] of DRIVERS) {
      assert.throws(() => make('http://127.0.0.1:9', { maxSockets }), (error: unknown) => error instanceof LogoFallbackError && error.code === 'INVALID_OPTION');
    }
  }
});

test.run();
