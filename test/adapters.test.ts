import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { liquidPlugin, registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, LogoFallbackError, uiAvatars, type Storage } from '../src/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'a.png': 'png', 'b&c.png': 'png' });
const avatar = uiAvatars({ background: '#1e3a8a' });
const logos = createLogoResolver({ storage: fsStorage({ root: media.root }), avatar, onError: () => {} });
const company = { company: 'Zed & Partners', icon: 'a.png' };
const missing = { company: 'Zed & Partners', icon: 'gone.png' };
const ZP = 'https://ui-avatars.com/api/?name=ZP&amp;background=1e3a8a&amp;color=ffffff';
const ZP64 = 'https://ui-avatars.com/api/?name=ZP&amp;size=64&amp;background=1e3a8a&amp;color=ffffff';
const Q = 'https://ui-avatars.com/api/?name=Q&amp;background=1e3a8a&amp;color=ffffff';

test('nunjucks: filters, positional and keyword arguments, escaping once', () => {
  const env = registerNunjucks(new nunjucks.Environment(), logos);
  const render = (source: string, context: object) => env.renderString(source, context);
  assert.is(render('{{ c | get_company_logo }}', { c: company }), '/media/a.png');
  assert.is(render('{{ c | get_company_logo }}', { c: missing }), ZP);
  assert.is(render('{{ c | get_company_logo(size=64) }}', { c: missing }), ZP64);
  assert.is(render('{{ c.icon | get_company_logo_url(c.company) }}', { c: missing }), ZP);
  assert.is(render('{{ c.icon | get_company_logo_url(name="Q") }}', { c: missing }), Q);
  assert.is(render('{{ c.icon | get_company_logo_url }}', { c: { icon: 'b&c.png' } }), '/media/b%26c.png');
  assert.is(render('{{ c | get_company_name }}|{{ x | get_company_name("My <Co>") }}', { c: company }), 'Zed &amp; Partners|My &lt;Co&gt;');
  assert.is(render('{{ c | get_company_logo | length > 0 }}', { c: company }), 'true');
});

test('nunjucks: custom delimiters << company | get_company_logo >>', () => {
  const env = registerNunjucks(new nunjucks.Environment(null, { tags: { variableStart: '<<', variableEnd: '>>', blockStart: '<%', blockEnd: '%>' } }), logos);
  assert.is(env.renderString('<% if c %><< c | get_company_logo >><% endif %> {{ c }}', { c: company }), '/media/a.png {{ c }}');
});

test('nunjucks async: waits for async storage, answers sync in {% set %} blocks and macros once warm', async () => {
  const fs = fsStorage({ root: media.root });
  const asyncOnly: Storage = { name: 'async-fs', exists: fs.exists, url: fs.url, baseUrl: '/media/' };
  const cold = createLogoResolver({ storage: asyncOnly, avatar });
  const env = registerNunjucks(new nunjucks.Environment(), cold, { async: true });
  const render = (source: string, context: object) =>
    new Promise<string>((resolve, reject) => env.renderString(source, context, (error, result) => (error ? reject(error) : resolve(result ?? ''))));
  assert.is(await render('{{ c | get_company_logo }}|{{ m | get_company_logo }}', { c: company, m: missing }), `/media/a.png|${ZP}`);
  assert.is(await render('{% for x in list %}[{{ x | get_company_logo }}]{% endfor %}', { list: [company, missing] }), `[/media/a.png][${ZP}]`);
  assert.is(await render('{% set u %}{{ c | get_company_logo }}{% endset %}{{ u }}', { c: company }), '/media/a.png');
  assert.is(await render('{% macro m(x) %}<{{ x | get_company_logo }}>{% endmacro %}{{ m(c) }}', { c: company }), '</media/a.png>');
  // the sync API works with async-registered filters when the answer is known
  assert.is(env.renderString('{{ c | get_company_logo }}', { c: company }), '/media/a.png');
});

test('nunjucks async: a late answer inside {% call %} cannot crash the process; onError hears of it', async () => {
  const fs = fsStorage({ root: media.root });
  const slow: Storage = { name: 'slow', exists: async (key) => { await new Promise((r) => setTimeout(r, 5)); return fs.exists(key); }, url: fs.url, baseUrl: '/media/' };
  const errors: LogoFallbackError[] = [];
  const cold = createLogoResolver({ storage: slow, avatar, onError: (e) => errors.push(e) });
  const env = registerNunjucks(new nunjucks.Environment(), cold, { async: true });
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  env.renderString('{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}{{ c | get_company_logo }}{% endcall %}', { c: company }, () => {});
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onRejection);
  assert.equal(rejections, []);
  assert.is(errors.length, 1);
  assert.match(errors[0]?.message ?? '', /an adapter caught/);
});

test('handlebars: helpers on the global and on an isolated instance, hash and no-argument cases', () => {
  for (const hb of [Handlebars.create(), Handlebars]) {
    registerHandlebars(hb, logos);
    const render = (source: string, context: object) => hb.compile(source)(context);
    assert.is(render('{{get_company_logo c}}', { c: company }), '/media/a.png');
    assert.is(render('{{get_company_logo c size=64}}', { c: missing }), ZP64);
    assert.is(render('{{get_company_logo_url c.icon c.company}}', { c: missing }), ZP);
    assert.is(render('{{get_company_logo_url c.icon name="Q"}}', { c: missing }), Q);
    assert.is(render('{{get_company_logo}}|{{get_company_logo size=64}}', {}), `${Q.replace('Q', 'C')}|${Q.replace('Q&amp;', 'C&amp;size=64&amp;')}`);
    assert.is(render('{{#if (get_company_logo c)}}yes{{/if}}', { c: company }), 'yes');
    assert.is(render('{{#each list}}[{{get_company_logo this}}]{{/each}}', { list: [company, missing] }), `[/media/a.png][${ZP}]`);
    assert.is(render('{{get_company_name c}}|{{get_company_name x "My <Co>"}}', { c: company }), 'Zed &amp; Partners|My &lt;Co&gt;');
  }
  assert.throws(() => Handlebars.create().compile('{{get_company_logo c}}')({ c: company }), /Missing helper/);
});

test('liquid: render() waits, renderSync() answers from the cache, raw filters escaped once', async () => {
  const fs = fsStorage({ root: media.root });
  const asyncOnly: Storage = { name: 'async-fs', exists: fs.exists, url: fs.url, baseUrl: '/media/' };
  const cold = createLogoResolver({ storage: asyncOnly, avatar });
  const liquid = registerLiquid(new Liquid(), cold);
  assert.is(liquid.parseAndRenderSync('{{ c | get_company_logo }}', { c: company }), ZP, 'cold cache, sync render: avatar');
  const fresh = createLogoResolver({ storage: asyncOnly, avatar });
  const engine = new Liquid();
  engine.plugin(liquidPlugin(fresh));
  assert.is(await engine.parseAndRender('{{ c | get_company_logo }}|{{ m | get_company_logo: size: 64 }}', { c: company, m: missing }), `/media/a.png|${ZP64}`);
  assert.is(await engine.parseAndRender('{% assign u = c | get_company_logo %}{{ u }}', { c: company }), '/media/a.png');
  assert.is(engine.parseAndRenderSync('{{ c | get_company_logo }}', { c: company }), '/media/a.png', 'warm cache, sync render');
  assert.is(await engine.parseAndRender('{{ c.icon | get_company_logo_url: c.company }}', { c: missing }), ZP);
  assert.is(await engine.parseAndRender('{{ c.icon | get_company_logo_url: name: "Q" }}', { c: missing }), Q);
  assert.is(await engine.parseAndRender('{{ c | get_company_name }}|{{ x | get_company_name: "My <Co>" }}', { c: company }), 'Zed &amp; Partners|My &lt;Co&gt;');
});

test('liquid: custom delimiters and outputEscape do not double-escape', async () => {
  const liquid = registerLiquid(new Liquid({ outputDelimiterLeft: '<<', outputDelimiterRight: '>>', outputEscape: 'escape' }), logos);
  assert.is(await liquid.parseAndRender('<< c | get_company_logo >> {{ c }}', { c: missing }), `${ZP} {{ c }}`);
});

test('renamed filters, and bad adapter arguments fail at registration', () => {
  const names = { logo: 'logo_or_avatar', file: 'file_or_avatar', name: 'display_name' };
  const env = registerNunjucks(new nunjucks.Environment(), logos, { names });
  assert.is(env.renderString('{{ c | logo_or_avatar }} {{ c.icon | file_or_avatar }} {{ c | display_name }}', { c: company }), '/media/a.png /media/a.png Zed &amp; Partners');
  const hb = registerHandlebars(Handlebars.create(), logos, { names });
  assert.is(hb.compile('{{logo_or_avatar c}}')({ c: company }), '/media/a.png');
  const liquid = registerLiquid(new Liquid(), logos, { names });
  assert.is(liquid.parseAndRenderSync('{{ c | display_name }}', { c: company }), 'Zed &amp; Partners');
  assert.throws(() => registerNunjucks(new nunjucks.Environment(), logos, { names: { logo: 'bad name' } }), (e: unknown) => e instanceof LogoFallbackError && /names\.logo/.test(e.message));
  assert.throws(() => registerLiquid(new Liquid(), {} as never), (e: unknown) => e instanceof LogoFallbackError && /createLogoResolver/.test(e.message));
});

test.after(() => media.cleanup());
test.run();
