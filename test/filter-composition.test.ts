/**
 * Our filters chained with the engine's own (issue 8 §7): where the engine escapes output itself,
 * a chained filter sees the TEXT and the page shows the result escaped exactly once — i.e. the
 * chain prints exactly what the engine prints for the same text in a plain variable. Where the
 * engine does not escape (LiquidJS's default, Nunjucks with autoescape off), the page stays safe.
 */
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toHtml } from '../adapters/filters.js';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, uiAvatars } from '../src/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'a.png': 'png' });
const logos = createLogoResolver({ storage: fsStorage({ root: media.root }), avatar: uiAvatars(), onError: () => {} });
/** Every character HTML escaping is about, and a backslash, an `=` and a backtick (Handlebars escapes those too). */
const NAMES = [`AT&T <"Bob's"> Inc`, `O'Brien & Søn \\ A=B \`x\``, 'Plain Name Ltd', '&amp; already'];
const missing = (name: string) => ({ company: name, icon: 'gone.png' });
/** The chains of issue 8: case, cut, count — and a concatenation. */
const NUNJUCKS_CHAINS = ['upper', 'truncate(5)', 'length', 'lower | title', 'replace("A", "<")'];
const LIQUID_CHAINS = ['upcase', 'truncate: 5', 'size', 'downcase | capitalize', 'replace: "A", "<"'];

test('nunjucks (autoescape on): a chained filter sees the name, the page shows it escaped once', () => {
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos);
  for (const name of NAMES) {
    for (const chain of NUNJUCKS_CHAINS) {
      assert.is(env.renderString(`{{ c | get_company_name | ${chain} }}`, { c: { company: name } }), env.renderString(`{{ n | ${chain} }}`, { n: name }), `${name} | ${chain}`);
    }
    // the bytes of a plain print are the same in every engine (see the sidebar test)
    assert.is(env.renderString('{{ c | get_company_name }}', { c: { company: name } }), toHtml(name));
    // a URL that needs escaping (ui-avatars' query) composes too: one `&amp;`, never `&amp;amp;`
    const url = logos.logo(missing(name));
    assert.is(env.renderString('{{ (c | get_company_logo) ~ "&v=2" }}', { c: missing(name) }), toHtml(`${url}&v=2`));
    assert.is(env.renderString('{{ c | get_company_logo | length }}', { c: missing(name) }), String(url.length));
  }
});

test('nunjucks (autoescape off): the page stays safe', () => {
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: false }), logos);
  for (const name of NAMES) {
    assert.is(env.renderString('{{ c | get_company_name }}', { c: { company: name } }), toHtml(name));
    assert.is(env.renderString('{{ c | get_company_logo }}', { c: missing(name) }), toHtml(logos.logo(missing(name))));
    for (const chain of ['upper', 'truncate(5)']) assert.not.match(env.renderString(`{{ c | get_company_name | ${chain} }}`, { c: { company: name } }), /[<>"]/);
  }
});

test('handlebars: helpers given our result in a subexpression see the text; the page shows it escaped once', () => {
  const hb = registerHandlebars(Handlebars.create(), logos);
  // Helpers as users write them: string methods called on the value, String(), .length.
  hb.registerHelper('upper', (value: string) => value.toUpperCase());
  hb.registerHelper('truncate', (value: unknown, length: number) => String(value).slice(0, length));
  hb.registerHelper('length', (value: { length: number }) => value.length);
  hb.registerHelper('concat', (a: unknown, b: unknown) => `${String(a)}${String(b)}`);
  for (const name of NAMES) {
    for (const chain of ['upper', 'truncate', 'length']) {
      const args = chain === 'truncate' ? ' 5' : '';
      assert.is(hb.compile(`{{${chain} (get_company_name c)${args}}}`)({ c: { company: name } }), hb.compile(`{{${chain} n${args}}}`)({ n: name }), `${name} | ${chain}`);
    }
    assert.is(hb.compile('{{get_company_name c}}')({ c: { company: name } }), toHtml(name));
    const url = logos.logo(missing(name));
    assert.is(hb.compile('{{concat (get_company_logo c) "&v=2"}}')({ c: missing(name) }), Handlebars.escapeExpression(`${url}&v=2`));
  }
  assert.is(hb.compile('{{#if (get_company_name c)}}yes{{else}}no{{/if}}')({ c: {} }), 'no', 'no name is falsy');
});

test('liquid with outputEscape: a chained filter sees the name, the page shows it escaped once', async () => {
  const liquid = registerLiquid(new Liquid({ outputEscape: 'escape' }), logos);
  for (const name of NAMES) {
    for (const chain of LIQUID_CHAINS) {
      assert.is(await liquid.parseAndRender(`{{ c | get_company_name | ${chain} }}`, { c: { company: name } }), await liquid.parseAndRender(`{{ n | ${chain} }}`, { n: name }), `${name} | ${chain}`);
    }
    assert.is(await liquid.parseAndRender('{{ c | get_company_name }}', { c: { company: name } }), await liquid.parseAndRender('{{ n }}', { n: name }));
    assert.is(await liquid.parseAndRender('{{ c | get_company_logo }}', { c: missing(name) }), toHtml(logos.logo(missing(name))));
  }
});

test('liquid without outputEscape (its default): the page stays safe, and prints the bytes of the other engines', async () => {
  const liquid = registerLiquid(new Liquid(), logos);
  for (const name of NAMES) {
    assert.is(await liquid.parseAndRender('{{ c | get_company_name }}', { c: { company: name } }), toHtml(name));
    for (const chain of LIQUID_CHAINS.slice(0, 2)) assert.not.match(await liquid.parseAndRender(`{{ c | get_company_name | ${chain} }}`, { c: { company: name } }), /[<>"]/);
  }
});

test.after(() => media.cleanup());
test.run();
