import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompanyModel, companies, companyMap, type CompanyRecord } from '../fixtures/companies.js';
import { ENGINES, sidebarRenderers } from '../fixtures/render.js';
import { createLogoResolver, escapeHtml, fsStorage } from '../src/index.js';

const logos = createLogoResolver({ storage: fsStorage({ root: new URL('../fixtures/media/', import.meta.url).pathname }), onError: () => {} });
const render = sidebarRenderers(logos);

function renderAll(context: object): string {
  const outputs = ENGINES.map((engine) => render[engine](context));
  for (const [i, output] of outputs.entries()) assert.fixture(output, outputs[0] as string, `${ENGINES[i]} differs from ${ENGINES[0]}`);
  return outputs[0] as string;
}

const forms = (row: CompanyRecord) => [row, new CompanyModel(row), companyMap(row)];

test('the three sidebars print the same bytes for every fixture company, as object, class instance and Map', () => {
  for (const row of companies) for (const company of forms(row)) for (const label of [undefined, 'Other Company', '']) renderAll({ company, label });
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
  const record = fc.record({ company: value, icon: fc.oneof(value, fc.record({ name: value, url: value })) }, { requiredKeys: [] });
  fc.assert(
    fc.property(fc.oneof(record, value), fc.oneof(fc.string(), fc.constant(undefined)), (company, label) => {
      const html = renderAll({ company, label });
      const src = /src="([^"]*)"/.exec(html)?.[1] ?? '';
      assert.ok(src.length > 0);
      assert.not.match(src, /['<>`\\\s]/);
      assert.is(html.split('<').length, 10, 'exactly the template\'s own tags');
    }),
    { numRuns: 300 },
  );
});

test.run();
