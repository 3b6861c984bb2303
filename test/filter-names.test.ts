/**
 * Filter names (issue 8 §8): a rename must not silently replace a filter the engine already has —
 * its own (Nunjucks' `safe`, Liquid's `upcase`, Handlebars' `if`, Eleventy's `slugify`) or one the
 * application registered — and two of our filters cannot share a name. Both are a
 * `LogoFallbackError` (`INVALID_OPTION`) at registration, through the real engines; the engine's
 * filter keeps working. Registering our filters again (a second resolver, a reload) is allowed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Eleventy from '@11ty/eleventy';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eleventyLogoFallback } from '../adapters/eleventy.js';
import type { FilterNames } from '../adapters/filters.js';
import { registerHandlebars } from '../adapters/handlebars.js';
import { liquidPlugin, registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, LogoFallbackError } from '../src/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'a.png': 'png' });
const logos = createLogoResolver({ storage: fsStorage({ root: media.root }), onError: () => {} });
const company = { company: 'Acme Corp', icon: 'a.png' };

/** The error `run` throws, which must be our INVALID_OPTION. */
function refused(run: () => unknown, label: string): LogoFallbackError {
  try {
    run();
  } catch (error) {
    assert.instance(error, LogoFallbackError, `${label}: ${String(error)}`);
    assert.is((error as LogoFallbackError).code, 'INVALID_OPTION', label);
    return error as LogoFallbackError;
  }
  assert.unreachable(`${label}: registered without a word`);
  throw new Error('unreachable');
}

const DUPLICATES: Array<[FilterNames, RegExp]> = [
  [{ logo: 'x', name: 'x' }, /"names\.logo" and "names\.name" are both "x"/],
  [{ logo: 'x', file: 'x', name: 'x' }, /"names\.logo" and "names\.file" are both "x"/],
  [{ logo: 'get_company_name' }, /"names\.logo" and "names\.name" \(by default\) are both "get_company_name"/],
  [{ file: 'get_company_logo' }, /"names\.logo" \(by default\) and "names\.file" are both "get_company_logo"/],
];

test('two of our filters under one name: refused by every adapter, before the engine is touched', () => {
  for (const [names, message] of DUPLICATES) {
    const env = new nunjucks.Environment();
    const hbs = Handlebars.create();
    const liquid = new Liquid();
    for (const [label, run] of [
      ['Nunjucks', () => registerNunjucks(env, logos, { names })],
      ['Handlebars', () => registerHandlebars(hbs, logos, { names })],
      ['Liquid', () => registerLiquid(liquid, logos, { names })],
      ['liquidPlugin', () => liquidPlugin(logos, { names })],
    ] as const) {
      assert.match(refused(run, `${label} ${JSON.stringify(names)}`).message, message);
    }
    assert.throws(() => env.getFilter('x'), /filter not found/, 'nothing was registered');
    assert.is(hbs.helpers['x'], undefined);
    assert.is(liquid.filters['x'], undefined);
  }
});

test("Nunjucks: its own filters (safe, upper, length, default, e, dump) and the application's are refused; they keep working", () => {
  for (const name of ['safe', 'upper', 'length', 'default', 'e', 'dump', 'company_logo', 'toString']) {
    const env = new nunjucks.Environment(null, { autoescape: true });
    env.addFilter('company_logo', () => 'mine');
    for (const which of ['logo', 'file', 'name'] as const) {
      const error = refused(() => registerNunjucks(env, logos, { names: { [which]: name } }), `${which}: ${name}`);
      assert.match(error.message, new RegExp(`registerNunjucks\\(\\): Nunjucks already has a filter named "${name}".*"names\\.${which}" would replace it; choose another name`));
    }
    assert.is(env.renderString('{{ "<b>" | safe }}|{{ "a" | upper }}|{{ x | company_logo }}', {}), '<b>|A|mine');
  }
});

test("Handlebars: its own helpers (if, each, with, lookup, log, unless) and the application's are refused; they keep working", () => {
  for (const name of ['if', 'each', 'with', 'lookup', 'log', 'unless', 'helperMissing', 'company_logo', 'constructor']) {
    const hbs = Handlebars.create();
    hbs.registerHelper('company_logo', () => 'mine');
    for (const which of ['logo', 'file', 'name'] as const) {
      assert.match(refused(() => registerHandlebars(hbs, logos, { names: { [which]: name } }), `${which}: ${name}`).message, new RegExp(`Handlebars already has a helper named "${name}"`));
    }
    assert.is(hbs.compile('{{#if ok}}yes{{/if}}|{{company_logo}}')({ ok: true }), 'yes|mine');
  }
});

test("LiquidJS: its own filters (upcase, size, default, date, escape) and the application's are refused; they keep working", async () => {
  for (const name of ['upcase', 'size', 'default', 'date', 'escape', 'company_logo']) {
    const liquid = new Liquid();
    liquid.registerFilter('company_logo', () => 'mine');
    for (const which of ['logo', 'file', 'name'] as const) {
      assert.match(refused(() => registerLiquid(liquid, logos, { names: { [which]: name } }), `${which}: ${name}`).message, new RegExp(`LiquidJS already has a filter named "${name}"`));
      assert.match(refused(() => liquid.plugin(liquidPlugin(logos, { names: { [which]: name } })), `plugin ${which}: ${name}`).message, /already has a filter/);
    }
    assert.is(await liquid.parseAndRender('{{ "a" | upcase }}|{{ x | company_logo }}', {}), 'A|mine');
  }
});

test('the default names, when the application already has one of them: refused, naming the option that renames it', () => {
  const env = new nunjucks.Environment();
  env.addFilter('get_company_logo', () => 'seed');
  const error = refused(() => registerNunjucks(env, logos), 'default name taken');
  assert.match(error.message, /"names\.logo" \(by default\) would replace it; choose another name, e\.g\. \{ names: \{ logo: "logo_fallback_logo" \} \}/);
  // The suggested rename works.
  registerNunjucks(env, logos, { names: { logo: 'logo_fallback_logo' } });
  assert.is(env.renderString('{{ c | get_company_logo }}|{{ c | logo_fallback_logo }}', { c: company }), 'seed|/media/a.png');
});

test('registering our filters again (another resolver, a reload) replaces them without a word, in every engine', async () => {
  const other = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/other/' }), onError: () => {} });
  const env = new nunjucks.Environment();
  registerNunjucks(env, logos);
  registerNunjucks(env, other);
  registerNunjucks(env, other, { async: true });
  const hbs = Handlebars.create();
  registerHandlebars(hbs, logos, { names: { logo: 'logo' } });
  registerHandlebars(hbs, other, { names: { logo: 'logo' } });
  const liquid = new Liquid();
  registerLiquid(liquid, logos);
  liquid.plugin(liquidPlugin(other));
  assert.is(env.renderString('{{ c | get_company_logo }}', { c: company }), '/other/a.png');
  assert.is(hbs.compile('{{logo c}}')({ c: company }), '/other/a.png');
  assert.is(await liquid.parseAndRender('{{ c | get_company_logo }}', { c: company }), '/other/a.png');
});

test("Eleventy: its own filters (slugify, url, log) and the project's are refused when the plugin is added; adding it twice is not", async () => {
  const site = await mkdtemp(path.join(tmpdir(), 'logo-fallback-names-'));
  const build = async (configure: (config: any) => void): Promise<unknown> => {
    const eleventy = new Eleventy(site, path.join(site, '_site'), { quietMode: true, config: configure });
    eleventy.disableLogger();
    try {
      await eleventy.write();
      return undefined;
    } catch (error) {
      return error;
    }
  };
  /** The LogoFallbackError in an error's cause chain (Eleventy wraps a plugin's error). */
  const ours = (error: unknown): LogoFallbackError | undefined => {
    for (let at = error, depth = 0; at !== undefined && at !== null && depth < 10; at = (at as { cause?: unknown; originalError?: unknown }).cause ?? (at as { originalError?: unknown }).originalError, depth++) {
      if (at instanceof LogoFallbackError) return at;
    }
    return undefined;
  };
  try {
    for (const name of ['slugify', 'url', 'log', 'company_logo']) {
      const error = await build((config) => {
        config.addFilter('company_logo', () => 'mine');
        config.addPlugin(eleventyLogoFallback, { logos, names: { logo: name } });
      });
      const found = ours(error);
      assert.ok(found, `${name}: ${String(error)}`);
      assert.is(found?.code, 'INVALID_OPTION');
      assert.match(found?.message ?? '', new RegExp(`Eleventy already has a filter named "${name}"`));
    }
    const duplicate = ours(await build((config) => config.addPlugin(eleventyLogoFallback, { logos, names: { logo: 'x', file: 'x' } })));
    assert.match(duplicate?.message ?? '', /"names\.logo" and "names\.file" are both "x"/);
    assert.is(
      await build((config) => {
        config.addPlugin(eleventyLogoFallback, { logos });
        config.addPlugin(eleventyLogoFallback, { logos });
      }),
      undefined,
      'adding the plugin twice builds',
    );
  } finally {
    await rm(site, { recursive: true, force: true });
  }
});

test.after(() => media.cleanup());

test.run();
