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

/** Checks a number option: finite, within bounds. `undefined` gives the default. */
export function numberOption(
  value: unknown,
  option: string,
  owner: string,
  { min, max = Number.POSITIVE_INFINITY, fallback, integer = false }: { min: number; max?: number; fallback: number; integer?: boolean },
): number {
  if (value === undefined) return fallback;
  const valid =
    typeof value === 'number' && !Number.isNaN(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!valid) {
    const range = max === Number.POSITIVE_INFINITY ? `at least ${min}` : `from ${min} to ${max}`;
    throw new LogoFallbackError(
      'INVALID_OPTION',
      `${owner}: "${option}" must be ${integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value;
}
