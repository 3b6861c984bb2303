import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { encodeKey, keyProblem, parseReference, MAX_KEY_BYTES } from '../src/keys.js';

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

test.run();
