/**
 * Storage checks in flight: one per key, all of them through one bounded queue, each with the two
 * deadlines the resolver promises — `timeout` for whoever waits, `hardTimeout` for the request.
 *
 * Every deadline is a timer that holds its own AbortController (or promise) and is cleared when the
 * check settles: nothing here relies on `AbortSignal.timeout()`/`AbortSignal.any()`, whose signals
 * Node holds weakly, so that a garbage collection can silently cancel them (issue 8 §1).
 */
import { createBreaker, type BreakerSettings } from './breaker.js';
import { stateOfFound, toLogoError } from './driver-answers.js';
import { LogoFallbackError } from './errors.js';
import type { Report } from './reports.js';
import type { Found } from './shared/types.js';
import { unheldSignal } from './storage/guards.js';
import type { Storage } from './storage/types.js';

/**
 * What a check found: the file is there, it is not, the storage refused the key (`INVALID_KEY`
 * from the driver: the fs driver's symlink resolving outside its root — a containment refusal, not
 * a fault), or the storage could not say.
 */
export type Existence = 'present' | 'missing' | 'unsafe' | 'fault';

/** Settings of the check runner (from the resolver's options). */
export interface CheckSettings {
  /** How long a caller waits, ms: for its check to leave the queue, then from the check's start. */
  timeout: number;
  /** How long a check may run, ms; then its request is aborted and the answer is a fault. */
  hardTimeout: number;
  /** How many checks run at once. */
  concurrency: number;
  /** How many checks may wait in the queue; beyond it a new key is not checked (its caller gets a fault). */
  maxQueued: number;
  /** The storage's circuit breaker (src/breaker.ts), or `false` for none: renders always wait. */
  breaker: BreakerSettings | false;
}

/**
 * Called once per check when the storage answered (or failed, or the check was aborted): stores the
 * answer unless `current` is false (the key was invalidated while the check ran) and returns what
 * the waiting callers get. `found` is what the check found, when it was not a fault.
 */
export type SettleHandler = (key: string, state: Existence, error: LogoFallbackError | undefined, current: boolean, found?: Found) => Existence;

/** The runner's interface to the existence cache. */
export interface CheckRunner {
  /** Starts (or joins) the check of `key` in the background. */
  start(key: string): void;
  /**
   * The check's answer, waiting at most `timeout` for the check to start and `timeout` from its
   * start; a caller who joins a check keeps the deadline of the first one. Then `'fault'`. While
   * the breaker is open, `'fault'` at once, and the check runs on in the background.
   */
  wait(key: string): Promise<Existence>;
  /** The check's answer whenever the storage gives it (at most `hardTimeout` from its start); while the breaker is not closed, `'fault'` at once. */
  settled(key: string): Promise<Existence>;
  /** Forgets checks already sent for `key` (or all): their late answers are not stored. */
  invalidate(key?: string): void;
}

interface Check {
  readonly key: string;
  started: boolean;
  startedAt: number;
  /** When the first caller began to wait, while the check was queued. */
  waitingSince: number;
  /** The answer for callers (see {@link CheckRunner.wait}); made when the first one asks. */
  answer: Promise<Existence> | undefined;
  resolveAnswer: (state: Existence) => void;
  deadline: NodeJS.Timeout | undefined;
  expired: boolean;
  readonly settled: Promise<Existence>;
  resolveSettled: (state: Existence) => void;
  /** False once the key was invalidated after this check asked the storage. */
  current: boolean;
  /** Whether the breaker was told how this check went (once: at its callers' deadline, or when it settled). */
  counted: boolean;
}

const FAULT = Promise.resolve<Existence>('fault');

/**
 * One check: what was found, and whether the storage itself was asked — an answer the shared tier
 * knew already tells nothing of the storage's health, so it neither opens nor closes the breaker.
 */
export type Ask = (key: string, signal: AbortSignal) => Promise<{ found: Found; byStorage: boolean }>;

/**
 * Builds the runner for one storage. `ask` asks it (through the shared tier, when there is one);
 * `onSettled` stores answers; `report` hears of faults and timeouts.
 */
export function createCheckRunner(storage: Storage, ask: Ask, settings: CheckSettings, onSettled: SettleHandler, report: Report): CheckRunner {
  const { timeout, hardTimeout, concurrency, maxQueued } = settings;
  const name = storage.name;
  const breaker = createBreaker(name, settings.breaker, timeout, report);
  const checks = new Map<string, Check>();
  let queue: Check[] = [];
  let head = 0;
  let running = 0;

  function create(key: string): Check | undefined {
    if (queue.length - head >= maxQueued) {
      report(
        new LogoFallbackError('TIMEOUT', `${name} storage: ${maxQueued} checks are waiting (cache.max); new keys get the avatar unchecked until the queue drains`, {
          storage: name,
        }),
      );
      return undefined;
    }
    let resolveSettled!: (state: Existence) => void;
    const settled = new Promise<Existence>((resolve) => {
      resolveSettled = resolve;
    });
    const check: Check = {
      key,
      started: false,
      startedAt: 0,
      waitingSince: 0,
      answer: undefined,
      resolveAnswer: () => undefined,
      deadline: undefined,
      expired: false,
      settled,
      resolveSettled,
      current: true,
      counted: false,
    };
    checks.set(key, check);
    queue.push(check);
    pump();
    return check;
  }

  function pump(): void {
    while (running < concurrency && head < queue.length) {
      const next = queue[head++] as Check;
      void run(next);
    }
    // Drop the consumed front now and then, so the array does not grow with every check ever made.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  /** (Re)arms the callers' deadline: `timeout` after the check started, or after the first caller asked. */
  function arm(check: Check): void {
    if (check.answer === undefined || check.expired) return;
    clearTimeout(check.deadline);
    const from = check.started ? check.startedAt : check.waitingSince;
    const delay = from + timeout - Date.now();
    if (delay <= 0) expire(check);
    // Not unref'd: someone awaits this answer, the process must wait for it.
    else check.deadline = setTimeout(expire, delay, check);
  }

  function expire(check: Check): void {
    check.expired = true;
    check.deadline = undefined;
    check.resolveAnswer('fault');
    if (check.started) {
      const error = new LogoFallbackError('TIMEOUT', `${name} storage: no answer for ${JSON.stringify(check.key)} within ${timeout} ms`, { key: check.key, storage: name });
      report(error);
      // A render stopped waiting for a check that had its full `timeout`: the breaker counts it now.
      check.counted = true;
      breaker.failed(check, error);
    } else {
      report(
        new LogoFallbackError(
          'TIMEOUT',
          `${name} storage: more checks than "concurrency" (${concurrency}) can answer within "timeout" (${timeout} ms); renders got the avatar while their check waited in the queue — the checks go on and fill the cache for the next render`,
          { storage: name },
        ),
      );
    }
  }

  async function run(check: Check): Promise<void> {
    running++;
    check.started = true;
    check.startedAt = Date.now();
    arm(check);
    const { key } = check;
    // Unheld: the request's sockets do not keep the process alive; whoever waits holds it with
    // their own timer (arm(), prefetch()'s bound), and once nobody does a script can exit.
    const controller = unheldSignal();
    let hard: NodeJS.Timeout | undefined;
    type Outcome = { state: Existence; error?: LogoFallbackError; found?: Found; byStorage?: boolean };
    let outcome: Outcome;
    try {
      outcome = await new Promise<Outcome>((resolve) => {
        // The timer holds the controller and this promise until it fires or the check settles. It is
        // unref'd: an open request keeps the process alive anyway, and nothing else should.
        hard = setTimeout(() => {
          const error = new LogoFallbackError('TIMEOUT', `${name} storage: no answer for ${JSON.stringify(key)} within hardTimeout (${hardTimeout} ms); the check was aborted`, {
            key,
            storage: name,
          });
          controller.abort(error);
          resolve({ state: 'fault', error }); // also when the driver ignores its signal
        }, hardTimeout);
        hard.unref();
        Promise.resolve()
          .then(() => ask(key, controller.signal))
          .then(({ found, byStorage }) => ({ state: stateOfFound(found, name), found, byStorage }))
          .then(resolve, (error: unknown) => resolve({ state: 'fault', error: toLogoError(error, key, name) }));
      });
    } finally {
      clearTimeout(hard);
      running--;
    }
    if (checks.get(key) === check) checks.delete(key);
    if (!check.counted) {
      // A render that stopped waiting for it was counted then (expire). A fault counts against the
      // storage; an answer within `timeout` for it; a later one that nobody waited for neither way:
      // slow is not failing. A refusal of the key (INVALID_KEY) is an answer: the storage works.
      check.counted = true;
      const { state, error } = outcome;
      if (state === 'fault' && error?.code !== 'INVALID_KEY') breaker.failed(check, error);
      else if (Date.now() - check.startedAt <= timeout && outcome.byStorage !== false) breaker.succeeded();
      else breaker.inconclusive(check);
    }
    let answer: Existence = outcome.state;
    try {
      answer = onSettled(key, outcome.state, outcome.error, check.current, outcome.found);
    } catch {
      // Storing an answer cannot fail today; if it ever does, the waiting callers still get theirs.
    } finally {
      clearTimeout(check.deadline);
      check.resolveAnswer(answer);
      check.resolveSettled(answer);
      pump();
    }
  }

  function join(key: string): Check | undefined {
    return checks.get(key) ?? create(key);
  }

  return {
    start(key) {
      join(key);
    },
    wait(key) {
      const check = join(key);
      // While the breaker is open the check runs on in the background: the next render has its answer.
      if (check === undefined || check.expired || !breaker.admits(check)) return FAULT;
      if (check.answer === undefined) {
        check.answer = new Promise<Existence>((resolve) => {
          check.resolveAnswer = resolve;
        });
        check.waitingSince = Date.now();
        arm(check);
      }
      return check.answer;
    },
    settled(key) {
      const check = join(key);
      // prefetch() over a storage whose breaker is open starts its checks and does not wait for them.
      return check !== undefined && breaker.closed() ? check.settled : FAULT;
    },
    invalidate(key) {
      const forget = (check: Check): void => {
        // A queued check has not asked yet: its answer will be fresh, so it stays.
        if (!check.started) return;
        check.current = false;
        checks.delete(check.key);
      };
      if (key === undefined) for (const check of [...checks.values()]) forget(check);
      else {
        const check = checks.get(key);
        if (check !== undefined) forget(check);
      }
    },
  };
}
