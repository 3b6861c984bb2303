/**
 * Legal-form words (Inc, GmbH, 株式会社, ООО …) that do not count towards initials where they stand
 * as legal forms. Space-separated forms are compared as "keys": lower-cased, with dots, commas,
 * brackets and quote marks removed, so "S.A.", "s.a." and "SA" are one form.
 */

/** Forms that follow the name ("Acme GmbH"). Multi-word forms are written with spaces. */
const SUFFIXES = [
  // English-speaking countries
  'inc', 'incorporated', 'ltd', 'limited', 'llc', 'llp', 'lp', 'lllp', 'plc', 'pllc', 'corp', 'corporation',
  'co', 'cie', 'cía', 'pty', 'pvt', 'pte', 'ulc', 'dac',
  // German, Austrian, Swiss, Dutch, Belgian
  'gmbh', 'mbh', 'gesmbh', 'ag', 'kg', 'kgaa', 'ohg', 'gbr', 'ug', 'ev', 'se', 'bv', 'nv', 'vof', 'bvba', 'cvba', 'sprl', 'srl',
  // Nordic and Baltic
  'a/s', 'as', 'asa', 'aps', 'ivs', 'ab', 'publ', 'oy', 'oyj', 'ehf', 'hf', 'sia', 'uab', 'oü', 'ou',
  // Romance languages
  'sa', 'sas', 'sasu', 'sarl', 'eurl', 'sca', 'snc', 'spa', 'srls', 'sapa', 'sl', 'slu', 'sll', 'ltda', 'eireli', 'lda',
  'sà rl', 'sa de cv', 's de rl', 's de rl de cv', 'sab de cv', 'sapi de cv', 'sae',
  // Central and Eastern Europe, Balkans
  'sro', 'spol s ro', 'sp z oo', 'sp j', 'sp k', 'kft', 'zrt', 'nyrt', 'doo', 'dd', 'ad', 'ood', 'eood', 'ead',
  'ооо', 'оао', 'зао', 'пао', 'ао', 'тов', 'тоо',
  // Asia, Middle East
  'kk', 'gk', 'yk', 'sdn bhd', 'sdn', 'bhd', 'tbk', 'wll', 'fzco', 'fze', 'fz-llc',
  'ذمم', 'شمم', 'شمع', 'شمل', 'بعم', 'בעמ',
  // Thai: "limited", "public limited" (บริษัท … จำกัด (มหาชน))
  'จำกัด', 'มหาชน', 'จำกัด มหาชน',
];

/** Forms that precede the name ("PT Astra", "ООО Ромашка"). */
const PREFIXES = [
  'pt', 'cv', 'ud', 'ooo', 'oao', 'zao', 'pao', 'ao', 'jsc', 'ojsc', 'cjsc', 'pjsc', 'ооо', 'оао', 'зао', 'пао', 'ао',
  'тоо', 'тов', 'ип', 'ab', 'sc', 'شركة', 'مؤسسة',
  // Thai: "company", "limited partnership"
  'บริษัท', 'ห้างหุ้นส่วนจำกัด', 'หจก',
];

/** CJK forms, written without spaces: matched as the start or end of the first or last word. */
const CJK_FORMS = [
  '株式会社', '有限会社', '合同会社', '合資会社', '合名会社', '(株)', '（株）', '㈱', '(有)', '（有）', '㈲',
  '股份有限公司', '有限责任公司', '有限責任公司', '有限公司', '股份公司', '公司',
  '주식회사', '유한회사', '(주)', '（주）', '㈜',
].sort((a, b) => b.length - a.length); // longest first, so 股份有限公司 wins over 公司

const KEY_NOISE = /[.,()[\]{}"'`´’‘”“״׳]/g;
const HAS_KEY_NOISE = /[.,()[\]{}"'`´’‘”“״׳]/;

/** The comparison key of one space-separated word. */
export function formKey(word: string): string {
  const lower = word.toLowerCase();
  return HAS_KEY_NOISE.test(lower) ? lower.replace(KEY_NOISE, '') : lower;
}

/** Forms indexed by the word they end (or start) with, longest first, so a lookup is one map access. */
function index(forms: readonly string[], edge: 'first' | 'last'): Map<string, (readonly string[])[]> {
  const byEdge = new Map<string, (readonly string[])[]>();
  for (const form of forms) {
    const words = form.split(' ');
    const key = (edge === 'first' ? words[0] : words[words.length - 1]) as string;
    const list = byEdge.get(key) ?? [];
    list.push(words);
    list.sort((a, b) => b.length - a.length);
    byEdge.set(key, list);
  }
  return byEdge;
}

const SUFFIX_BY_LAST_WORD = index(SUFFIXES, 'last');
const PREFIX_BY_FIRST_WORD = index(PREFIXES, 'first');

/** Whether some suffix form ends with this word key. */
export function endsSomeForm(key: string): boolean {
  return SUFFIX_BY_LAST_WORD.has(key);
}

/** Whether some prefix form starts with this word key. */
export function startsSomeForm(key: string): boolean {
  return PREFIX_BY_FIRST_WORD.has(key);
}

function matches(keys: readonly string[], form: readonly string[], start: number): boolean {
  if (start < 0 || start + form.length > keys.length) return false;
  return form.every((part, i) => keys[start + i] === part);
}

/**
 * How many words a legal form takes at the end of `keys` (0 for none). The longest form wins;
 * a form that would leave no word at all does not count.
 */
export function suffixFormLength(keys: readonly string[]): number {
  for (const form of SUFFIX_BY_LAST_WORD.get(keys[keys.length - 1] ?? '') ?? []) {
    if (form.length < keys.length && matches(keys, form, keys.length - form.length)) return form.length;
  }
  return 0;
}

/** How many words a legal form takes at the start of `keys` (0 for none), as {@link suffixFormLength}. */
export function prefixFormLength(keys: readonly string[]): number {
  for (const form of PREFIX_BY_FIRST_WORD.get(keys[0] ?? '') ?? []) {
    if (form.length < keys.length && matches(keys, form, 0)) return form.length;
  }
  return 0;
}

const CJK_FORM_SET = new Set(CJK_FORMS);

/** The characters CJK forms start and end with: most words need no search at all. */
const CJK_FIRST = new Set(CJK_FORMS.map((form) => form[0]));
const CJK_LAST = new Set(CJK_FORMS.map((form) => form[form.length - 1]));

/** A word with a CJK legal form cut off its start (株式会社トヨタ → トヨタ), or the word itself. */
export function withoutCjkPrefix(word: string): string {
  if (!CJK_FIRST.has(word[0])) return word;
  for (const form of CJK_FORMS) {
    if (word.length > form.length && word.startsWith(form)) return word.slice(form.length);
  }
  return word;
}

/** A word with a CJK legal form cut off its end (トヨタ自動車株式会社 → トヨタ自動車), or the word itself. */
export function withoutCjkSuffix(word: string): string {
  if (!CJK_LAST.has(word[word.length - 1])) return word;
  for (const form of CJK_FORMS) {
    if (word.length > form.length && word.endsWith(form)) return word.slice(0, -form.length);
  }
  return word;
}

/** Whether a whole word is a CJK legal form (株式会社 standing alone, before or after the name). */
export function isCjkForm(word: string): boolean {
  return CJK_FORM_SET.has(word);
}
