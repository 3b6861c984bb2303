/**
 * A circuit breaker per storage (closed → open → half-open, as in Nygard's "Release It!" and
 * resilience4j): after a few checks in a row that a render stopped waiting for (no answer within
 * `timeout`) or that failed, renders stop waiting for the storage for a cooldown — they answer at
 * once from the cache or with the avatar — so that a hung storage costs a page about
 * `failures × timeout`, not one `timeout` per item. A late answer nobody waited for (a background
 * check, `prefetch()`) counts neither way: a slow storage is not a failing one. Checks still run meanwhile, in the background through the one queue (src/checks.ts), so
 * the cache fills and the next render is right; the first of them that answers within `timeout`
 * closes the breaker. After the cooldown, one render waits again (half-open): its check answering
 * in time closes the breaker, a timeout or a fault opens it for another cooldown.
 */
import { LogoFallbackError, describeError } from './errors.js';
import type { Report } from './reports.js';

/** The breaker's settings (the resolver's `cache.breaker`, resolved). */
export interface BreakerSettings {
  /** How many checks in a row must time out or fail to open the breaker. */
  readonly failures: number;
  /** How long it stays open before one render may wait again (half-open), ms. */
  readonly cooldown: number;
}

/** The breaker as the check runner uses it. `check` is any object that names one check. */
export interface Breaker {
  /**
   * Whether a render may wait for `check` now: always while closed; never while open; while
   * half-open, only for the one check chosen as the probe (the first one asked about).
   */
  admits(check: object): boolean;
  /** Whether it is closed: `prefetch()` waits for its checks only then (never as the probe). */
  closed(): boolean;
  /** A check answered (present, missing, or a refusal of the key) within `timeout` of its start. */
  succeeded(): void;
  /**
   * A render stopped waiting for a check that had run `timeout` without an answer, or a check
   * failed (`error`: what it reported), whoever waited for it.
   */
  failed(check: object, error: LogoFallbackError | undefined): void;
  /** A check nobody was still waiting for answered after `timeout`: neither a success nor a failure. */
  late(check: object): void;
}

const ALWAYS_CLOSED: Breaker = { admits: () => true, closed: () => true, succeeded: () => undefined, failed: () => undefined, late: () => undefined };

/**
 * Builds the breaker of one storage (`storage`: its name, for the report), or one that never opens
 * (`settings` false). `timeout` (ms) is only quoted in the report. The opening of a closed breaker
 * is reported once, as `STORAGE_FAILED`; a re-opening after a failed probe is the same outage and
 * is not reported again; closing is not reported (`onError` hears of problems only).
 */
export function createBreaker(storage: string, settings: BreakerSettings | false, timeout: number, report: Report): Breaker {
  if (settings === false) return ALWAYS_CLOSED;
  const { failures, cooldown } = settings;
  let state: 'closed' | 'open' | 'half-open' = 'closed';
  let inARow = 0;
  let openUntil = 0;
  let probe: object | undefined;

  function open(): void {
    state = 'open';
    openUntil = Date.now() + cooldown;
    probe = undefined;
  }

  return {
    admits(check) {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (Date.now() < openUntil) return false;
        state = 'half-open';
      }
      probe ??= check;
      return probe === check;
    },
    closed: () => state === 'closed',
    succeeded() {
      inARow = 0;
      state = 'closed';
      probe = undefined;
    },
    late(check) {
      // A probe that waited in the queue and then answered late decided nothing: the next render probes.
      if (check === probe) probe = undefined;
    },
    failed(check, error) {
      if (state === 'half-open') {
        if (check === probe) open();
        return;
      }
      if (state === 'open' || ++inARow < failures) return;
      inARow = 0;
      open();
      const last = error === undefined ? '' : ` (the last: ${describeError(error, 200)})`;
      report(
        new LogoFallbackError(
          'STORAGE_FAILED',
          `${storage} storage: ${failures} checks in a row got no answer within "timeout" (${timeout} ms) or failed${last}; ` +
            `renders stop waiting for it for ${cooldown} ms (cache.breaker.cooldown) — they answer at once from the cache or with the avatar, ` +
            `while checks go on in the background to fill the cache; the first check answered within "timeout" lets renders wait again`,
          { storage, cause: error },
        ),
      );
    },
  };
}
