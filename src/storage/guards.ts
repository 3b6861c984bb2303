/** What every storage driver does the same way: refuse unsafe keys, bound a check in time, name faults. */
import path from 'node:path';
import { LogoFallbackError, describeValue } from '../errors.js';
import { keyProblem } from '../keys.js';

/**
 * A value as a message names it: a string quoted and cut to 120 characters (a 10 MB key must not
 * flood a log), anything else by its type only — a hostile object (a `Proxy` whose traps throw, a
 * revoked one) is never converted.
 */
function shown(value: unknown): string {
  return typeof value === 'string' ? describeValue(value) : `a value of type ${typeof value}`;
}

/** Keys found safe lately (the rules are pure): a page checks the same keys render after render. */
const safeKeys = new Set<string>();
/** At most this many remembered safe keys (≤ 1 KiB each): the oldest is forgotten first. */
const SAFE_KEYS_KEPT = 4096;

/**
 * Throws `INVALID_KEY` for a key that breaks the key rules (or is not a string). The resolver
 * validates keys already, but a driver can be called on its own and must not trust its caller.
 */
export function assertSafeKey(key: string, storage: string): void {
  if (safeKeys.has(key)) return;
  const problem = typeof key === 'string' ? keyProblem(key) : 'is not a string';
  if (problem !== undefined) {
    throw new LogoFallbackError('INVALID_KEY', `${storage} storage: refused key ${shown(key)}: the key ${problem}`, { key: shown(key), storage });
  }
  if (safeKeys.size >= SAFE_KEYS_KEPT) safeKeys.delete(safeKeys.values().next().value as string);
  safeKeys.add(key);
}

/**
 * Throws `INVALID_KEY` for a listing prefix that no safe key could start with: `''` lists
 * everything; otherwise the prefix followed by one more character must be a safe key, so
 * `'base/company/icon/'` and `'base/co'` pass and `'../'`, `'/etc'` or `'a//'` do not.
 */
export function assertSafePrefix(prefix: string, storage: string): void {
  const problem = typeof prefix !== 'string' ? 'is not a string' : prefix === '' ? undefined : keyProblem(`${prefix}x`);
  if (problem !== undefined) {
    throw new LogoFallbackError('INVALID_KEY', `${storage} storage: refused listing prefix ${shown(prefix)}: no safe key could start with it (it ${problem})`, {
      key: shown(prefix),
      storage,
    });
  }
}

/** A `STORAGE_FAILED` error whose message names the driver. */
export function storageFault(storage: string, message: string, key: string, cause?: unknown): LogoFallbackError {
  return new LogoFallbackError('STORAGE_FAILED', `${storage} storage: ${message}`, { key, storage, cause });
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether `child` is `parent` itself or below it, comparing resolved absolute paths as strings.
 * A root of `/` contains every absolute path (a `parent + '/'` test would contain none).
 */
export function isWithin(parent: string, child: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(prefix);
}

/** An `ETag` without its quotes (`"9b2cf5…"` → `9b2cf5…`); a weak one keeps its `W/` marker. */
export function unquoteEtag(etag: string | null | undefined): string | undefined {
  if (etag === null || etag === undefined || etag === '') return undefined;
  const weak = etag.startsWith('W/');
  const value = weak ? etag.slice(2) : etag;
  const bare = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return weak ? `W/${bare}` : bare;
}

/** Signals of operations that must not keep the process alive (see {@link unheldSignal}). */
const unheld = new WeakSet<AbortSignal>();

/**
 * A new controller whose signal marks its operation as one that must not keep the process alive:
 * a background existence check, which whoever waits for holds with a timer of their own (a render's
 * `timeout`, `prefetch()`'s bound). A driver given such a signal (directly or through
 * {@link startDeadline}) `unref()`s the sockets it opens for it, so that a script whose last caller
 * has its answer exits at once instead of when a hung request is aborted (`hardTimeout`). Calls
 * made without one — `storage.exists()` from your own code, the audit — hold the process as usual.
 */
export function unheldSignal(): AbortController {
  const controller = new AbortController();
  unheld.add(controller.signal);
  return controller;
}

/** Whether `signal` came from {@link unheldSignal} (or a deadline built on one). */
export function isUnheld(signal: AbortSignal | undefined): boolean {
  return signal !== undefined && unheld.has(signal);
}

/** A driver's deadline for one operation: its signal, and `clear()` for a `finally`. */
export interface Deadline {
  /** Aborts at the deadline (reason: a `TimeoutError`) or when the caller's signal aborts. */
  readonly signal: AbortSignal;
  /** Stops the timer and lets go of the caller's signal; call it once the operation has settled. */
  clear(): void;
}

/**
 * The caller's signal (if any) combined with the driver's own deadline of `timeout` ms.
 *
 * Built from an `AbortController` and a plain timer, not `AbortSignal.timeout()` + `AbortSignal.any()`:
 * Node holds those signals weakly, so after a garbage collection the deadline may never fire and a
 * hung request keeps its socket until undici's own limit (~300 s). The timer here is held by Node's
 * timer list until `clear()`; it is `unref`'d, so it never keeps a process alive on its own.
 */
export function startDeadline(signal: AbortSignal | undefined, timeout: number): Deadline {
  const controller = new AbortController();
  if (isUnheld(signal)) unheld.add(controller.signal);
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeout} ms`, 'TimeoutError')), timeout);
  timer.unref();
  const forward = (): void => controller.abort(signal?.reason);
  if (signal?.aborted === true) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    },
  };
}

/**
 * Why a request failed, in words: the deadline, the caller's abort, or the socket error
 * (`ECONNREFUSED`, `ECONNRESET`, …). `signal` is the request's deadline signal.
 */
export function describeRequestFailure(error: unknown, signal: AbortSignal, timeout: number): string {
  if (signal.aborted) return (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError' ? `no answer within ${timeout} ms` : 'the check was aborted';
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}
