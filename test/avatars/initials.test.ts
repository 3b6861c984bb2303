import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isInitials, NFC_STABLE, toNfc } from '../../src/avatars/initials.js';
import { countGraphemes, graphemeAt } from '../../src/avatars/graphemes.js';
import { initials, MAX_NAME_LENGTH } from '../../src/index.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

function codeSpan(cell: string): string {
  const inner = /^`(.*)`$/.exec(cell)?.[1];
  if (inner === undefined) throw new Error(`not a code span: ${cell}`);
  return inner;
}

/** The rows of the README's initials table: `| name | options | initials | rule |`. */
function readmeRows(): { name: string; options: Record<string, unknown>; expected: string }[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('| name | options | initials | rule |');
  assert.ok(start > 0, 'the README holds the initials table');
  const rows = [];
  for (const line of readme.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [nameCell, optionsCell, initialsCell] = line.slice(1, -1).split('|').map((cell) => cell.trim()) as [string, string, string];
    const name = nameCell === '*(empty)*' ? '' : codeSpan(nameCell);
    const options: Record<string, unknown> = {};
    for (const [, key, value] of optionsCell.matchAll(/`(\w+): ([^`]+)`/g)) options[key as string] = value === 'false' ? false : value === 'true' ? true : Number(value);
    const expected = initialsCell === '*(none)*' ? '' : codeSpan(initialsCell);
    rows.push({ name, options, expected });
  }
  return rows;
}

test('every row of the README table holds', () => {
  const rows = readmeRows();
  assert.ok(rows.length >= 25, `${rows.length} rows`);
  for (const { name, options, expected } of rows) assert.is(initials(name, options), expected, JSON.stringify(name));
});

test('cases like the table\'s: legal forms, scripts, digits, e-mail', () => {
  const cases: [unknown, string, object?][] = [
    ['Globex Corporation', 'GL'],
    ['Initech, Inc.', 'IN'],
    ['Umbrella Pvt. Ltd.', 'UM'],
    ['Société Générale SA', 'SG'],
    ['Volvo AB', 'VO'],
    ['AB Volvo', 'VO'],
    ['Nokia Oyj', 'NO'],
    ['Acme Sdn Bhd', 'AC'],
    ['Wiener Städtische AG', 'WS'],
    ['AG & Co KG', 'AG'],
    ['Co', 'CO'],
    ['ТОО Казахмыс', 'КА'],
    ['(株)トヨタ', 'ト'],
    ['腾讯控股有限公司', '腾'],
    ['カカオ 株式会社', 'カ'],
    ['株式会社!!!', '株'],
    ['株式会社!!! Foo', 'FO'],
    ['7-Eleven', '7E'],
    ['1️⃣ Corp', 'CO'],
    ['Coca-Cola Company', 'CC'],
    ['Jean–Luc Picard', 'JP'],
    ['mary_jane_watson', 'MW'],
    ['istanbul', 'IS'],
    ['ßauer Schmidt', 'ßS'],
    ['ǈubljana', 'ǇU'],
    ['Ærø Øst', 'ÆØ'],
    ['José de la Cruz', 'JDC', { length: 3 }],
    ['José de la Cruz', 'J', { length: 1 }],
    ['Acme', 'ACM', { length: 3 }],
    ['Acme', 'A', { length: 1 }],
    ['C', 'C'],
    ['김민수', '김'],
    ['김민수', '김민수', { length: 3 }],
    ['شركة أرامكو السعودية', 'أ\u200cا'],
    ['علي', 'ع\u200cل'],
    ['Zoë Ångström', 'ZÅ'],
    [42, '42'],
    [3.5, '35'],
    [Number.NaN, ''],
    [null, ''],
    [undefined, ''],
    [{ toString: () => 'Acme' }, ''],
    [['A', 'B'], ''],
    ['   ', ''],
    ['\u0000\u0007\u001b', ''],
    ['💩💩 — !!', ''],
  ];
  for (const [name, expected, options] of cases) assert.is(initials(name, options as never), expected, JSON.stringify(name));
});

test('NFD and NFC spellings give the same initials', () => {
  for (const name of ['Émile Zola', 'Ångström Labs', 'Nguyễn Văn An', 'Ölüdeniz']) {
    assert.is(initials(name.normalize('NFD')), initials(name.normalize('NFC')));
    assert.is(initials(name.normalize('NFD')), initials(name).normalize('NFC'));
  }
});

test('the NFC fast path: every character it trusts is NFC, alone and next to any other', () => {
  const trusted: string[] = [];
  for (let code = 0; code <= 0xffff; code++) {
    const char = String.fromCharCode(code);
    if (code >= 0xd800 && code <= 0xdfff) continue;
    if (NFC_STABLE.test(char)) trusted.push(char);
  }
  assert.ok(trusted.length > 40_000);
  for (const char of trusted) assert.is(char.normalize('NFC'), char, `U+${char.charCodeAt(0).toString(16)}`);
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...trusted), { maxLength: 12 }), (chars) => {
      const text = chars.join('');
      assert.is(toNfc(text), text.normalize('NFC'));
    }),
    { numRuns: 3000 },
  );
  assert.is(toNfc('e\u0301'), '\u00e9');
  assert.is(toNfc('\u1100\u1161'), '\uac00');
});

test('a name is cut to MAX_NAME_LENGTH before any work', () => {
  assert.is(MAX_NAME_LENGTH, 10_000);
  const long = `Ann ${'x'.repeat(MAX_NAME_LENGTH)} Zed`;
  assert.is(initials(long), 'AX', 'the last word after the cut is the run of x');
  assert.is(initials('y'.repeat(5_000_000)), 'YY');
});

test('the grapheme fast path agrees with Intl.Segmenter', () => {
  const tricky = ['e\u0301', '👩\u200d💻x', '🇬🇧🇫🇷', 'a\r\nb', '각\u11a8', '\u1100\u1161', 'क्षि', '1\ufe0f\u20e3', 'A🏻', 'ｶﾞ', 'ำa', 'x\u200cy', '\ud800a', 'a\udc00'];
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom(...tricky)), (text) => {
      const expected = [...segmenter.segment(text)].map((s) => s.segment);
      const actual: string[] = [];
      for (let i = 0; i < text.length; ) {
        const grapheme = graphemeAt(text, i);
        actual.push(grapheme);
        i += grapheme.length;
      }
      assert.equal(actual, expected);
      assert.is(countGraphemes(text), expected.length);
    }),
    { numRuns: 2000 },
  );
});

test('property: any value gives 0–3 whole graphemes of letters or digits, never a lone surrogate', () => {
  const name = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.array(fc.constantFrom('Acme', 'GmbH', 'Co.', '-', '&', '株式会社', 'トヨタ', 'محمد', '👩‍💻', '\ud800', '\u0000', '<b>', 'A/S', 'e\u0301'), { maxLength: 6 }).map((parts) => parts.join(' ')),
    fc.anything(),
  );
  fc.assert(
    fc.property(name, fc.option(fc.integer({ min: -5, max: 8 }), { nil: undefined }), fc.boolean(), (value, length, uppercase) => {
      const result = initials(value, length === undefined ? { uppercase } : { length, uppercase });
      assert.not.ok(LONE_SURROGATE.test(result), JSON.stringify(result));
      if (result !== '') assert.ok(isInitials(result), `${JSON.stringify(value)} → ${JSON.stringify(result)}`);
      assert.ok(countGraphemes(result.replaceAll('\u200c', '')) <= 3);
    }),
    { numRuns: 3000 },
  );
});

test('isInitials accepts what initials() makes and refuses the rest', () => {
  for (const ok of ['A', 'AC', 'ABC', 'ト', '山田', 'م\u200cع', '3C', 'hp', 'e\u0301']) assert.ok(isInitials(ok), ok);
  for (const bad of ['', 'ABCD', 'A B', '<', 'A"', '%', '😀', '1\ufe0f\u20e3', '\ud800', 'A\u0000', 'x'.repeat(100)]) assert.not.ok(isInitials(bad), bad);
});

test.run();
