/** The README test's claim reader: what counts as a claim, and what matches it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { instrument, matches } from './claims.js';

test('a trailing claim, an own-line claim and a multi-line claim each wrap their statement', () => {
  const code = [
    "const a = 'x';   // → x",
    'a.toUpperCase();',
    '// → X   (a note)',
    '[a, a].join("\\n");',
    '// → x',
    '// → x',
    'if (a) {',
    '  a.length;   // → 1',
    '}',
  ].join('\n');
  const { code: rewritten, claims } = instrument(code, 'sample.mjs');
  assert.equal(
    claims.map(({ line, expected }) => [line, expected]),
    [
      [0, 'x'],
      [2, 'X'],
      [4, 'x\nx'],
      [7, '1'],
    ],
  );
  assert.is(rewritten.split('\n').length, code.split('\n').length, 'lines stay where they were');
  assert.match(rewritten, "const a = 'x'; globalThis.__readmeClaim(0, a);");
  assert.match(rewritten, 'globalThis.__readmeClaim(1, (a.toUpperCase()));');
  assert.match(rewritten, '  globalThis.__readmeClaim(3, (a.length));');
});

test('a claim that could never be checked is an error, not a silent pass', () => {
  assert.throws(() => instrument('// → 1\nconst a = 1;', 'a.mjs'), /follows no statement/);
  assert.throws(() => instrument('function f() {}   // → 1', 'a.mjs'), /has no value/);
  assert.throws(() => instrument('let a = 1, b = 2;   // → 1', 'a.mjs'), /has no value/);
});

test('comments that are not claims, and arrows inside strings, are left alone', () => {
  const { claims } = instrument("const s = '// → not a claim';\n// a comment → with an arrow\ns;", 'a.mjs');
  assert.equal(claims, []);
});

test('matches: … is any text (also none, also across lines); everything else is literal', () => {
  assert.ok(matches('a…c', 'abc'));
  assert.ok(matches('a…c', 'ac'));
  assert.ok(matches('<div>…</div>', '<div>\n  x\n</div>'));
  assert.ok(matches('a.c', 'a.c'));
  assert.not.ok(matches('a.c', 'abc'), 'a dot is a dot');
  assert.not.ok(matches('a…c', 'abcd'), 'the whole value must match');
  assert.not.ok(matches('(x)', 'x'));
});

test.run();
