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

/** A value as a message shows it: `NaN`, `Infinity` and `-5` as written, strings quoted, objects typed. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
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

/**
 * Refuses keys an options object does not know (a typo such as `cahce` or `names.logoo` must not be
 * silently ignored), naming the keys that exist. `undefined` and `null` pass (no options given);
 * reading the object never throws past this function (a hostile object is an invalid option).
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` for a non-object or an unknown key.
 */
export function checkKnownKeys(value: unknown, known: readonly string[], option: string, owner: string): void {
  if (value === undefined) return;
  let keys: string[];
  try {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    keys = Object.keys(value);
  } catch {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: ${option} must be a plain object, got ${showValue(value)}`);
  }
  const unknown = keys.filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const list = unknown.map((key) => JSON.stringify(key)).join(', ');
    throw new LogoFallbackError(
      'INVALID_OPTION',
      `${owner}: unknown ${unknown.length === 1 ? 'key' : 'keys'} ${list} in ${option}; the known keys are ${known.map((key) => JSON.stringify(key)).join(', ')}`,
    );
  }
}
