/**
 * Hostile values (issue 8 §3) in every argument position of every filter, through the real
 * engines: a Proxy whose traps all throw, a revoked Proxy, a Proxy whose only throwing trap is
 * `getPrototypeOf` (what `instanceof` asks). Never a throw: the answer the call would give without
 * that argument (or the placeholder's avatar for a hostile record), and a report to `onError`.
 */
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, httpStorage, uiAvatars, type LogoFallbackError, type LogoResolver, type Storage } from '../src/index.js';
import { tempMedia } from './helpers/media.js';
import { fileServer } from './storage/servers.js';

const allTrapsThrow = () => new Proxy({}, new Proxy({}, { get: (_target, trap) => () => { throw new Error(`trap ${String(trap)}`); } }));
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};
const prototypeThrows = () => new Proxy({}, { getPrototypeOf: () => { throw new Error('getPrototypeOf'); } });
const HOSTILE: Array<[string, () => object]> = [['all traps throw', allTrapsThrow], ['revoked', revoked], ['getPrototypeOf throws', prototypeThrows]];

const media = tempMedia({ 'a.png': 'png' });
const company = { company: 'Zed & Partners', icon: 'a.png' };
const missing = { company: 'Zed & Partners', icon: 'gone.png' };

function resolver(errors: LogoFallbackError[], storage: Storage = fsStorage({ root: media.root })): LogoResolver {
  return createLogoResolver({ storage, avatar: uiAvatars(), onError: (error) => errors.push(error) });
}

/** [template with `p` in one position, the same call without it] */
const NUNJUCKS: Array<[string, string]> = [
  ['{{ c | get_company_logo(p) }}', '{{ c | get_company_logo }}'],
  ['{{ m | get_company_logo(size=p) }}', '{{ m | get_company_logo }}'],
  ['{{ m.icon | get_company_logo_url(p) }}', '{{ m.icon | get_company_logo_url }}'],
  ['{{ m.icon | get_company_logo_url(name=p, size=p) }}', '{{ m.icon | get_company_logo_url }}'],
  ['{{ x | get_company_name(p) }}', '{{ x | get_company_name }}'],
  ['{{ x | get_company_name(fallback=p) }}', '{{ x | get_company_name }}'],
  ['{{ p | get_company_logo }}', '{{ x | get_company_logo }}'],
  ['{{ p | get_company_logo_url }}', '{{ x | get_company_logo_url }}'],
  ['{{ p | get_company_name }}', '{{ x | get_company_name }}'],
];

test('nunjucks, sync and async filters: every position', async () => {
  const server = await fileServer(new Map([['a.png', Buffer.from('png')]]));
  try {
    for (const [label, make] of HOSTILE) {
      for (const mode of ['sync', 'async over HTTP'] as const) {
        for (const [hostile, plain] of NUNJUCKS) {
          // A fresh resolver per case: reports are deduplicated per reason and window.
          const errors: LogoFallbackError[] = [];
          const logos = mode === 'sync' ? resolver(errors) : resolver(errors, httpStorage({ baseUrl: `${server.origin}/media/` }));
          const env = registerNunjucks(new nunjucks.Environment(), logos, { async: mode !== 'sync' });
          const render = (source: string, context: object) =>
            new Promise<string>((resolve, reject) => env.renderString(source, context, (error, html) => (error ? reject(error) : resolve(html ?? ''))));
          await logos.prefetch([company, missing]);
          const before = errors.length;
          const context = { c: company, m: missing, p: make() };
          assert.is(await render(hostile, context), await render(plain, context), `${label}, ${mode}: ${hostile}`);
          assert.ok(errors.length > before, `${label}, ${mode}: ${hostile} was reported`);
        }
      }
    }
  } finally {
    await server.close();
  }
});

test('handlebars: hash values, positional arguments and records', () => {
  const cases: Array<[string, string]> = [
    ['{{get_company_logo m size=p}}', '{{get_company_logo m}}'],
    ['{{get_company_logo_url m.icon p}}', '{{get_company_logo_url m.icon}}'],
    ['{{get_company_logo_url m.icon name=p size=p}}', '{{get_company_logo_url m.icon}}'],
    ['{{get_company_name x p}}', '{{get_company_name x}}'],
    ['{{get_company_name x fallback=p}}', '{{get_company_name x}}'],
    ['{{get_company_logo p}}', '{{get_company_logo x}}'],
    ['{{get_company_logo_url p}}', '{{get_company_logo_url x}}'],
    ['{{get_company_name p}}', '{{get_company_name x}}'],
  ];
  for (const [label, make] of HOSTILE) {
    for (const [hostile, plain] of cases) {
      const errors: LogoFallbackError[] = [];
      const hb = registerHandlebars(Handlebars.create(), resolver(errors));
      const before = errors.length;
      const context = { c: company, m: missing, p: make() };
      assert.is(hb.compile(hostile)(context), hb.compile(plain)(context), `${label}: ${hostile}`);
      assert.ok(errors.length > before, `${label}: ${hostile} was reported`);
    }
  }
});

test('liquid: arguments and records LiquidJS hands to the filter', async () => {
  const cases: Array<[string, string]> = [
    ['{{ m | get_company_logo: size: p }}', '{{ m | get_company_logo }}'],
    ['{{ c | get_company_logo: p }}', '{{ c | get_company_logo }}'],
    ['{{ m.icon | get_company_logo_url: p }}', '{{ m.icon | get_company_logo_url }}'],
    ['{{ m.icon | get_company_logo_url: name: p, size: p }}', '{{ m.icon | get_company_logo_url }}'],
    ['{{ x | get_company_name: p }}', '{{ x | get_company_name }}'],
    ['{{ p | get_company_logo }}', '{{ x | get_company_logo }}'],
    ['{{ p | get_company_name }}', '{{ x | get_company_name }}'],
  ];
  // LiquidJS itself reads `.next` of every value it evaluates (to unwind generators), so a Proxy
  // whose `get` trap throws — or a revoked one — fails in LiquidJS before any filter runs.
  for (const [hostile, plain] of cases) {
    const errors: LogoFallbackError[] = [];
    const liquid = registerLiquid(new Liquid(), resolver(errors));
    const before = errors.length;
    const context = { c: company, m: missing, p: prototypeThrows() };
    for (const render of [(s: string) => liquid.parseAndRender(s, context), async (s: string) => liquid.parseAndRenderSync(s, context)]) {
      assert.is(await render(hostile), await render(plain), hostile);
    }
    assert.ok(errors.length > before, `${hostile} was reported`);
  }
});

test.after(() => media.cleanup());
test.run();
