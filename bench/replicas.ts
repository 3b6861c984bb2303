/**
 * Several replicas over Redis (`logo-fallback/redis`), against a redis-server this bench starts on
 * 127.0.0.1 (no persistence) and an HTTP storage on 127.0.0.1 that counts what it is asked:
 * - storage requests for 4 replica processes × 1,000 renders of a 100-company page, with the shared
 *   tier and without it (each replica on its own);
 * - the invalidation delay: from `invalidate()` on replica A to replica B's next render printing
 *   the new answer, over 1,000 invalidations (A and B are two resolvers with connections of their
 *   own, in this process, so that one clock times both ends);
 * - a warm render with the shared tier configured, as a ratio to the local-only cache.
 * Skipped (with a line saying so) where redis-server is not installed.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import nunjucks from 'nunjucks';
import { createClient } from 'redis';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, httpStorage, type LogoResolver } from '../src/index.js';
import { redisShared, type RedisShared } from '../src/shared/redis.js';
import { companies, startFleet, startStorage, type Replica, type Storage } from '../test/redis/fleet.js';
import { startRedis, type RedisServer } from '../test/redis/redis-server.js';
import { pairedRatio, printTable, sample } from './measure.js';

const REPLICAS = 4;
const RENDERS = 1000;
const COMPANIES = 100;
const INVALIDATIONS = 1000;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Storage requests of `REPLICAS` processes rendering the page `RENDERS` times each, all at once. */
async function fleetRequests(redis: RedisServer, storage: Storage, shared: boolean): Promise<{ requests: number; ms: number }> {
  const page = companies(COMPANIES, shared ? 'shared' : 'alone');
  for (const company of page.filter((_, i) => i % 2 === 0)) storage.upload(company.icon);
  const before = storage.total();
  const names = Array.from({ length: REPLICAS }, (_, i) => `R${i + 1}`);
  let fleet: Replica[] = [];
  try {
    // Windows longer than the run: what is counted is the sharing, not windows running out on a busy machine.
    fleet = await startFleet(names, { redis: redis.url, storage: storage.baseUrl, prefix: `bench-${randomUUID()}:`, shared, budget: 1_000, timeout: 2_000, ttl: 600_000, missTtl: 600_000 });
    const started = performance.now();
    await Promise.all(fleet.map((replica) => replica.renderMany(page, RENDERS)));
    return { requests: storage.total() - before, ms: performance.now() - started };
  } finally {
    await Promise.all(fleet.map((replica) => replica.close()));
  }
}

interface InProcess {
  logos: LogoResolver;
  shared: RedisShared;
  close(): Promise<void>;
}

async function inProcessReplica(redis: RedisServer, storage: Storage, prefix: string): Promise<InProcess> {
  const client = createClient({ url: redis.url });
  const subscriber = client.duplicate();
  await Promise.all([client.connect(), subscriber.connect()]);
  const shared = redisShared({ client, subscriber, prefix, budget: 1_000 });
  const logos = createLogoResolver({ storage: httpStorage({ baseUrl: storage.baseUrl }), shared, timeout: 2_000, cache: { missTtl: 60_000 }, onError: () => undefined });
  return {
    logos,
    shared,
    async close() {
      await shared.close();
      client.destroy();
      subscriber.destroy();
    },
  };
}

/** Milliseconds from A's invalidate() to B's next render printing the new answer, `INVALIDATIONS` times. */
async function invalidationDelays(a: LogoResolver, b: LogoResolver, storage: Storage): Promise<number[]> {
  const key = 'logos/flipping.png';
  const logo = `${storage.baseUrl}${key}`;
  await Promise.all([a.fileUrlAsync(key), b.fileUrlAsync(key)]);
  const delays: number[] = [];
  for (let i = 0; i < INVALIDATIONS; i++) {
    // An upload, then a delete, and so on: every invalidation changes what B must print.
    const present = !storage.files.has(key);
    if (present) storage.upload(key);
    else storage.files.delete(key);
    const started = performance.now();
    a.invalidate(key);
    for (let polls = 0; ; polls++) {
      if ((await b.fileUrlAsync(key)) === logo === present) break;
      if (polls > 100_000) throw new Error('bench: B never saw the invalidation');
      await new Promise((resolve) => setImmediate(resolve));
    }
    delays.push(performance.now() - started);
  }
  return delays;
}

/** Median per-round ratio of a warm page rendered with the shared tier configured to the same page without it. */
function warmRatio(withShared: LogoResolver, alone: LogoResolver, page: readonly unknown[]): { ratio: number; ms: number } {
  const template = '{% for c in list %}<img src="{{ c | get_company_logo }}" alt="{{ c | get_company_name }}">{% endfor %}';
  const render = (logos: LogoResolver) => {
    const compiled = nunjucks.compile(template, registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos));
    return () => compiled.render({ list: page });
  };
  const shared = render(withShared);
  const local = render(alone);
  if (shared() !== local()) throw new Error('bench: the two warm pages differ');
  const samples = sample([{ name: 'shared', run: shared }, { name: 'local', run: local }], { rounds: 300, warmup: 30 });
  const localTimes = samples.get('local') as number[];
  return { ratio: pairedRatio(samples.get('shared') as number[], localTimes), ms: localTimes.reduce((sum, t) => sum + t, 0) / localTimes.length };
}

if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
  console.log('## Several replicas (Redis)\n\nSkipped: redis-server is not installed (Debian: `apt-get install redis-server`).\n');
} else {
  const redis = await startRedis();
  const storage = await startStorage([]);
  try {
    const alone = await fleetRequests(redis, storage, false);
    const shared = await fleetRequests(redis, storage, true);

    const prefix = `bench-${randomUUID()}:`;
    const a = await inProcessReplica(redis, storage, prefix);
    const b = await inProcessReplica(redis, storage, prefix);
    let delays: number[];
    let warm: { ratio: number; ms: number };
    try {
      delays = await invalidationDelays(a.logos, b.logos, storage);
      const page = companies(COMPANIES, 'warm');
      for (const company of page.filter((_, i) => i % 2 === 0)) storage.upload(company.icon);
      const local = createLogoResolver({ storage: httpStorage({ baseUrl: storage.baseUrl }), onError: () => undefined });
      await Promise.all([a.logos.prefetch(page), local.prefetch(page)]);
      warm = warmRatio(a.logos, local, page);
    } finally {
      await a.close();
      await b.close();
    }

    console.log(`## Several replicas (Redis): ${REPLICAS} replica processes × ${RENDERS} renders of a ${COMPANIES}-company page, HTTP storage on 127.0.0.1\n`);
    printTable(
      ['', 'each replica on its own', 'shared tier (logo-fallback/redis)'],
      [
        ['storage requests (goal: 100)', String(alone.requests), String(shared.requests)],
        ['wall time of the 4,000 renders', `${(alone.ms / 1000).toFixed(1)} s`, `${(shared.ms / 1000).toFixed(1)} s`],
      ],
    );
    console.log(`Invalidation delay, invalidate() on A → B's next render shows it, ${INVALIDATIONS} invalidations (goal: p99 under 50 ms)\n`);
    printTable(['p50', 'p99', 'max'], [[`${percentile(delays, 50).toFixed(2)} ms`, `${percentile(delays, 99).toFixed(2)} ms`, `${Math.max(...delays).toFixed(2)} ms`]]);
    console.log(`Warm render of the ${COMPANIES}-company page (Nunjucks), shared tier configured vs the local cache alone (goal: ≤ 1.05×)\n`);
    printTable(['local cache alone (abs.)', 'shared tier configured'], [[`${warm.ms.toFixed(3)} ms`, `${warm.ratio.toFixed(3)}×`]]);
  } finally {
    await storage.server.close();
    await redis.stop();
  }
}
