/**
 * The local disk, cold: what one existence check costs the fs driver, and what the first render of
 * 1,000 companies costs, against a naive `existsSync` filter (no containment, no "present" rules)
 * measured side by side in the same run. Each round uses a new storage (and resolver), so every
 * check really reaches the disk: nothing is cached but the kernel's dentries, as in any first render.
 * They are built before the clock starts, as an app builds them once at start-up: what is timed is
 * the first use, not the construction (an existence cache of `cache.max` entries is allocated then).
 *
 * `npm run bench` measures the compiled package (bench/compiled.mjs); on its own:
 * `npm run build && node --import tsx --import ./bench/compiled.mjs bench/cold-disk.ts`.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, initialsAvatar } from '../src/index.js';
import { median, pairedRatio, printTable, sample } from './measure.js';

const COUNT = 1000;
const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-cold-'));
const root = path.join(base, 'media');
mkdirSync(path.join(root, 'base', 'company', 'icon'), { recursive: true });
const companies = Array.from({ length: COUNT }, (_, i) => {
  const icon = `base/company/icon/company-${i}.png`;
  if (i % 2 === 0) writeFileSync(path.join(root, icon), 'png');
  return { company: `Company ${i} Ltd`, icon };
});
const keys = companies.map((c) => c.icon);

/** The check before this driver: pathExists, then realpath of the root and of the file, then stat. */
function previousCheck(key: string): boolean {
  const full = path.join(root, key);
  if (!existsSync(full)) return existsSync(root) && false;
  const realRoot = realpathSync.native(root);
  return realpathSync.native(full).startsWith(realRoot + path.sep) && statSync(full).isFile();
}

/** `count` new values, built now, handed out one per call (the clock runs only around their use). */
function prebuilt<T>(count: number, make: () => T): () => T {
  const ready = Array.from({ length: count }, make);
  return () => {
    const next = ready.pop();
    if (next === undefined) throw new Error('bench: more rounds than prebuilt values');
    return next;
  };
}

const PER_KEY_ROUNDS = { rounds: 100, warmup: 10 };
const newStorage = prebuilt(PER_KEY_ROUNDS.rounds + PER_KEY_ROUNDS.warmup, () => fsStorage({ root }));
// As bench/index.ts says it: bench/compiled.mjs swaps the sources for the compiled build.
const measured = import.meta.resolve('../src/index.js').includes('/dist/') ? 'the compiled package (dist/)' : 'the TypeScript sources through tsx';
console.log(`## Cold local disk: ${COUNT} keys (half present) under ${root.split(path.sep).length - 1} directories, a new storage every round; ${measured}\n`);
const perKey = sample(
  [
    { name: 'naive', run: () => keys.filter((key) => existsSync(path.join(root, key))).length },
    {
      name: 'driver',
      run: () => {
        const storage = newStorage();
        return keys.filter((key) => storage.existsSync(key)).length;
      },
    },
    { name: 'previous', run: () => keys.filter(previousCheck).length },
  ],
  PER_KEY_ROUNDS,
);
const naiveKeys = perKey.get('naive') as number[];
printTable(
  ['check', `${COUNT} keys (abs.)`, 'ratio to existsSync'],
  [
    ['fs.existsSync (no containment)', `${median(naiveKeys).toFixed(2)} ms`, '1.00×'],
    ['fsStorage().existsSync (key rules + one lstat)', `${median(perKey.get('driver') as number[]).toFixed(2)} ms`, `${pairedRatio(perKey.get('driver') as number[], naiveKeys).toFixed(2)}×`],
    ['before: pathExists + realpath + stat', `${median(perKey.get('previous') as number[]).toFixed(2)} ms`, `${pairedRatio(perKey.get('previous') as number[], naiveKeys).toFixed(2)}×`],
  ],
);

// The first render: every round a new resolver (empty existence cache and memos) against a naive
// filter that calls existsSync, two ways. "Avatars drawn afresh": a new avatar provider every round
// for both, as in a process that has drawn nothing yet (each page draws its 500 avatars). "Avatar
// provider warm": one provider for every round, so that the naive filter's avatars cost a memo
// lookup and what remains is the resolver's and the storage's own first-use work.
let avatar = initialsAvatar();
const naive = (c: { icon: string; company: string }) => (existsSync(path.join(root, c.icon)) ? `/media/${c.icon}` : avatar({ name: c.company }));
// The same naive filter asking a new fsStorage instead: the storage's share of a cold render.
let disk = fsStorage({ root });
const naiveOverDriver = (c: { icon: string; company: string }) => (disk.existsSync(c.icon) ? `/media/${c.icon}` : avatar({ name: c.company }));
const RENDER_ROUNDS = { rounds: 40, warmup: 5 };
/** Per engine: one per sampled round, and one for the run that checks the three pages agree. */
const PER_ENGINE = RENDER_ROUNDS.rounds + RENDER_ROUNDS.warmup + 1;
let fresh = prebuilt(0, () => createLogoResolver());
let freshDisk = prebuilt(0, () => fsStorage({ root }));
let freshAvatar = prebuilt(0, () => initialsAvatar());
const NJK = '{% for c in list %}<img src="{{ c | LOGO }}">{% endfor %}';
type Filter = (c: { icon: string; company: string }) => string;
const engines: Record<string, (filter: Filter | undefined) => string> = {
  Nunjucks: (filter) => {
    const env = new nunjucks.Environment(null, { autoescape: true });
    if (filter === undefined) registerNunjucks(env, fresh());
    else env.addFilter('get_company_logo', filter);
    return nunjucks.compile(NJK.replace('LOGO', 'get_company_logo'), env).render({ list: companies });
  },
  Handlebars: (filter) => {
    const hb = Handlebars.create();
    if (filter === undefined) registerHandlebars(hb, fresh());
    else hb.registerHelper('get_company_logo', filter);
    return hb.compile('{{#each list}}<img src="{{get_company_logo this}}">{{/each}}')({ list: companies });
  },
  LiquidJS: (filter) => {
    const liquid = new Liquid({ outputEscape: 'escape' });
    if (filter === undefined) registerLiquid(liquid, fresh());
    else liquid.registerFilter('get_company_logo', filter);
    return liquid.parseAndRenderSync(NJK.replace('LOGO', 'get_company_logo'), { list: companies }) as string;
  },
};
const rows: string[][] = [];
for (const afresh of [true, false]) {
  const warm = initialsAvatar();
  const provider = afresh ? () => initialsAvatar() : () => warm;
  for (const [engine, render] of Object.entries(engines)) {
    fresh = prebuilt(PER_ENGINE, () => createLogoResolver({ storage: fsStorage({ root, baseUrl: '/media/' }), avatar: provider(), onError: () => {} }));
    freshDisk = prebuilt(PER_ENGINE, () => fsStorage({ root }));
    freshAvatar = prebuilt(2 * PER_ENGINE, provider);
    const ways = {
      naive: () => {
        avatar = freshAvatar();
        return render(naive);
      },
      driver: () => {
        disk = freshDisk();
        avatar = freshAvatar();
        return render(naiveOverDriver);
      },
      ours: () => render(undefined),
    };
    const pages = new Set(Object.values(ways).map((way) => way().replaceAll('&#x3D;', '=')));
    if (pages.size !== 1) throw new Error(`bench: the ${engine} cold pages differ`);
    const times = sample(Object.entries(ways).map(([name, run]) => ({ name, run })), RENDER_ROUNDS);
    const base = times.get('naive') as number[];
    const ratio = (name: string) => `${pairedRatio(times.get(name) as number[], base).toFixed(2)}×`;
    rows.push([`${engine}, ${afresh ? 'avatars drawn afresh' : 'avatar provider warm'}`, `${median(base).toFixed(1)} ms`, ratio('driver'), `${median(times.get('ours') as number[]).toFixed(1)} ms`, ratio('ours')]);
  }
}
console.log(`## Cold first render: ${COUNT} companies, a new resolver every round, ${measured} (goal: under 2× the naive filter)\n`);
printTable(['engine', 'naive existsSync filter (abs.)', 'naive filter over a new fsStorage', 'logo-fallback, cold (abs.)', 'logo-fallback, cold'], rows);
rmSync(base, { recursive: true, force: true });
