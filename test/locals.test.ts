/**
 * logoFallbackLocals() through the real EJS, Pug and Eta: URLs print the bytes Nunjucks prints
 * with each engine's normal escaping syntax; names are escaped once by the engine (and work with
 * string methods); escape_html gives the other adapters' bytes; async helpers wait for remote
 * storage (EJS `async: true`, Eta `renderStringAsync`); hostile arguments never throw.
 */
import ejs from 'ejs';
import { Eta } from 'eta';
import nunjucks from 'nunjucks';
import pug from 'pug';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toHtml } from '../adapters/filters.js';
import { logoFallbackLocals } from '../adapters/locals.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, httpStorage, LogoFallbackError, uiAvatars, type LogoResolver } from '../src/index.js';
import { tempMedia } from './helpers/media.js';
import { fileServer } from './storage/servers.js';

const media = tempMedia({ 'a.png': 'png', 'b&c.png': 'png' });
const errors: LogoFallbackError[] = [];
const logos = createLogoResolver({ storage: fsStorage({ root: media.root }), avatar: uiAvatars(), onError: (e) => errors.push(e) });
const locals = logoFallbackLocals(logos);
const NAME = `AT&T <"Bob's"> \\ Inc`;
const RECORDS = {
  present: { company: NAME, icon: 'a.png' },
  ampersand: { company: NAME, icon: 'b&c.png' },
  missing: { company: NAME, icon: 'gone.png' }, // ui-avatars: a query with `&`
  none: {},
};
const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos);
const eta = new Eta();
const render = {
  ejs: (source: string, data: object) => ejs.render(source, { ...locals, ...data }),
  eta: (source: string, data: object) => eta.renderString(source, { ...locals, ...data }),
  pug: (source: string, data: object) => pug.render(source, { ...locals, ...data, doctype: 'html' }),
};

test('URLs: the normal escaping syntax prints the bytes Nunjucks prints, in every engine', () => {
  for (const [label, c] of Object.entries(RECORDS)) {
    const expected = env.renderString('<img src="{{ c | get_company_logo }}"><img src="{{ c.icon | get_company_logo_url(c.company, size=64) }}">', { c });
    assert.is(render.ejs('<img src="<%= get_company_logo(c) %>"><img src="<%= get_company_logo_url(c.icon, c.company, { size: 64 }) %>">', { c }), expected, `ejs, ${label}`);
    assert.is(render.eta('<img src="<%= it.get_company_logo(it.c) %>"><img src="<%= it.get_company_logo_url(it.c.icon, it.c.company, { size: 64 }) %>">', { c }), expected, `eta, ${label}`);
    assert.is(render.pug('img(src=get_company_logo(c))\nimg(src=get_company_logo_url(c.icon, c.company, { size: 64 }))', { c }), expected, `pug, ${label}`);
  }
});

test("names: escaped once by the engine's own syntax, string methods work on the text; escape_html gives the other adapters' bytes", () => {
  const c = RECORDS.present;
  for (const [engine, plain, helper] of [
    ['ejs', '<%= c.company.toUpperCase() %>|<%= c.company.slice(0, 5) %>|<%= c.company.length %>', '<%= get_company_name(c).toUpperCase() %>|<%= get_company_name(c).slice(0, 5) %>|<%= get_company_name(c).length %>'],
    ['eta', '<%= it.c.company.toUpperCase() %>|<%= it.c.company.slice(0, 5) %>|<%= it.c.company.length %>', '<%= it.get_company_name(it.c).toUpperCase() %>|<%= it.get_company_name(it.c).slice(0, 5) %>|<%= it.get_company_name(it.c).length %>'],
    ['pug', '| #{c.company.toUpperCase()}|#{c.company.slice(0, 5)}|#{c.company.length}', '| #{get_company_name(c).toUpperCase()}|#{get_company_name(c).slice(0, 5)}|#{get_company_name(c).length}'],
  ] as const) {
    assert.is(render[engine](helper, { c }), render[engine](plain, { c }), engine);
    assert.not.match(render[engine](helper, { c }), /[<>"]/, `${engine}: escaped`);
  }
  const nunjucksBytes = env.renderString('{{ c | get_company_name }}|{{ x | get_company_name("Me & <You>") }}', { c });
  assert.is(nunjucksBytes, `${toHtml(NAME)}|${toHtml('Me & <You>')}`);
  assert.is(render.ejs(`<%- escape_html(get_company_name(c)) %>|<%- escape_html(get_company_name(locals.x, 'Me & <You>')) %>`, { c }), nunjucksBytes);
  assert.is(render.eta(`<%~ it.escape_html(it.get_company_name(it.c)) %>|<%~ it.escape_html(it.get_company_name(it.x, 'Me & <You>')) %>`, { c }), nunjucksBytes);
  assert.is(render.pug(`| !{escape_html(get_company_name(c))}|!{escape_html(get_company_name(x, 'Me & <You>'))}`, { c }), nunjucksBytes);
  assert.is(locals.escape_html(undefined), '');
  assert.is(locals.escape_html(42), '42');
});

test('custom delimiters: EJS delimiter/openDelimiter/closeDelimiter, Eta tags', () => {
  const c = RECORDS.missing;
  const expected = env.renderString('{{ c | get_company_logo }}', { c });
  assert.is(ejs.render('[?= get_company_logo(c) ?] <%= c %>', { ...locals, c }, { delimiter: '?', openDelimiter: '[', closeDelimiter: ']' }), `${expected} <%= c %>`);
  const curly = new Eta({ tags: ['{{', '}}'] });
  assert.is(curly.renderString('{{= it.get_company_logo(it.c) }} <%= it.c %>', { ...locals, c }), `${expected} <%= it.c %>`);
});

test('renamed helpers', () => {
  const renamed = logoFallbackLocals(logos, { names: { logo: 'logo_or_avatar', file: 'file_or_avatar', name: 'display_name' } });
  assert.is(ejs.render('<%= logo_or_avatar(c) %> <%= file_or_avatar(c.icon) %> <%= display_name(c) %>', { ...renamed, c: RECORDS.present }), `/media/a.png /media/a.png ${ejs.escapeXML(NAME)}`);
  assert.equal(Object.keys(renamed).sort(), ['display_name', 'escape_html', 'file_or_avatar', 'logo_or_avatar']);
});

test('async helpers wait for remote storage (EJS async: true, Eta renderStringAsync); sync ones answer from the cache', async () => {
  const server = await fileServer(new Map([['a.png', Buffer.from('png')]]));
  try {
    const remote = (): LogoResolver => createLogoResolver({ storage: httpStorage({ baseUrl: `${server.origin}/media/` }), avatar: uiAvatars(), timeout: 2000, onError: () => {} });
    const c = RECORDS.present;
    const logo = `${server.origin}/media/a.png`;
    const ejsPage = await ejs.render('<%= await get_company_logo(c) %>|<%= await get_company_logo_url(c.icon) %>|<%= get_company_name(c) %>', { ...logoFallbackLocals(remote(), { async: true }), c }, { async: true });
    assert.is(ejsPage, `${logo}|${logo}|${ejs.escapeXML(NAME)}`);
    const etaPage = await eta.renderStringAsync('<%= await it.get_company_logo(it.c) %>', { ...logoFallbackLocals(remote(), { async: true }), c });
    assert.is(etaPage, logo);
    // An async helper always returns a promise (a forgotten `await` shows at once), even when the answer is known.
    assert.instance(logoFallbackLocals(logos, { async: true }).get_company_logo(c), Promise);
    // Sync helpers over remote storage, cold: the avatar now, the logo once the background check is back.
    const cold = remote();
    const sync = logoFallbackLocals(cold);
    assert.is.not(sync.get_company_logo(c), logo);
    await cold.logoAsync(c);
    assert.is(sync.get_company_logo(c), logo);
  } finally {
    await server.close();
  }
});

test('hostile arguments and records: the answer without them (or the placeholder avatar), a report, never a throw or a rejection', async () => {
  const hostile = [
    () => new Proxy({}, new Proxy({}, { get: () => () => { throw new Error('trap'); } })),
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
  ];
  for (const make of hostile) {
    for (const async of [false, true]) {
      // A fresh resolver each time: reports are deduplicated per reason and window.
      const seen: LogoFallbackError[] = [];
      const fresh = createLogoResolver({ storage: fsStorage({ root: media.root }), avatar: uiAvatars(), onError: (e) => seen.push(e) });
      const flavour = async ? logoFallbackLocals(fresh, { async: true }) : logoFallbackLocals(fresh);
      const p = make();
      /** Each call must be reported: the count grows. */
      const reported = async (call: () => unknown, expected: string, label: string) => {
        const before = seen.length;
        assert.is(await call(), expected, label);
        assert.ok(seen.length > before, `${label}: reported`);
      };
      await reported(() => flavour.get_company_logo(RECORDS.missing, p as never), logos.logo(RECORDS.missing), 'options');
      await reported(() => flavour.get_company_logo_url('gone.png', p), logos.avatar(), 'name');
      await reported(() => flavour.get_company_logo(p), logos.avatar(), 'record');
      await reported(() => flavour.get_company_name(RECORDS.none, p), '', 'fallback');
      assert.is(flavour.escape_html(p), '');
    }
  }
});

test('bad options fail at creation, naming what exists', () => {
  const refusal = (make: () => unknown, message: RegExp) => {
    try {
      make();
    } catch (error) {
      assert.instance(error, LogoFallbackError);
      assert.match((error as Error).message, message);
      return;
    }
    assert.unreachable('no error');
  };
  refusal(() => logoFallbackLocals(logos, { asnyc: true } as never), /logoFallbackLocals\(\): unknown key "asnyc" in the options; the known keys are "names", "async"/);
  refusal(() => logoFallbackLocals(logos, { names: { logoo: 'x' } } as never), /unknown key "logoo" in "names"/);
  refusal(() => logoFallbackLocals(logos, { async: 'yes' } as never), /"async" must be true or false/);
  refusal(() => logoFallbackLocals(ejs as never), /createLogoResolver/);
});

test.after(() => media.cleanup());
test.run();
