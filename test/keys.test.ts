import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decodeToFixedPoint, describeKeyProblem, encodeKey, encodeSegment, keyProblem, parseReference, MAX_KEY_BYTES } from '../src/keys.js';

const fsContext = { baseUrl: '/media/', root: '/srv/app/media' };
const cdnContext = { baseUrl: 'https://cdn.example.com/media/' };

test('storage keys, URLs of ours and paths inside the root become keys', () => {
  const cases: Array<[string, string, object]> = [
    ['base/company/icon/a.png', 'base/company/icon/a.png', fsContext],
    ['/media/base/company/icon/a.png', 'base/company/icon/a.png', fsContext],
    ['/media/base/company/icon/a%20b.png?v=3#x', 'base/company/icon/a b.png', fsContext],
    ['/srv/app/media/base/a.png', 'base/a.png', fsContext],
    ['https://cdn.example.com/media/base/a.png', 'base/a.png', cdnContext],
    ['//cdn.example.com/media/base/a.png', 'base/a.png', cdnContext],
    ["o'brien (1).png", "o'brien (1).png", fsContext],
    ['ørsted/Å s#1?.png', 'ørsted/Å s#1?.png', fsContext],
  ];
  for (const [reference, key, context] of cases) {
    assert.equal(parseReference(reference, context), { kind: 'key', key }, reference);
  }
});

test('foreign URLs and other site paths are returned unchanged', () => {
  for (const reference of [
    'https://ui-avatars.com/api/?name=All+Company&background=random',
    'http://example.org/logo.png',
    '//other.example/logo.png',
    '/static/images/ui/logo.png',
    'https://cdn.example.com/other/a.png',
  ]) {
    assert.equal(parseReference(reference, { ...fsContext, ...cdnContext, root: '/srv/app/media' }), { kind: 'external', url: reference });
  }
});

test('unsafe references are refused with a reason', () => {
  const unsafe = [
    '../etc/passwd',
    'base/../../etc/passwd',
    './a.png',
    'a/./b.png',
    '%2e%2e/etc/passwd',
    'a/%2E%2e/b',
    'a/%252e%252e/b',
    'a%2f..%2fb',
    '/media/../etc/passwd',
    '/media/%2e%2e/secret',
    '/srv/app/media/../secret',
    'a\\b.png',
    'a%5cb.png',
    'a\u0000.png',
    'a%00.png',
    'a\nb',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:image/svg+xml,<svg onload=alert(1)>',
    'vbscript:x',
    'file:///etc/passwd',
    'base//a.png',
    'base/a.png/',
    'https://evil.example/a/../b',
    'https://evil.example/a"onerror="x',
    "/static/it's.png",
    '/static/a b.png',
    'x'.repeat(MAX_KEY_BYTES + 1),
    'é'.repeat(MAX_KEY_BYTES / 2 + 1),
    'a\ud800.png',
    'x'.repeat(100_000),
  ];
  for (const reference of unsafe) {
    const result = parseReference(reference, fsContext);
    assert.is(result.kind, 'invalid', reference.slice(0, 60));
  }
});

test('a key of exactly MAX_KEY_BYTES bytes is accepted', () => {
  assert.is(keyProblem('a'.repeat(MAX_KEY_BYTES)), undefined);
  assert.type(keyProblem('a'.repeat(MAX_KEY_BYTES + 1)), 'string');
});

test('encodeKey percent-encodes each segment, including !\'()*', () => {
  assert.is(encodeKey("base/o'brien (1).png"), 'base/o%27brien%20%281%29.png');
  assert.is(encodeKey('a/b#c?d.png'), 'a/b%23c%3Fd.png');
  assert.is(encodeKey('å/中.png'), '%C3%A5/%E4%B8%AD.png');
  assert.is(encodeKey('a*!.png'), 'a%2A%21.png');
});

test('property: a key is never accepted with a dot segment, a backslash or a control character, in any encoding', () => {
  const piece = fc.constantFrom('a', '.', '..', '%2e', '%2E%2e', '%252e', '/', '\\', '%5c', '%00', '\u0001', '%2f', 'b.png', ' ', '%');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
      const reference = parts.join('');
      const result = parseReference(reference, fsContext);
      if (result.kind !== 'key') return;
      let decoded = result.key;
      for (let i = 0; i < 4; i++) decoded = decoded.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      for (const form of [result.key, decoded]) {
        assert.not.ok(form.split('/').some((s) => s === '.' || s === '..' || s === ''), form);
        assert.not.ok(/[\\\u0000-\u001f]/.test(form), form);
      }
    }),
    { numRuns: 3000 },
  );
});

test('property: parseReference never throws and external URLs are attribute-safe', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: 'binary' })), (reference) => {
      const result = parseReference(reference, fsContext);
      if (result.kind === 'external') assert.not.ok(/["'<>`\\\s]/.test(result.url), result.url);
      if (result.kind === 'key') assert.not.ok(/[\u0000-\u001f\\]/.test(result.key));
    }),
    { numRuns: 3000 },
  );
});

test('an absolute path beside the root is not inside it', () => {
  for (const reference of ['/srv/app/media-old/base/a.png', '/srv/app/mediaX/a.png', '/srv/app/media.png', '/srv/app/media']) {
    assert.equal(parseReference(reference, fsContext), { kind: 'external', url: reference }, reference);
  }
  assert.equal(parseReference('/srv/app/media/base/a.png', fsContext), { kind: 'key', key: 'base/a.png' });
  // A root given with its trailing slash means the same directory.
  assert.equal(parseReference('/srv/app/media-old/a.png', { root: '/srv/app/media/' }), { kind: 'external', url: '/srv/app/media-old/a.png' });
  assert.equal(parseReference('/srv/app/media/a.png', { root: '/srv/app/media/' }), { kind: 'key', key: 'a.png' });
});

test('a root of "/" takes every absolute path as a key, and still refuses traversal', () => {
  const rootContext = { root: '/' };
  assert.equal(parseReference('/srv/app/media/a.png', rootContext), { kind: 'key', key: 'srv/app/media/a.png' });
  assert.equal(parseReference('/a.png', rootContext), { kind: 'key', key: 'a.png' });
  assert.equal(parseReference('/media/a.png', { ...rootContext, baseUrl: '/media/' }), { kind: 'key', key: 'a.png' });
  for (const reference of ['/../etc/passwd', '/srv/%2e%2e/etc/passwd', '//evil.example/../x', '/a//b.png']) {
    assert.is(parseReference(reference, rootContext).kind, 'invalid', reference);
  }
  assert.equal(parseReference('//cdn.example/a.png', rootContext), { kind: 'external', url: '//cdn.example/a.png' });
});

/** `text` with each character percent-encoded, then the `%` of every escape encoded again, `depth` times in all. */
function encodeDeep(text: string, depth: number): string {
  let out = [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
  for (let i = 1; i < depth; i++) out = out.replaceAll('%', '%25');
  return out;
}

test('".." percent-encoded at any depth is refused, in keys, in our URLs and in foreign URLs', () => {
  assert.is(encodeDeep('.', 5), '%252525252e'); // the five levels
  for (const depth of [1, 2, 5, 6, 9, 17, 40, 300]) {
    const dots = encodeDeep('..', depth);
    const dot = encodeDeep('.', depth);
    for (const [reference, context] of [
      [`a/${dots}/b.png`, fsContext],
      [`${dots}/secret.png`, fsContext],
      [`a/${dot}/b.png`, fsContext],
      [`a/.${dot}/b.png`, fsContext],
      [`/media/${dots}/secret`, fsContext],
      [`https://cdn.example.com/media/${dots}/x.png`, cdnContext],
      [`https://evil.example/a/${dots}/b.png`, cdnContext],
      [`a${encodeDeep('/', depth)}b.png`, fsContext],
      [`a${encodeDeep('\\', depth)}b.png`, fsContext],
      [`a${encodeDeep('\u0000', depth)}b.png`, fsContext],
    ] as const) {
      assert.is(parseReference(reference, context).kind, 'invalid', `${reference.slice(0, 80)} (depth ${depth})`);
    }
  }
  // What is not a dot, slash, backslash or control stays accepted at any depth.
  assert.equal(parseReference(`a/${encodeDeep('x', 7)}.png`, fsContext), { kind: 'key', key: `a/${encodeDeep('x', 7)}.png` });
  assert.equal(parseReference('a/%25zz%2.png', fsContext), { kind: 'key', key: 'a/%25zz%2.png' });
});

test('decodeToFixedPoint: decoding again and again, in one pass', () => {
  assert.is(decodeToFixedPoint('%252525252e'), '.');
  assert.is(decodeToFixedPoint('%%2541'), '%A');
  assert.is(decodeToFixedPoint('%2%41'), '*'); // "%2" + "A" makes a new escape
  assert.is(decodeToFixedPoint(`%${'25'.repeat(5000)}2e`), '.');
  assert.is(decodeToFixedPoint('%E6%97%A5'), '%E6%97%A5', 'UTF-8 bytes are not ASCII characters');
  assert.is(decodeToFixedPoint('plain'), 'plain');
  // The same result as decoding pass after pass until nothing changes.
  fc.assert(
    fc.property(fc.array(fc.constantFrom('%', '2', '5', 'e', 'E', 'f', '4', '1', 'a', '.', '/', 'C', '3'), { maxLength: 40 }), (parts) => {
      let text = parts.join('');
      for (let next = passDecode(text); next !== text; next = passDecode(text)) text = next;
      assert.is(decodeToFixedPoint(parts.join('')), text);
    }),
    { numRuns: 2000 },
  );
});

function passDecode(text: string): string {
  return text.replace(/%([0-7][0-9a-fA-F])/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

test('UTF-8 escapes are not mistaken for control characters; encoded C1 controls are refused', () => {
  assert.equal(parseReference('/media/%E6%97%A5.png', fsContext), { kind: 'key', key: '日.png' });
  assert.equal(parseReference('/media/%E2%80%99s.png', fsContext), { kind: 'key', key: '’s.png' });
  assert.equal(parseReference('https://cdn.example.com/media/%E6%97%A5.png', cdnContext), { kind: 'key', key: '日.png' });
  for (const reference of ['/media/a%C2%85b.png', '/media/a%25C2%2585b.png', 'a\u0085b.png']) {
    assert.is(parseReference(reference, fsContext).kind, 'invalid', reference);
  }
});

test('property: the one-pass key check gives exactly the verdict and reason of every rule applied in turn', () => {
  // Pieces near each rule's edge: dots, slashes, %, controls (C0, DEL, C1), the first non-control
  // after them, surrogates alone and paired, 2-, 3- and 4-byte UTF-8, and runs that cross the byte limit.
  const piece = fc.constantFrom('a', 'Z', '9', '.', '..', '/', '%', '%2e', '%2F', '\\', '\u0000', '\u001f', ' ', '\u007f', '\u0080', '\u009f', '\u00a0', 'é', '中', '\ud800', '\udfff', '😀', '\ufeff', '~', "'", 'x'.repeat(255), 'é'.repeat(200), '中'.repeat(170), '😀'.repeat(128));
  fc.assert(
    fc.property(fc.oneof(fc.array(piece, { maxLength: 14 }).map((parts) => parts.join('')), fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 80 })), (key) => {
      assert.is(keyProblem(key), describeKeyProblem(key), JSON.stringify(key.slice(0, 80)));
    }),
    { numRuns: 20_000 },
  );
  // At the byte limit, counted in UTF-8 whatever the characters.
  for (const unit of ['a', 'é', '中', '😀']) {
    const fits = unit.repeat(Math.floor(MAX_KEY_BYTES / Buffer.byteLength(unit)));
    assert.is(keyProblem(fits), undefined, unit);
    assert.match(keyProblem(`${fits}${unit}`) ?? '', /longer than/, unit);
  }
});

test('property: encodeKey gives what encoding each segment gives, also where a key needs no encoding', () => {
  const piece = fc.constantFrom('a', 'Z', '0', '-', '_', '.x', '~', '/', ' ', "'", '(', '*', '!', '#', '?', '%', 'é', '中', '😀', '+', '&', '=');
  fc.assert(
    fc.property(fc.oneof(fc.array(piece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')), fc.string({ unit: 'grapheme', minLength: 1 })), (key) => {
      if (keyProblem(key) !== undefined) return;
      assert.is(encodeKey(key), key.split('/').map(encodeSegment).join('/'), key);
    }),
    { numRuns: 5000 },
  );
  assert.is(encodeKey('base/company/icon/acme-1_2.~x.png'), 'base/company/icon/acme-1_2.~x.png');
});

test.run();
