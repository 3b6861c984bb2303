/**
 * Grapheme clusters as `Intl.Segmenter` finds them, without paying for the segmenter where the
 * answer is plain: `segment()` costs microseconds per call, and most initials are one code point.
 */

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * Code points after which a cluster may go on (Extend, ZWJ, SpacingMark, emoji modifiers, tags,
 * Hangul jamo): seeing one of these next sends us to the segmenter.
 */
const MAY_EXTEND = /^[\p{M}\u200c\u200d\u0e33\u0eb3\uff9e\uff9f\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]/u;
/**
 * Code points that may start a longer cluster whatever follows them (CR LF, regional indicator
 * pairs, Prepend, Hangul jamo; a syllable goes on only with jamo after it).
 */
const MAY_START_MORE = /^[\r\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u{110bd}\u{110cd}\u{111c2}\u{111c3}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{11d46}\u{11f02}\u{1f1e6}-\u{1f1ff}]/u;
/** Clusters longer than this are cut (a letter under 60 combining marks is still that letter). */
const LONGEST = 64;

/** The grapheme cluster that starts at `index` (which must be a cluster boundary), or `''` past the end. */
export function graphemeAt(text: string, index: number): string {
  if (index >= text.length) return '';
  const code = text.charCodeAt(index);
  const low = text.charCodeAt(index + 1);
  const width = code >= 0xd800 && code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
  const next = index + width;
  if (next >= text.length || (code < 0x300 && code !== 13 && text.charCodeAt(next) < 0x300)) return text.slice(index, next);
  const point = text.slice(index, next);
  if (!MAY_START_MORE.test(point) && !MAY_EXTEND.test(text.slice(next, next + 2))) return point;
  for (const { segment } of segmenter.segment(text.slice(index, index + LONGEST))) return segment;
  return point;
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
