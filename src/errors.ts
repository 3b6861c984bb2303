/**
 * What went wrong, as a stable code a program can branch on.
 *
 * - `MISSING_OPTION` / `INVALID_OPTION`: thrown at construction, never during a render.
 * - `INVALID_KEY`: a template passed a reference that is unsafe or unusable as a storage key.
 * - `STORAGE_FAILED`: the storage answered with a fault (not "missing").
 * - `TIMEOUT`: the storage did not answer within `timeout`.
 * - `ROOT_MISSING`: the local storage root does not exist (yet).
 * - `INVALID_RECORD`: reading a record's field threw (a getter, a proxy).
 */
export type LogoFallbackErrorCode =
  | 'MISSING_OPTION'
  | 'INVALID_OPTION'
  | 'INVALID_KEY'
  | 'STORAGE_FAILED'
  | 'TIMEOUT'
  | 'ROOT_MISSING'
  | 'INVALID_RECORD';

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

/** Shortens a value for an error message so that a hostile 10 MB string cannot flood a log. */
export function describeValue(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}
