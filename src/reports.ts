/**
 * `onError`, once per problem per window: a page of 10,000 broken logos must not write 10,000 log
 * lines on every render, and no problem may go unheard because others crowded it out.
 */
import { createHash } from 'node:crypto';
import type { LogoFallbackError } from './errors.js';

/** Hands an error to `onError` unless the same problem was reported within the window. Never throws. */
export type Report = (error: LogoFallbackError, subject?: string) => void;

/** Problem ids longer than this are kept as a SHA-256 digest: memory per problem stays small. */
const MAX_ID_LENGTH = 256;

/**
 * A problem is its code, its subject (the full storage key or reference — not the shortened one a
 * message shows, so that two long references sharing a prefix stay two problems) and its message.
 *
 * Memory: one entry per distinct problem reported within the last `window` ms, and no more — the
 * entries sit in report order, and every call first drops those older than the window from the
 * front. Nothing is forgotten early (no fixed-size table that a flood could overrun), and what is
 * kept is bounded by what was reported: each entry stands for an `onError` call made in the window.
 */
export function createReporter(onError: (error: LogoFallbackError) => void, window: number): Report {
  const reportedAt = new Map<string, number>();
  return (error, subject) => {
    const now = Date.now();
    for (const [id, at] of reportedAt) {
      if (now - at < window) break;
      reportedAt.delete(id);
    }
    const id = problemId(error, subject);
    if (reportedAt.has(id)) return;
    reportedAt.set(id, now);
    try {
      onError(error);
    } catch {
      // A throwing error handler must not break a render.
    }
  };
}

function problemId(error: LogoFallbackError, subject: string | undefined): string {
  // A missing root is one problem of the whole storage, whichever key ran into it.
  const about = error.code === 'ROOT_MISSING' ? '' : (subject ?? error.key ?? '');
  const id = `${error.code}\u0000${about}\u0000${error.message}`;
  return id.length <= MAX_ID_LENGTH ? id : `#${createHash('sha256').update(id).digest('base64')}`;
}
