/**
 * Grapheme clusters as `Intl.Segmenter` finds them, without paying for the segmenter where the
 * answer is plain: `segment()` costs microseconds per call, and most initials are one code point.
 *
 * Which code points are "plain" is not a hand-made list: it is asked of the runtime's own
 * segmenter (its ICU, its Unicode version), once per code point, and remembered in a bit table.
 * So the fast path follows every Grapheme_Cluster_Break class of the Unicode data the segmenter
 * uses — Prepend characters added in Unicode 16 (U+113D1) included — on any Node version.
 */

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Clusters longer than this (UTF-16 code units) are cut: a letter under 30 combining marks is still that letter. */
export const LONGEST_GRAPHEME = 32;

/**
 * Two bits per code point, one table per Unicode plane made on first use (16 KiB each):
 * 0 = not asked yet, 1 = plain, 2 = joins.
 */
const UNKNOWN = 0;
const PLAIN = 1;
const JOINS = 2;
const planes: (Uint8Array | undefined)[] = [];

function isOneCluster(text: string): boolean {
  const segments = segmenter.segment(text)[Symbol.iterator]();
  segments.next();
  return segments.next().done === true;
}

/**
 * Whether a code point may join a neighbour into one cluster, as the segmenter says. UAX #29's
 * rules that join two characters are all caught by three probes: after a letter (GB9, GB9a:
 * Extend, ZWJ, SpacingMark — and so GB9c's linkers and GB11's ZWJ), before a letter (GB9b:
 * Prepend), or next to itself (GB6–GB8: Hangul L, V, T; GB12–13: regional indicators). The one
 * pair none of them sees, CR LF (GB3), is checked by the caller.
 */
function probe(point: string): number {
  return isOneCluster(`a${point}`) || isOneCluster(`${point}a`) || isOneCluster(point + point) ? JOINS : PLAIN;
}

/** Whether the code point `code` may join a neighbour into one cluster (asked once, then remembered). */
export function mayJoin(code: number): boolean {
  const plane = code >>> 16;
  let table = planes[plane];
  if (table === undefined) {
    table = new Uint8Array(0x4000);
    planes[plane] = table;
  }
  const index = (code & 0xffff) >>> 2;
  const shift = (code & 3) << 1;
  let state = (table[index] as number >>> shift) & 3;
  if (state === UNKNOWN) {
    state = probe(String.fromCodePoint(code));
    table[index] = (table[index] as number) | (state << shift);
  }
  return state === JOINS;
}

function codePointAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 0xd800 && code <= 0xdbff) {
    const low = text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return ((code - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
  }
  return code;
}

/**
 * The grapheme cluster that starts at `index` (which must be a cluster boundary), or `''` past the
 * end. A cluster longer than {@link LONGEST_GRAPHEME} code units is cut there (never inside a
 * surrogate pair): the work per call is bounded whatever the text.
 */
export function graphemeAt(text: string, index: number): string {
  if (index >= text.length) return '';
  const code = codePointAt(text, index);
  const next = index + (code > 0xffff ? 2 : 1);
  if (next >= text.length) return text.slice(index, next);
  const following = codePointAt(text, next);
  // ASCII letters and the like never join (Latin marks start at U+0300): no table needed.
  const plain = (code < 0x300 && following < 0x300) || (!mayJoin(code) && !mayJoin(following));
  if (plain && !(code === 13 && following === 10)) return text.slice(index, next);
  for (const { segment } of segmenter.segment(text.slice(index, index + LONGEST_GRAPHEME))) return segment;
  return text.slice(index, next);
}

/** Calls `visit` with each grapheme of `text` in order until it returns `true`. */
export function eachGrapheme(text: string, visit: (grapheme: string) => boolean | void): void {
  for (let index = 0; index < text.length; ) {
    const grapheme = graphemeAt(text, index);
    if (visit(grapheme) === true) return;
    index += grapheme.length;
  }
}

/** How many graphemes `text` holds. */
export function countGraphemes(text: string): number {
  let count = 0;
  eachGrapheme(text, () => {
    count++;
  });
  return count;
}
