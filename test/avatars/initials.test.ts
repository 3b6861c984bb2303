import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { colorHash } from '../../src/avatars/colors.js';
import { AVATAR_NAME_LENGTH, cutName, hasInitials, isInitials, NFC_STABLE, toNfc } from '../../src/avatars/initials.js';
import { countGraphemes, graphemeAt, LONGEST_GRAPHEME, mayJoin } from '../../src/avatars/graphemes.js';
import { colorsFor, initials, LogoFallbackError, MAX_NAME_LENGTH } from '../../src/index.js';
import { readmeRows } from './readme-table.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

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
    // Thai, Lao (and the other Logical_Order_Exception scripts): a vowel written first is no initial
    ['เกษตร ไทยพัฒนา', 'กท'],
    ['ไปรษณีย์ไทย', 'ปร'],
    ['โตโยต้า แอนด์ ไทย', 'ตท'],
    ['บริษัท ปูนซิเมนต์ไทย จำกัด (มหาชน)', 'ปูน'],
    ['ແສງ ເລົາ', 'ສລົ'],
    ['ໄຊ ໂພ', 'ຊພ'],
    ['\u19b5\u1980 Test', '\u1980T'],
    ['\uaab9\uaa80 Test', '\uaa80T'],
    ['เ', ''],
    // a note in brackets is no part of the name; legal forms still drop before it
    ['Hanne Carlsen (HC)', 'HC'],
    ['Globex Corporation (Europe)', 'GL'],
    ['Globex Corporation (Europe) Ltd', 'GL'],
    ['Acme GmbH (in Liquidation)', 'AC'],
    ['Acme (Pty) Ltd', 'AC'],
    ['Ola Nordmann [inactive]', 'ON'],
    ['Ola Nordmann {old}', 'ON'],
    ['Ola Nordmann （旧）', 'ON'],
    ['Ola Nordmann ［旧］', 'ON'],
    ['Ola Nordmann 【旧】', 'ON'],
    ['Ola (Per (nested) Paal) Nordmann', 'ON'],
    ['Ola Nordmann (Europe', 'ON'],
    ['Ola Nordmann (Europe]', 'ON'],
    ['Ola) Nordmann', 'ON'],
    ['Ola(Europe)Nordmann', 'ON'],
    ['(HC)', 'HC'],
    ['[Draft]', 'DR'],
    ['トヨタ（株）', 'ト'],
    // a hyphenated surname is one surname; a name of one hyphenated word keeps its parts
    ['Tara Brooks-Lyle', 'TB'],
    ['Tara Brooks\u2010Lyle', 'TB'],
    ['Tara Brooks\u2011Lyle', 'TB'],
    ['Tara Brooks–Lyle', 'TB'],
    ['María José García-Pérez', 'MG'],
    ['David Ben\u05beGurion', 'DB'],
    ['Hewlett-Packard', 'HP'],
    ['Hewlett\u2011Packard', 'HP'],
    ['Rolls-Royce Holdings plc', 'RH'],
    ['Mercedes-Benz Group AG', 'MG'],
    ['Hewlett-Packard GmbH', 'HP'],
    // invisible letters (Hangul fillers) are no initials
    ['\u3164', ''],
    ['\u3164Acme \uffa0Corp', 'AC'],
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

test('ZWJ and ZWNJ inside or between letters are format characters, not a reason to skip the letter', () => {
  const cases: [string, string, object?][] = [
    // Sinhala "Sri" is spelled with a ZWJ (ශ + virama + ZWJ + ර): the initial is ශ with its virama, the trailing ZWJ dropped
    ['ශ්\u200dරී ලංකා ටෙලිකොම්', 'ශ්ටෙ'],
    ['ශ්\u200dරී', 'ශ්රී'],
    ['a\u200db', 'AB'],
    ['a\u200cb', 'AB'],
    ['a\u200d\u200c\u200db Smith', 'AS'],
    ['Ra\u200dvi Shankar', 'RS'],
    ['A\u200cB C', 'AC'],
    ['A\u200dB C', 'AC'],
    // a ZWJ inside a Devanagari conjunct (one grapheme by UAX #29's GB9c) stays: it asks for the half form
    ['क्\u200dष Corp', 'क्\u200dष'],
    ['क्\u200dष Kumar', 'क्\u200dषK'],
    ['Kumar क्\u200dष', 'Kक्\u200dष'],
    ['क्\u200cष Kumar', 'क्K'],
    // Persian: a ZWNJ inside a word (می‌خواهم) is no reason to skip it; cursive initials still get their own U+200C
    ['می\u200cخواهم علی', 'م\u200cع'],
    ['علی\u200c حسن', 'ع\u200cح'],
    // emoji ZWJ sequences keep their rule: skipped whole
    ['👩\u200d💻 Dev Team', 'DT'],
    ['a\u200d👍 Team', 'AT'],
    ['\u200dAcme', 'AC'],
    ['\u200c\u200d', ''],
  ];
  for (const [name, expected, options] of cases) {
    const result = initials(name, options as never);
    assert.is(result, expected, JSON.stringify(name));
    if (expected !== '') assert.ok(isInitials(result), `${JSON.stringify(result)} is accepted by the avatar route`);
    assert.not.match(result.replaceAll(/(?<=\p{Script=Arabic})\u200c(?=\p{Script=Arabic})/gu, ''), /\u200c|\u200d$/u, 'no stray joiner');
  }
});

test('hostile or wrong options are INVALID_OPTION, never a TypeError; no options or undefined values are the defaults', () => {
  const throwing = new Proxy({}, { get() { throw new TypeError('get trap'); }, ownKeys() { throw new TypeError('ownKeys trap'); }, getPrototypeOf() { throw new TypeError('getPrototypeOf trap'); } });
  const getOnly = new Proxy({ length: 2 }, { get() { throw new TypeError('get trap'); } });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const getter = Object.defineProperty({}, 'length', { enumerable: true, get() { throw new Error('getter'); } });
  const bad: [unknown, RegExp][] = [
    [throwing, /reading its keys failed/],
    [getOnly, /reading "length" of the options failed/],
    [revoked, /reading its keys failed/],
    [getter, /reading "length" of the options failed/],
    [null, /must be a plain object, got null/],
    [['A'], /got an array/],
    ['AC', /must be a plain object, got "AC"/],
    [{ lenght: 2 }, /unknown key "lenght".*did you mean "length"/],
    [{ length: 0 }, /"length" must be an integer from 1 to 3, got 0/],
    [{ length: 4 }, /got 4/],
    [{ length: 2.5 }, /got 2\.5/],
    [{ length: Number.NaN }, /got NaN/],
    [{ length: '2' }, /got "2"/],
    [{ uppercase: 'no' }, /"uppercase" must be true or false, got "no"/],
  ];
  for (const [options, message] of bad) {
    let caught: unknown;
    try {
      initials('Acme Corp', options as never);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof LogoFallbackError, `${String(message)}: ${String(caught)}`);
    assert.is(caught.code, 'INVALID_OPTION');
    assert.match(caught.message, /^\[logo-fallback\] initials\(\): /);
    assert.match(caught.message, message);
  }
  assert.is(initials('Acme Industries'), 'AI');
  assert.is(initials('Acme Industries', {}), 'AI');
  assert.is(initials('Acme Industries', { length: undefined, uppercase: undefined } as never), 'AI');
  assert.is(initials('Acme Industries', { length: 1, uppercase: false }), 'A');
  // the name is never a reason to throw, whatever it is
  assert.is(initials(throwing), '');
  assert.is(initials(revoked), '');
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

test('hostile names: a name is cut to AVATAR_NAME_LENGTH code units before any work', () => {
  assert.is(AVATAR_NAME_LENGTH, 256);
  assert.is(MAX_NAME_LENGTH, 10_000, 'display names keep more');
  const long = `Ann ${'x'.repeat(AVATAR_NAME_LENGTH)} Zed`;
  assert.is(initials(long), 'AX', 'the last word after the cut is the run of x');
  // the same initials and colour as a short equivalent
  const same = (hostile: string, short: string) => {
    assert.is(initials(hostile), initials(short), short);
    assert.equal(colorsFor(hostile), colorsFor(cutName(hostile)));
  };
  same('y'.repeat(1_000_000), 'yy');
  same(`Acme Corp ${'z'.repeat(1_000_000)}`, 'Acme Corp z');
  same(`a${'\u0301'.repeat(10_000)}`, `a${'\u0301'.repeat(LONGEST_GRAPHEME)}`);
  same(`Ola ${'\u0308'.repeat(10_000)} Nordmann`, 'Ola');
  same(`Ola Nordmann ${'\u0e49'.repeat(10_000)}`, 'Ola Nordmann');
  same('👩\u200d'.repeat(50_000), '');
  same(`Zed ${'👩\u200d💻'.repeat(50_000)}`, 'Zed');
  same(`\u200d${'\u200d'.repeat(50_000)}Acme`, '');
  same(`${'क्'.repeat(50_000)}`, 'क्'.repeat(32));
  assert.ok(initials(`a${'\u0301'.repeat(10_000)}`).length <= LONGEST_GRAPHEME, 'a grapheme with thousands of marks is cut too');
  // a surrogate pair across the cut is never split
  const pair = `${'a'.repeat(AVATAR_NAME_LENGTH - 1)}😀`;
  assert.is(cutName(pair), 'a'.repeat(AVATAR_NAME_LENGTH - 1));
  assert.not.ok(LONE_SURROGATE.test(cutName(pair)));
});

test('property: initials and colour of any name are those of its bounded prefix', () => {
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(' ', 'Acme', 'GmbH', '(Europe)', '(', ')', '-', '\u0301'.repeat(40), '👩\u200d', 'क्', 'เ', '😀', '\ud83d'),
  );
  const name = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(name, fc.boolean(), (value, uppercase) => {
      const prefix = value.slice(0, AVATAR_NAME_LENGTH);
      assert.is(cutName(cutName(value)), cutName(value), 'idempotent');
      assert.ok(cutName(value).length <= AVATAR_NAME_LENGTH);
      for (const same of [prefix, cutName(value), value.slice(0, MAX_NAME_LENGTH)]) {
        assert.is(initials(value, { uppercase }), initials(same, { uppercase }));
        assert.is(colorHash(value), colorHash(same));
        assert.equal(colorsFor(value), colorsFor(same));
      }
    }),
    { numRuns: 1000 },
  );
});

/**
 * One or more code points of every Grapheme_Cluster_Break class (UAX #29, GraphemeBreakProperty.txt)
 * and of the Indic conjunct classes (InCB): Prepend (Arabic number signs, Kaithi, Sharada, the
 * Tulu-Tigalari U+113D1 added in Unicode 16, Dives Akuru, Zanabazar Square, Masaram Gondi), CR,
 * LF, Control, Extend, ZWJ, Regional_Indicator, SpacingMark, Hangul L, V, T, LV, LVT,
 * Extended_Pictographic, InCB linker and consonants, and plain letters.
 */
const EVERY_CLASS = [
  '\u0600', '\u0605', '\u06dd', '\u070f', '\u0890', '\u08e2', '\u0d4e', '\u{110bd}', '\u{110cd}', '\u{111c2}', '\u{113d1}', '\u{1193f}', '\u{11a3a}', '\u{11a84}', '\u{11d46}', '\u{11f02}',
  '\r', '\n', '\u0000', '\u00ad', '\u2028',
  '\u0301', '\u0e31', '\u200c', '\ufe0f', '\u{1f3fb}', '\u{e0061}', '\u200d',
  '\u{1f1ec}', '\u{1f1e7}',
  '\u0903', '\u0e33', '\u0eb3',
  '\u1100', '\u1161', '\u11a8', '\uac00', '\uac01', '\ud7b0', '\ua960',
  '\u{1f469}', '\u{1f4bb}', '\u00a9',
  '\u094d', '\u0915', '\u0937', '\u0d4d',
  'a', 'Z', '1', ' ', 'ก', 'ツ', '\ud800', '\udc00',
];

test('the grapheme fast path knows every Grapheme_Cluster_Break class (U+113D1, a Prepend of Unicode 16, among them)', () => {
  const segmenter16 = [...segmenter.segment('\u{113d1}a')].length === 1;
  if (segmenter16) assert.is(graphemeAt('\u{113d1}a', 0), '\u{113d1}a', 'the runtime segmenter is Unicode 16 or later');
  assert.ok(mayJoin(0x600) && mayJoin(0x301) && mayJoin(0x200d) && mayJoin(0x1f1e6) && mayJoin(0x1100) && mayJoin(0x903));
  assert.not.ok(mayJoin(0x61) || mayJoin(0xe01) || mayJoin(0x30c4) || mayJoin(0x1f600));
  // The ASCII shortcut (nothing below U+0300 joins) holds for the runtime's segmenter.
  for (let code = 0; code < 0x300; code++) if (code !== 13) assert.not.ok(mayJoin(code), code.toString(16));
});

test('property: the grapheme fast path agrees with Intl.Segmenter', () => {
  const tricky = ['e\u0301', '👩\u200d💻x', '🇬🇧🇫🇷', 'a\r\nb', '각\u11a8', '\u1100\u1161', 'क्षि', '1\ufe0f\u20e3', 'A🏻', 'ｶﾞ', 'ำa', 'x\u200cy', '\ud800a', 'a\udc00', '\u{113d1}a', '\u0600\u0661'];
  const anyPoint = fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code));
  const mixed = fc.array(fc.oneof(fc.constantFrom(...EVERY_CLASS), anyPoint), { maxLength: 8 }).map((parts) => parts.join(''));
  // fc.assert prints the seed and the shrunk counterexample when this fails.
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom(...tricky), mixed), (text) => {
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
    { numRuns: 4000 },
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
    fc.property(name, fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), fc.boolean(), (value, length, uppercase) => {
      const result = initials(value, length === undefined ? { uppercase } : { length, uppercase });
      assert.not.ok(LONE_SURROGATE.test(result), JSON.stringify(result));
      if (result !== '') assert.ok(isInitials(result), `${JSON.stringify(value)} → ${JSON.stringify(result)}`);
      assert.ok(countGraphemes(result.replaceAll('\u200c', '')) <= 3);
    }),
    { numRuns: 3000 },
  );
});

test('isInitials accepts what initials() makes and refuses the rest', () => {
  for (const ok of ['A', 'AC', 'ABC', 'ト', '山田', 'م\u200cع', 'م\u200cع\u200cل', 'مع', '3C', 'hp', 'e\u0301', 'กท', 'प्रग्रु', `a${'\u0301'.repeat(LONGEST_GRAPHEME - 1)}`.repeat(3)]) assert.ok(isInitials(ok), ok);
  for (const bad of ['', 'ABCD', 'A B', '<', 'A"', '%', '😀', '1\ufe0f\u20e3', '\ud800', 'A\u0000', 'x'.repeat(100)]) assert.not.ok(isInitials(bad), bad);
  // nothing invisible: format characters alone, or a U+200C anywhere but between cursive letters
  for (const invisible of ['\u200c', '\u200c\u200c', '\u200b', '\u2060', '\ufeff', '\ufe0f', '\u{e0100}', '\u00ad', '\u3164', '\uffa0', '\u115f', 'A\u200c', '\u200cA', 'A\u200cB', 'م\u200c\u200cع', 'เ']) {
    assert.not.ok(isInitials(invisible), JSON.stringify(invisible));
  }
});

test('a repeated call is answered from the last one only when name and options are the same', () => {
  const options = [undefined, { length: 1 }, { length: 3 }, { uppercase: false }, { length: 1, uppercase: false }, { length: 2 }, { length: 3, uppercase: true }];
  /** The call's answer with the previous call forgotten (another name asked in between). */
  const fresh = (name: unknown, option: (typeof options)[number]) => (initials('Zz Yy'), initials(name, option));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('Acme Corp', 'acme corp', 'Tara Brooks-Lyle', 'x'.repeat(300), `${'x'.repeat(300)}y`, 'エイ', 5, 'jane.doe@example.com'), fc.nat(options.length - 1)), { maxLength: 12 }), (calls) => {
      for (const [name, i] of calls) {
        const expected = fresh(name, options[i]);
        assert.is(initials(name, options[i]), expected, `${String(name).slice(0, 20)} ${JSON.stringify(options[i])}`);
        assert.is(initials(name, options[i]), expected, 'asked twice');
      }
    }),
  );
  assert.is(initials('Acme Corp'), 'AC');
  assert.is(initials('Acme Corp', { uppercase: false }), 'Ac');
  assert.is(initials('Acme Corp', { length: 1 }), 'A');
  assert.is(initials('Acme Corp'), 'AC');
});

test('property: hasInitials says whether initials() gives any, also where it answers without computing them', () => {
  // Names that start with an ASCII letter or digit, followed by what could take it away: marks,
  // variation selectors and keycaps (1️⃣ is not an initial), brackets, e-mail separators, legal
  // forms, CJK forms, emoji, joiners and white space.
  const lead = fc.constantFrom('a', 'Z', '7', '0', ' a', '(', '😀', '');
  const piece = fc.constantFrom('\u0301', '\ufe0f', '\ufe0f\u20e3', '\u20e3', '\u200d', '(', ')', '[x]', '(HC)', '@', '@x.com', '.', '_', '+', ' ', '\t', '\u200b', 'Ltd', ' Ltd', ' GmbH', 'PT ', ' Inc.', '株式会社', '（株）', '😀', '-', '·', 'é', 'ß', 'ไ', '\u0e40', 'ก', ' 1️⃣', '');
  fc.assert(
    fc.property(lead, fc.array(piece, { maxLength: 8 }), (start, rest) => {
      const name = start + rest.join('');
      assert.is(hasInitials(name), initials(name) !== '', JSON.stringify(name));
    }),
    { numRuns: 20_000 },
  );
  for (const [name, has] of [['1️⃣', false], ['1\u20e3', false], ['a\ufe0f', false], ['a\u0301', true], ['Acme', true], ['Ltd 😀', true], ['._@x.com', false], ['(HC)', true]] as const) {
    assert.is(initials(name) !== '', has, `initials(${JSON.stringify(name)})`);
    assert.is(hasInitials(name), has, `hasInitials(${JSON.stringify(name)})`);
  }
});

test.run();
