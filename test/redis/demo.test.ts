/**
 * The demo app with REDIS_URL, as the replicas of docker-compose.replicas.yaml run it: two app
 * processes on one data and media directory and one real redis-server. They seed the database
 * once, subscribe to the bus, and an upload through one is announced to the other and shown by
 * both; without Redis (killed, or never there) they start and serve all the same. And the override
 * file itself: two replicas, a Redis that keeps nothing, the app not waiting for it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { solidPng } from '../demo/images.js';
import { refusedOrigin } from '../storage/servers.js';
import { startApp } from '../e2e/processes.js';
import { eventually } from './fleet.js';
import { startRedis } from './redis-server.js';

type App = Awaited<ReturnType<typeof startApp>>;

/** Company id → the logo the page prints for it (the Nunjucks cell), and how many rows there are. */
async function page(app: App): Promise<{ rows: number; logos: Map<number, string> }> {
  const html = await (await fetch(app.url)).text();
  const logos = new Map<number, string>();
  for (const match of html.matchAll(/<tr data-company-id="(\d+)">[\s\S]*?<td class="engine" data-engine="nunjucks">[\s\S]*?src="([^"]*)"/g)) {
    logos.set(Number(match[1]), match[2] ?? '');
  }
  return { rows: html.match(/<tr data-company-id="/g)?.length ?? 0, logos };
}

test('two demo processes with REDIS_URL: seeded once, both on the bus, an upload through one shown by both; Redis gone, both still serve', async () => {
  const redis = await startRedis();
  const base = await mkdtemp(path.join(tmpdir(), 'logo-fallback-replicas-'));
  const apps: App[] = [];
  const listener = createClient({ url: redis.url });
  listener.on('error', () => undefined);
  try {
    const env = { DATA_DIR: path.join(base, 'data'), MEDIA_ROOT: path.join(base, 'media'), REDIS_URL: redis.url };
    apps.push(...(await Promise.all([startApp(env), startApp(env)])));
    const [a, b] = apps as [App, App];
    for (const app of apps) {
      const { rows, logos } = await page(app);
      assert.is(rows, 4, `${app.url}: the four fixture companies, seeded once though both started at once`);
      assert.match(logos.get(1) ?? '', /^\/media\/base\/company\/icon\/acme\.png$/);
      assert.match(logos.get(2) ?? '', /^data:image\/svg\+xml,/, 'the missing file: an avatar');
    }
    assert.ok(
      await eventually(async () => JSON.stringify(await redis.command(['PUBSUB', 'NUMSUB', 'logo-fallback-demo:invalidate'])) === JSON.stringify(['logo-fallback-demo:invalidate', 2])),
      'both apps listen on the bus (one subscriber connection each, for both of their resolvers)',
    );

    await listener.connect();
    const heard: Array<{ key?: string }> = [];
    await listener.subscribe('logo-fallback-demo:invalidate', (message) => void heard.push(JSON.parse(message) as { key?: string }));
    const form = new FormData();
    form.set('logo', new File([solidPng(48, [10, 120, 200])], 'globex.png', { type: 'image/png' }));
    const response = await fetch(new URL('/companies/2/logo', a.url), { method: 'POST', body: form, redirect: 'manual' });
    assert.is(response.status, 303);
    const uploaded = (await page(a)).logos.get(2) ?? '';
    assert.match(uploaded, /^\/media\//);
    assert.is((await page(b)).logos.get(2), uploaded, 'B prints the upload at its next render');
    const key = uploaded.slice('/media/'.length);
    assert.ok(await eventually(async () => heard.filter((message) => message.key === key).length === 2), 'both of A\'s resolvers announced the new key');
    assert.ok(heard.some((message) => message.key === 'base/company/icon/globex-missing.png'), 'and the replaced one');

    await redis.kill();
    for (const app of apps) {
      const { rows, logos } = await page(app);
      assert.is(rows, 4);
      assert.is(logos.get(2), uploaded, `${app.url} serves the same page without Redis`);
      assert.is((await fetch(new URL('/healthz', app.url))).status, 200);
    }
  } finally {
    listener.destroy();
    await Promise.all(apps.map((app) => app.stop()));
    await redis.stop();
    await rm(base, { recursive: true, force: true });
  }
});

test('the demo with a REDIS_URL where nothing listens: it starts, serves the page and stays healthy', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'logo-fallback-replicas-'));
  let app: App | undefined;
  try {
    const refused = new URL(await refusedOrigin());
    app = await startApp({ DATA_DIR: path.join(base, 'data'), MEDIA_ROOT: path.join(base, 'media'), REDIS_URL: `redis://127.0.0.1:${refused.port}` });
    const { rows, logos } = await page(app);
    assert.is(rows, 4);
    assert.match(logos.get(1) ?? '', /^\/media\//);
    assert.is((await fetch(new URL('/healthz', app.url))).status, 200);
  } finally {
    await app?.stop();
    await rm(base, { recursive: true, force: true });
  }
});

test('docker-compose.replicas.yaml: two app replicas and a Redis that keeps nothing on disk, which the app does not wait for', async () => {
  type Service = { image?: string; command?: string[]; environment?: Record<string, string>; deploy?: { replicas?: number }; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown };
  const override = parseYaml(await readFile('examples/deploy/docker-compose.replicas.yaml', 'utf8')) as { services: Record<string, Service> };
  const { app, redis } = override.services;
  assert.is(app?.deploy?.replicas, 2);
  assert.equal(app?.environment, { REDIS_URL: '${REDIS_URL:-redis://redis:6379}' }, 'the env file wins, else the service');
  assert.equal(app?.depends_on, { redis: { condition: 'service_started' } }, 'Redis is not a start condition of the app');
  // Built from the kit's Dockerfile (Debian's redis-server): no image registry is asked (issue 12 §6).
  assert.is(redis?.image, 'logo-fallback-redis:latest');
  const command = (redis?.command ?? []).join(' ');
  assert.match(command, /--save  --appendonly no/, 'no persistence');
  assert.match(command, /--maxmemory-policy allkeys-lru/);
  assert.ok(redis?.healthcheck !== undefined);
  // The app's environment in the kit's own file passes REDIS_URL on from the env file.
  const kit = parseYaml(await readFile('examples/deploy/docker-compose.production.yaml', 'utf8')) as { services: Record<string, Service> };
  assert.is(kit.services.app?.environment?.REDIS_URL, '${REDIS_URL:-}');
});

test.run();
