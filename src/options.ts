/** Start-up checks shared by every constructor: they throw {@link LogoFallbackError} with a clear message. */
import { LogoFallbackError } from './errors.js';
import { isAttributeSafe } from './escape.js';

/** Checks that a required string option is present and non-empty. */
export function requireString(value: unknown, option: string, owner: string): string {
  if (value === undefined || value === null || value === '') {
    throw new LogoFallbackError('MISSING_OPTION', `${owner}: the "${option}" option is required`);
  }
  if (typeof value !== 'string') {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "${option}" must be a string, got ${typeof value}`);
  }
  return value;
}

/**
 * Checks a public base URL: path-absolute (`/media/`) or `http(s)://…`, safe inside an HTML
 * attribute, without query or fragment. Returns it with a trailing slash.
 */
export function normalizeBaseUrl(value: unknown, option: string, owner: string): string {
  const url = requireString(value, option, owner);
  const expected = `a path-absolute URL such as "/media/" or an http(s) URL such as "https://cdn.example.com/media/"`;
  const pathAbsolute = url.startsWith('/') && !url.startsWith('//');
  let valid = pathAbsolute;
  if (!pathAbsolute && /^https?:\/\//i.test(url)) {
    try {
      valid = new URL(url).host !== '';
    } catch {
      valid = false;
    }
  }
  if (!valid || !isAttributeSafe(url) || /[?#]/.test(url)) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "${option}" must be ${expected}, got ${JSON.stringify(url)}`);
  }
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * The longest delay Node's timers accept, ms (2^31 − 1, about 24.8 days). A longer one fires at once
 * (Node warns "TimeoutOverflowWarning"), so every option that becomes a timer is capped here.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A value as a message shows it, as it would be written in code: `NaN`, `Infinity`, `-5`, `40n`
 * (a BigInt, which is not a number an option takes), strings quoted, symbols as `Symbol(x)`,
 * objects by their type. Never throws (a revoked Proxy is "an object").
 */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'symbol') return showSymbol(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  try {
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an object'; // Array.isArray throws for a revoked Proxy
  }
}

function showSymbol(value: symbol): string {
  const text = value.toString();
  return text.length > 70 ? `${text.slice(0, 60)}…)` : text;
}

/** Checks a number option: finite, within bounds. `undefined` gives the default. */
export function numberOption(
  value: unknown,
  option: string,
  owner: string,
  { min, max = Number.MAX_SAFE_INTEGER, fallback, integer = false }: { min: number; max?: number; fallback: number; integer?: boolean },
): number {
  if (value === undefined) return fallback;
  const valid =
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!valid) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "${option}" must be ${integer ? 'an integer' : 'a finite number'} ${range}, got ${showValue(value)}`);
  }
  return value;
}

/**
 * Checks a duration option that ends up in a timer (ms): a finite number from `min` to
 * {@link MAX_TIMER_MS} (or `max`, when lower). `undefined` gives the default.
 */
export function msOption(value: unknown, option: string, owner: string, { min = 0, max = MAX_TIMER_MS, fallback }: { min?: number; max?: number; fallback: number }): number {
  return numberOption(value, option, owner, { min, max: Math.min(max, MAX_TIMER_MS), fallback });
}

/** Unknown keys a message lists at most (a hostile object may have millions). */
const LISTED_UNKNOWN = 5;

/**
 * The edit distance between two short strings (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours, each 1), or `limit + 1` as soon as it exceeds `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      current.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/** The known key an unknown one is most likely a typo of: the same but for case, else within 1–2 edits. */
function likelyMeant(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  const lower = key.toLowerCase();
  const sameButCase = known.find((candidate) => candidate.toLowerCase() === lower);
  if (sameButCase !== undefined) return sameButCase;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.max(1, Math.floor(key.length / 3)));
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Refuses keys an options object does not know (a typo such as `cahce` or `names.logoo` must not be
 * silently ignored), naming the keys that exist and, for a typo, the key it is likely to be
 * (`baseURL` → `baseUrl`). `undefined` passes (no options given); reading the object never throws
 * past this function (a hostile object is an invalid option). At most five unknown keys are named.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` for a non-object or an unknown key.
 */
export function checkKnownKeys(value: unknown, known: readonly string[], option: string, owner: string): void {
  if (value === undefined) return;
  const notAnObject = `${owner}: ${option} must be a plain object`;
  if (value === null || typeof value !== 'object') throw new LogoFallbackError('INVALID_OPTION', `${notAnObject}, got ${showValue(value)}`);
  let array: boolean;
  let keys: string[];
  try {
    // Both throw for a revoked Proxy; Object.keys for a throwing ownKeys trap.
    array = Array.isArray(value);
    keys = array ? [] : Object.keys(value);
  } catch (error) {
    throw new LogoFallbackError('INVALID_OPTION', `${notAnObject}; reading its keys failed: ${error instanceof Error ? error.message : showValue(error)}`, { cause: error });
  }
  if (array) throw new LogoFallbackError('INVALID_OPTION', `${notAnObject}, got an array`);
  const unknown = keys.filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const listed = unknown.slice(0, LISTED_UNKNOWN);
  const more = unknown.length > LISTED_UNKNOWN ? ` and ${unknown.length - LISTED_UNKNOWN} more` : '';
  const guesses = listed.flatMap((key) => {
    const meant = likelyMeant(key, known);
    return meant === undefined ? [] : [{ key, meant }];
  });
  const guess =
    guesses.length === 0 ? '' : listed.length === 1 ? `; did you mean ${JSON.stringify(guesses[0]?.meant)}?` : `; did you mean ${guesses.map(({ key, meant }) => `${JSON.stringify(meant)} for ${showValue(key)}`).join(', ')}?`;
  throw new LogoFallbackError(
    'INVALID_OPTION',
    `${owner}: unknown ${unknown.length === 1 ? 'key' : 'keys'} ${listed.map((key) => showValue(key)).join(', ')}${more} in ${option}; the known keys are ${known.map((key) => JSON.stringify(key)).join(', ')}${guess}`,
  );
}

/**
 * The run-time list of an options type's keys, checked by the compiler against the type: a list
 * that misses a key of `T` (the error names it) or names a key `T` does not have does not compile,
 * so the keys {@link readOptions} accepts, and its messages list, cannot drift from the TSDoc'd type.
 *
 * @example
 * ```ts
 * const KNOWN = optionKeys<FsStorageOptions>()(['root', 'baseUrl']);
 * ```
 */
export function optionKeys<T extends object>() {
  return <const K extends readonly (keyof T & string)[]>(keys: K & CoversEveryKey<T, K>): K => keys;
}

/** `unknown` when `K` lists every key of `T`; else an object type whose `missing` names the keys left out. */
export type CoversEveryKey<T, K extends readonly unknown[]> = [Exclude<keyof T, K[number]>] extends [never]
  ? unknown
  : { readonly missing: Exclude<keyof T, K[number]> };

/**
 * Checks an options object and copies it, before any option is read: a value that is not an
 * object, or has a key outside `known`, is refused ({@link checkKnownKeys}: the unknown key is
 * named before any missing required one, so a typo such as `rooot` is reported as itself), then
 * each known key is read exactly once into a plain object. A getter or Proxy trap that throws is
 * an `INVALID_OPTION` here, and the checks that follow read a copy that cannot throw or change.
 * `undefined` (no options given) gives `{}`.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` for a non-object, an unknown key or a key that cannot be read.
 */
export function readOptions<T extends object>(value: unknown, known: readonly (keyof T & string)[], option: string, owner: string): Partial<T> {
  checkKnownKeys(value, known, option, owner);
  const copy: Partial<T> = {};
  if (value === undefined) return copy;
  for (const key of known) {
    let read: unknown;
    try {
      read = (value as Record<string, unknown>)[key];
    } catch (error) {
      throw new LogoFallbackError('INVALID_OPTION', `${owner}: reading ${JSON.stringify(key)} of ${option} failed: ${error instanceof Error ? error.message : showValue(error)}`, { cause: error });
    }
    if (read !== undefined) (copy as Record<string, unknown>)[key] = read;
  }
  return copy;
}

/**
 * Checks a boolean option: `true`, `false` or `undefined` (the default). A string such as
 * `'false'` is refused rather than read as truthy or ignored.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` for any other value.
 */
export function booleanOption(value: unknown, option: string, owner: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new LogoFallbackError('INVALID_OPTION', `${owner}: "${option}" must be true or false, got ${showValue(value)}`);
  return value;
}

/**
 * Checks an option that lists strings (font files, say): an array of at most `max` strings, copied.
 * `undefined` gives `undefined` (the default).
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` for anything else.
 */
export function stringListOption(value: unknown, option: string, owner: string, max = 1000): readonly string[] | undefined {
  if (value === undefined) return undefined;
  let list: unknown[] | undefined;
  try {
    list = Array.isArray(value) && value.length <= max ? [...(value as unknown[])] : undefined;
  } catch {
    list = undefined;
  }
  if (list === undefined || !list.every((item) => typeof item === 'string')) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "${option}" must be an array of at most ${max} strings, got ${showValue(value)}`);
  }
  return list as string[];
}
