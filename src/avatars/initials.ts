/**
 * Initials for a display name, shared by every avatar provider.
 * (First version: word and grapheme aware; issue #3 extends the rules.)
 */

/** Options of {@link initials}. */
export interface InitialsOptions {
  /** How many initials at most. @default 2 */
  length?: number;
  /** Upper-case the initials. @default true */
  uppercase?: boolean;
}

/** Names longer than this are cut before any work is done. */
export const MAX_NAME_LENGTH = 10_000;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const STARTS_WITH_LETTER_OR_DIGIT = /^[\p{L}\p{N}]/u;

/**
 * The initials of a name: the first grapheme of the first and last words (a one-word name gives
 * one initial). Emoji, punctuation and symbols are skipped. Returns `''` when nothing is usable.
 */
export function initials(name: string, options: InitialsOptions = {}): string {
  const length = Math.max(1, Math.min(3, Math.trunc(options.length ?? 2)));
  const words = name
    .slice(0, MAX_NAME_LENGTH)
    .normalize('NFC')
    .split(/[\s\-‐‑–—_.,;:/&+()[\]{}"'!?@#*]+/u)
    .filter((word) => STARTS_WITH_LETTER_OR_DIGIT.test(word));
  const picked = words.length <= length ? words : [...words.slice(0, length - 1), words[words.length - 1] as string];
  const letters = picked.map((word) => graphemes.segment(word)[Symbol.iterator]().next().value?.segment ?? '').join('');
  return options.uppercase === false ? letters : letters.toUpperCase();
}
