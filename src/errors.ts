/**
 * What went wrong, as a stable code a program can branch on.
 *
 * - `MISSING_OPTION` / `INVALID_OPTION`: thrown at construction, never during a render (and
 *   reported, not thrown, by `prefetch()` for its own options: a bad `concurrency` or `prefix`, a
 *   storage that cannot list, a listing cut at `cache.max`).
 * - `MISSING_DEPENDENCY`: thrown at construction when an option needs an optional dependency that
 *   cannot be loaded (`@resvg/resvg-js` for PNG avatars); the message says what to install.
 * - `INVALID_KEY`: a template passed a reference that is unsafe or unusable as a storage key.
 * - `STORAGE_FAILED`: the storage answered with a fault (not "missing"); or its circuit breaker
 *   opened (`cache.breaker`: checks failed or timed out several times in a row — no `key`).
 * - `TIMEOUT`: the storage did not answer within `timeout` (the render got the avatar) or within
 *   `cache.hardTimeout` (the check was aborted); or checks waited in the queue past `timeout`, or
 *   found it full (more than `cache.max` waiting).
 * - `ROOT_MISSING`: the local storage root does not exist (yet).
 * - `INVALID_RECORD`: reading what a template passed threw: a record's field, a file value or a call
 *   option (a throwing getter, a Proxy whose traps throw, a revoked Proxy).
 * - `AVATAR_FAILED`: the avatar provider threw, or returned something that is not a URL safe in an
 *   attribute, during a render (the page then gets an empty SVG); for the package's PNG avatars also
 *   a rasteriser that failed or took longer than 5 s.
 * - `SHARED_FAILED`: the shared tier (`shared`, e.g. Redis) failed, was not connected, took longer
 *   than its budget, or sent a malformed message; renders went on with the local cache and the storage.
 */
export type LogoFallbackErrorCode =
  | 'MISSING_OPTION'
  | 'INVALID_OPTION'
  | 'INVALID_KEY'
  | 'STORAGE_FAILED'
  | 'TIMEOUT'
  | 'ROOT_MISSING'
  | 'INVALID_RECORD'
  | 'MISSING_DEPENDENCY'
  | 'AVATAR_FAILED'
  | 'SHARED_FAILED';

/** Extra facts attached to a {@link LogoFallbackError}. */
export interface LogoFallbackErrorDetails {
  /** The underlying error, if any. */
  cause?: unknown;
  /** The storage key (or the rejected reference, shortened) the error is about. */
  key?: string;
  /** The storage driver's name, e.g. `'fs'`. */
  storage?: string;
}

/**
 * The one error class of logo-fallback. Constructors throw it for bad options (fail at start-up,
 * loudly); renders never throw it but hand it to the resolver's `onError`.
 *
 * @example
 * ```ts
 * try { fsStorage({} as never) } catch (e) { if (e instanceof LogoFallbackError) e.code } // 'MISSING_OPTION'
 * ```
 */
export class LogoFallbackError extends Error {
  /** A stable, machine-readable code. */
  readonly code: LogoFallbackErrorCode;
  /** The storage key or reference the error is about, when there is one. */
  readonly key: string | undefined;
  /** The storage driver's name, when a driver is involved. */
  readonly storage: string | undefined;

  constructor(code: LogoFallbackErrorCode, message: string, details: LogoFallbackErrorDetails = {}) {
    super(`[logo-fallback] ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LogoFallbackError';
    this.code = code;
    this.key = details.key;
    this.storage = details.storage;
  }
}

/**
 * Shortens a value for an error message so that a hostile 10 MB string cannot flood a log. Never
 * throws, whatever the value (a revoked Proxy, a throwing `toString`): objects are shown by their
 * type tag, never by calling their own code; a BigInt as `40n`.
 */
export function describeValue(value: unknown, max = 120): string {
  let text: string;
  try {
    if (typeof value === 'string') {
      const shown = JSON.stringify(value.length > max ? value.slice(0, max) : value);
      return value.length > max ? `${shown}…(${value.length} chars)` : shown;
    }
    // A BigInt as written in code (`40n`), not as the number it is not.
    text = value !== null && (typeof value === 'object' || typeof value === 'function') ? Object.prototype.toString.call(value) : typeof value === 'bigint' ? `${value}n` : String(value);
  } catch {
    text = 'an unreadable value';
  }
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

/**
 * What went wrong, in words, from anything that was thrown: an `Error`'s message (shortened), else
 * the value described. Never throws (a thrown Proxy or a throwing `message` getter included).
 */
export function describeError(error: unknown, max = 200): string {
  try {
    if (error instanceof Error) {
      const message: unknown = error.message;
      if (typeof message === 'string') return message.length > max ? `${message.slice(0, max)}…` : message;
    }
  } catch {
    return 'an unreadable error';
  }
  return describeValue(error, max);
}

/** Whether a value is a {@link LogoFallbackError}. Never throws (a Proxy whose `getPrototypeOf` trap throws is not one). */
export function isLogoFallbackError(value: unknown): value is LogoFallbackError {
  try {
    return value instanceof LogoFallbackError;
  } catch {
    return false;
  }
}
