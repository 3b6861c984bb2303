/**
 * Render cost of the filters: a list of N companies (half with logos on the local disk, half
 * missing) in each engine, the ways of bench/engines.ts, as ratios to the honest floor (a filter
 * returning a precomputed value in the engine's safe form) measured side by side in the same run.
 *
 * - warm: N = 1,000 and N = 10,000 (the default `cache.max`: the cost per item must stay flat up
 *   to it), cache filled before timing;
 * - warm with fresh records: N = 1,000, the records copied afresh before every render (new objects,
 *   new strings: a list read from a database per request), for the helpers whose floor needs
 *   nothing precomputed per record (EJS, Pug, Eta: the trivial helper);
 * - cold: the first render of 1,000 companies with a fresh resolver (nothing cached) against the
 *   naive filter calling `fs.existsSync` per item.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogoResolver, fsStorage, type LogoResolver } from '../src/index.js';
import { ENGINES, WAYS, checkSamePage, type BenchRow, type Renderers, type Way } from './engines.js';
import { median, pairedRatio, printTable, sample } from './measure.js';

const SIZES = [1000, 10_000] as const;
const FRESH_ENGINES = ['EJS', 'Pug', 'Eta'] as const;
const COLD = 1000;
const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-bench-'));
const root = path.join(base, 'media');
mkdirSync(path.join(root, 'logos'), { recursive: true });

/** N companies, every other one with a logo file; distinct names, so N / 2 distinct avatars. */
function companies(count: number): Array<{ company: string; icon: string }> {
  return Array.from({ length: count }, (_, i) => {
    const icon = `logos/company-${i}.png`;
    if (i % 2 === 0) writeFileSync(path.join(root, icon), 'png');
    return { company: `Company ${i} Ltd`, icon };
  });
}

const resolver = (): LogoResolver => createLogoResolver({ storage: fsStorage({ root, baseUrl: '/media/' }), onError: () => {} });
const fmt = (ratio: number) => `${ratio.toFixed(2)}×`;

/** Warm rows: one resolver, its cache filled, then every way timed round after round. */
async function warm(count: number): Promise<string[][]> {
  const list = companies(count);
  const logos = resolver();
  await logos.prefetch(list);
  // The precomputed answers the baselines print: exactly our answers.
  const rows: BenchRow[] = list.map((c) => ({ ...c, url: logos.logo(c) }));
  const out: string[][] = [];
  for (const [engine, make] of Object.entries(ENGINES)) {
    const renderers = make({ logos, root });
    checkSamePage(engine, renderers, rows);
    const rounds = count >= 10_000 ? 15 : 200;
    // A way that is another's renderer (EJS, Pug, Eta: the floor is the trivial helper) is timed once.
    const timed = WAYS.filter((way, i) => WAYS.findIndex((other) => renderers[other] === renderers[way]) === i);
    const samples = sample(timed.map((way) => ({ name: way, run: () => renderers[way](rows) })), { rounds, warmup: Math.ceil(rounds / 10) });
    for (const way of WAYS) if (!samples.has(way)) samples.set(way, samples.get(WAYS.find((other) => renderers[other] === renderers[way]) as Way) as number[]);
    const honest = samples.get('honest') as number[];
    const ratio = (way: Way) => pairedRatio(samples.get(way) as number[], honest);
    out.push([engine, count.toLocaleString('en-US'), `${median(honest).toFixed(2)} ms`, ...WAYS.map((way) => fmt(ratio(way)))]);
  }
  return out;
}

/** Fresh-record rows: a copy of the records before each timed render (untimed), ours against the trivial helper. */
async function fresh(count: number): Promise<string[][]> {
  const list = companies(count);
  const logos = resolver();
  await logos.prefetch(list);
  const rows: BenchRow[] = list.map((c) => ({ ...c, url: logos.logo(c) }));
  // JSON makes new strings too: a string of more than a few characters is not shared with the original.
  const copy = (): BenchRow[] => JSON.parse(JSON.stringify(rows)) as BenchRow[];
  const out: string[][] = [];
  for (const engine of FRESH_ENGINES) {
    const renderers = (ENGINES[engine] as (setup: { logos: LogoResolver; root: string }) => Renderers)({ logos, root });
    checkSamePage(engine, renderers, copy());
    let [forTrivial, forOurs] = [copy(), copy()];
    const samples = sample(
      [
        { name: 'trivial', prepare: () => void (forTrivial = copy()), run: () => renderers.trivial(forTrivial) },
        { name: 'ours', prepare: () => void (forOurs = copy()), run: () => renderers.ours(forOurs) },
      ],
      { rounds: 200, warmup: 20 },
    );
    const trivial = samples.get('trivial') as number[];
    out.push([engine, count.toLocaleString('en-US'), `${median(trivial).toFixed(2)} ms`, fmt(pairedRatio(samples.get('ours') as number[], trivial))]);
  }
  return out;
}

/** Cold rows: before each timed render, a fresh resolver and engine (untimed), so nothing is cached. */
function cold(): string[][] {
  const list = companies(COLD);
  const probe = resolver();
  const rows: BenchRow[] = list.map((c) => ({ ...c, url: probe.logo(c) }));
  const out: string[][] = [];
  for (const [engine, make] of Object.entries(ENGINES)) {
    let fresh: Renderers = make({ logos: resolver(), root });
    checkSamePage(engine, fresh, rows);
    // Both sides draw their avatars afresh (a new resolver's memo is empty): the difference is the
    // existence checks and our own work per item.
    let naive: Renderers = fresh;
    const samples = sample(
      [
        { name: 'ours', prepare: () => void (fresh = make({ logos: resolver(), root })), run: () => fresh.ours(rows) },
        { name: 'naive', prepare: () => void (naive = make({ logos: resolver(), root })), run: () => naive.naive(rows) },
      ],
      { rounds: 20, warmup: 3 },
    );
    const ours = samples.get('ours') as number[];
    const naiveTimes = samples.get('naive') as number[];
    out.push([engine, COLD.toLocaleString('en-US'), `${median(naiveTimes).toFixed(2)} ms`, `${median(ours).toFixed(2)} ms`, fmt(pairedRatio(ours, naiveTimes))]);
  }
  return out;
}

console.log('## Render: N companies (half with logos on disk), warm cache, ratio to the honest floor (lower is faster; median of per-round ratios)\n');
const warmRows: string[][] = [];
for (const count of SIZES) warmRows.push(...(await warm(count)));
printTable(['engine', 'N', 'honest floor (abs.)', 'plain template', 'trivial filter (plain string)', 'honest floor', 'logo-fallback, warm', 'naive existsSync filter'], warmRows);
console.log('Honest floor: a filter returning a precomputed value printed as ours is — the engine-safe value (Nunjucks markSafe, Handlebars SafeString, a LiquidJS raw filter); for EJS, Pug and Eta, whose helpers return text the engine escapes, the trivial helper.\n');

console.log('## Render: warm cache, the records copied afresh before every render (new objects and strings, as read from a database per request), ratio to the trivial helper\n');
printTable(['engine', 'N', 'trivial helper (abs.)', 'logo-fallback, warm, fresh records'], await fresh(1000));

console.log(`## Render: the first render of ${COLD.toLocaleString('en-US')} companies, nothing cached, against the naive existsSync filter\n`);
printTable(['engine', 'N', 'naive existsSync filter (abs.)', 'logo-fallback, cold (abs.)', 'cold ÷ naive'], cold());
rmSync(base, { recursive: true, force: true });
