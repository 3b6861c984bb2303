/**
 * Three replicas as three Node processes, one real redis-server, one counting HTTP storage: the
 * fleet makes one storage check per key (not one per replica), and an upload invalidated on one
 * replica shows on the others at their next render — because of the bus, not because a window ran
 * out (the windows here are a minute long).
 */
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertPage, companies, eventually, logosOf, showsLogo, startFleet, startStorage, type Replica, type Storage } from './fleet.js';
import { startRedis, type RedisServer } from './redis-server.js';

const fleet = suite('a fleet of three processes over Redis');
let redis: RedisServer | undefined;

fleet.before(async () => {
  redis = await startRedis();
});
fleet.after(async () => {
  await redis?.stop();
});

/** A fleet and a storage of its own (a prefix of its own in the one Redis), closed in `finally`. */
async function withFleet(present: readonly string[], run: (replicas: Replica[], storage: Storage) => Promise<void>): Promise<void> {
  const storage = await startStorage(present);
  let replicas: Replica[] = [];
  try {
    // A budget far above a loopback round trip: this suite is about sharing, not about a slow Redis.
    replicas = await startFleet(['A', 'B', 'C'], { redis: redis?.url ?? '', storage: storage.baseUrl, prefix: `fleet-${randomUUID()}:`, budget: 5_000, timeout: 5_000, ttl: 60_000, missTtl: 60_000 });
    await run(replicas, storage);
    for (const replica of replicas) assert.equal(await replica.reports(), [], `${replica.name} reported nothing`);
  } finally {
    await Promise.all(replicas.map((replica) => replica.close()));
    await storage.server.close();
  }
}

fleet('three processes rendering one page at once: one storage request per distinct key, not three', async () => {
  const list = companies(40, 'page');
  const present = list.filter((_, i) => i % 2 === 0).map((c) => c.icon);
  await withFleet(present, async (replicas, storage) => {
    const pages = await Promise.all(replicas.map((replica) => replica.render(list)));
    pages.forEach((html, i) => assertPage(html, list, storage, (key) => present.includes(key), replicas[i]?.name ?? '?'));
    const counts = storage.counts();
    assert.is(storage.total(), list.length, `${storage.total()} requests for ${list.length} keys`);
    assert.ok([...counts.values()].every((count) => count === 1), 'each key once');
    // Warm: every replica answers from its local cache.
    for (const replica of replicas) assertPage(await replica.render(list), list, storage, (key) => present.includes(key), replica.name);
    assert.is(storage.total(), list.length, 'no request for a warm page');
  });
});

fleet('sync renders (Handlebars) on three processes: background checks shared too, and the next render is right', async () => {
  const list = companies(30, 'sync');
  const present = list.filter((_, i) => i % 3 !== 0).map((c) => c.icon);
  await withFleet(present, async (replicas, storage) => {
    // A cold sync render prints avatars and starts the checks in the background.
    await Promise.all(replicas.map((replica) => replica.renderSync(list)));
    const settled = await eventually(async () => {
      const pages = await Promise.all(replicas.map((replica) => replica.renderSync(list)));
      return pages.every((html) => logosOf(html).filter((src) => src.startsWith(storage.baseUrl)).length === present.length);
    });
    assert.ok(settled, 'every replica shows every logo');
    for (const replica of replicas) assertPage(await replica.renderSync(list), list, storage, (key) => present.includes(key), replica.name);
    assert.is(storage.total(), list.length, `${storage.total()} requests for ${list.length} keys`);
  });
});

fleet('A uploads and invalidates: B and C print the new logo at their next render, with one more storage request for the fleet', async () => {
  const list = companies(10, 'upload');
  const uploaded = list[3]?.icon ?? '';
  const another = list[7]?.icon ?? '';
  await withFleet([], async (replicas, storage) => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    for (const replica of replicas) assertPage(await replica.render(list), list, storage, () => false, replica.name);
    const before = storage.total();
    storage.upload(uploaded);
    await a.invalidate(uploaded);
    assertPage(await a.render(list), list, storage, (key) => key === uploaded, 'A');
    for (const replica of [b, c]) {
      const seen = await eventually(async () => showsLogo(logosOf(await replica.render(list))[3], storage, uploaded));
      assert.ok(seen, `${replica.name} shows the upload (its missTtl is a minute: only the bus can tell it)`);
      assertPage(await replica.render(list), list, storage, (key) => key === uploaded, replica.name);
    }
    assert.is(storage.total() - before, 1, 'the fleet checked the uploaded key once');
    // Another replica, another key: the bus runs both ways.
    storage.upload(another);
    await c.invalidate(another);
    for (const replica of [a, b]) {
      assert.ok(await eventually(async () => showsLogo(logosOf(await replica.render(list))[7], storage, another)), `${replica.name} shows C's upload`);
    }
  });
});

fleet('invalidate() without a key on one replica: every replica forgets everything, and re-checks once per key for the fleet', async () => {
  const list = companies(12, 'all');
  await withFleet([], async (replicas, storage) => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    await Promise.all(replicas.map((replica) => replica.render(list)));
    assert.is(storage.total(), list.length);
    for (const company of list.slice(0, 5)) storage.upload(company.icon);
    await b.invalidate();
    for (const replica of [a, c]) {
      const seen = await eventually(async () => logosOf(await replica.render(list)).filter((src) => src.startsWith(storage.baseUrl)).length === 5);
      assert.ok(seen, `${replica.name} shows the five uploads`);
    }
    assertPage(await b.render(list), list, storage, (key) => list.slice(0, 5).some((company) => company.icon === key), 'B');
    assert.is(storage.total(), list.length * 2, 'one more request per key for the whole fleet');
  });
});

fleet.run();
