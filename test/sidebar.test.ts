import ejs from 'ejs';
import { Eta } from 'eta';
import fc from 'fast-check';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompanyModel, companies, companyMap, type CompanyRecord } from '../fixtures/companies.js';
import { SIDEBAR_ENGINES as ENGINES, sidebarSource } from '../fixtures/render.js';
import { allSidebarRenderers } from '../fixtures/render-locals.js';
import { toHtml } from '../adapters/filters.js';
import { registerLiquid } from '../adapters/liquid.js';
import { logoFallbackLocals } from '../adapters/locals.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, escapeHtml, fsStorage } from '../src/index.js';

const logos = createLogoResolver({ storage: fsStorage({ root: new URL('../fixtures/media/', import.meta.url).pathname }), onError: () => {} });
const render = allSidebarRenderers(logos);

function renderAll(context: object): string {
  const outputs = ENGINES.map((engine) => render[engine](context));
  for (const [i, output] of outputs.entries()) assert.fixture(output, outputs[0] as string, `${ENGINES[i]} differs from ${ENGINES[0]}`);
  return outputs[0] as string;
}

const forms = (row: CompanyRecord) => [row, new CompanyModel(row), companyMap(row)];

/**
 * Proxies LiquidJS itself can evaluate (it reads `.next` of every value, so a throwing `get` trap
 * fails there first). fast-check inspects what it generates, so it generates a marker, and the
 * property builds the Proxy.
 */
class Hostile {
  constructor(readonly kind: 'prototype' | 'keys' | 'record') {}
  static readonly arbitrary = fc.constantFrom<Hostile['kind']>('prototype', 'keys', 'record').map((kind) => new Hostile(kind));
  build(): object {
    const fail = (trap: string) => () => {
      throw new Error(trap);
    };
    if (this.kind === 'keys') return new Proxy({}, { ownKeys: fail('ownKeys'), has: fail('has'), getOwnPropertyDescriptor: fail('getOwnPropertyDescriptor') });
    const target = this.kind === 'record' ? { company: 'Acme Corp', icon: 'base/company/icon/acme.png' } : {};
    return new Proxy(target, { getPrototypeOf: fail('getPrototypeOf') });
  }
}
const hostile = Hostile.arbitrary;
/** Replaces the markers in a generated value by their proxies. */
function materialize(value: unknown): unknown {
  if (value instanceof Hostile) return value.build();
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, materialize(inner)]));
}

test('the six sidebars print the same bytes for every fixture company, as object, class instance and Map', () => {
  for (const row of companies) for (const company of forms(row)) for (const label of [undefined, 'Other Company', '']) renderAll({ company, label });
});

test('every form of a record gets the known answer, not just the same answer in every engine', () => {
  const expected = [
    '/media/base/company/icon/acme.png', // present
    escapeHtml(logos.avatar('Globex GmbH')), // missing file: checked, not assumed
    escapeHtml(logos.avatar('Initech')), // no icon
    escapeHtml(logos.avatar(companies[3]?.company)), // traversal refused
  ];
  for (const [i, row] of companies.entries()) {
    for (const company of forms(row)) {
      const html = renderAll({ company });
      assert.match(html, `src="${expected[i]}"`, `${row.company} as ${company.constructor.name}`);
      assert.match(html, `alt="${toHtml(row.company)}"`, `${row.company} as ${company.constructor.name}`);
    }
  }
});

test('names with every character escaping is about print the same bytes in every engine', () => {
  for (const name of [`O'Brien & Søn`, 'A\\B = `C`', '<b>"x"</b>', '&amp;', 'Tab\tand\nnewline']) {
    const html = renderAll({ company: { company: name, icon: null }, label: name });
    assert.match(html, `alt="${toHtml(name)}"`);
    assert.match(html, `<span class="lf-company__label">${toHtml(name)}</span>`);
  }
});

test('custom delimiters, where the engine has them, print the same sidebar', () => {
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true, tags: { variableStart: '<<', variableEnd: '>>' } }), logos);
  const njk = nunjucks.compile(sidebarSource('nunjucks').replaceAll('{{', '<<').replaceAll('}}', '>>'), env);
  const liquid = registerLiquid(new Liquid({ outputDelimiterLeft: '<<', outputDelimiterRight: '>>' }), logos);
  const liq = liquid.parse(sidebarSource('liquid').replaceAll('{{', '<<').replaceAll('}}', '>>'));
  const locals = logoFallbackLocals(logos);
  const ejsTemplate = ejs.compile(sidebarSource('ejs').replaceAll('<%', '[?').replaceAll('%>', '?]'), { delimiter: '?', openDelimiter: '[', closeDelimiter: ']' });
  const eta = new Eta({ tags: ['{{', '}}'] });
  eta.loadTemplate('@curly', sidebarSource('eta').replaceAll('<%', '{{').replaceAll('%>', '}}'));
  for (const row of companies) {
    for (const company of forms(row)) {
      const context = { company, label: 'Other <Company>' };
      const expected = renderAll(context);
      assert.fixture(njk.render(context), expected, 'nunjucks << >>');
      assert.fixture(liquid.renderSync(liq, context) as string, expected, 'liquid << >>');
      assert.fixture(ejsTemplate({ ...locals, ...context }), expected, 'ejs [? ?]');
      assert.fixture(eta.render('@curly', { ...locals, ...context }), expected, 'eta {{ }}');
    }
  }
});

test('present logo: its URL, the name as alt, 34×34, the default label', () => {
  const html = renderAll({ company: companies[0] });
  assert.match(html, '<img class="lf-company__logo" src="/media/base/company/icon/acme.png" alt="Acme Corp" width="34" height="34">');
  assert.match(html, '<span class="lf-company__label">My Company</span>');
});

test('missing file, no icon, hostile name: an avatar, the name escaped everywhere', () => {
  assert.not.match(renderAll({ company: companies[1] }), 'globex-missing');
  assert.match(renderAll({ company: companies[2] }), `src="${escapeHtml(logos.avatar('Initech'))}"`);
  const hostile = renderAll({ company: companies[3], label: '<b onclick="x">' });
  assert.not.match(hostile, '<script');
  assert.not.match(hostile, '<b ');
  assert.not.match(hostile, 'etc/passwd');
  assert.match(hostile, 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons"');
  assert.match(hostile, '&lt;b onclick=&quot;x&quot;&gt;');
});

test('no company at all, and Horilla session dicts with URLs', () => {
  const html = renderAll({});
  assert.match(html, `src="${escapeHtml(logos.avatar(undefined))}"`);
  assert.match(html, 'alt=""');
  const session = { company: 'Acme Corp', icon: '/media/base/company/icon/acme.png', text: 'My Company', id: 1 };
  assert.match(renderAll({ company: session }), 'src="/media/base/company/icon/acme.png"');
});

test('property: any company record renders identically in all engines, with attribute-safe src and no raw markup', () => {
  const value = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('base/company/icon/acme.png', '/media/base/company/icon/acme.png', '../x', 'javascript:alert(1)', '"><img src=x onerror=alert(1)>'), fc.integer(), fc.constant(null), fc.constant(undefined));
  const record = fc.record({ company: fc.oneof(value, hostile), icon: fc.oneof(value, hostile, fc.record({ name: value, url: value })) }, { requiredKeys: [] });
  fc.assert(
    fc.property(fc.oneof(record, value, hostile), fc.oneof(fc.string(), fc.constant(undefined), hostile), (company, label) => {
      const html = renderAll({ company: materialize(company), label: materialize(label) });
      const src = /src="([^"]*)"/.exec(html)?.[1] ?? '';
      assert.ok(src.length > 0);
      assert.not.match(src, /['<>`\\\s]/);
      assert.is(html.split('<').length, 10, 'exactly the template\'s own tags');
    }),
    { numRuns: 300 },
  );
});

test.run();
