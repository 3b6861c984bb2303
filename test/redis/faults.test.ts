/**
 * Redis is never a single point of failure: a fleet of three processes while Redis is killed and
 * restarted, paused (SIGSTOP) past the budget, sent malformed bus messages, and out of memory.
 * Renders never throw or hang and print the right page; each replica reports the outage once in its
 * window; the fleet converges after recovery — through the bus and the reconnect, not through a
 * window running out (the windows here are a minute long, and so is onError's).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertPage, companies, eventually, logosOf, showsLogo, startFleet, startStorage, type Company, type Replica, type Storage } from './fleet.js';
import { startRedis, type RedisServer } from './redis-server.js';

const COOLDOWN = 200;
const BUDGET = 150;

interface World {
  redis: RedisServer;
  storage: Storage;
  replicas: [Replica, Replica, Replica];
  prefix: string;
}

/** A Redis, a storage and a fleet of three, all stopped in `finally`, and every render's page checked. */
async function withWorld(present: readonly string[], run: (world: World) => Promise<void>, redisArgs: string[] = []): Promise<void> {
  const redis = await startRedis(redisArgs);
  let storage: Storage | undefined;
  let replicas: Replica[] = [];
  try {
    storage = await startStorage(present);
    const prefix = `faults-${randomUUID()}:`;
    replicas = await startFleet(['A', 'B', 'C'], { redis: redis.url, storage: storage.baseUrl, prefix, budget: BUDGET, cooldown: COOLDOWN, timeout: 5_000, ttl: 60_000, missTtl: 60_000 });
    await run({ redis, storage, replicas: replicas as [Replica, Replica, Replica], prefix });
  } finally {
    await Promise.all(replicas.map((replica) => replica.close()));
    await storage?.server.close();
    await redis.stop();
  }
}

/** Every replica renders `list` at once; each page is checked against the storage's files. */
async function renderAll(world: World, list: readonly Company[], who: readonly Replica[] = world.replicas): Promise<void> {
  const pages = await Promise.all(who.map((replica) => replica.render(list)));
  pages.forEach((html, i) => assertPage(html, list, world.storage, (key) => world.storage.files.has(key), who[i]?.name ?? '?'));
}

/** What each replica reported, by code: the outage once (SHARED_FAILED), nothing else. */
async function assertOneOutageReport(world: World, mention: RegExp): Promise<void> {
  for (const replica of world.replicas) {
    const reports = await replica.reports();
    const codes = reports.map((report) => report.code);
    assert.equal(codes, ['SHARED_FAILED'], `${replica.name}: one report in the window, got ${JSON.stringify(reports)}`);
    assert.match(reports[0]?.message ?? '', mention);
  }
}

/** Waits until every replica has both connections back and its cool-down is over. */
async function allBack(world: World): Promise<void> {
  assert.ok(await eventually(async () => (await Promise.all(world.replicas.map((replica) => replica.ready()))).every(Boolean), { attempts: 400 }), 'the replicas reconnected by themselves');
  await sleep(COOLDOWN * 2);
}

/** After recovery the fleet shares again: a cold page costs one request per key. */
async function assertSharing(world: World, name: string): Promise<void> {
  const list = companies(15, name);
  for (const company of list.slice(0, 7)) world.storage.upload(company.icon);
  const before = world.storage.total();
  await renderAll(world, list);
  assert.is(world.storage.total() - before, list.length, 'one request per key for the fleet again');
}

/** Uploads `key` and invalidates it on A while Redis is unreachable; B and C must show it once Redis is back. */
async function assertConverges(world: World, list: readonly Company[], index: number): Promise<void> {
  const key = list[index]?.icon ?? '';
  for (const replica of world.replicas.slice(1)) {
    const seen = await eventually(async () => showsLogo(logosOf(await replica.render(list))[index], world.storage, key), { attempts: 400 });
    assert.ok(seen, `${replica.name} shows the file uploaded and invalidated on A during the outage`);
  }
}

test('Redis killed mid-run and restarted: renders go on, the outage is reported once, the fleet converges', async () => {
  const page = companies(20, 'kill');
  await withWorld(
    page.filter((_, i) => i % 2 === 0).map((c) => c.icon),
    async (world) => {
      const [a] = world.replicas;
      await renderAll(world, page);
      // Killed while the replicas render a cold page.
      const cold = companies(10, 'cold');
      const during = renderAll(world, cold);
      await world.redis.kill();
      await during;
      await renderAll(world, cold);
      await renderAll(world, page);
      // An upload while Redis is down: A knows at once; B and C have "missing" cached for a minute.
      const uploaded = page[1]?.icon ?? '';
      world.storage.upload(uploaded);
      await a.invalidate(uploaded);
      await renderAll(world, page, [a]);
      // And one that nobody invalidates (another program wrote it): a replica cut off from the bus
      // cannot know what it missed, so it forgets its "missing" answers when it is back.
      const unannounced = page[3]?.icon ?? '';
      world.storage.upload(unannounced);
      await world.redis.restart();
      await assertConverges(world, page, 1);
      for (const replica of world.replicas) {
        const seen = await eventually(async () => showsLogo(logosOf(await replica.render(page))[3], world.storage, unannounced), { attempts: 400 });
        assert.ok(seen, `${replica.name} shows the file uploaded while it was cut off`);
      }
      await assertOneOutageReport(world, /redis \(prefix "faults-[^"]+"\), (client|subscriber) connection: /);
      await allBack(world);
      await assertSharing(world, 'after-kill');
    },
  );
});

test('Redis paused (SIGSTOP) past the budget: renders do not wait on it, the outage is reported once, invalidations arrive after SIGCONT', async () => {
  const page = companies(12, 'stop');
  await withWorld([], async (world) => {
    const [a] = world.replicas;
    await renderAll(world, page);
    world.redis.pause();
    try {
      // Cold keys: each check meets the paused Redis, gives up after the budget and asks the storage.
      const cold = companies(12, 'paused');
      for (const company of cold.slice(0, 4)) world.storage.upload(company.icon);
      await renderAll(world, cold);
      const uploaded = page[5]?.icon ?? '';
      world.storage.upload(uploaded);
      await a.invalidate(uploaded); // its PUBLISH waits past the budget: kept for later
      for (let round = 0; round < 3; round++) await renderAll(world, companies(6, `paused-${round}`));
      await assertOneOutageReport(world, /no reply within the budget \(150 ms\)/);
    } finally {
      world.redis.resume();
    }
    await assertConverges(world, page, 5);
    await allBack(world);
    await assertSharing(world, 'after-stop');
  });
});

test('malformed messages on the bus: each reason reported once, ignored (nothing forgotten), and the bus still works', async () => {
  const page = companies(8, 'bus');
  await withWorld(
    page.slice(0, 4).map((c) => c.icon),
    async (world) => {
      const [a, b, c] = world.replicas;
      await renderAll(world, page);
      const channel = `${world.prefix}invalidate`;
      const before = world.storage.total();
      const malformed = [
        'not json',
        'not json either',
        '[1, 2, 3]',
        'null',
        JSON.stringify({ v: 2, from: 'x', key: page[4]?.icon }),
        JSON.stringify({ v: 1, from: 'x', key: '../../etc/passwd' }),
        JSON.stringify({ v: 1, from: 'x', key: 'a\u0000b' }),
        JSON.stringify({ v: 1, from: 'x', key: 42 }),
        JSON.stringify({ v: 1, from: 'x', key: page[4]?.icon, all: true }),
        JSON.stringify({ v: 1, from: '', all: true }),
        JSON.stringify({ v: 1, from: 'x'.repeat(65), all: true }),
        JSON.stringify({ v: 1, from: 'x', key: 'x'.repeat(100_000) }),
        '\u00ff\u0000\u0001binary',
      ];
      for (const message of malformed) await world.redis.command(['PUBLISH', channel, message]);
      for (const message of malformed.slice(0, 3)) await world.redis.command(['PUBLISH', channel, message]); // again: not reported again
      await sleep(200);
      await renderAll(world, page);
      assert.is(world.storage.total(), before, 'nothing was forgotten: no re-check');
      for (const replica of world.replicas) {
        const reports = await replica.reports();
        assert.ok(reports.every((report) => report.code === 'SHARED_FAILED' && report.message.includes('ignored a malformed message')), JSON.stringify(reports));
        const reasons = reports.map((report) => report.message.replace(/^.*: /, ''));
        assert.is(new Set(reasons).size, reasons.length, `${replica.name}: each reason once`);
        assert.ok(reasons.length >= 6, `${replica.name}: the kinds of malformed messages are told apart: ${reasons.join(' | ')}`);
      }
      // A well-formed message from anywhere is honoured.
      world.storage.upload(page[4]?.icon ?? '');
      await world.redis.command(['PUBLISH', channel, JSON.stringify({ v: 1, from: 'an-admin-script', key: page[4]?.icon })]);
      await world.redis.command(['DEL', `${world.prefix}a:${page[4]?.icon}`]);
      for (const replica of world.replicas) assert.ok(await eventually(async () => showsLogo(logosOf(await replica.render(page))[4], world.storage, page[4]?.icon ?? '')), replica.name);

      // A replica ignores its own messages: replayed to everyone, A keeps its answer and B forgets.
      const listener = createClient({ url: world.redis.url });
      listener.on('error', () => undefined);
      await listener.connect();
      try {
        const heard: string[] = [];
        await listener.subscribe(channel, (message) => void heard.push(message));
        const key = page[6]?.icon ?? '';
        await a.invalidate(key);
        assert.ok(await eventually(async () => heard.length === 1), 'A published');
        await renderAll(world, page); // the fleet checks the key again, once
        await world.redis.command(['PUBLISH', channel, heard[0] ?? '']);
        await sleep(200); // delivered to every replica
        // With no shared answer left, a replica that forgot the key must ask the storage.
        await world.redis.command(['DEL', `${world.prefix}a:${key}`]);
        const replayed = world.storage.total();
        await a.render(page);
        assert.is(world.storage.total(), replayed, 'A ignored its own message: it still knew the key');
        await b.render(page);
        assert.is(world.storage.total(), replayed + 1, 'B forgot the key and checked it again');
        await c.render(page);
        assert.is(world.storage.total(), replayed + 1, 'C forgot it too, and read what B found');
      } finally {
        listener.destroy();
      }
      for (const replica of world.replicas) assert.equal(await replica.reports(), [], `${replica.name}: nothing more to report`);
    },
  );
});

test('Redis out of memory (maxmemory, noeviction): renders go on, invalidations still reach everyone, sharing resumes when memory is freed', async () => {
  const page = companies(10, 'oom');
  await withWorld(
    [],
    async (world) => {
      const [a] = world.replicas;
      await renderAll(world, page);
      // Two MiB of other data, then a limit one MiB below what is used: full, and staying full.
      for (let i = 0; i < 512; i++) await world.redis.command(['SET', `junk:${i}`, 'x'.repeat(4096)]);
      const used = Number(/used_memory:(\d+)/.exec(String(await world.redis.command(['INFO', 'memory'])))?.[1]);
      await world.redis.command(['CONFIG', 'SET', 'maxmemory', String(used - 1024 * 1024)]);
      const full = await world.redis.command(['SET', 'one-more', 'x']).then(
        () => false,
        (error: unknown) => /OOM/.test(String(error)),
      );
      assert.ok(full, 'Redis refuses writes');
      const cold = companies(10, 'oom-cold');
      for (const company of cold.slice(0, 5)) world.storage.upload(company.icon);
      await renderAll(world, cold);
      await renderAll(world, companies(5, 'oom-more'));
      await assertOneOutageReport(world, /OOM/);
      // DEL and PUBLISH are allowed out of memory: an invalidation still reaches every replica.
      const uploaded = page[2]?.icon ?? '';
      world.storage.upload(uploaded);
      await a.invalidate(uploaded);
      await assertConverges(world, page, 2);
      await world.redis.command(['CONFIG', 'SET', 'maxmemory', '0']);
      await allBack(world);
      await assertSharing(world, 'after-oom');
    },
    ['--maxmemory-policy', 'noeviction'],
  );
});

test.run();
