import Handlebars from 'handlebars';
import * as liquidjs from 'liquidjs';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { liquidPlugin, registerLiquid } from '../adapters/liquid.js';
import { logoFallbackLocals } from '../adapters/locals.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, httpStorage, LogoFallbackError, uiAvatars } from '../src/index.js';
import { tempMedia } from './helpers/media.js';
import { fileServer } from './storage/servers.js';

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

test('liquid: render() waits for remote storage, renderSync() answers from the cache, raw filters escaped once', async () => {
  const server = await fileServer(new Map([['a.png', Buffer.from('png')]]));
  try {
    const remote = () => createLogoResolver({ storage: httpStorage({ baseUrl: `${server.origin}/media/` }), avatar, timeout: 2000, onError: () => {} });
    const url = `${server.origin}/media/a.png`;
    const liquid = registerLiquid(new Liquid(), remote());
    assert.is(liquid.parseAndRenderSync('{{ c | get_company_logo }}', { c: company }), ZP, 'cold cache, sync render: avatar');
    const engine = new Liquid();
    engine.plugin(liquidPlugin(remote()));
    assert.is(await engine.parseAndRender('{{ c | get_company_logo }}|{{ m | get_company_logo: size: 64 }}', { c: company, m: missing }), `${url}|${ZP64}`);
    assert.is(await engine.parseAndRender('{% assign u = c | get_company_logo %}{{ u }}', { c: company }), url);
    assert.is(engine.parseAndRenderSync('{{ c | get_company_logo }}', { c: company }), url, 'warm cache, sync render');
    assert.is(await engine.parseAndRender('{{ c.icon | get_company_logo_url: c.company }}', { c: missing }), ZP);
    assert.is(await engine.parseAndRender('{{ c.icon | get_company_logo_url: name: "Q" }}', { c: missing }), Q);
    assert.is(await engine.parseAndRender('{{ c | get_company_name }}|{{ x | get_company_name: "My <Co>" }}', { c: company }), 'Zed &amp; Partners|My &lt;Co&gt;');
  } finally {
    await server.close();
  }
});

test('liquid over the local disk: render() answers from the sync check, without waiting', async () => {
  const calls: string[] = [];
  const fs = fsStorage({ root: media.root });
  const storage = { ...fs, exists: (key: string) => (calls.push(key), fs.exists(key)) };
  const liquid = registerLiquid(new Liquid(), createLogoResolver({ storage, avatar }));
  assert.is(await liquid.parseAndRender('{{ c | get_company_logo }}|{{ m | get_company_logo }}', { c: company, m: missing }), `/media/a.png|${ZP}`);
  assert.equal(calls, [], 'the async check was never used');
});

test('liquid: custom delimiters and outputEscape do not double-escape', async () => {
  const liquid = registerLiquid(new Liquid({ outputDelimiterLeft: '<<', outputDelimiterRight: '>>', outputEscape: 'escape' }), logos);
  assert.is(await liquid.parseAndRender('<< c | get_company_logo >> {{ c }}', { c: missing }), `${ZP} {{ c }}`);
});

test('renamed filters', () => {
  const names = { logo: 'logo_or_avatar', file: 'file_or_avatar', name: 'display_name' };
  const env = registerNunjucks(new nunjucks.Environment(), logos, { names });
  assert.is(env.renderString('{{ c | logo_or_avatar }} {{ c.icon | file_or_avatar }} {{ c | display_name }}', { c: company }), '/media/a.png /media/a.png Zed &amp; Partners');
  const hb = registerHandlebars(Handlebars.create(), logos, { names });
  assert.is(hb.compile('{{logo_or_avatar c}}')({ c: company }), '/media/a.png');
  const liquid = registerLiquid(new Liquid(), logos, { names });
  assert.is(liquid.parseAndRenderSync('{{ c | display_name }}', { c: company }), 'Zed &amp; Partners');
});

/** Runs `register` and returns the LogoFallbackError it throws (fails the test when it does not throw one). */
function refusal(register: () => unknown): LogoFallbackError {
  try {
    register();
  } catch (error) {
    if (error instanceof LogoFallbackError) return error;
    throw new Error(`expected a LogoFallbackError, got ${String(error)}`);
  }
  throw new Error('expected a LogoFallbackError, nothing was thrown');
}

test('the engine module or class instead of an instance: a LogoFallbackError that says what to pass', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['the nunjucks module', () => registerNunjucks(nunjucks as never, logos), /registerNunjucks\(\): the first argument must be a Nunjucks environment: new nunjucks\.Environment\(loader\).*; got the module itself/],
    ['the liquidjs module namespace', () => registerLiquid(liquidjs as never, logos), /got the module itself/],
    ['the Environment class', () => registerNunjucks(nunjucks.Environment as never, logos), /pass an instance, not the class/],
    ['the Liquid class', () => registerLiquid(Liquid as never, logos), /registerLiquid\(\): the first argument must be a Liquid instance: new Liquid\(options\).*\(Liquid\) — pass an instance, not the class/],
    ['the Liquid class as a plugin host', () => liquidPlugin(logos).call(Liquid as never), /new Liquid\(options\)/],
    ['a Handlebars-like object without registerHelper', () => registerHandlebars({ compile: Handlebars.compile } as never, logos), /registerHandlebars\(\): the first argument must be the Handlebars namespace/],
    ['nothing', () => registerHandlebars(undefined as never, logos), /got undefined/],
    ['a revoked proxy', () => registerNunjucks(Proxy.revocable({}, {}).proxy as never, logos), /Nunjucks environment/],
  ];
  for (const [label, register, message] of cases) {
    const error = refusal(register);
    assert.is(error.code, 'INVALID_OPTION', label);
    assert.match(error.message, message, label);
  }
});

test('unknown adapter options fail at registration, naming the keys that exist', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => registerNunjucks(new nunjucks.Environment(), logos, { asnyc: true } as never), /unknown key "asnyc" in the options; the known keys are "names", "async"/],
    [() => registerNunjucks(new nunjucks.Environment(), logos, { names: { logoo: 'x' } } as never), /unknown key "logoo" in "names"; the known keys are "logo", "file", "name"/],
    [() => registerHandlebars(Handlebars.create(), logos, { name: {} } as never), /unknown key "name" in the options; the known keys are "names"/],
    [() => registerLiquid(new Liquid(), logos, { names: { Logo: 'x', flie: 'y' } } as never), /unknown keys "Logo", "flie" in "names"/],
    [() => liquidPlugin(logos, { async: true } as never), /liquidPlugin\(\): unknown key "async"/],
    [() => registerNunjucks(new nunjucks.Environment(), logos, { names: { logo: 'bad name' } }), /names\.logo/],
    [() => registerLiquid(new Liquid(), {} as never), /createLogoResolver/],
  ];
  for (const [register, message] of cases) assert.match(refusal(register).message, message);
});

test('messages name the right argument and show the value: booleans must be booleans, BigInt as 40n, Handlebars says helper, hostile options are INVALID_OPTION', () => {
  const throwing = new Proxy({}, { get() { throw new TypeError('get trap'); }, ownKeys() { throw new TypeError('ownKeys trap'); }, getPrototypeOf() { throw new TypeError('getPrototypeOf trap'); } });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const getter = Object.defineProperty({}, 'names', { enumerable: true, get() { throw new Error('names getter'); } });
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ['async: "yes"', () => registerNunjucks(new nunjucks.Environment(), logos, { async: 'yes' } as never), 'INVALID_OPTION', /registerNunjucks\(\): "async" must be true or false, got "yes"/],
    ['async: 1', () => registerNunjucks(new nunjucks.Environment(), logos, { async: 1 } as never), 'INVALID_OPTION', /"async" must be true or false, got 1/],
    ['locals async: "true"', () => logoFallbackLocals(logos, { async: 'true' } as never), 'INVALID_OPTION', /logoFallbackLocals\(\): "async" must be true or false, got "true"/],
    ['locals async: 1n', () => logoFallbackLocals(logos, { async: 1n } as never), 'INVALID_OPTION', /got 1n/],
    ['locals(null)', () => logoFallbackLocals(null as never), 'MISSING_OPTION', /logoFallbackLocals\(\): the first argument must be a resolver from createLogoResolver\(\), got null/],
    ['liquidPlugin(null)', () => liquidPlugin(null as never), 'MISSING_OPTION', /liquidPlugin\(\): the first argument must be a resolver from createLogoResolver\(\), got null/],
    ['registerLiquid(liquid, 5n)', () => registerLiquid(new Liquid(), 5n as never), 'MISSING_OPTION', /registerLiquid\(\): the second argument must be a resolver .*got 5n/],
    ['registerNunjucks(env, a Proxy)', () => registerNunjucks(new nunjucks.Environment(), throwing as never), 'MISSING_OPTION', /registerNunjucks\(\): the second argument must be a resolver .*got an object/],
    ['registerHandlebars(hbs, revoked)', () => registerHandlebars(Handlebars.create(), revoked as never), 'MISSING_OPTION', /registerHandlebars\(\): the second argument must be a resolver/],
    ['liquidPlugin(logos, a Proxy)', () => liquidPlugin(logos, throwing as never), 'INVALID_OPTION', /liquidPlugin\(\): the options must be a plain object; reading its keys failed/],
    ['registerNunjucks options revoked', () => registerNunjucks(new nunjucks.Environment(), logos, revoked as never), 'INVALID_OPTION', /reading its keys failed/],
    ['registerHandlebars options getter', () => registerHandlebars(Handlebars.create(), logos, getter as never), 'INVALID_OPTION', /reading "names" of the options failed: names getter/],
    ['locals names Proxy', () => logoFallbackLocals(logos, { names: throwing } as never), 'INVALID_OPTION', /"names" must be a plain object; reading its keys failed/],
    ['names.logo: 5n', () => registerLiquid(new Liquid(), logos, { names: { logo: 5n } } as never), 'INVALID_OPTION', /"names\.logo" must be an identifier such as "get_company_logo", got 5n/],
    ['Handlebars helper', () => registerHandlebars(Handlebars.create(), logos, { names: { logo: 'each' } }), 'INVALID_OPTION', /Handlebars already has a helper named "each"/],
    ['Liquid filter', () => registerLiquid(new Liquid(), logos, { names: { logo: 'upcase' } }), 'INVALID_OPTION', /LiquidJS already has a filter named "upcase"/],
  ];
  for (const [label, register, code, message] of cases) {
    const error = refusal(register);
    assert.is(error.code, code, label);
    assert.match(error.message, message, label);
  }
  // false and true stay accepted
  assert.ok(registerNunjucks(new nunjucks.Environment(), logos, { async: false }));
  assert.ok(logoFallbackLocals(logos, { async: true }));
});

test('a BigInt size is shown as written (40n) in the report, through Nunjucks, Handlebars and LiquidJS', async () => {
  const errors: LogoFallbackError[] = [];
  const reporting = createLogoResolver({ storage: fsStorage({ root: media.root }), avatar, onError: (error) => errors.push(error) });
  const env = registerNunjucks(new nunjucks.Environment(), reporting);
  assert.is(env.renderString('{{ c | get_company_logo(size=s) }}', { c: missing, s: 40n }), ZP);
  const hbs = registerHandlebars(Handlebars.create(), reporting);
  assert.is(hbs.compile('{{get_company_logo c size=s}}')({ c: missing, s: 41n }), ZP);
  const liquid = registerLiquid(new Liquid(), reporting);
  assert.is(await liquid.parseAndRender('{{ c | get_company_logo: size: s }}', { c: missing, s: 42n }), ZP);
  const sizes = errors.filter((error) => error.code === 'INVALID_OPTION').map((error) => /got (\S+);/.exec(error.message)?.[1]);
  assert.equal(sizes, ['40n', '41n', '42n']);
});

test.after(() => media.cleanup());
test.run();
