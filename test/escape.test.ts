/**
 * The package's one HTML escape (src/escape.ts), which every adapter prints its results through:
 * `'` must become `&#39;` — a single-quoted attribute with a raw `'` is an XSS hole.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { escapeHtml, isAttributeSafe } from '../src/index.js';

test("escapeHtml escapes & < > \" and ' — the apostrophe as &#39;", () => {
  assert.is(escapeHtml("O'Brien & Sons"), 'O&#39;Brien &amp; Sons');
  assert.is(escapeHtml(`<img src='x' onerror="alert(1)">`), '&lt;img src=&#39;x&#39; onerror=&quot;alert(1)&quot;&gt;');
  assert.is(escapeHtml("'"), '&#39;');
  assert.is(escapeHtml('plain text'), 'plain text');
  assert.is(escapeHtml('&amp;'), '&amp;amp;', 'escaped once more: the input is text, not markup');
});

test('a name printed into a single-quoted attribute cannot close it', () => {
  const name = "x' onmouseover='alert(1)";
  const html = `<img alt='${escapeHtml(name)}'>`;
  assert.is(html, "<img alt='x&#39; onmouseover=&#39;alert(1)'>");
  assert.is(html.split("'").length, 3, 'only the two quotes of the attribute');
});

test('property: escaped text holds no raw markup character and decodes back to itself', () => {
  const decode = (html: string): string =>
    html.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] ?? '');
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[&<>"' a&#39;]*$/)), (text) => {
      const escaped = escapeHtml(text);
      assert.not.ok(/[<>"']/.test(escaped), escaped);
      assert.not.ok(/&(?!(amp|lt|gt|quot|#39);)/.test(escaped), escaped);
      assert.is(decode(escaped), text);
    }),
    { numRuns: 2000 },
  );
});

test("isAttributeSafe refuses quotes of both kinds, angle brackets, backtick, backslash and spaces", () => {
  for (const url of ["/media/o'brien.png", '/media/a".png', '/media/<x>.png', '/media/a`b.png', '/media/a\\b.png', '/media/a b.png', '/media/a\u00a0b.png', '']) {
    assert.not.ok(isAttributeSafe(url), url);
  }
  assert.ok(isAttributeSafe('/media/o%27brien%20%281%29.png'));
});

test.run();
