/** What every storage driver does the same way: refuse unsafe keys, bound a check in time, name faults. */
import { LogoFallbackError } from '../errors.js';
import { keyProblem } from '../keys.js';

/**
 * Throws `INVALID_KEY` for a key that breaks the key rules. The resolver validates keys already,
 * but a driver can be called on its own and must not trust its caller.
 */
export function assertSafeKey(key: string, storage: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    throw new LogoFallbackError('INVALID_KEY', `${storage} storage: refused key ${JSON.stringify(key)}: the key ${problem}`, { key, storage });
  }
}

/** A `STORAGE_FAILED` error whose message names the driver. */
export function storageFault(storage: string, message: string, key: string, cause?: unknown): LogoFallbackError {
  return new LogoFallbackError('STORAGE_FAILED', `${storage} storage: ${message}`, { key, storage, cause });
}

/** The caller's signal (if any) combined with the driver's own deadline. */
export function withDeadline(signal: AbortSignal | undefined, timeout: number): AbortSignal {
  const deadline = AbortSignal.timeout(timeout);
  return signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
}

/** Why a `fetch` failed, in words: a timeout, an abort, or the socket error undici hides in `cause`. */
export function describeFetchFailure(error: unknown, timeout: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeout} ms`;
  if (error instanceof Error && error.name === 'AbortError') return 'the check was aborted';
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return detail === undefined ? message : `${message} (${detail})`;
}
