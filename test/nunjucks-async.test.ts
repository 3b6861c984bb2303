/**
 * Nunjucks with `async: true`, cold cache, through the real engine: over a storage with a sync check
 * (fsStorage) every construct prints the logo on the first render; over a remote one (httpStorage on
 * 127.0.0.1) the filter waits where Nunjucks resumes the template and answers from the cache
 * everywhere else — no page is ever cut off, and every render finishes (or fails loudly).
 */
import nunjucks from 'nunjucks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, escapeHtml, fsStorage, httpStorage, LogoFallbackError, uiAvatars, type LogoResolver } from '../src/index.js';
import { tempMedia } from './helpers/media.js';
import { fileServer, type TestServer } from './storage/servers.js';

const company = { company: 'Zed & Partners', icon: 'a.png' };
const avatar = uiAvatars({ background: '#1e3a8a' });
const ZP = escapeHtml(avatar({ name: 'ZP' }));

/** Templates an include, an import or an extends can load. */
const PARTIALS: Record<string, string> = {
  'card.njk': '<img src="{{ c | get_company_logo }}">',
  'macros.njk': '{% macro card(c) %}<img src="{{ c | get_company_logo }}">{% endmacro %}',
  'layout.njk': '<main>{% if true %}{% block body %}{% endblock %}{% endif %}</main>|end',
  'plain-layout.njk': '<main>{% block body %}{% endblock %}</main>|end',
  'page.njk': '<img src="{{ c | get_company_logo }}">|end',
};

/**
 * Every construct the Nunjucks docs and issues name, with the page it must print once the answer
 * is `src`; `logo` is the storage's URL of the file.
 */
const cases = (logo: string): Array<[string, string, (src: string) => string]> => [
  ['output', '<img src="{{ c | get_company_logo }}">|end', (src) => `<img src="${src}">|end`],
  ['for loop', '{% for x in [c, c] %}[{{ x | get_company_logo }}]{% endfor %}|end', (src) => `[${src}][${src}]|end`],
  ['if', '{% if c | get_company_logo %}{{ c | get_company_logo }}{% endif %}|end', (src) => `${src}|end`],
  ['own block', '{% block b %}<img src="{{ c | get_company_logo }}">{% endblock %}|end', (src) => `<img src="${src}">|end`],
  ['macro', '{% macro card(x) %}<img src="{{ x | get_company_logo }}">END{% endmacro %}{{ card(c) }}|end', (src) => `<img src="${src}">END|end`],
  ['imported macro', '{% from "macros.njk" import card %}{{ card(c) }}|end', (src) => `<img src="${src}">|end`],
  ['macro calling a macro', '{% macro inner(x) %}{{ x | get_company_logo }}{% endmacro %}{% macro outer(x) %}({{ inner(x) }}){% endmacro %}{{ outer(c) }}|end', (src) => `(${src})|end`],
  ['include', '{% include "card.njk" %}|end', (src) => `<img src="${src}">|end`],
  ['include in if', '{% if true %}{% include "card.njk" %}{% endif %}|end', (src) => `<img src="${src}">|end`],
  ['include in for', '{% for x in [1, 2] %}{% include "card.njk" %}{% endfor %}|end', (src) => `<img src="${src}"><img src="${src}">|end`],
  ['layout block in if', '{% extends "layout.njk" %}{% block body %}<img src="{{ c | get_company_logo }}">{% endblock %}', (src) => `<main><img src="${src}"></main>|end`],
  ['layout block', '{% extends "plain-layout.njk" %}{% block body %}<img src="{{ c | get_company_logo }}">{% endblock %}', (src) => `<main><img src="${src}"></main>|end`],
  ['set block', '{% set u %}{{ c | get_company_logo }}{% endset %}{{ u | safe }}|end', (src) => `${src}|end`],
  ['right-hand side of ==', `{{ "${logo}" == (c | get_company_logo) }}|end`, (src) => `${src === logo}|end`],
];

/** `{% call %}` and `{% filter %}` blocks: Nunjucks miscompiles async filters there. */
const miscompiled = (logo: string): Array<[string, string, string]> => [
  ['call block', '{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}{{ c | get_company_logo }}{% endcall %}|end', `[${logo}]|end`],
  ['filter block', '{% filter upper %}{{ c | get_company_logo }}{% endfilter %}|end', `${logo.toUpperCase()}|end`],
];

function environment(logos: LogoResolver): nunjucks.Environment {
  const loader = { getSource: (name: string) => ({ src: PARTIALS[name] ?? '', path: name, noCache: true }) };
  return registerNunjucks(new nunjucks.Environment(loader, { autoescape: true }), logos, { async: true });
}

/** Renders with a callback; a render whose callback is never called fails the test instead of hanging it. */
function render(env: nunjucks.Environment, source: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the render never finished: ${source}`)), 3000);
    env.renderString(source, { c: company }, (error, html) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(html ?? '');
    });
  });
}

const test = suite<{ media?: TestServer; escaped: unknown[]; errors: LogoFallbackError[] }>('nunjucks async', { escaped: [], errors: [] });
let listener: (reason: unknown) => void = () => undefined;

test.before(async (context) => {
  context.media = await fileServer(new Map([['a.png', Buffer.from('png')]]));
  listener = (reason) => void context.escaped.push(reason);
  process.on('unhandledRejection', listener);
  process.on('uncaughtException', listener);
});
test.after(async (context) => {
  process.off('unhandledRejection', listener);
  process.off('uncaughtException', listener);
  await context.media?.close();
  assert.equal(context.escaped, [], 'nothing escaped as an unhandled rejection or exception');
});

function remote(context: { media?: TestServer; errors: LogoFallbackError[] }): LogoResolver {
  if (context.media === undefined) throw new Error('the file server did not start');
  return createLogoResolver({ storage: httpStorage({ baseUrl: `${context.media.origin}/media/` }), avatar, timeout: 2000, onError: (e) => context.errors.push(e) });
}

test('remote storage, cold cache: a whole page every time — the logo where Nunjucks can wait, else the avatar', async (context) => {
  const waits = new Set(['output', 'for loop', 'if', 'own block']);
  const logo = remote(context).storage.url('a.png');
  for (const [label, source, page] of cases(logo)) {
    const logos = remote(context);
    const html = await render(environment(logos), source);
    const expected = label === 'set block' || label === 'right-hand side of ==' || !waits.has(label) ? page(ZP) : page(logo);
    assert.is(html, expected, `${label}, first render`);
    // The check the first render started fills the cache: the next render prints the logo.
    await logos.logoAsync(company);
    assert.is(await render(environment(logos), source), page(logo), `${label}, warm cache`);
  }
});

test('remote storage, cold cache: env.render() of a named template waits as renderString() does', async (context) => {
  const logos = remote(context);
  const env = environment(logos);
  const html = await new Promise<string>((resolve, reject) => env.render('page.njk', { c: company }, (error, result) => (error ? reject(error) : resolve(result ?? ''))));
  assert.is(html, `<img src="${logos.storage.url('a.png')}">|end`);
});

test('remote storage: {% call %} and {% filter %} blocks fail loudly, cold or warm — never a hang', async (context) => {
  for (const [label, source] of miscompiled('')) {
    const logos = remote(context);
    for (const state of ['cold', 'warm']) {
      const error = await render(environment(logos), source).then(
        () => assert.unreachable(`${label} (${state}) rendered`),
        (e: unknown) => e as Error,
      );
      assert.match(String(error?.message), /cannot run async filters inside \{% call %\} or \{% filter %\} blocks/, `${label}, ${state}`);
      await logos.logoAsync(company);
    }
  }
});

test('a storage with a sync check (fsStorage): every construct, {% call %} and {% filter %} included, prints the logo on the first render', async () => {
  const media = tempMedia({ 'a.png': 'png' });
  try {
    const logo = '/media/a.png';
    for (const [label, source, page] of cases(logo)) {
      const env = environment(createLogoResolver({ storage: fsStorage({ root: media.root }), avatar }));
      assert.is(await render(env, source), page(logo), label);
      // ...and Nunjucks' sync API works too: nothing ever waits.
      assert.is(env.renderString(source, { c: company }), page(logo), `${label}, sync API`);
    }
    for (const [label, source, page] of miscompiled(logo)) {
      const env = environment(createLogoResolver({ storage: fsStorage({ root: media.root }), avatar }));
      assert.is(await render(env, source), page, label);
    }
  } finally {
    media.cleanup();
  }
});

test('many cold keys in a macro inside a for loop: every item rendered, each key checked once', async (context) => {
  const logos = remote(context);
  const before = context.media?.requests.length ?? 0;
  const list = Array.from({ length: 20 }, (_, i) => ({ company: `Co ${i}`, icon: i % 2 === 0 ? 'a.png' : `gone-${i}.png` }));
  const env = environment(logos);
  const source = '{% macro card(x) %}<i>{{ x | get_company_logo }}</i>{% endmacro %}{% for x in list %}{{ card(x) }}{% endfor %}|end';
  const html = await new Promise<string>((resolve, reject) => env.renderString(source, { list }, (e, r) => (e ? reject(e) : resolve(r ?? ''))));
  assert.is(html.split('<i>').length - 1, 20);
  assert.ok(html.endsWith('|end'));
  await logos.prefetch(list);
  assert.is((context.media?.requests.length ?? 0) - before, 11, 'a.png once, and ten missing files once each');
});

test.run();
