/**
 * Render cost of the filters: a list of 1,000 companies (half with existing logos, half missing)
 * in each engine, four ways, as ratios to a template calling a trivial filter (the floor for any
 * filter: the engine's own call cost).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage } from '../src/index.js';
import { median, pairedRatio, printTable, sample } from './measure.js';

const COUNT = 1000;
const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-bench-'));
const root = path.join(base, 'media');
mkdirSync(path.join(root, 'logos'), { recursive: true });
const companies = Array.from({ length: COUNT }, (_, i) => {
  const icon = `logos/company-${i}.png`;
  if (i % 2 === 0) writeFileSync(path.join(root, icon), 'png');
  return { company: `Company ${i} Ltd`, icon };
});

const logos = createLogoResolver({ storage: fsStorage({ root, baseUrl: '/media/' }), onError: () => {} });
await logos.prefetch(companies);
// The precomputed URLs the plain template and the trivial filter print: exactly our answers.
const rows = companies.map((c) => ({ ...c, url: logos.logo(c) }));
const naive = (c: { icon: string; company: string }) => (existsSync(path.join(root, c.icon)) ? `/media/${c.icon}` : logos.avatar(c.company));

type Way = 'plain' | 'trivial' | 'ours' | 'naive';

function nunjucksRenderers(): Record<Way, () => string> {
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos);
  env.addFilter('trivial_logo', (c: { url: string }) => c.url);
  env.addFilter('naive_logo', naive);
  const make = (expression: string) => {
    const template = nunjucks.compile(`{% for c in list %}<img src="{{ ${expression} }}" alt="{{ c.company }}">{% endfor %}`, env);
    return () => template.render({ list: rows });
  };
  return { plain: make('c.url'), trivial: make('c | trivial_logo'), ours: make('c | get_company_logo'), naive: make('c | naive_logo') };
}

function handlebarsRenderers(): Record<Way, () => string> {
  const hb = registerHandlebars(Handlebars.create(), logos);
  hb.registerHelper('trivial_logo', (c: { url: string }) => c.url);
  hb.registerHelper('naive_logo', naive);
  const make = (expression: string) => {
    const template = hb.compile(`{{#each list}}<img src="{{${expression}}}" alt="{{company}}">{{/each}}`);
    return () => template({ list: rows });
  };
  return { plain: make('url'), trivial: make('trivial_logo this'), ours: make('get_company_logo this'), naive: make('naive_logo this') };
}

function liquidRenderers(): Record<Way, () => string> {
  const liquid = registerLiquid(new Liquid({ outputEscape: 'escape' }), logos);
  liquid.registerFilter('trivial_logo', (c: { url: string }) => c.url);
  liquid.registerFilter('naive_logo', naive);
  const make = (expression: string) => {
    const template = liquid.parse(`{% for c in list %}<img src="{{ ${expression} }}" alt="{{ c.company }}">{% endfor %}`);
    return () => liquid.renderSync(template, { list: rows }) as string;
  };
  return { plain: make('c.url'), trivial: make('c | trivial_logo'), ours: make('c | get_company_logo'), naive: make('c | naive_logo') };
}

const engines = { Nunjucks: nunjucksRenderers(), Handlebars: handlebarsRenderers(), LiquidJS: liquidRenderers() };
const ways: Way[] = ['plain', 'trivial', 'ours', 'naive'];

// Every way must print the same page, or the comparison means nothing. (Handlebars' own escaping
// also turns `=` into `&#x3D;`; the package's does not: both are the same URL in an attribute.)
for (const [engine, renderers] of Object.entries(engines)) {
  const pages = new Set(ways.map((way) => renderers[way]().replaceAll('&#x3D;', '=')));
  if (pages.size !== 1) throw new Error(`bench: the four ${engine} templates disagree`);
}

console.log(`## Render: ${COUNT} companies (half with logos), ratio to a trivial filter (lower is faster; median of per-round ratios)\n`);
const rowsOut: string[][] = [];
for (const [engine, renderers] of Object.entries(engines)) {
  const samples = sample(ways.map((way) => ({ name: way, run: renderers[way] })), { rounds: 300, warmup: 30 });
  const trivial = samples.get('trivial') as number[];
  const ratio = (way: Way) => pairedRatio(samples.get(way) as number[], trivial);
  rowsOut.push([engine, `${median(trivial).toFixed(2)} ms`, ...ways.map((way) => `${ratio(way).toFixed(2)}×`)]);
}
printTable(['engine', 'trivial filter (abs.)', 'plain template', 'trivial filter', 'logo-fallback, warm cache', 'naive existsSync filter'], rowsOut);
rmSync(base, { recursive: true, force: true });
