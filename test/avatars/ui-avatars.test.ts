import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { colorsFor, initials, isAttributeSafe, uiAvatars } from '../../src/index.js';

/**
 * What ui-avatars draws for a URL: a port of LasseRafn/php-initials `Initials::generateInitials`
 * as ui-avatars' `Utils/Input.php` calls it (`length` default 2, `uppercase` unless "false", "0"
 * or "no"): trimmed, upper-cased with mb_strtoupper, split at spaces and "-", and cut to `length`
 * CODE POINTS with mb_substr.
 */
function drawnByUiAvatars(url: string): string {
  const query = new URL(url).searchParams;
  const length = Math.max(1, Math.trunc(Number(query.get('length') ?? 2)) || 1);
  const uppercase = !['false', '0', 'no'].includes(query.get('uppercase') ?? 'true');
  let name = (query.get('name') ?? 'John Doe').trim();
  if (uppercase) name = name.toUpperCase();
  name = name.replace(/^-+|-+$/g, '').trim();
  const names = name.split(' ').flatMap((part) => part.split('-'));
  let drawn = name;
  if (names.length > 1) {
    drawn = '';
    for (let i = 0; i < length; i++) {
      const index = (i === length - 1 && i > 0) || i > names.length - 1 ? names.length - 1 : i;
      drawn += [...(names[index] as string)][0] ?? '';
    }
  }
  return [...drawn].slice(0, length).join('');
}

const ours = (name: string, options = {}): string => initials(name, options).replaceAll('\u200c', '');

test('ui-avatars draws the initials computed here: code points, no U+200C, its own upper-casing', () => {
  const provider = uiAvatars();
  for (const name of ['ชิน', 'प्रग्रु', 'محمد علي', 'علي', 'Acme Corp', 'Hewlett-Packard', 'ßauer Schmidt', 'ǆemal', '𠀀明', 'Nguyễn Văn An', 'เกษตร ไทยพัฒนา', 'a\u0308b\u0308', 'קפה', 'Ελληνικά Μέλη']) {
    const url = provider({ name });
    assert.is(drawnByUiAvatars(url), ours(name), `${name}: ${url}`);
    assert.not.match(decodeURIComponent(url), /\u200c/);
  }
  assert.match(provider({ name: 'ชิน' }), /[?&]length=3(&|$)/);
  assert.match(provider({ name: 'प्रग्रु' }), /[?&]length=7(&|$)/);
  assert.not.match(provider({ name: 'Acme Corp' }), /length=|uppercase=/, 'two plain letters: ui-avatars defaults do');
  const lower = uiAvatars({ uppercase: false });
  assert.is(drawnByUiAvatars(lower({ name: 'hewlett packard' })), 'hp');
  for (const length of [1, 2, 3]) {
    const provider3 = uiAvatars({ length });
    for (const name of ['José de la Cruz', 'محمد عبد الله علي', '김민수', 'ชินวัตร คอร์ปอเรชั่น']) assert.is(drawnByUiAvatars(provider3({ name })), ours(name, { length }), `${name} ${length}`);
  }
});

test('property: whatever the name, ui-avatars draws exactly our initials (or the placeholder\'s)', () => {
  const provider = uiAvatars();
  const name = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('ชิน', 'प्रग्रु', 'علي حسن', 'ß', 'ǆ'));
  fc.assert(
    fc.property(name, (value) => {
      const expected = ours(value) || 'C';
      assert.is(drawnByUiAvatars(provider({ name: value })), expected, value);
    }),
    { numRuns: 1000 },
  );
});

test('ui-avatars is never sent a size below 16 or above 512', () => {
  for (const options of [{}, { size: 34 }, { preset: 'horilla' as const }]) {
    const provider = uiAvatars(options);
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, 1, 15, 16, 512, 513, -1, Number.NaN)), (size) => {
        const sent = new URL(provider({ name: 'Acme', size })).searchParams.get('size');
        if (sent !== null) assert.ok(Number(sent) >= 16 && Number(sent) <= 512 && Number.isInteger(Number(sent)), `${size} → ${sent}`);
      }),
      { numRuns: 300 },
    );
  }
  assert.is(new URL(uiAvatars()({ name: 'Acme', size: 4 })).searchParams.get('size'), '16', 'a template size below 16 is raised to 16');
  assert.is(new URL(uiAvatars()({ name: 'Acme', size: 4096 })).searchParams.get('size'), '512');
});

test('called directly with anything, the provider never throws: the placeholder\'s avatar', () => {
  const provider = uiAvatars();
  const placeholder = provider({ name: 'C' });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const throwing = new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); }, has: () => { throw new Error('trap'); } });
  const getter = { get name(): string { throw new Error('getter'); }, get size(): number { throw new Error('getter'); } };
  const subjects = [null, undefined, 42, 'Acme', [], ['Acme'], revoked, throwing, getter, { name: null }, { name: ['A', 'B'] }, { name: throwing }, { name: revoked }, { name: {} }, { name: '😀' }];
  subjects.forEach((subject, index) => {
    const url = provider(subject as never);
    assert.is(url, placeholder, `subject #${index}`);
    assert.ok(isAttributeSafe(url));
  });
  assert.match(placeholder, /name=C&/);
  assert.match(placeholder, new RegExp(`background=${colorsFor('C').background.slice(1)}`), 'the placeholder\'s colour');
  assert.match(uiAvatars({ placeholder: 'Xy' })({ name: null as never }), /name=XY&/);
  assert.throws(() => uiAvatars({ placeholder: '!!' }), /placeholder/);
});

test.run();
