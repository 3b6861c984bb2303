/**
 * What a storage driver (or a shared tier) answered, as the resolver takes it: only a boolean for
 * `exists()`, an entry or `undefined` for `stat()`, `{ exists }` from a shared tier — anything else
 * is the driver's fault, reported by name, never a logo or an avatar by accident.
 */
import { LogoFallbackError, describeError, describeValue, isLogoFallbackError } from './errors.js';
import type { Existence } from './checks.js';
import type { Found } from './shared/types.js';
import type { StorageEntry } from './storage/types.js';

/** A fault as the {@link LogoFallbackError} that `onError` hears of (a driver's own error as it is). Never throws. */
export function toLogoError(error: unknown, key: string, storage: string): LogoFallbackError {
  if (isLogoFallbackError(error)) return error;
  return new LogoFallbackError('STORAGE_FAILED', `${storage} storage: checking ${JSON.stringify(key)} failed: ${describeError(error)}`, {
    cause: error,
    key,
    storage,
  });
}

/** Whether a value is a promise or another thenable (reading `then` may throw: a hostile Proxy). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A driver's `exists()` or `existsSync()` answer as the resolver takes it: only `true` is present and
 * only `false` missing — never a truthy or falsy stand-in (`'false'`, `1`, a Promise), which would
 * print a broken image for every key or hide every logo. Anything else is the driver's fault.
 *
 * @throws {LogoFallbackError} `STORAGE_FAILED`, naming the driver and the method, for anything but a boolean.
 */
export function existenceOf(value: unknown, storage: string, method: 'exists' | 'existsSync'): boolean {
  if (value === true || value === false) return value;
  if (method === 'existsSync' && isThenable(value)) {
    // Nobody else will ever await it: a rejection must not become an unhandled one (it would end the process).
    Promise.resolve(value).then(undefined, () => undefined);
    throw new LogoFallbackError('STORAGE_FAILED', `${storage} storage: existsSync returned a Promise: existsSync must be synchronous (return true or false), or be left out so that exists() is used`, { storage });
  }
  const verb = method === 'exists' ? 'resolved' : 'returned';
  throw new LogoFallbackError('STORAGE_FAILED', `${storage} storage: ${method}() ${verb} ${describeValue(value)}: it must ${method === 'exists' ? 'resolve' : 'return'} true (present) or false (missing), nothing else`, { storage });
}

/**
 * A driver's `stat()` answer as the resolver takes it: `undefined` is missing, an object is the
 * file's entry — missing too when its `size` is 0 (a browser cannot draw an empty file: DESIGN.md,
 * "Present means servable"). Anything else (`null`, `true`, a string) is the driver's fault.
 *
 * @throws {LogoFallbackError} `STORAGE_FAILED`, naming the driver, for anything but `undefined` or an object.
 */
export function entryOf(value: unknown, storage: string): StorageEntry | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') {
    throw new LogoFallbackError('STORAGE_FAILED', `${storage} storage: stat() resolved ${describeValue(value)}: it must resolve the file's entry (an object) or undefined (missing)`, { storage });
  }
  return (value as StorageEntry).size === 0 ? undefined : (value as StorageEntry);
}

/** What a shared tier's `check()` resolved, as a check's state: `{ exists: true }` or `{ exists: false }`, nothing else. */
export function stateOfFound(found: Found, storage: string): Existence {
  const exists = found !== null && typeof found === 'object' ? found.exists : undefined;
  if (exists === true) return 'present';
  if (exists === false) return 'missing';
  throw new LogoFallbackError('STORAGE_FAILED', `${storage} storage: the shared tier's check() resolved ${describeValue(found)} with exists ${describeValue(exists)}: it must resolve { exists: true } or { exists: false }`, { storage });
}
