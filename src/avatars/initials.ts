/**
 * Initials for a display name, shared by every avatar provider (the local SVG and ui-avatars).
 * The rules are published as a table in the README; test/avatars/initials.test.ts holds them.
 */
import { eachGrapheme, graphemeAt } from './graphemes.js';
import { endsSomeForm, formKey, isCjkForm, prefixFormLength, startsSomeForm, suffixFormLength, withoutCjkPrefix, withoutCjkSuffix } from './legal-forms.js';

/** Options of {@link initials}. */
export interface InitialsOptions {
  /**
   * How many initials at most (1–3). Names in Han, Kana or Hangul give one character unless this
   * is set; then they give that many characters of the name.
   * @default 2
   */
  length?: number;
  /** Upper-case the initials. @default true */
  uppercase?: boolean;
}

/** Names longer than this (in UTF-16 code units) are cut before any work is done. */
export const MAX_NAME_LENGTH = 10_000;

/** A grapheme that can be an initial: a letter or digit, with combining marks (no emoji keycaps or variation selectors). */
const INITIAL = /^[\p{L}\p{N}](?:(?![\uFE00-\uFE0F\u{E0100}-\u{E01EF}])[\p{L}\p{Mn}\p{Mc}])*$/u;
/** Words are separated by white space (and zero-width space) … */
const WHITE_SPACE = /[\s\u200b]+/u;
/** … and, once legal forms are gone, by dashes, underscores, slashes and the like ("Coca-Cola" is two words). */
const JOINERS = /[\p{Pd}_/+|·•]+/u;
const EMAIL = /^[^\s@]+@[^\s@]+$/u;
const EMAIL_LOCAL_SEPARATORS = /[._+]+/g;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Scripts whose letters join cursively: their initials are kept apart with a zero-width non-joiner. */
const JOINING = /^[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mandaic}\p{Script=Adlam}]/u;
const ZWNJ = '\u200c';
/**
 * Characters with no decomposition that compose with nothing (NFC_Quick_Check=Yes, combining
 * class 0): Latin to U+02FF and Latin Extended Additional, Cyrillic letters, Hebrew and Arabic
 * letters, Kana, CJK ideographs and Hangul syllables. Text made only of them is NFC already.
 * (test/avatars/initials.test.ts checks every one of them.)
 */
export const NFC_STABLE = /^[\u0000-\u02ff\u0400-\u0482\u048a-\u04ff\u05d0-\u05ea\u0621-\u064a\u1e00-\u1eff\u3041-\u3096\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]*$/;

/** A name as text: strings cut to {@link MAX_NAME_LENGTH}, finite numbers as digits, anything else `''`. */
export function nameText(name: unknown): string {
  if (typeof name === 'string') return name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name;
  if ((typeof name === 'number' && Number.isFinite(name)) || typeof name === 'bigint') return String(name);
  return '';
}

/** The first grapheme of a word that can be an initial, or `''`. */
function firstInitial(word: string): string {
  for (let i = 0; i < word.length; ) {
    const code = word.charCodeAt(i);
    // ASCII not followed by a combining character is a grapheme of its own: no segmenting needed.
    if (code < 128 && !(word.charCodeAt(i + 1) >= 0x300)) {
      if ((code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122)) return word[i] as string;
      i++;
      continue;
    }
    const grapheme = graphemeAt(word, i);
    if (INITIAL.test(grapheme)) return grapheme;
    i += grapheme.length;
  }
  return '';
}

/** Most names are NFC already, and provably so without ICU: only the rest is worth `normalize()`. */
export function toNfc(text: string): string {
  return NFC_STABLE.test(text) ? text : text.normalize('NFC');
}

/**
 * Whether a string is initials as {@link initials} makes them: one to three letter or digit
 * graphemes, cursive ones possibly kept apart by U+200C. The avatar route accepts nothing else.
 */
export function isInitials(value: string): boolean {
  if (value === '' || value.length > 64) return false;
  let count = 0;
  let valid = true;
  eachGrapheme(value.replaceAll(ZWNJ, ''), (grapheme) => {
    valid = ++count <= 3 && INITIAL.test(grapheme);
    return !valid;
  });
  return valid;
}

/** The first `count` graphemes of the words that can be initials (for Han, Kana and Hangul names), into `picked`. */
function leadingCharacters(words: readonly string[], count: number, picked: string[]): void {
  for (const word of words) {
    for (let i = 0; i < word.length && picked.length < count; ) {
      const grapheme = graphemeAt(word, i);
      if (INITIAL.test(grapheme)) picked.push(grapheme);
      i += grapheme.length;
    }
  }
}

/** Drops legal forms at the end (Inc, GmbH, S.A. de C.V.) and at the start (PT, ООО, 株式会社), keeping one word at least. */
function withoutLegalForms(tokens: string[]): string[] {
  // Most names have no legal form at either edge: look at the two edge words before keying them all.
  if (tokens.length > 1 && (endsSomeForm(formKey(tokens[tokens.length - 1] as string)) || startsSomeForm(formKey(tokens[0] as string)))) {
    const keys = tokens.map(formKey);
    for (let cut = suffixFormLength(keys); cut > 0; cut = suffixFormLength(keys)) {
      tokens.length -= cut;
      keys.length -= cut;
    }
    for (let cut = prefixFormLength(keys); cut > 0; cut = prefixFormLength(keys)) {
      tokens.splice(0, cut);
      keys.splice(0, cut);
    }
  }
  if (tokens.length > 1 && isCjkForm(tokens[0] as string)) tokens.shift();
  if (tokens.length > 1 && isCjkForm(tokens[tokens.length - 1] as string)) tokens.pop();
  // A form glued to the name (株式会社トヨタ) is cut off; a form glued to punctuation only
  // (株式会社!!!) goes as a whole, unless it is the only word.
  const first = withoutCjkPrefix(tokens[0] as string);
  if (first !== tokens[0]) {
    if (firstInitial(first) !== '') tokens[0] = first;
    else if (tokens.length > 1) tokens.shift();
  }
  const last = withoutCjkSuffix(tokens[tokens.length - 1] as string);
  if (last !== tokens[tokens.length - 1]) {
    if (firstInitial(last) !== '') tokens[tokens.length - 1] = last;
    else if (tokens.length > 1) tokens.pop();
  }
  return tokens;
}

function upper(initial: string): string {
  const upperCased = initial.toUpperCase();
  if (upperCased.length === initial.length) return upperCased;
  // "ß" → "SS" would read as two initials: keep the letter unless its capital is one grapheme.
  return graphemeAt(upperCased, 0) === upperCased ? upperCased : initial;
}

/**
 * The initials of a name, by the rules in the README: graphemes, not UTF-16 units; NFC; words
 * split at white space and dashes; emoji, punctuation and symbols skipped; legal forms dropped
 * where they stand as legal forms (never the only word); digits count; the first and last words'
 * initials (a one-word name gives its first two letters); Han, Kana and Hangul names give their first character;
 * an e-mail address gives the initials of its local part. Cursive scripts (Arabic …) keep their
 * initials apart with U+200C. Returns `''` when nothing is usable (the caller draws its placeholder).
 *
 * @example
 * ```ts
 * initials('Acme Corp');        // 'AC' (Corp is a legal form: one word, two letters)
 * initials('3M Company');       // '3C'
 * initials('株式会社トヨタ');     // 'ト'
 * initials('jane.doe@example.com'); // 'JD'
 * ```
 */
export function initials(name: unknown, options: InitialsOptions = {}): string {
  const wanted = options.length === undefined ? undefined : Math.trunc(options.length);
  const length = wanted === undefined || Number.isNaN(wanted) ? undefined : Math.max(1, Math.min(3, wanted));
  let text = toNfc(nameText(name)).trim();
  if (text.includes('@') && EMAIL.test(text)) text = text.slice(0, text.lastIndexOf('@')).replace(EMAIL_LOCAL_SEPARATORS, ' ');

  const tokens: string[] = [];
  for (const token of text.split(WHITE_SPACE)) if (firstInitial(token) !== '') tokens.push(token);
  if (tokens.length === 0) return '';
  const words = withoutLegalForms(tokens);
  const firsts: string[] = [];
  for (const token of words) {
    if (!JOINERS.test(token)) {
      const initial = firstInitial(token); // '' only where a CJK legal form took all the letters
      if (initial !== '') firsts.push(initial);
      continue;
    }
    for (const word of token.split(JOINERS)) {
      const initial = firstInitial(word);
      if (initial !== '') firsts.push(initial);
    }
  }
  if (firsts.length === 0) return '';

  const picked: string[] = [];
  if (CJK.test(firsts[0] as string)) {
    leadingCharacters(words, length ?? 1, picked);
  } else if (firsts.length === 1) {
    // One word gives its first two letters, as ui-avatars and DiceBear do: "Acme" → "AC", and so
    // "Acme Corp" (Corp is a legal form) → "AC" too. A one-letter word gives one.
    leadingCharacters(words, length ?? 2, picked);
  } else {
    // The first words and the last: "José de la Cruz" → J…C; with room for one, the first.
    const max = Math.min(length ?? 2, firsts.length);
    for (let i = 0; i < max - 1; i++) picked.push(firsts[i] as string);
    picked.push((max === 1 ? firsts[0] : firsts[firsts.length - 1]) as string);
  }
  if (options.uppercase !== false) for (let i = 0; i < picked.length; i++) picked[i] = upper(picked[i] as string);
  let result = picked[0] as string;
  for (let i = 1; i < picked.length; i++) {
    const next = picked[i] as string;
    result += JOINING.test(next) && JOINING.test(picked[i - 1] as string) ? ZWNJ + next : next;
  }
  return result;
}
