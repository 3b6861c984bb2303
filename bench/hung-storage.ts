/**
 * `node --import tsx bench/hung-storage.ts`: what a first render costs over an HTTP storage that
 * never answers (a hung CDN) or answers slowly, with the storage's circuit breaker (`cache.breaker`,
 * the default) and without it (`breaker: false`). Not part of `npm run bench`: the rows without the
 * breaker wait on purpose (about 15 s each), and the Eleventy build about 30 s.
 *
 * "Filter calls that waited" counts the async filter calls that took at least 90% of `timeout`
 * (through a wrapper of the resolver: the adapters then call its `settleLogo`).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Eleventy from '@11ty/eleventy';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { eleventyLogoFallback } from '../adapters/eleventy.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, httpStorage, type LogoFallbackError, type LogoResolver, type LogoResolverOptions } from '../src/index.js';
import { printTable } from './measure.js';

const PAGE = '{% for c in cs %}<img src="{{ c | get_company_logo }}">{% endfor %}';
let hung: ServerResponse[] = [];
/** 'hang': never answers; a number: answers 200 after that many ms. */
let mode: 'hang' | number = 'hang';
const server = createServer((_request, response) => {
  if (mode === 'hang') hung.push(response);
  else setTimeout(() => response.writeHead(200, { 'Content-Length': '3', 'Content-Type': 'image/png' }).end(), mode);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/`;

let run = 0;
/** `count` companies with files never asked for before (a new prefix each time): a cold cache. */
function companies(count: number): Array<{ company: string; icon: string }> {
  run++;
  return Array.from({ length: count }, (_, i) => ({ company: `Company ${i} Ltd`, icon: `run-${run}/company-${i}.png` }));
}

/** A resolver whose async answers are timed: `waits()` is how many took at least 90% of `timeout`. */
function counting(options: LogoResolverOptions, errors: LogoFallbackError[]): { logos: LogoResolver; waits: () => number } {
  const logos = createLogoResolver({ storage: httpStorage({ baseUrl }), onError: (error) => errors.push(error), ...options });
  const timeout = options.timeout ?? 300;
  let waits = 0;
  // A plain copy has no warm path: the adapters call its settleLogo for every item.
  const timed: LogoResolver = {
    ...logos,
    settleLogo(record, callOptions) {
      const answer = logos.settleLogo(record, callOptions);
      if (typeof answer === 'string') return answer;
      const started = performance.now();
      return answer.finally(() => {
        if (performance.now() - started >= 0.9 * timeout) waits++;
      });
    },
  };
  return { logos: timed, waits: () => waits };
}
const opened = (errors: LogoFallbackError[]): number => errors.filter((error) => error.code === 'STORAGE_FAILED' && /checks in a row/.test(error.message)).length;

async function page(engine: 'Nunjucks async' | 'LiquidJS', count: number, options: LogoResolverOptions, prefetch = false): Promise<string[]> {
  const errors: LogoFallbackError[] = [];
  const { logos, waits } = counting(options, errors);
  const cs = companies(count);
  const started = performance.now();
  if (prefetch) await logos.prefetch(cs);
  if (engine === 'LiquidJS') await registerLiquid(new Liquid(), logos).parseAndRender(PAGE, { cs });
  else {
    const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos, { async: true });
    await new Promise<void>((resolve, reject) => env.renderString(PAGE, { cs }, (error) => (error ? reject(error) : resolve())));
  }
  const ms = performance.now() - started;
  return [`${ms.toFixed(0)} ms`, String(waits()), String(opened(errors))];
}

/** An Eleventy build of one page listing `count` companies, with the plugin's default timeout (10 s). */
async function eleventyBuild(count: number): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'logo-fallback-hung-'));
  const errors: LogoFallbackError[] = [];
  const { logos, waits } = counting({ timeout: 10_000 }, errors);
  try {
    await mkdir(path.join(dir, 'site', '_data'), { recursive: true });
    await writeFile(path.join(dir, 'site', '_data', 'cs.json'), JSON.stringify(companies(count)));
    await writeFile(path.join(dir, 'site', 'index.njk'), PAGE);
    const eleventy = new Eleventy(path.join(dir, 'site'), path.join(dir, '_site'), {
      quietMode: true,
      config(config: { addPlugin(plugin: unknown, options: unknown): void }) {
        config.addPlugin(eleventyLogoFallback, { logos });
      },
    });
    eleventy.disableLogger();
    const started = performance.now();
    await eleventy.write();
    return [`${((performance.now() - started) / 1000).toFixed(1)} s`, String(waits()), String(opened(errors))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`# Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${os.platform()} ${os.arch()}\n`);
const HEADINGS = ['first render', 'time', 'filter calls that waited', 'breaker opened'];

console.log('## A hung storage (never answers): 50 distinct companies, timeout 300 ms, cold cache\n');
const rows: string[][] = [];
for (const engine of ['Nunjucks async', 'LiquidJS'] as const) {
  rows.push([`${engine}, breaker (default: 3 failures, 5 s cooldown)`, ...(await page(engine, 50, { timeout: 300 }))]);
  rows.push([`${engine}, \`breaker: false\``, ...(await page(engine, 50, { timeout: 300, cache: { breaker: false } }))]);
}
printTable(HEADINGS, rows);

console.log('## Eleventy over a hung storage: one page of 1,000 distinct companies, the plugin\'s timeout (10 s)\n');
printTable(['build', 'time', 'filter calls that waited', 'breaker opened'], [['timeout 10 s, breaker defaults (3 failures, cooldown 100 s = 10 × timeout)', ...(await eleventyBuild(1_000))]]);

mode = 150;
console.log('## A slow but healthy storage: 150 ms per answer, 100 distinct companies, timeout 300 ms, cold cache\n');
printTable(HEADINGS, [
  ['Nunjucks async, breaker (default)', ...(await page('Nunjucks async', 100, { timeout: 300 }))],
  ['Nunjucks async, `await logos.prefetch(cs)` first (32 checks at a time)', ...(await page('Nunjucks async', 100, { timeout: 300 }, true))],
]);

for (const response of hung) response.destroy();
hung = [];
server.closeAllConnections();
await new Promise((resolve) => server.close(resolve));
