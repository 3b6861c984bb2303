/**
 * Initials for a display name, shared by every avatar provider (the local SVG and ui-avatars).
 * The rules are published as a table in the README; test/avatars/initials.test.ts holds them.
 */
import { booleanOption, numberOption, optionKeys, readOptions } from '../options.js';
import { eachGrapheme, graphemeAt, LONGEST_GRAPHEME } from './graphemes.js';
import { withBracketsAsSpaces, withoutBracketNotes } from './notes.js';
import { endsSomeForm, formKey, isCjkForm, prefixFormLength, startsSomeForm, suffixFormLength, withoutCjkPrefix, withoutCjkSuffix } from './legal-forms.js';

/** Options of {@link initials}. */
export interface InitialsOptions {
  /**
   * How many initials at most: an integer from 1 to 3. Names in Han, Kana or Hangul give one character unless this
   * is set; then they give that many characters of the name.
   * @default 2
   */
  length?: number;
  /** Upper-case the initials. @default true */
  uppercase?: boolean;
}

const OWNER = 'initials()';
const INITIALS_OPTION_KEYS = optionKeys<InitialsOptions>()(['length', 'uppercase']);

// Defined with the display names it bounds (records.ts, which the audit CLI loads without the avatar code).
export { MAX_NAME_LENGTH } from '../records.js';

/**
 * For avatars, names are cut to their first 256 UTF-16 code units (never inside a surrogate pair)
 * before any other work: initials and colour depend on that prefix only, so the work per name is
 * bounded by a constant whatever its length, and a memo can key a name by its cut ({@link cutName}).
 */
export const AVATAR_NAME_LENGTH = 256;

/**
 * A grapheme that can be an initial: a visible letter or digit, with combining marks, and a ZERO
 * WIDTH JOINER between them (Devanagari `क्‍ष`, Sinhala `ශ්‍ර`: it asks for a conjunct's form). Not an
 * initial: emoji keycaps, variation selectors, invisible letters (Default_Ignorable_Code_Point,
 * such as the Hangul fillers U+3164 and U+FFA0), and the Thai, Lao, Tai Viet and New Tai Lue vowels
 * written before their consonant (Logical_Order_Exception, UAX #44): the consonant after them is.
 * A grapheme is first cleaned of the joiners that join nothing inside it ({@link initialOf}).
 */
const INITIAL = /^(?![\p{Default_Ignorable_Code_Point}\p{Logical_Order_Exception}])[\p{L}\p{N}](?:(?![\uFE00-\uFE0F\u{E0100}-\u{E01EF}])[\p{L}\p{Mn}\p{Mc}]|\u200d(?=[\p{L}\p{Mn}\p{Mc}]))*$/u;
/** ZERO WIDTH JOINER and NON-JOINER: format characters (Cf) that UAX #29 keeps in the cluster before them. */
const JOINER_CONTROLS = /[\u200c\u200d]/;
const TRAILING_ZWJ = /\u200d+$/;
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

/**
 * A name cut to {@link AVATAR_NAME_LENGTH} code units, one fewer when the cut would split a
 * surrogate pair. Every avatar rule reads only this prefix: `initials(cutName(x)) === initials(x)`,
 * and so for colours. Idempotent; a memo of avatars can key names by it.
 */
export function cutName(name: string): string {
  if (name.length <= AVATAR_NAME_LENGTH) return name;
  const last = name.charCodeAt(AVATAR_NAME_LENGTH - 1);
  return name.slice(0, last >= 0xd800 && last <= 0xdbff ? AVATAR_NAME_LENGTH - 1 : AVATAR_NAME_LENGTH);
}

/** A name as text: strings cut by {@link cutName}, finite numbers as digits, anything else `''`. */
export function nameText(name: unknown): string {
  if (typeof name === 'string') return cutName(name);
  if ((typeof name === 'number' && Number.isFinite(name)) || typeof name === 'bigint') return String(name);
  return '';
}

/**
 * The initial a grapheme gives, or `''`. ZWJ and ZWNJ are format characters, not a reason to skip
 * the letter they follow (`a\u200db` is `ab`, Sinhala `ශ්‍රී` starts with `ශ්‍`): a ZWNJ is dropped
 * (inside one grapheme it separates nothing, and {@link isInitials} reads a U+200C as the
 * separator between cursive initials), and so is a ZWJ at the end (it would join this initial to
 * the next one); a ZWJ inside the grapheme stays (`क्‍ष` keeps its half form). Emoji ZWJ sequences
 * still give nothing: they start with no letter.
 */
function initialOf(grapheme: string): string {
  const cleaned = grapheme.length > 1 && JOINER_CONTROLS.test(grapheme) ? grapheme.replaceAll(ZWNJ, '').replace(TRAILING_ZWJ, '') : grapheme;
  return INITIAL.test(cleaned) ? cleaned : '';
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
    const initial = initialOf(grapheme);
    if (initial !== '') return initial;
    i += grapheme.length;
  }
  return '';
}

/** Most names are NFC already, and provably so without ICU: only the rest is worth `normalize()`. */
export function toNfc(text: string): string {
  return NFC_STABLE.test(text) ? text : text.normalize('NFC');
}

/** The longest initials {@link initials} makes: three cut graphemes and two U+200C. */
const MAX_INITIALS_LENGTH = 3 * LONGEST_GRAPHEME + 2;

/**
 * Whether a string is initials as {@link initials} makes them: one to three visible letter or
 * digit graphemes, where a U+200C may stand only between two letters of a cursive script. The
 * avatar route accepts nothing else (so never text made only of invisible characters).
 */
export function isInitials(value: string): boolean {
  if (value === '' || value.length > MAX_INITIALS_LENGTH) return false;
  let count = 0;
  let previous = '';
  let valid = true;
  const parts = value.split(ZWNJ);
  for (let p = 0; p < parts.length && valid; p++) {
    const part = parts[p] as string;
    if (part === '') return false; // a U+200C first, last, or twice
    let first = p > 0;
    eachGrapheme(part, (grapheme) => {
      valid = ++count <= 3 && INITIAL.test(grapheme) && (!first || (JOINING.test(previous) && JOINING.test(grapheme)));
      first = false;
      previous = grapheme;
      return !valid;
    });
  }
  return valid;
}

/** The first `count` graphemes of the words that can be initials (for Han, Kana and Hangul names), into `picked`. */
function leadingCharacters(words: readonly string[], count: number, picked: string[]): void {
  for (const word of words) {
    for (let i = 0; i < word.length && picked.length < count; ) {
      const grapheme = graphemeAt(word, i);
      const initial = initialOf(grapheme);
      if (initial !== '') picked.push(initial);
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

/** The words of a name that can give initials (white-space separated, with a letter or digit). */
function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const token of text.split(WHITE_SPACE)) if (firstInitial(token) !== '') words.push(token);
  return words;
}

/**
 * The previous call of {@link initials}, kept to answer the same call again without the work: the
 * resolver asks whether a new name has initials at all ({@link hasInitials}) just before its avatar
 * provider draws them, so a new name's initials are computed once. The name is compared in its cut
 * form (at most {@link AVATAR_NAME_LENGTH} code units), so a comparison costs a bounded time.
 */
const last: { name: string | undefined; length: number | undefined; uppercase: boolean; result: string } = { name: undefined, length: undefined, uppercase: true, result: '' };

/**
 * The initials of a name, by the rules in the README: graphemes, not UTF-16 units; NFC; notes in
 * brackets left out; words split at white space; emoji, punctuation and symbols skipped; legal
 * forms dropped where they stand as legal forms (never the only word); digits count; the first and
 * last words' initials, a hyphenated word counting as one word ("Tara Brooks-Lyle" → TB); a name
 * of one word gives the initials of its hyphenated parts ("Hewlett-Packard" → HP), or else its
 * first two letters; Han, Kana and Hangul names give their first character; Thai and Lao vowels
 * written before their consonant are skipped; an e-mail address gives the initials of its local
 * part. Cursive scripts (Arabic …) keep their initials apart with U+200C. Only the name's first
 * {@link AVATAR_NAME_LENGTH} code units are read. Returns `''` when nothing is usable (the caller
 * draws its placeholder).
 *
 * @example
 * ```ts
 * initials('Acme Corp');        // 'AC' (Corp is a legal form: one word, two letters)
 * initials('3M Company');       // '3C'
 * initials('株式会社トヨタ');     // 'ト'
 * initials('jane.doe@example.com'); // 'JD'
 * initials('Hanne Carlsen (HC)');   // 'HC'
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` when `options` is not a plain object, has an unknown
 *   key, cannot be read (a throwing getter, a Proxy whose traps throw, a revoked Proxy), or holds a
 *   `length` that is not an integer from 1 to 3 or an `uppercase` that is not a boolean. The name
 *   itself is never a reason to throw: anything but a string or a number gives `''`.
 */
export function initials(name: unknown, options?: InitialsOptions): string {
  let length: number | undefined;
  let uppercase = true;
  if (options !== undefined) {
    // Checked like every exported function's options: a hostile object (a throwing getter or
    // Proxy trap, a revoked Proxy), an unknown key or a value out of range is INVALID_OPTION.
    const read = readOptions<InitialsOptions>(options, INITIALS_OPTION_KEYS, 'the options', OWNER);
    if (read.length !== undefined) length = numberOption(read.length, 'length', OWNER, { min: 1, max: 3, fallback: 2, integer: true });
    uppercase = booleanOption(read.uppercase, 'uppercase', OWNER, true);
  }
  const cut = nameText(name);
  if (cut === last.name && length === last.length && uppercase === last.uppercase) return last.result;
  const result = initialsOf(cut, length, uppercase);
  last.name = cut;
  last.length = length;
  last.uppercase = uppercase;
  last.result = result;
  return result;
}

/**
 * Whether a name gives initials at all (a name of emoji or punctuation does not). A name that
 * starts with an ASCII letter or digit standing alone (not followed by a combining mark, a
 * variation selector or a keycap, all from U+0300 up) does, whatever the rules drop: NFC and
 * trimming leave that letter first, e-mail handling keeps it (the local part starts with it), a
 * note in brackets cannot start before it, and legal forms never take every word — so the common
 * case is answered without computing the initials (a test holds this to {@link initials}).
 */
export function hasInitials(name: string): boolean {
  const first = name.charCodeAt(0);
  const alone = !(name.charCodeAt(1) >= 0x300);
  if (alone && ((first >= 48 && first <= 57) || ((first | 32) >= 97 && (first | 32) <= 122))) return true;
  return initials(name) !== '';
}

function initialsOf(name: string, length: number | undefined, uppercase: boolean): string {
  let text = toNfc(name).trim();
  if (text.includes('@') && EMAIL.test(text)) text = text.slice(0, text.lastIndexOf('@')).replace(EMAIL_LOCAL_SEPARATORS, ' ');

  let tokens = wordsOf(withoutBracketNotes(text));
  if (tokens.length === 0) tokens = wordsOf(withBracketsAsSpaces(text)); // the whole name is a note: "(HC)"
  if (tokens.length === 0) return '';
  let words = withoutLegalForms(tokens);
  // One word left: its hyphenated parts are its words ("Hewlett-Packard", "7-Eleven").
  if (words.length === 1 && JOINERS.test(words[0] as string)) words = (words[0] as string).split(JOINERS).filter((part) => firstInitial(part) !== '');
  const firsts: string[] = [];
  for (const word of words) {
    const initial = firstInitial(word); // '' only where a CJK legal form took all the letters
    if (initial !== '') firsts.push(initial);
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
  if (uppercase) for (let i = 0; i < picked.length; i++) picked[i] = upper(picked[i] as string);
  let result = picked[0] as string;
  for (let i = 1; i < picked.length; i++) {
    const next = picked[i] as string;
    result += JOINING.test(next) && JOINING.test(picked[i - 1] as string) ? ZWNJ + next : next;
  }
  return result;
}
