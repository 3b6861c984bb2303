/**
 * Storage requests under load: a page of 100 companies rendered 1,000 times, 50 renders at a time,
 * over an HTTP storage on 127.0.0.1 that counts every request it gets. The target is one request
 * per distinct key per cache window. Then the warm-cache render time over HTTP as a ratio to the
 * same page over the local disk, measured side by side in the same run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, httpStorage, type LogoResolver, type Storage } from '../src/index.js';
import { median, printTable } from './measure.js';

const COMPANIES = 100;
const RENDERS = 1000;
const CONCURRENCY = 50;
/** Each HEAD takes this long at the server: a nearby CDN or object store, not a local file. */
const LATENCY_MS = 5;

const companies = Array.from({ length: COMPANIES }, (_, i) => ({ company: `Company ${i} Ltd`, icon: `logos/company-${i}.png` }));
const present = new Set(companies.filter((_, i) => i % 2 === 0).map((c) => c.icon));

const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-requests-'));
for (const icon of present) {
  mkdirSync(path.dirname(path.join(base, icon)), { recursive: true });
  writeFileSync(path.join(base, icon), 'png');
}

let requests = 0;
let connections = 0;
const server = createServer((request, response) => {
  requests++;
  const key = decodeURIComponent((request.url ?? '').replace(/^\/media\//, ''));
  // A length on every answer, as nginx and CDNs send: 3 bytes for a logo, an empty 404.
  setTimeout(() => response.writeHead(present.has(key) ? 200 : 404, { 'Content-Length': present.has(key) ? '3' : '0' }).end(), LATENCY_MS);
});
server.on('connection', () => connections++);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/`;

/** The same page source works in Nunjucks and LiquidJS. */
const PAGE = '{% for c in list %}<img src="{{ c | get_company_logo }}" alt="{{ c | get_company_name }}">{% endfor %}';
type Render = () => Promise<string>;

/** One page renderer per engine, on its own engine instance, for one resolver. */
function renderers(logos: LogoResolver): Record<string, Render> {
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos, { async: true });
  const njk = nunjucks.compile(PAGE, env);
  const liquid = registerLiquid(new Liquid(), logos);
  const liq = liquid.parse(PAGE);
  const hbs = registerHandlebars(Handlebars.create(), logos).compile('{{#each list}}<img src="{{get_company_logo this}}" alt="{{get_company_name this}}">{{/each}}');
  return {
    'Nunjucks, async filters': () => new Promise((resolve, reject) => njk.render({ list: companies }, (error, html) => (error ? reject(error) : resolve(html ?? '')))),
    'LiquidJS, render()': () => liquid.render(liq, { list: companies }) as Promise<string>,
    // Handlebars cannot wait: it renders from the cache, which prefetch() fills first.
    'Handlebars + prefetch': async () => {
      await logos.prefetch(companies);
      return hbs({ list: companies });
    },
  };
}

/**
 * One cache window for the whole run (the defaults are 30 s for hits and 5 s for misses): on a busy
 * machine one engine's run can outlast 5 s, and the misses would be asked again mid-measurement.
 */
const WINDOW_MS = 120_000;
const resolverFor = (storage: Storage) => createLogoResolver({ storage, cache: { ttl: WINDOW_MS, missTtl: WINDOW_MS }, onError: () => undefined });

/** Runs `count` renders, `concurrency` at a time. */
async function load(render: Render, count: number, concurrency: number): Promise<string[]> {
  const pages: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      pages.push(await render());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return pages;
}

console.log(`## Storage requests: ${COMPANIES} companies (half with logos) × ${RENDERS} renders, ${CONCURRENCY} at a time, HTTP storage with ${LATENCY_MS} ms per HEAD\n`);
const rows: string[][] = [];
let longest = 0;
for (const engine of Object.keys(renderers(resolverFor(httpStorage({ baseUrl }))))) {
  const overHttp = resolverFor(httpStorage({ baseUrl }));
  const overDisk = resolverFor(fsStorage({ root: base, baseUrl }));
  const http = renderers(overHttp)[engine] as Render;
  const disk = renderers(overDisk)[engine] as Render;

  requests = 0;
  connections = 0;
  const started = process.hrtime.bigint();
  const pages = await load(http, RENDERS, CONCURRENCY);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const counted = requests;
  const opened = connections;
  longest = Math.max(longest, seconds);
  // Every render must print the right page: logos for the files that exist, avatars for the rest.
  const expected = await disk();
  const wrong = pages.filter((page) => page !== expected).length;
  if (wrong > 0) throw new Error(`bench: ${wrong} ${engine} renders over HTTP differ from the same page over the disk`);

  // Warm cache: both resolvers know every key; time renders side by side, interleaved.
  const times = { http: [] as number[], disk: [] as number[] };
  for (let round = 0; round < 220; round++) {
    for (const [which, render] of [['http', http], ['disk', disk]] as const) {
      const t = process.hrtime.bigint();
      await render();
      if (round >= 20) times[which].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  if (requests !== counted) throw new Error(`bench: warm ${engine} renders made ${requests - counted} storage requests`);
  const ratio = median(times.http) / median(times.disk);
  rows.push([engine, String(RENDERS), `${seconds.toFixed(2)} s`, String(COMPANIES), String(counted), (counted / COMPANIES).toFixed(2), String(opened), (counted / Math.max(opened, 1)).toFixed(1), `${median(times.disk).toFixed(2)} ms`, `${ratio.toFixed(2)}×`]);
}
printTable(['engine', 'renders', 'wall time', 'distinct keys', 'storage requests', 'requests per key', 'connections', 'checks per connection', 'warm page over fs (abs.)', 'warm page, HTTP ÷ fs'], rows);
console.log(
  `Cache windows set to ${WINDOW_MS / 1000} s for hits and misses, so that each run (the longest took ${longest.toFixed(1)} s) fits in one window: the target is one request per key.\n`,
);

// Connections: the same checks through the driver (a keep-alive agent) and through Node's fetch
// HEAD (what the driver used before, which closes the connection after every HEAD answer).
const CHECKS = 1000;
const AT_ONCE = 10;
const keys = companies.map((c) => c.icon);
async function checks(check: (key: string) => Promise<unknown>): Promise<{ opened: number; ms: number }> {
  connections = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: AT_ONCE }, async () => {
      while (next < CHECKS) await check(keys[next++ % keys.length] as string);
    }),
  );
  return { opened: connections, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}
const driver = httpStorage({ baseUrl });
const viaDriver = await checks((key) => driver.exists(key));
const viaFetch = await checks(async (key) => (await fetch(baseUrl + key, { method: 'HEAD' })).body?.cancel());
console.log(`## Connections: ${CHECKS} checks, ${AT_ONCE} at a time, HTTP storage with ${LATENCY_MS} ms per answer, on 127.0.0.1\n`);
printTable(
  ['client', 'connections opened', 'checks per connection', 'time', 'time ÷ driver'],
  [
    ['httpStorage (keep-alive agent, maxSockets 16)', String(viaDriver.opened), (CHECKS / Math.max(viaDriver.opened, 1)).toFixed(1), `${viaDriver.ms.toFixed(0)} ms`, '1.00×'],
    ["Node's fetch, HEAD", String(viaFetch.opened), (CHECKS / Math.max(viaFetch.opened, 1)).toFixed(1), `${viaFetch.ms.toFixed(0)} ms`, `${(viaFetch.ms / viaDriver.ms).toFixed(2)}×`],
  ],
);
console.log('On loopback a new connection costs little; to a CDN or S3 each one is a TCP and TLS handshake (one or more round trips).\n');

server.closeAllConnections();
server.close();
rmSync(base, { recursive: true, force: true });
