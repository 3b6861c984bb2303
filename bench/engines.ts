/**
 * The page the render bench times, in each engine, five ways. `rows` carry precomputed answers
 * (`url`: our answer as text, `safe`: the same already in the engine's safe form), so the baselines
 * print exactly what our filter prints:
 *
 * - `plain`: the template prints the precomputed URL itself;
 * - `trivial`: a filter returning the precomputed URL as a plain string (the engine escapes it);
 * - `honest`: a filter returning the precomputed value printed the way ours is — in the engine's
 *   safe form for Nunjucks (`markSafe`), Handlebars (`SafeString`) and LiquidJS (a raw filter); for
 *   EJS, Pug and Eta, whose helpers return text the engine escapes, the trivial helper itself —
 *   the floor for any filter: the engine's own call and escaping cost and nothing else;
 * - `ours`: `get_company_logo`;
 * - `naive`: a filter that calls `fs.existsSync` on every call (the seed's way).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { Eta } from 'eta';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import pug from 'pug';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { logoFallbackLocals } from '../adapters/locals.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { escapeHtml, type LogoResolver } from '../src/index.js';

/** One company of the page, with the precomputed answers the baselines print. */
export interface BenchRow {
  company: string;
  icon: string;
  url: string;
}

/** The ways a page is rendered, in table order. */
export const WAYS = ['plain', 'trivial', 'honest', 'ours', 'naive'] as const;
export type Way = (typeof WAYS)[number];

/** Renders the page of `rows` one way. Built before timing; each call is one timed render. */
export type Renderers = Record<Way, (rows: readonly BenchRow[]) => string>;

/** What a page's engine setup needs: the resolver, and the media root the naive filter reads. */
export interface BenchSetup {
  logos: LogoResolver;
  root: string;
}

function naiveFilter({ logos, root }: BenchSetup) {
  return (c: BenchRow) => (existsSync(path.join(root, c.icon)) ? `/media/${c.icon}` : logos.avatar(c.company));
}

function nunjucksRenderers(setup: BenchSetup): Renderers {
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), setup.logos);
  const safe = env.getFilter('safe') as (text: string) => unknown;
  const safeOf = new WeakMap<BenchRow, unknown>();
  env.addFilter('trivial_logo', (c: BenchRow) => c.url);
  env.addFilter('honest_logo', (c: BenchRow) => safeOf.get(c));
  env.addFilter('naive_logo', naiveFilter(setup));
  const make = (expression: string) => {
    const template = nunjucks.compile(`{% for c in list %}<img src="{{ ${expression} }}" alt="{{ c.company }}">{% endfor %}`, env);
    return (rows: readonly BenchRow[]) => {
      // precomputed once per list, outside the timed renders' cost per item
      if (!safeOf.has(rows[0] as BenchRow)) for (const row of rows) safeOf.set(row, safe(escapeHtml(row.url)));
      return template.render({ list: rows });
    };
  };
  return { plain: make('c.url'), trivial: make('c | trivial_logo'), honest: make('c | honest_logo'), ours: make('c | get_company_logo'), naive: make('c | naive_logo') };
}

function handlebarsRenderers(setup: BenchSetup): Renderers {
  const hb = registerHandlebars(Handlebars.create(), setup.logos);
  const safeOf = new WeakMap<BenchRow, Handlebars.SafeString>();
  hb.registerHelper('trivial_logo', (c: BenchRow) => c.url);
  hb.registerHelper('honest_logo', (c: BenchRow) => safeOf.get(c));
  hb.registerHelper('naive_logo', naiveFilter(setup));
  const make = (expression: string) => {
    const template = hb.compile(`{{#each list}}<img src="{{${expression}}}" alt="{{company}}">{{/each}}`);
    return (rows: readonly BenchRow[]) => {
      if (!safeOf.has(rows[0] as BenchRow)) for (const row of rows) safeOf.set(row, new hb.SafeString(escapeHtml(row.url)));
      return template({ list: rows });
    };
  };
  return { plain: make('url'), trivial: make('trivial_logo this'), honest: make('honest_logo this'), ours: make('get_company_logo this'), naive: make('naive_logo this') };
}

function liquidRenderers(setup: BenchSetup): Renderers {
  const liquid = registerLiquid(new Liquid({ outputEscape: 'escape' }), setup.logos);
  const escaped = new WeakMap<BenchRow, string>();
  liquid.registerFilter('trivial_logo', (c: BenchRow) => c.url);
  liquid.registerFilter('honest_logo', { raw: true, handler: (c: BenchRow) => escaped.get(c) });
  liquid.registerFilter('naive_logo', naiveFilter(setup));
  const make = (expression: string) => {
    const template = liquid.parse(`{% for c in list %}<img src="{{ ${expression} }}" alt="{{ c.company }}">{% endfor %}`);
    return (rows: readonly BenchRow[]) => {
      if (!escaped.has(rows[0] as BenchRow)) for (const row of rows) escaped.set(row, escapeHtml(row.url));
      return liquid.renderSync(template, { list: rows }) as string;
    };
  };
  return { plain: make('c.url'), trivial: make('c | trivial_logo'), honest: make('c | honest_logo'), ours: make('c | get_company_logo'), naive: make('c | naive_logo') };
}

/**
 * EJS, Pug and Eta call helpers from their data: `logoFallbackLocals()` beside a trivial and a
 * naive helper, each printed with the engine's escaping syntax. `page` builds the page template
 * around one helper call (`c` is the item).
 */
function localsRenderers(setup: BenchSetup, page: (call: string) => (data: object) => string): Renderers {
  const helpers = { ...logoFallbackLocals(setup.logos), trivial_logo: (c: BenchRow) => c.url, naive_logo: naiveFilter(setup) };
  const make = (call: string) => {
    const template = page(call);
    return (rows: readonly BenchRow[]) => template({ ...helpers, list: rows });
  };
  const trivial = make('trivial_logo(c)');
  return { plain: make('c.url'), trivial, honest: trivial, ours: make('get_company_logo(c)'), naive: make('naive_logo(c)') };
}

const ejsRenderers = (setup: BenchSetup) =>
  localsRenderers(setup, (call) => ejs.compile(`<% for (const c of list) { %><img src="<%= ${call} %>" alt="<%= c.company %>"><% } %>`));
const pugRenderers = (setup: BenchSetup) => localsRenderers(setup, (call) => pug.compile(`each c in list\n  img(src=${call} alt=c.company)`, { doctype: 'html' }));
function etaRenderers(setup: BenchSetup): Renderers {
  // Eta reads data through `it`; functionHeader puts the helpers in scope, as an app can.
  const eta = new Eta({ functionHeader: 'const { get_company_logo, trivial_logo, naive_logo, list } = it;' });
  return localsRenderers(setup, (call) => {
    const template = eta.compile(`<% for (const c of list) { %><img src="<%= ${call} %>" alt="<%= c.company %>"><% } %>`);
    return (data) => template.call(eta, data);
  });
}

/** Every engine the bench times, in table order. */
export const ENGINES: Record<string, (setup: BenchSetup) => Renderers> = {
  Nunjucks: nunjucksRenderers,
  Handlebars: handlebarsRenderers,
  LiquidJS: liquidRenderers,
  EJS: ejsRenderers,
  Pug: pugRenderers,
  Eta: etaRenderers,
};

/**
 * Every way must print the same page, or the comparison means nothing. Handlebars' own escaping
 * also turns `=` into `&#x3D;` (the trivial helper's plain string); the package's does not: both
 * are the same URL in an attribute.
 */
export function checkSamePage(engine: string, renderers: Renderers, rows: readonly BenchRow[]): void {
  const pages = new Set(WAYS.map((way) => renderers[way](rows).replaceAll('&#x3D;', '=')));
  if (pages.size !== 1) throw new Error(`bench: the ${WAYS.length} ${engine} pages disagree`);
}
