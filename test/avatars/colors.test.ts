import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { colorHash, colorKey, createPalette, hashName, parseHex } from '../../src/avatars/colors.js';
import { DEFAULT_PALETTE, MIN_CONTRAST, bestTextColor, colorsFor, contrast, luminance, repairColor } from '../../src/index.js';

const hexColor = fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, '0')}`);

test('WCAG 2.x luminance and contrast on known values', () => {
  assert.is(luminance('#000000'), 0);
  assert.is(luminance('#ffffff'), 1);
  assert.is(contrast('#000000', '#ffffff').toFixed(2), '21.00');
  assert.is(contrast('#ffffff', '#000000').toFixed(2), '21.00');
  assert.is(contrast('#777777', '#ffffff').toFixed(2), '4.48', 'the well-known just-failing grey');
  assert.is(contrast('#1d4ed8', '#ffffff').toFixed(2), '6.70');
});

test('every default palette entry reaches 4.5:1 against its text colour; at least 16 distinct colours', () => {
  assert.ok(DEFAULT_PALETTE.length >= 16);
  assert.is(new Set(DEFAULT_PALETTE).size, DEFAULT_PALETTE.length);
  for (const background of DEFAULT_PALETTE) {
    const text = bestTextColor(background);
    assert.ok(contrast(background, text) >= MIN_CONTRAST, `${background} on ${text}: ${contrast(background, text).toFixed(2)}`);
    assert.equal(repairColor(background), { background, text }, 'a passing entry is left as it is');
  }
});

test('pinned: the same name gives the same colour in every process and release', () => {
  // Changing these is a breaking change: every avatar would change colour (see the README).
  assert.is(hashName('Acme Corp'), 226174325);
  assert.is(hashName(''), 0x811c9dc5);
  assert.equal(colorsFor('Acme Corp'), { background: '#44403c', text: '#ffffff' });
  assert.equal(colorsFor('Globex'), { background: '#166534', text: '#ffffff' });
  assert.equal(colorsFor('株式会社トヨタ'), { background: '#b91c1c', text: '#ffffff' });
  assert.equal(colorsFor('محمد علي'), { background: '#5b21b6', text: '#ffffff' });
  assert.equal(colorsFor('Ørsted A/S'), { background: '#86198f', text: '#ffffff' });
});

test('pinned: the default palette, in order, and one name per entry', () => {
  // Reordering the palette re-colours every avatar as surely as changing it: both are breaking changes.
  assert.equal(DEFAULT_PALETTE, [
    '#1e3a8a', '#1d4ed8', '#0f766e', '#047857', '#166534', '#3f6212', '#a16207', '#b45309',
    '#c2410c', '#b91c1c', '#be123c', '#9d174d', '#86198f', '#6b21a8', '#5b21b6', '#3730a3',
    '#334155', '#44403c',
  ]);
  const names = ['Company 28', 'Company 30', 'Company 31', 'Company 3', 'Company 2', 'Company 1', 'Company 13', 'Company 7', 'Company 6', 'Company 5', 'Company 4', 'Company 18', 'Company 19', 'Company 74', 'Company 75', 'Company 9', 'Company 8', 'Company 29'];
  names.forEach((name, index) => assert.is(colorsFor(name).background, DEFAULT_PALETTE[index], `${name} → entry ${index}`));
  assert.is(colorsFor('Company 28').background, '#1e3a8a');
  assert.is(colorsFor('Company 29').background, '#44403c');
});

test('the colour key ignores case, spacing and Unicode normal form', () => {
  assert.is(colorKey('  ACME   Corp '), 'acme corp');
  assert.is(colorKey('Ørsted\tA/S'), 'ørsted a/s');
  assert.is(colorKey('E\u0301mile'), colorKey('Émile'));
  assert.equal(colorsFor('acme  CORP'), colorsFor('Acme Corp'));
});

test('property: the ASCII fast path hashes exactly the colour key', () => {
  const ascii = fc.string({ unit: fc.constantFrom('a', 'Z', 'q', '0', ' ', '  ', '\t', '\n', '\u000b', '\f', '\r', '\u0000', '\u001c', '~', '-') });
  fc.assert(
    fc.property(fc.oneof(ascii, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (name) => {
      assert.is(colorHash(name), hashName(colorKey(name)));
    }),
    { numRuns: 3000 },
  );
});

test('best text colour: the higher ratio of black and white', () => {
  fc.assert(
    fc.property(hexColor, (background) => {
      const text = bestTextColor(background);
      const other = text === '#ffffff' ? '#000000' : '#ffffff';
      assert.ok(contrast(background, text) >= contrast(background, other));
      assert.ok(contrast(background, text) >= 4.58, 'black or white always reaches 4.58:1 against the better one');
    }),
  );
  assert.is(bestTextColor('#ffeb3b'), '#000000');
  assert.is(bestTextColor('#1a237e'), '#ffffff');
  assert.is(bestTextColor('#fff'), '#000000');
});

test('a user palette entry below the ratio is darkened or lightened until it passes', () => {
  const yellowOnWhite = repairColor('#ffff00', { text: '#ffffff' });
  assert.ok(yellowOnWhite);
  assert.is.not(yellowOnWhite.background, '#ffff00');
  assert.is(yellowOnWhite.text, '#ffffff');
  assert.ok(contrast(yellowOnWhite.background, '#ffffff') >= 4.5);
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(yellowOnWhite.background.slice(i, i + 2), 16)) as [number, number, number];
  assert.ok(r === g && b === 0, `still a yellow, darker: ${yellowOnWhite.background}`);

  const navyOnBlack = repairColor('#1e3a8a', { text: '#000000' });
  assert.ok(navyOnBlack && luminance(navyOnBlack.background) > luminance('#1e3a8a'), 'lightened for black text');
  assert.ok(contrast(navyOnBlack.background, '#000000') >= 4.5);

  const aaa = repairColor('#808080', { minContrast: 7 });
  assert.ok(aaa && contrast(aaa.background, aaa.text) >= 7);
  assert.ok(repairColor('#808080', { text: '#808080' }), 'mid grey text: a black background reaches 5.3:1');
  assert.is(repairColor('#808080', { text: '#808080', minContrast: 7 }), undefined, 'but no background reaches 7:1');
  assert.is(repairColor('not a colour'), undefined);
  assert.is(repairColor('#fff', { text: 'red' }), undefined);
});

test('property: any colour, any text choice, any ratio up to 21: the repaired pair reaches it', () => {
  fc.assert(
    fc.property(hexColor, fc.option(fc.constantFrom('#ffffff', '#000000', '#fafafa', '#111111'), { nil: undefined }), fc.double({ min: 4.5, max: 21, noNaN: true }), (background, text, minContrast) => {
      const repaired = repairColor(background, text === undefined ? { minContrast } : { text, minContrast });
      const reachable = text === undefined || Math.max(contrast(text, '#000000'), contrast(text, '#ffffff')) >= minContrast;
      if (!reachable) return;
      assert.ok(repaired, `${background} ${text} ${minContrast}`);
      assert.ok(contrast(repaired.background, repaired.text) >= minContrast);
      assert.match(repaired.background, /^#[0-9a-f]{6}$/);
    }),
    { numRuns: 1000 },
  );
});

test('createPalette parses #rgb and reports entries that are not colours', () => {
  const rejected: number[] = [];
  const palette = createPalette(['#FFF', '1e3a8a', 'red', '#12345', 'url(x)'], {}, (index) => rejected.push(index));
  assert.equal(rejected, [2, 3, 4]);
  assert.equal(palette, [
    { background: '#ffffff', text: '#000000' },
    { background: '#1e3a8a', text: '#ffffff' },
  ]);
  assert.is(parseHex('#ABC'), '#aabbcc');
  assert.is(parseHex('javascript:'), undefined);
  assert.is(parseHex(7), undefined);
});

test.run();
