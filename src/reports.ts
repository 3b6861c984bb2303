/**
 * `onError`, once per problem per window: a page of 10,000 broken logos must not write 10,000 log
 * lines on every render, and no problem may go unheard because others crowded it out.
 */
import { createHash } from 'node:crypto';
import { LogoFallbackError } from './errors.js';

/** Hands an error to `onError` unless the same problem was reported within the window. Never throws. */
export type Report = (error: LogoFallbackError, subject?: string) => void;

/** A {@link Report} that says how many problems it remembers (for tests and diagnostics). */
export interface Reporter extends Report {
  /** How many distinct problems are remembered now: at most the reporter's `max`. */
  readonly size: number;
}

/** Problem ids longer than this are kept as a SHA-256 digest: memory per problem stays small. */
const MAX_ID_LENGTH = 256;

/**
 * How many distinct problems a reporter remembers at most (each at most {@link MAX_ID_LENGTH}
 * characters: a few MB in all). The default `cache.max`: a page of that many broken references
 * is still told one by one.
 */
export const MAX_REPORTED = 10_000;

/**
 * A problem is its code, its subject (the full storage key or reference — not the shortened one a
 * message shows, so that two long references sharing a prefix stay two problems) and its message.
 *
 * Memory: one entry per distinct problem reported within the last `window` ms, and at most `max`
 * of them — the entries sit in report order, and every call first drops those older than the
 * window from the front. When `max` problems are remembered, a new one is not told one by one
 * (that would forget the oldest, and report them all again on every render, a flood): `onError`
 * hears once per window and error code that more problems of that kind were left out, with the
 * first of them; room comes back as the window passes.
 */
export function createReporter(onError: (error: LogoFallbackError) => void, window: number, max = MAX_REPORTED): Reporter {
  const reportedAt = new Map<string, number>();
  /** When each code's overflow was told: at most one entry per error code. */
  const overflowAt = new Map<string, number>();
  const tell = (error: LogoFallbackError) => {
    try {
      onError(error);
    } catch {
      // A throwing error handler must not break a render.
    }
  };
  const report = (error: LogoFallbackError, subject?: string) => {
    const now = Date.now();
    for (const [id, at] of reportedAt) {
      if (now - at < window) break;
      reportedAt.delete(id);
    }
    const id = problemId(error, subject);
    if (reportedAt.has(id)) return;
    if (reportedAt.size < max) {
      reportedAt.set(id, now);
      tell(error);
      return;
    }
    const told = overflowAt.get(error.code);
    if (told !== undefined && now - told < window) return;
    overflowAt.set(error.code, now);
    tell(overflow(error, max, window));
  };
  return Object.defineProperty(report, 'size', { get: () => reportedAt.size }) as Reporter;
}

/** The one report that stands for the problems of one kind left out while the reporter is full. */
function overflow(first: LogoFallbackError, max: number, window: number): LogoFallbackError {
  const message = first.message.startsWith('[logo-fallback] ') ? first.message.slice('[logo-fallback] '.length) : first.message;
  return new LogoFallbackError(
    first.code,
    `${message} — and more of the same kind: ${max.toLocaleString('en-US')} distinct problems were already reported within ${window} ms, so further ${first.code} problems are not reported one by one until that window passes`,
    { cause: first, ...(first.key === undefined ? {} : { key: first.key }), ...(first.storage === undefined ? {} : { storage: first.storage }) },
  );
}

function problemId(error: LogoFallbackError, subject: string | undefined): string {
  // A missing root is one problem of the whole storage, whichever key ran into it.
  const about = error.code === 'ROOT_MISSING' ? '' : (subject ?? error.key ?? '');
  const id = `${error.code}\u0000${about}\u0000${error.message}`;
  return id.length <= MAX_ID_LENGTH ? id : `#${createHash('sha256').update(id).digest('base64')}`;
}
