/**
 * How the audit learns whether a key is present: one check per key (`HEAD`, `stat`) or one listing
 * of the storage compared with the records. Either way each key is asked about once per run, and a
 * storage error is a fault, never "missing".
 */
import { LogoFallbackError } from '../errors.js';
import { fsInternals } from '../storage/fs.js';
import type { Storage } from '../storage/types.js';

/** What the audit found for one record. `reason` says why for the kinds that are listed. */
export type Outcome =
  | { readonly kind: 'present' | 'missing' | 'noFile' | 'external' }
  | { readonly kind: 'unsafe' | 'fault' | 'malformed'; readonly reason: string };

/** The outcome of a present file: one shared value, compared by identity. */
export const PRESENT: Outcome = { kind: 'present' };
/** The outcome of a missing file: one shared value, compared by identity. */
export const MISSING: Outcome = { kind: 'missing' };

/** Answers keys. `check` never rejects: a storage error is a `fault` (or `unsafe`) outcome. */
export interface Checker {
  /**
   * The outcome for `key`: at once when it is known, else a promise. `key` must have passed the
   * key rules (`parseReference` made it): the fs driver is then not asked to validate it again.
   */
  check(key: string): Outcome | Promise<Outcome>;
  /** Stops the checker's timer, and aborts checks still running (none wait once the audit ends). */
  close(): void;
}

/** A storage error as an outcome: a refused key is `unsafe`, anything else a `fault`. */
export function failure(error: unknown): Outcome {
  const reason = error instanceof Error ? error.message.replace(/^\[logo-fallback\] /, '') : String(error);
  return { kind: error instanceof LogoFallbackError && error.code === 'INVALID_KEY' ? 'unsafe' : 'fault', reason };
}

interface Running {
  readonly started: number;
  readonly controller: AbortController;
  readonly resolve: (outcome: Outcome) => void;
  settled: boolean;
}

/**
 * One check per distinct key, remembered for the whole run in a `Map` (its size is the number of
 * distinct keys in the input: each file is checked once, however many records share it).
 *
 * A storage with `existsSync` (local disk) is asked synchronously: no promise, timer or
 * `AbortController` per key, and no second run of the key rules (the audit's keys passed them). Any other is asked with `exists`, at most `concurrency` at a time;
 * one shared timer (not one per key) ends checks that outlive `timeout` ms as faults and aborts them.
 */
export function perKeyChecker(storage: Storage, options: { concurrency: number; timeout: number }): Checker {
  const { concurrency, timeout } = options;
  const known = new Map<string, Outcome | Promise<Outcome>>();
  const queue: Array<{ key: string; resolve: (outcome: Outcome) => void }> = [];
  const running = new Set<Running>();
  let watchdog: NodeJS.Timeout | undefined;
  let closed = false;
  // The keys come from parseReference: the fs driver's own entry point skips validating them again.
  const existsSync = fsInternals(storage)?.existsValidSync ?? storage.existsSync?.bind(storage);

  function settle(job: Running, outcome: Outcome): void {
    if (job.settled) return;
    job.settled = true;
    running.delete(job);
    job.resolve(outcome);
    pump();
  }

  function sweep(): void {
    const now = performance.now();
    for (const job of running) {
      if (now - job.started < timeout) continue;
      job.controller.abort();
      settle(job, { kind: 'fault', reason: `no answer within ${timeout} ms` });
    }
  }

  function start(key: string, resolve: (outcome: Outcome) => void): void {
    const job: Running = { started: performance.now(), controller: new AbortController(), resolve, settled: false };
    running.add(job);
    // A precision of a tenth of the timeout is plenty, and costs one timer for the whole run.
    watchdog ??= setInterval(sweep, Math.max(1, Math.min(1000, Math.ceil(timeout / 10))));
    Promise.resolve()
      .then(() => storage.exists(key, job.controller.signal))
      .then(
        (present) => settle(job, present ? PRESENT : MISSING),
        (error: unknown) => settle(job, failure(error)),
      );
  }

  function pump(): void {
    while (!closed && running.size < concurrency && queue.length > 0) {
      const next = queue.shift() as (typeof queue)[number];
      start(next.key, next.resolve);
    }
  }

  return {
    check(key) {
      const seen = known.get(key);
      if (seen !== undefined) return seen;
      if (existsSync !== undefined) {
        let outcome: Outcome;
        try {
          outcome = existsSync(key) ? PRESENT : MISSING;
        } catch (error) {
          outcome = failure(error);
        }
        known.set(key, outcome);
        return outcome;
      }
      const pending = new Promise<Outcome>((resolve) => {
        queue.push({ key, resolve });
        pump();
      });
      known.set(key, pending);
      // Keep the answer, not the promise: the map then holds small shared values.
      void pending.then((outcome) => known.set(key, outcome));
      return pending;
    },
    close() {
      clearInterval(watchdog);
      watchdog = undefined;
      // The audit stopped early (a brake): start nothing more, and abort what still runs — a hung
      // storage's sockets must not keep the process alive. Nobody waits for these outcomes.
      closed = true;
      queue.length = 0;
      for (const job of running) {
        job.controller.abort();
        settle(job, { kind: 'fault', reason: 'the audit stopped' });
      }
    },
  };
}
