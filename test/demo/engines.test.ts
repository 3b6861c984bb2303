/**
 * The demo's side-by-side page: six engines (Nunjucks, Handlebars, LiquidJS as filters; EJS, Pug,
 * Eta fed logoFallbackLocals) print every company's sidebar byte for byte the same, and ENGINE
 * renders the app's own sidebar with any of them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SIDEBAR_ENGINES } from '../../fixtures/render.js';
import { readConfig } from '../../examples/demo/config.js';
import { openCompanies } from '../../examples/demo/db.js';
import { appSidebar, rows } from './page-cells.js';
import { startTempDemo } from './start-temp.js';

const LABELS = { nunjucks: 'Nunjucks', handlebars: 'Handlebars', liquid: 'LiquidJS', ejs: 'EJS', pug: 'Pug', eta: 'Eta' } as const;

/** Each row's six cells, in SIDEBAR_ENGINES order, and byte-identical to the first. */
function assertSixIdentical(html: string, expectedRows: number): void {
  const all = rows(html);
  assert.is(all.length, expectedRows, 'one row per company');
  for (const row of all) {
    assert.equal(
      row.engines.map(([engine]) => engine),
      [...SIDEBAR_ENGINES],
      `company ${row.id}: a cell per engine`,
    );
    const [, first] = row.engines[0] as [string, string];
    assert.match(first, /<img class="lf-company__logo" src="[^"]+"/, `company ${row.id}: a logo`);
    for (const [engine, cell] of row.engines) assert.is(cell, first, `company ${row.id}: ${engine} prints the bytes Nunjucks prints`);
  }
}

test('the page: the four fixture companies, each printed by the six engines byte for byte the same', async () => {
  const demo = await startTempDemo();
  try {
    const html = await (await fetch(demo.url)).text();
    assertSixIdentical(html, 4);
    assert.is((html.match(/identical HTML ✓/g) ?? []).length, 4);
    for (const label of Object.values(LABELS)) assert.ok(html.includes(`<th scope="col">${label}</th>`), `a ${label} column`);
  } finally {
    await demo.stop();
  }
});

test('names and references of every kind stay byte-identical across the six engines, template syntax printed as text', async () => {
  const demo = await startTempDemo();
  try {
    const store = openCompanies(demo.dataDir);
    try {
      // Names that are each engine's own syntax: data, never code, in every engine.
      store.add({ company: "{{ 7*7 }} <%= 7*7 %> <%~ it %> #{7*7} ${7*7} {% raw %}'", icon: 'base/company/icon/nothing-here.png' });
      store.add({ company: 'Ärzte & Söhne — 株式会社 "Ōsaka" \u202Eevil', icon: 'https://cdn.example.com/logo.png?a=1&b=2' });
      store.add({ company: `${'Très long nom '.repeat(300)}<end>`, icon: '' });
      store.add({ company: '🙂🚀', icon: '/etc/passwd' });
    } finally {
      store.close();
    }
    for (const id of [5, 6, 7, 8]) {
      const html = await (await fetch(new URL(`/?company=${id}`, demo.url))).text();
      assertSixIdentical(html, 8);
      assert.is((html.match(/identical HTML ✓/g) ?? []).length, 8);
      assert.is(appSidebar(html), rows(html).find((row) => row.id === id)?.engines[0]?.[1], `company ${id}: the app's sidebar is the selected row's`);
    }
    const html = await (await fetch(demo.url)).text();
    const syntax = rows(html).find((row) => row.id === 5)?.engines ?? [];
    for (const [engine, cell] of syntax) {
      const printed = '{{ 7*7 }} &lt;%= 7*7 %&gt; &lt;%~ it %&gt; #{7*7} ${7*7} {% raw %}&#39;';
      assert.ok(cell.includes(`alt="${printed}"`) && cell.includes(`<span class="lf-company__name">${printed}</span>`), `${engine} prints the syntax as text, evaluating none of it`);
    }
    const external = rows(html).find((row) => row.id === 6)?.engines[0]?.[1] ?? '';
    assert.match(external, /src="https:\/\/cdn\.example\.com\/logo\.png\?a=1&amp;b=2"/, 'an external URL as it is, & escaped once');
  } finally {
    await demo.stop();
  }
});

test('ENGINE renders the app\'s own sidebar with any of the six engines: the same bytes as the table\'s cell', async () => {
  for (const engine of SIDEBAR_ENGINES) {
    const demo = await startTempDemo({ ENGINE: engine });
    try {
      for (const id of [1, 4]) {
        const html = await (await fetch(new URL(`/?company=${id}`, demo.url))).text();
        assert.match(html, new RegExp(`Rendered with <strong>${LABELS[engine]}</strong> \\(<code>ENGINE=${engine}</code>\\)`));
        const row = rows(html).find((candidate) => candidate.id === id);
        const own = row?.engines.find(([name]) => name === engine)?.[1];
        assert.ok(own !== undefined && own.includes('My Company'), `${engine}: the selected company's cell`);
        assert.is(appSidebar(html), own, `${engine}: the app's sidebar`);
      }
    } finally {
      await demo.stop();
    }
  }
});

test('ENGINE accepts the six engines and names them when it refuses one', () => {
  for (const engine of SIDEBAR_ENGINES) assert.is(readConfig({ ENGINE: engine }).engine, engine);
  assert.throws(() => readConfig({ ENGINE: 'mustache' }), /ENGINE must be one of nunjucks, handlebars, liquid, ejs, pug, eta, got "mustache"/);
  assert.throws(() => readConfig({ ENGINE: 'Pug' }), /ENGINE must be one of/, 'names are exact');
  assert.is(readConfig({}).engine, 'nunjucks');
});

test.run();
