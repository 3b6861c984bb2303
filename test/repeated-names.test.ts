/**
 * A repeated hostile name is a memo hit (issue 8 §2, "hostile names"): however long a name is, the
 * avatar path reads only its avatar cut (256 code units) before any regular expression, normalising
 * or segmenting, and a name printed again (`name()`) is not scanned again.
 *
 * Measured without timing: every regular expression run (`RegExp.prototype.exec`, through which
 * `test`, `replace` and `match` run once it is replaced), `String.prototype.normalize`, `trim` and
 * `Intl.Segmenter#segment` is wrapped to note the longest text it was given while the calls run.
 * (Leading white space, which the display name trims, is stepped over by a loop over it alone.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, initialsAvatar } from '../src/index.js';
import { createDisplayNames, displayName } from '../src/records.js';

/** Hostile names of several kinds, each longer than the display cut (10,000 code units). */
const HOSTILE: Record<string, string> = {
  'combining marks': `A${'\u0301'.repeat(10_000)}`,
  'ZWJ emoji': '👨\u200d👩\u200d👧'.repeat(1_500),
  'Hangul jamo': 'ᄀ'.repeat(6_000) + 'ᅡ'.repeat(6_000),
  'lone surrogates': `Acme ${'\ud800x'.repeat(6_000)}`,
  'white space around a name': `${' '.repeat(200)}Globex Corporation${'\u3000'.repeat(12_000)}`,
  '1 MB of letters': 'x'.repeat(1_000_000),
};

/** Runs `work` with the scanners wrapped; returns the longest text any of them was given. */
function longestScan(work: () => void): number {
  let longest = 0;
  const note = (text: unknown): void => {
    if (typeof text === 'string' && text.length > longest) longest = text.length;
  };
  const { exec } = RegExp.prototype;
  const { normalize, trim, trimStart, trimEnd } = String.prototype;
  const { segment } = Intl.Segmenter.prototype;
  RegExp.prototype.exec = function (this: RegExp, text: string) {
    note(text);
    return exec.call(this, text);
  };
  const wrap = (original: (this: string, ...args: never[]) => unknown) =>
    function (this: string, ...args: never[]) {
      note(this);
      return original.apply(this, args);
    };
  String.prototype.normalize = wrap(normalize) as typeof normalize;
  String.prototype.trim = wrap(trim) as typeof trim;
  String.prototype.trimStart = wrap(trimStart) as typeof trimStart;
  String.prototype.trimEnd = wrap(trimEnd) as typeof trimEnd;
  Intl.Segmenter.prototype.segment = function (this: Intl.Segmenter, text: string) {
    note(text);
    return segment.call(this, text);
  };
  try {
    work();
  } finally {
    RegExp.prototype.exec = exec;
    Object.assign(String.prototype, { normalize, trim, trimStart, trimEnd });
    Intl.Segmenter.prototype.segment = segment;
  }
  return longest;
}

test('logo() and avatar() of a new hostile name read at most its avatar cut; a repeat reads nothing of it', () => {
  {
    for (const [kind, company] of Object.entries(HOSTILE)) {
      const drawn: string[] = [];
      const provider = initialsAvatar();
      const logos = createLogoResolver({ avatar: (subject) => (drawn.push(subject.name), provider(subject)) });
      drawn.length = 0; // the resolver tries its provider once on the placeholder at construction
      // A copy of the string each call (as from a database per request) and the same string again.
      const fresh = (): string => Buffer.from(company, 'utf16le').toString('utf16le');
      let first = '';
      const firstScan = longestScan(() => {
        first = logos.logo({ company: fresh() });
      });
      // The SVG markup drawn is scanned too (about 700 code units, whatever the name); nothing of
      // the name past its avatar cut is.
      assert.ok(firstScan <= 1_000, `${kind}: a new name scanned ${firstScan} code units`);
      const again = longestScan(() => {
        for (let i = 0; i < 3; i++) {
          assert.is(logos.logo({ company }), first, kind);
          assert.is(logos.logo({ company: fresh() }), first, kind);
          assert.is(logos.avatar(company), first, kind);
        }
      });
      assert.is(again, 0, `${kind}: a repeated name was scanned (${again} code units)`);
      assert.is(drawn.length, 1, `${kind}: drawn once`);
      assert.ok((drawn[0] as string).length <= 256, kind);
    }
  }
});

test('name() of a repeated long name is not scanned again (a name past 65,536 code units: not by a regular expression), and prints what displayName prints', () => {
  for (const [kind, company] of Object.entries(HOSTILE)) {
    const logos = createLogoResolver();
    const record = { company };
    let first = '';
    longestScan(() => {
      first = logos.name(record);
    });
    assert.is(first, displayName(company) ?? '', kind);
    assert.ok(first.length <= 10_000, kind);
    const again = longestScan(() => {
      for (let i = 0; i < 5; i++) assert.is(logos.name(record), first, kind);
    });
    assert.is(again, 0, `${kind}: name() scanned ${again} code units on a repeat`);
    // The same name in a string of its own (a copy per request): a hash, not a scan.
    const copy = longestScan(() => assert.is(logos.name({ company: Buffer.from(company, 'utf16le').toString('utf16le') }), first, kind));
    assert.is(copy, 0, `${kind}: name() scanned a copy (${copy} code units)`);
  }
});

test('createDisplayNames: equal to displayName for every kind, short or long, and starts over at its bound', () => {
  const names = createDisplayNames(2);
  const values: unknown[] = [...Object.values(HOSTILE), 'Acme', '  Acme  ', ' '.repeat(300), `${' '.repeat(300)}x`, 42, null, undefined, {}, '\udc00'.repeat(400)];
  for (let round = 0; round < 3; round++) for (const value of values) assert.is(names(value), displayName(value));
});

test.run();
