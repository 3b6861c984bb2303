/**
 * The Redis tier's rules, in one process against a real redis-server (each "replica" a resolver
 * with connections of its own): the windows an answer keeps, faults never shared, the lock and who
 * waits for it, late answers after an invalidation, versions shared, what `close()` and
 * `cache: false` leave behind, connections the application opens later, and what Redis may hold
 * that this package did not write.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, httpStorage, isAttributeSafe, uiAvatars, type LogoFallbackError, type LogoResolverOptions } from '../../src/index.js';
import { redisShared, type RedisShared } from '../../src/shared/redis.js';
import { answerValue } from '../../src/shared/redis-protocol.js';
import { AVATAR_AC, mediaServer, until, type MediaServer } from '../cache-servers.js';
import { startRedis, type RedisServer } from './redis-server.js';

const tier = suite('the Redis tier');
let redis: RedisServer | undefined;
const open: Array<() => Promise<void>> = [];

tier.before(async () => {
  redis = await startRedis();
});
tier.after.each(async () => {
  for (const close of open.splice(0).reverse()) await close();
});
tier.after(async () => {
  await redis?.stop();
});

/** Two connections as an application makes them (not connected yet); destroyed after each test. */
function clients() {
  const client = createClient({ url: redis?.url ?? '' });
  const subscriber = client.duplicate();
  open.push(async () => {
    client.destroy();
    subscriber.destroy();
  });
  return { client, subscriber };
}

/** {@link clients}, connected. */
async function connections(): Promise<ReturnType<typeof clients>> {
  const made = clients();
  await Promise.all([made.client.connect(), made.subscriber.connect()]);
  return made;
}

interface Replica {
  logos: ReturnType<typeof createLogoResolver>;
  shared: RedisShared;
  errors: LogoFallbackError[];
}

/** One replica: a resolver over `media` with the tier under `prefix`. */
async function replica(media: MediaServer, prefix: string, options: LogoResolverOptions = {}, tierOptions: { budget?: number } = {}): Promise<Replica> {
  const { client, subscriber } = await connections();
  const shared = redisShared({ client, subscriber, prefix, budget: tierOptions.budget ?? 5_000 });
  open.push(() => shared.close());
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({
    storage: httpStorage({ baseUrl: media.baseUrl }),
    shared,
    avatar: uiAvatars({ background: '#1e3a8a' }),
    timeout: 2_000,
    cache: { ttl: 60_000, missTtl: 60_000 },
    onError: (error) => errors.push(error),
    ...options,
  });
  return { logos, shared, errors };
}

async function withMedia(run: (media: MediaServer, prefix: string) => Promise<void>): Promise<void> {
  const media = await mediaServer();
  try {
    await run(media, `tier-${randomUUID()}:`);
  } finally {
    for (const held of media.held) held.release();
    await media.close();
  }
}

tier('an answer read from Redis keeps the rest of its window there, not a whole new one', async () => {
  await withMedia(async (media, prefix) => {
    media.files.add('a.png');
    // Another replica found it 60 s ago: 300 ms of its window are left.
    await redis?.command(['SET', `${prefix}a:a.png`, answerValue('0', { exists: true }), 'PX', '300']);
    const b = await replica(media, prefix);
    assert.is(await b.logos.fileUrlAsync('a.png', 'Acme Corp'), `${media.baseUrl}a.png`);
    assert.is(media.checks(), 0, 'read from Redis');
    await sleep(600);
    // Stale: still served while it is checked again in the background (stale-while-revalidate).
    assert.is(await b.logos.fileUrlAsync('a.png', 'Acme Corp'), `${media.baseUrl}a.png`);
    await until(() => media.checks() === 1, 10_000, 'the re-check: the window was over for the whole fleet (with a whole local window it would not be)');
  });
});

tier('a fault is never shared: each replica asks for itself, and nobody waits for a lock the faulty check held', async () => {
  await withMedia(async (media, prefix) => {
    media.status = 500;
    const a = await replica(media, prefix);
    const b = await replica(media, prefix);
    assert.is(await a.logos.fileUrlAsync('x.png', 'Acme Corp'), AVATAR_AC);
    assert.is(await redis?.command(['EXISTS', `${prefix}a:x.png`, `${prefix}l:x.png`]), 0, 'no answer, and the lock is free');
    assert.is(await b.logos.fileUrlAsync('x.png', 'Acme Corp'), AVATAR_AC);
    assert.is(media.checks('x.png'), 2, 'B asked the storage itself');
    for (const { errors } of [a, b]) assert.equal(errors.map((error) => error.code), ['STORAGE_FAILED'], 'a storage fault, no TIMEOUT: B did not wait for a lock');
    // Storage back: "missing" is shared again (B hears A's invalidation and reads A's answer).
    media.status = undefined;
    a.logos.invalidate('x.png');
    await sleep(100);
    assert.is(await a.logos.fileUrlAsync('x.png', 'Acme Corp'), AVATAR_AC);
    assert.is(await b.logos.fileUrlAsync('x.png', 'Acme Corp'), AVATAR_AC);
    assert.is(media.checks('x.png'), 3);
    assert.is(a.errors.length + b.errors.length, 2);
  });
});

tier('one check for concurrent replicas: the others wait for the lock holder\'s answer', async () => {
  await withMedia(async (media, prefix) => {
    media.files.add('slow.png');
    media.delay = 'hold';
    const replicas = await Promise.all([replica(media, prefix), replica(media, prefix), replica(media, prefix)]);
    const [first, ...others] = replicas as [Replica, Replica, Replica];
    const answers = [first.logos.fileUrlAsync('slow.png', 'Acme Corp')];
    await media.arrived(1);
    answers.push(...others.map((other) => other.logos.fileUrlAsync('slow.png', 'Acme Corp')));
    await sleep(100); // the others poll meanwhile
    assert.is(media.checks(), 1, 'one request while it runs');
    media.held[0]?.release();
    assert.equal(await Promise.all(answers), Array(3).fill(`${media.baseUrl}slow.png`));
    assert.is(media.checks(), 1);
    for (const { errors } of replicas) assert.equal(errors, []);
  });
});

tier('a lock holder that never answers (a crashed replica): the others take over when its lock expires, or ask for themselves after half their timeout', async () => {
  await withMedia(async (media, prefix) => {
    media.files.add('a.png');
    media.files.add('b.png');
    const b = await replica(media, prefix, { timeout: 1_000 });
    await redis?.command(['SET', `${prefix}l:a.png`, 'crashed', 'PX', '200']);
    assert.is(await b.logos.fileUrlAsync('a.png', 'Acme Corp'), `${media.baseUrl}a.png`, 'the lock expired within the wait: B took it');
    assert.equal(b.errors, []);
    // A lock held longer than the wait (another program's): B asks for itself after half its
    // timeout, with the other half (500 ms) left for a loopback request.
    await redis?.command(['SET', `${prefix}l:b.png`, 'stuck', 'PX', '60000']);
    assert.is(await b.logos.fileUrlAsync('b.png', 'Acme Corp'), `${media.baseUrl}b.png`, 'B asked for itself in time');
    assert.is(media.checks('b.png'), 1);
    assert.equal(b.errors, []);
    assert.is(await redis?.command(['GET', `${prefix}a:b.png`]), null, 'without the lock, B does not share its answer');
  });
});

tier('an invalidation while a check runs: its late answer is not shared (nor after invalidate() of everything)', async () => {
  await withMedia(async (media, prefix) => {
    media.delay = 'hold';
    const a = await replica(media, prefix);
    const b = await replica(media, prefix);
    for (const [key, invalidate] of [
      ['late.png', () => b.logos.invalidate('late.png')],
      ['later.png', () => b.logos.invalidate()],
    ] as const) {
      const stale = a.logos.fileUrlAsync(key, 'Acme Corp');
      await until(() => media.held.length === 1, 10_000, 'the check to arrive');
      media.files.add(key); // uploaded after the storage said "missing"
      invalidate();
      await sleep(100); // the DEL (or INCR) is done before the check's late answer comes back
      media.held.shift()?.release();
      assert.is(await stale, AVATAR_AC, 'the check in flight said missing');
      await sleep(100);
      const c = await replica(media, prefix);
      media.delay = 0;
      assert.is(await c.logos.fileUrlAsync(key, 'Acme Corp'), `${media.baseUrl}${key}`, 'a new replica does not read the late "missing"');
      media.delay = 'hold';
    }
  });
});

tier('version: true — the version travels with the shared answer, so every replica prints the same URL', async () => {
  const { startServer } = await import('../storage/servers.js');
  let etag = '"v1"';
  const server = await startServer((request, response) => {
    response.writeHead(200, { 'Content-Length': '3', ETag: etag, 'Content-Type': 'image/png' }).end(request.method === 'HEAD' ? undefined : 'png');
  });
  try {
    const media = { baseUrl: `${server.origin}/media/` } as MediaServer;
    const prefix = `tier-${randomUUID()}:`;
    const a = await replica(media, prefix, { version: true });
    const b = await replica(media, prefix, { version: true });
    const first = await a.logos.fileUrlAsync('a.png', 'Acme Corp');
    assert.match(first, new RegExp(`^${server.origin}/media/a\\.png\\?v=[A-Za-z0-9_-]{10}$`));
    assert.is(await b.logos.fileUrlAsync('a.png', 'Acme Corp'), first);
    assert.is(server.requests.length, 1, 'B read it from Redis');
    etag = '"v2"';
    a.logos.invalidate('a.png');
    await until(() => b.logos.fileUrl('a.png', 'Acme Corp') !== first, 10_000, 'B to forget the old version');
    const second = await b.logos.fileUrlAsync('a.png', 'Acme Corp');
    assert.not.equal(second, first, 'a new version after the re-upload');
    assert.is(await a.logos.fileUrlAsync('a.png', 'Acme Corp'), second);
  } finally {
    await server.close();
  }
});

tier('close() unsubscribes and lets go of the clients\' events; the resolver goes on without Redis; cache: false never uses it', async () => {
  await withMedia(async (media, prefix) => {
    media.files.add('a.png');
    const { client, subscriber } = await connections();
    const listeners = [client.listenerCount('error'), subscriber.listenerCount('error')];
    const shared = redisShared({ client, subscriber, prefix });
    const logos = createLogoResolver({ storage: httpStorage({ baseUrl: media.baseUrl }), shared, onError: () => undefined });
    const uncached = createLogoResolver({ storage: httpStorage({ baseUrl: media.baseUrl }), shared, cache: false, onError: () => undefined });
    await until(() => subscriber.isPubSubActive, 5_000, 'the subscription');
    assert.equal(await redis?.command(['PUBSUB', 'NUMSUB', `${prefix}invalidate`]), [`${prefix}invalidate`, 1], 'one subscription: the uncached resolver has none');
    await uncached.fileUrlAsync('a.png');
    assert.equal(await redis?.command(['KEYS', `${prefix}*`]), [], 'cache: false wrote nothing');
    await shared.close();
    assert.equal(await redis?.command(['PUBSUB', 'NUMSUB', `${prefix}invalidate`]), [`${prefix}invalidate`, 0]);
    assert.equal([client.listenerCount('error'), subscriber.listenerCount('error')], listeners);
    assert.is(await logos.fileUrlAsync('a.png'), `${media.baseUrl}a.png`);
    logos.invalidate('a.png');
    logos.invalidate();
    assert.equal(await redis?.command(['KEYS', `${prefix}*`]), [], 'after close(), nothing was written');
    assert.ok(client.isReady && subscriber.isReady, 'the connections are the application\'s: still open');
  });
});

tier('connections the application opens after the resolver is made: no connect of its own, avatars and logos meanwhile, then shared', async () => {
  await withMedia(async (media, prefix) => {
    media.files.add('a.png');
    const { client, subscriber } = clients();
    const errors: LogoFallbackError[] = [];
    const shared = redisShared({ client, subscriber, prefix });
    open.push(() => shared.close());
    const logos = createLogoResolver({ storage: httpStorage({ baseUrl: media.baseUrl }), shared, onError: (error) => errors.push(error) });
    assert.is(await logos.fileUrlAsync('a.png'), `${media.baseUrl}a.png`, 'the storage answers without Redis');
    assert.match(await logos.fileUrlAsync('b.png', 'Acme Corp'), /^data:image\/svg\+xml,/);
    assert.not.ok(client.isOpen || subscriber.isOpen, 'the tier opened no connection');
    assert.equal(errors.map((error) => error.code), ['SHARED_FAILED'], 'reported once');
    assert.match(errors[0]?.message ?? '', /not connected|closed/);
    await Promise.all([client.connect(), subscriber.connect()]);
    await until(() => subscriber.isPubSubActive, 5_000, 'the subscription, made when the subscriber was ready');
    assert.match(await logos.fileUrlAsync('c.png', 'Acme Corp'), /^data:image\/svg\+xml,/);
    assert.is(await redis?.command(['GET', `${prefix}a:c.png`]), '0 0', 'its answer is shared now');
  });
});

tier('Redis holding what this package did not write under the prefix: never printed, never trusted', async () => {
  await withMedia(async (media, prefix) => {
    media.files.add('a.png');
    const b = await replica(media, prefix, { version: true });
    for (const [key, value] of [
      ['a.png', '0 1 "><script>alert(1)</script>'],
      ['b.png', '0 2'],
      ['c.png', 'not an answer'],
    ] as const) {
      await redis?.command(['SET', `${prefix}a:${key}`, value]);
      const url = await b.logos.fileUrlAsync(key, 'Acme Corp');
      assert.ok(isAttributeSafe(url), url);
      assert.ok(url === AVATAR_AC || url.startsWith(`${media.baseUrl}${key}?v=`), `${key}: ${url}`);
    }
    assert.match(await b.logos.fileUrlAsync('a.png', 'Acme Corp'), `${media.baseUrl}a.png?v=`, 'the storage decided');
    assert.is(media.checks('a.png'), 1);
  });
});

tier('close() with Redis gone: it resolves within the budget rather than waiting for a reconnect', async () => {
  const own = await startRedis();
  const client = createClient({ url: own.url });
  const subscriber = client.duplicate();
  client.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
    const shared = redisShared({ client, subscriber, prefix: 'gone:', budget: 200 });
    createLogoResolver({ storage: httpStorage({ baseUrl: 'http://127.0.0.1:9/media/' }), shared, onError: () => undefined });
    await until(() => subscriber.isPubSubActive, 5_000, 'the subscription');
    await own.kill();
    const closed = await Promise.race([shared.close().then(() => 'closed'), sleep(5_000).then(() => 'still waiting')]);
    assert.is(closed, 'closed');
  } finally {
    client.destroy();
    subscriber.destroy();
    await own.stop();
  }
});

tier('keys the bus carries as they are: Unicode, spaces, quotes and parentheses, a key of 1,024 bytes', async () => {
  await withMedia(async (media, prefix) => {
    const a = await replica(media, prefix);
    const b = await replica(media, prefix);
    for (const key of [`logos/日本 o'brien (1).png`, `logos/${'é'.repeat(506)}.png`]) {
      assert.is(Buffer.byteLength(key) <= 1024, true);
      assert.is(await b.logos.fileUrlAsync(key, 'Acme Corp'), AVATAR_AC);
      media.files.add(key);
      a.logos.invalidate(key);
      await until(() => b.logos.fileUrl(key, 'Acme Corp') !== AVATAR_AC, 10_000, `B to hear of ${key.slice(0, 20)}…`);
      assert.is(b.logos.fileUrl(key, 'Acme Corp'), a.logos.storage.url(key));
    }
    assert.equal([...a.errors, ...b.errors], []);
  });
});

tier('Redis that answers nothing in time (CLIENT PAUSE) or refuses the scripts (an ACL user without EVAL): renders go on from the storage, reported once', async () => {
  await withMedia(async (media, prefix) => {
    media.files.add('a.png');
    const weak = `weak-${randomUUID()}`;
    await redis?.command(['ACL', 'SETUSER', weak, 'on', '>pw', '~*', '&*', '+@all', '-eval']);
    const cases: Array<[string, () => Promise<unknown>, RegExp, string | undefined]> = [
      ['paused', () => redis?.command(['CLIENT', 'PAUSE', '1500', 'ALL']) ?? Promise.resolve(), /no reply within the budget \(100 ms\)/, undefined],
      ['no EVAL', () => Promise.resolve(), /NOPERM/, `${weak}:pw`],
    ];
    for (const [name, fault, message, user] of cases) {
      const client = createClient({ url: user === undefined ? (redis?.url ?? '') : (redis?.url ?? '').replace('redis://', `redis://${user}@`) });
      const subscriber = client.duplicate();
      open.push(async () => {
        client.destroy();
        subscriber.destroy();
      });
      await Promise.all([client.connect(), subscriber.connect()]);
      const shared = redisShared({ client, subscriber, prefix: `${prefix}${name}:`, budget: 100 });
      open.push(() => shared.close());
      const errors: LogoFallbackError[] = [];
      const logos = createLogoResolver({ storage: httpStorage({ baseUrl: media.baseUrl }), shared, avatar: uiAvatars({ background: '#1e3a8a' }), onError: (error) => errors.push(error) });
      await fault();
      for (const key of ['a.png', 'b.png', 'c.png', 'd.png']) {
        assert.is(await logos.fileUrlAsync(key, 'Acme Corp'), key === 'a.png' ? `${media.baseUrl}a.png` : AVATAR_AC, `${name}: ${key}`);
      }
      assert.equal(errors.map((error) => error.code), ['SHARED_FAILED'], `${name}: once`);
      assert.match(errors[0]?.message ?? '', message);
    }
    await sleep(1_600); // the pause ends before the next test
  });
});

tier.run();
