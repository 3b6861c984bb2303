/**
 * Template-argument typos are reported (brief textfix item 5): an unknown keyword argument (a
 * Nunjucks keyword, a Handlebars hash key, a LiquidJS `key: value`, a key of the locals' options
 * object) or a positional argument past the one a filter takes is reported once (INVALID_OPTION,
 * naming the filter, the key and the known ones), and the filter prints as if it were absent.
 * Through the real engines.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Eleventy from '@11ty/eleventy';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eleventyLogoFallback } from '../adapters/eleventy.js';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { logoFallbackLocals } from '../adapters/locals.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, uiAvatars, type LogoFallbackError, type Storage } from '../src/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'a.png': 'png' });
const avatar = uiAvatars({ background: '#1e3a8a' });
const missing = { company: 'Zed & Partners', icon: 'gone.png' };
const present = { company: 'Zed & Partners', icon: 'a.png' };
const ZP = 'https://ui-avatars.com/api/?name=ZP&amp;background=1e3a8a&amp;color=ffffff';
const ZP64 = 'https://ui-avatars.com/api/?name=ZP&amp;size=64&amp;background=1e3a8a&amp;color=ffffff';

function resolver(storage: Storage = fsStorage({ root: media.root })) {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage, avatar, onError: (error) => errors.push(error) });
  return { logos, errors, messages: () => errors.map((error) => `${error.code} ${error.message.replace('[logo-fallback] ', '')}`) };
}

/** Renders `render` three times: the output each time, and the reports once. */
function thrice(render: () => string): string {
  const first = render();
  assert.is(render(), first);
  assert.is(render(), first);
  return first;
}

test('Nunjucks: unknown keyword arguments and extra positional arguments are reported once, the filter prints as without them', () => {
  const { logos, messages } = resolver();
  const env = registerNunjucks(new nunjucks.Environment(), logos);
  assert.is(thrice(() => env.renderString('{{ c | get_company_logo(sise=40, bogus=1) }}', { c: missing })), ZP);
  assert.is(thrice(() => env.renderString('{{ c | get_company_logo(size=64, fallback="x") }}', { c: missing })), ZP64);
  assert.is(thrice(() => env.renderString('{{ c | get_company_name("y", "z") }}', { c: { company: '' } })), 'y');
  assert.is(thrice(() => env.renderString('{{ c.icon | get_company_logo_url(c.company, 64, nme="x") }}', { c: missing })), ZP);
  assert.equal(messages(), [
    'INVALID_OPTION registerNunjucks(): get_company_logo got an unknown keyword argument "sise"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerNunjucks(): get_company_logo got an unknown keyword argument "bogus"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerNunjucks(): get_company_logo got an unknown keyword argument "fallback"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerNunjucks(): get_company_name was called with 3 arguments; it takes at most 2 (the value, fallback); the extra ones were ignored',
    'INVALID_OPTION registerNunjucks(): get_company_logo_url got an unknown keyword argument "nme"; the known ones are "name", "size"; it was ignored',
    'INVALID_OPTION registerNunjucks(): get_company_logo_url was called with 3 arguments; it takes at most 2 (the value, name); the extra ones were ignored',
  ]);
});

test('Nunjucks async filters (a storage without a sync check) and renamed filters: the same reports, naming the registered name', async () => {
  const storage: Storage = { name: 'remote', url: (key) => `https://cdn.example.com/${key}`, exists: async (key) => key === 'a.png' };
  const { logos, messages } = resolver(storage);
  const env = registerNunjucks(new nunjucks.Environment(), logos, { async: true, names: { logo: 'logo_or_avatar' } });
  const render = (template: string, context: object) =>
    new Promise<string>((resolve, reject) => env.renderString(template, context, (error, result) => (error ? reject(error) : resolve(result ?? ''))));
  assert.is(await render('{{ c | logo_or_avatar(bogus=1) }}', { c: present }), 'https://cdn.example.com/a.png');
  assert.is(await render('{{ c | logo_or_avatar(64, 65) }}', { c: missing }), ZP64);
  assert.equal(messages(), [
    'INVALID_OPTION registerNunjucks(): logo_or_avatar got an unknown keyword argument "bogus"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerNunjucks(): logo_or_avatar was called with 3 arguments; it takes at most 2 (the value, size); the extra ones were ignored',
  ]);
});

test('Handlebars: unknown hash keys and extra parameters are reported once, the helper prints as without them', () => {
  const { logos, messages } = resolver();
  const hbs = registerHandlebars(Handlebars.create(), logos);
  assert.is(thrice(() => hbs.compile('{{get_company_logo c sise=40 bogus=1}}')({ c: missing })), ZP);
  assert.is(thrice(() => hbs.compile('{{get_company_logo c size=64}}')({ c: missing })), ZP64);
  assert.is(thrice(() => hbs.compile('{{get_company_name c "fallback" "extra"}}')({ c: { company: '' } })), 'fallback');
  assert.is(thrice(() => hbs.compile('{{get_company_logo_url c.icon c.company "x" siz=64}}')({ c: missing })), ZP);
  // (Handlebars hands the hash over in its own key order: compared sorted)
  assert.equal(messages().sort(), [
    'INVALID_OPTION registerHandlebars(): get_company_logo got an unknown hash argument "bogus"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerHandlebars(): get_company_logo got an unknown hash argument "sise"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerHandlebars(): get_company_name was called with 3 arguments; it takes at most 2 (the value, fallback); the extra ones were ignored',
    'INVALID_OPTION registerHandlebars(): get_company_logo_url got an unknown hash argument "siz"; the known ones are "name", "size"; it was ignored',
    'INVALID_OPTION registerHandlebars(): get_company_logo_url was called with 3 arguments; it takes at most 2 (the value, name); the extra ones were ignored',
  ].sort());
});

test('LiquidJS: unknown keyword arguments and extra positional arguments are reported once, the filter prints as without them', async () => {
  const { logos, messages } = resolver();
  const liquid = registerLiquid(new Liquid(), logos);
  for (let i = 0; i < 3; i++) {
    assert.is(await liquid.parseAndRender('{{ c | get_company_logo: bogus: 1 }}', { c: missing }), ZP);
    assert.is(liquid.parseAndRenderSync('{{ c | get_company_logo: size: 64, sise: 40 }}', { c: missing }), ZP64);
    assert.is(await liquid.parseAndRender('{{ c | get_company_name: "y", "z" }}', { c: { company: '' } }), 'y');
    assert.is(await liquid.parseAndRender('{{ c | get_company_name: fallback: "y", size: 2 }}', { c: { company: '' } }), 'y');
  }
  assert.equal(messages(), [
    'INVALID_OPTION registerLiquid(): get_company_logo got an unknown keyword argument "bogus"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerLiquid(): get_company_logo got an unknown keyword argument "sise"; the known one is "size"; it was ignored',
    'INVALID_OPTION registerLiquid(): get_company_name was called with 3 arguments; it takes at most 2 (the value, fallback); the extra ones were ignored',
    'INVALID_OPTION registerLiquid(): get_company_name got an unknown keyword argument "size"; the known one is "fallback"; it was ignored',
  ]);
});

test('locals (EJS, Pug, Eta): unknown keys of the options object and extra arguments are reported once', () => {
  const { logos, messages } = resolver();
  const locals = logoFallbackLocals(logos) as unknown as Record<string, (...args: unknown[]) => string>;
  for (let i = 0; i < 3; i++) {
    assert.is(locals.get_company_name?.('x', 'y', 'z'), 'x');
    assert.is(locals.get_company_logo?.(missing, { sise: 40 }), ZP.replaceAll('&amp;', '&'));
    assert.is(locals.get_company_logo?.(missing, { size: 64 }, 'extra'), ZP64.replaceAll('&amp;', '&'));
    assert.is(locals.get_company_logo_url?.('gone.png', 'Zed & Partners', { size: 64 }), ZP64.replaceAll('&amp;', '&'));
  }
  assert.equal(messages(), [
    'INVALID_OPTION logoFallbackLocals(): get_company_name() was called with 3 arguments; it takes at most 2 (record, fallback); the extra ones were ignored',
    'INVALID_OPTION logoFallbackLocals(): get_company_logo() got an unknown key in its options "sise"; the known one is "size"; it was ignored',
    'INVALID_OPTION logoFallbackLocals(): get_company_logo() was called with 3 arguments; it takes at most 2 (record, options); the extra ones were ignored',
  ]);
});

test('Eleventy (a real build): an unknown key of an 11ty.js filter\'s options and a Nunjucks keyword typo are reported once', async () => {
  const input = await mkdtemp(path.join(tmpdir(), 'logo-fallback-args-in-'));
  const output = await mkdtemp(path.join(tmpdir(), 'logo-fallback-args-out-'));
  try {
    await writeFile(
      path.join(input, 'page.11ty.js'),
      "export default async function () { const c = { company: 'Zed & Partners', icon: 'gone.png' }; return `<img src=\"${await this.get_company_logo(c, { sise: 48 })}\"><img src=\"${await this.get_company_logo(c, { sise: 48 })}\">`; }\n",
    );
    await writeFile(path.join(input, 'page2.njk'), '{{ c | get_company_logo(sise=48) }}|{{ c | get_company_name(fallback="x", bogus=2) }}');
    const errors: LogoFallbackError[] = [];
    const eleventy = new Eleventy(input, output, {
      quietMode: true,
      config(eleventyConfig: { addPlugin: (plugin: unknown, options: unknown) => void; addGlobalData: (name: string, value: unknown) => void }) {
        eleventyConfig.addPlugin(eleventyLogoFallback, { storage: fsStorage({ root: media.root }), avatar, onError: (error: LogoFallbackError) => errors.push(error) });
        eleventyConfig.addGlobalData('c', missing);
      },
    });
    eleventy.disableLogger();
    await eleventy.write();
    const page = await readFile(path.join(output, 'page', 'index.html'), 'utf8');
    assert.is(page, `<img src="${ZP}"><img src="${ZP}">`);
    assert.is(await readFile(path.join(output, 'page2', 'index.html'), 'utf8'), `${ZP}|Zed &amp; Partners`);
    assert.equal(errors.map((error) => error.message.replace('[logo-fallback] ', '')).sort(), [
      'eleventyLogoFallback(): get_company_logo got an unknown key in its options "sise"; the known one is "size"; it was ignored',
      'registerNunjucks(): get_company_logo got an unknown keyword argument "sise"; the known one is "size"; it was ignored',
      'registerNunjucks(): get_company_name got an unknown keyword argument "bogus"; the known one is "fallback"; it was ignored',
    ]);
  } finally {
    await rm(input, { recursive: true, force: true });
    await rm(output, { recursive: true, force: true });
  }
});

test('keys are shown cut short: a 10,000-character keyword is one short report', () => {
  const { logos, errors } = resolver();
  const hbs = registerHandlebars(Handlebars.create(), logos);
  const long = 'k'.repeat(10_000);
  assert.is(hbs.compile(`{{get_company_logo c ${long}=1}}`)({ c: missing }), ZP);
  assert.is(errors.length, 1);
  assert.ok((errors[0]?.message.length ?? 0) < 300, errors[0]?.message);
});

test.after(() => media.cleanup());
test.run();
