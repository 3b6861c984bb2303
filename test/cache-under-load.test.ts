/**
 * The existence cache under load, through the resolver and a real HTTP storage on 127.0.0.1:
 * requests are counted at the server, never guessed.
 */
import { createServer as createTcpServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, createLogoResolver, httpStorage, uiAvatars, type LogoResolverOptions } from '../src/index.js';
import { hangingServer, refusedOrigin, startServer, statusServer, type TestServer } from './storage/servers.js';
import { until } from './cache-servers.js';

const escaped: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  escaped.push(reason);
};

/** A media server whose answers the test controls: which files exist, how slow, how broken. */
interface Media extends TestServer {
  files: Set<string>;
  delay: number;
  status: number | undefined;
  /** Requests whose client went away before the answer (aborted checks). */
  aborted: string[];
}

async function mediaServer(): Promise<Media> {
  const state = { files: new Set<string>(), delay: 0, status: undefined as number | undefined, aborted: [] as string[] };
  const server = await startServer((_request, response, path) => {
    const key = path.replace(/^\/media\//, '');
    let answered = false;
    response.on('close', () => {
      if (!answered) state.aborted.push(key);
    });
    const answer = (): void => {
      answered = true;
      response.writeHead(state.status ?? (state.files.has(key) ? 200 : 404)).end();
    };
    if (state.delay === Number.POSITIVE_INFINITY) return;
    if (state.delay > 0) setTimeout(answer, state.delay);
    else answer();
  });
  return Object.assign(state, server);
}

function resolver(media: { origin: string }, options: LogoResolverOptions = {}) {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({
    storage: httpStorage({ baseUrl: `${media.origin}/media/` }),
    avatar: uiAvatars(),
    onError: (error) => errors.push(error),
    ...options,
  });
  return { logos, errors };
}

const heads = (media: TestServer): number => media.requests.filter((line) => line.startsWith('HEAD ')).length;
const isAvatar = (url: string): boolean => url.startsWith('https://ui-avatars.com/api/?name=');

test.before(() => {
  process.on('unhandledRejection', onUnhandled);
});

test('concurrent checks of one key share one request; a warm cache asks nothing', async () => {
  const media = await mediaServer();
  try {
    media.delay = 30;
    for (let i = 0; i < 10; i++) media.files.add(`logo-${i}.png`);
    const { logos } = resolver(media);
    const records = Array.from({ length: 20 }, (_, i) => ({ company: `Company ${i}`, icon: `logo-${i % 20}.png` }));
    const urls = await Promise.all(Array.from({ length: 500 }, (_, i) => logos.logoAsync(records[i % records.length])));
    assert.is(heads(media), 20, 'one HEAD per distinct key');
    urls.forEach((url, i) => {
      const present = i % 20 < 10;
      assert.is(isAvatar(url), !present, url);
    });
    await Promise.all(records.map((record) => logos.logoAsync(record)));
    for (const record of records) logos.logo(record);
    assert.is(heads(media), 20, 'a warm cache makes no request');
  } finally {
    await media.close();
  }
});

test('invalidate() after an upload takes effect at once, even while a check is running', async () => {
  const media = await mediaServer();
  try {
    const { logos } = resolver(media);
    const record = { company: 'Acme', icon: 'acme.png' };
    assert.ok(isAvatar(await logos.logoAsync(record)));
    media.files.add('acme.png');
    assert.ok(isAvatar(logos.logo(record)), 'still cached as missing');
    logos.invalidate('acme.png');
    assert.is(await logos.logoAsync(record), `${media.origin}/media/acme.png`);

    // A check that started before the upload must not overwrite the fresh answer with "missing".
    media.files.delete('acme.png');
    logos.invalidate('acme.png');
    media.delay = 50;
    const stale = logos.logoAsync(record);
    await sleep(10);
    media.files.add('acme.png');
    logos.invalidate('acme.png');
    media.delay = 0;
    assert.is(await logos.logoAsync(record), `${media.origin}/media/acme.png`);
    await stale;
    await sleep(60);
    assert.is(logos.logo(record), `${media.origin}/media/acme.png`, 'the stale check did not poison the cache');
  } finally {
    await media.close();
  }
});

test('a fault is not remembered beyond missTtl, and is never cached as "missing"', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    media.status = 503;
    const { logos, errors } = resolver(media, { cache: { ttl: 60_000, missTtl: 40 } });
    const record = { company: 'Acme', icon: 'acme.png' };
    assert.ok(isAvatar(await logos.logoAsync(record)));
    assert.ok(isAvatar(await logos.logoAsync(record)));
    assert.is(heads(media), 1, 'within missTtl the fault is remembered');
    assert.is(errors[0]?.code, 'STORAGE_FAILED');
    media.status = undefined;
    await sleep(60);
    assert.is(await logos.logoAsync(record), `${media.origin}/media/acme.png`);
    assert.is(heads(media), 2);
  } finally {
    await media.close();
  }
});

test('a timed-out check answers the avatar to every waiter, then fills the cache', async () => {
  const media = await mediaServer();
  try {
    media.files.add('slow.png');
    media.delay = 150;
    const { logos, errors } = resolver(media, { timeout: 30 });
    const record = { company: 'Slow Co', icon: 'slow.png' };
    const first = await Promise.all(Array.from({ length: 25 }, () => logos.logoAsync(record)));
    assert.ok(first.every(isAvatar), 'avatar within the timeout');
    assert.equal(
      errors.map((error) => error.code),
      ['TIMEOUT'],
    );
    await sleep(200);
    assert.is(logos.logo(record), `${media.origin}/media/slow.png`, 'the check ran on and filled the cache');
    assert.is(heads(media), 1);
  } finally {
    await media.close();
  }
});

test('a hung check is aborted at hardTimeout; the next render asks again', async () => {
  const media = await mediaServer();
  try {
    media.files.add('hung.png');
    media.delay = Number.POSITIVE_INFINITY;
    const { logos } = resolver(media, { timeout: 20, cache: { hardTimeout: 80, missTtl: 10 } });
    const record = { company: 'Hung', icon: 'hung.png' };
    assert.ok(isAvatar(await logos.logoAsync(record)));
    await sleep(150);
    assert.equal(media.aborted, ['hung.png'], 'the request was aborted');
    media.delay = 0;
    assert.is(await logos.logoAsync(record), `${media.origin}/media/hung.png`);
    assert.is(heads(media), 2);
  } finally {
    await media.close();
  }
});

test('past ttl a present logo is served while one re-check runs; the re-check decides', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    const { logos } = resolver(media, { cache: { ttl: 40 } });
    const record = { company: 'Acme', icon: 'acme.png' };
    const url = `${media.origin}/media/acme.png`;
    assert.is(await logos.logoAsync(record), url);
    await sleep(60);
    media.files.delete('acme.png');
    media.delay = 40;
    for (let i = 0; i < 20; i++) assert.is(logos.logo(record), url, 'stale "present" while re-checking');
    assert.is(await logos.logoAsync(record), url);
    await until(() => isAvatar(logos.logo(record)), 10_000, 'the re-check to find it gone');
    assert.is(heads(media), 2, 'one re-check for all of them');
    assert.is(heads(media), 2);
  } finally {
    await media.close();
  }
});

test('max bounds the cache: an evicted key is asked again', async () => {
  const media = await mediaServer();
  try {
    const { logos } = resolver(media, { cache: { max: 5 } });
    for (let i = 0; i < 10; i++) await logos.fileUrlAsync(`f-${i}.png`);
    assert.is(heads(media), 10);
    await logos.fileUrlAsync('f-9.png');
    assert.is(heads(media), 10, 'recent key still cached');
    await logos.fileUrlAsync('f-0.png');
    assert.is(heads(media), 11, 'oldest key was evicted');
  } finally {
    await media.close();
  }
});

/** A TCP server that answers every request with bytes that are not HTTP. */
async function garbageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\x00\x01\r\n\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

test('whatever the storage does, a render gets avatars for its logos and no rejection escapes', async () => {
  const servers = await Promise.all([hangingServer(), statusServer(500), statusServer(403), garbageServer()]);
  const refused = await refusedOrigin();
  try {
    for (const origin of [...servers.map((server) => server.origin), refused]) {
      const { logos, errors } = resolver({ origin }, { timeout: 50, cache: { hardTimeout: 100 } });
      const records = Array.from({ length: 30 }, (_, i) => ({ company: `Co ${i}`, icon: `x/${i % 10}.png` }));
      const urls = await Promise.all(records.map((record) => logos.logoAsync(record)));
      assert.ok(urls.every(isAvatar), origin);
      // Sync renders start checks in the background: they must not reject anywhere either.
      for (const record of records) assert.ok(isAvatar(logos.logo(record)));
      await logos.prefetch(records);
      assert.ok(errors.length > 0 && errors.every((error) => error.code === 'STORAGE_FAILED' || error.code === 'TIMEOUT'), origin);
    }
    await sleep(150);
    assert.equal(escaped, []);
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
});

test.after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.equal(escaped, [], 'an unhandled rejection escaped');
});

test.run();
