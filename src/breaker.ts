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
import { msOption, numberOption, optionKeys, readOptions, showValue } from './options.js';
import type { Report } from './reports.js';

/**
 * The storage's circuit breaker (the resolver's `cache.breaker`). After `failures` checks in a row
 * that a render stopped waiting for (no answer within `timeout`) or that failed, renders stop
 * waiting for the storage for `cooldown`: they answer at once from the cache (stale-if-error
 * included) or with the avatar, and the checks go on in the background, through the queue, to fill
 * the cache; `prefetch()` starts its checks and does not wait for them. The first check answered
 * within `timeout` closes it; after `cooldown`, one render waits again (its check closes the
 * breaker, or opens it for another `cooldown`). A storage that answers within `timeout`, however
 * slowly, never opens it, nor does a late answer nobody waited for, nor an answer the shared tier
 * knew without asking the storage. The opening is reported once
 * (`STORAGE_FAILED`, no `key`); the closing is not.
 */
export interface BreakerOptions {
  /**
   * How many checks in a row that a render stopped waiting for, or that failed, open the breaker
   * (an integer, 1 – 1,000). @default 3
   */
  failures?: number;
  /**
   * How long renders do not wait for the storage once it opened, ms (1 – 2^31−1); then one render
   * waits (the half-open probe). @default 5_000, or 10 × `timeout` when that is longer (a probe over
   * a hung storage then costs a render at most a tenth of the time)
   */
  cooldown?: number;
}

const KNOWN = optionKeys<BreakerOptions>()(['failures', 'cooldown']);

/**
 * The resolver's `cache.breaker` option, checked: an object of known keys, each in its range, or
 * `false`; `timeout` (ms) sets the default cooldown.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` for anything else, naming the option (`owner`: who asks).
 */
export function breakerSettings(value: unknown, timeout: number, owner: string): BreakerSettings | false {
  if (value === false) return false;
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "cache.breaker" must be an object such as { failures: 3, cooldown: 5_000 } or false, got ${showValue(value)}`);
  }
  const breaker = readOptions<BreakerOptions>(value, KNOWN, '"cache.breaker"', owner);
  return {
    failures: numberOption(breaker.failures, 'cache.breaker.failures', owner, { min: 1, max: 1_000, fallback: 3, integer: true }),
    cooldown: msOption(breaker.cooldown, 'cache.breaker.cooldown', owner, { min: 1, fallback: Math.max(5_000, 10 * timeout) }),
  };
}

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
  /**
   * A check that tells nothing of the storage's health: answered after `timeout` when nobody was
   * still waiting for it, or by the shared tier without asking the storage. Neither way.
   */
  inconclusive(check: object): void;
}

const ALWAYS_CLOSED: Breaker = { admits: () => true, closed: () => true, succeeded: () => undefined, failed: () => undefined, inconclusive: () => undefined };

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
    inconclusive(check) {
      // A probe that decided nothing (it waited in the queue, then answered late): the next render probes.
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
