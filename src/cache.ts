/**
 * The existence cache: one storage check per key per window, shared by everyone who asks while it
 * runs (src/checks.ts runs them), answered within `timeout`, never letting a fault pass for
 * "missing" beyond `missTtl`, and never letting a fault turn a logo known present into an avatar
 * within `staleIfError`.
 *
 * A shared tier (the resolver's `shared` option) plugs in here and nowhere else: a check that the
 * local cache cannot answer asks it, and it asks the storage (cache → shared tier → storage).
 */
import { LRUCache } from 'lru-cache';
import type { BreakerSettings } from './breaker.js';
import { createCheckRunner, type Existence } from './checks.js';
import { entryOf, existenceOf, toLogoError } from './driver-answers.js';
import { LogoFallbackError, describeError } from './errors.js';
import type { Report } from './reports.js';
import type { Found, SharedTier, SharedTierConnection, StorageCheck } from './shared/types.js';
import type { Storage, StorageEntry } from './storage/types.js';
import { fileVersion, isVersion } from './url-version.js';

export type { Existence } from './checks.js';

/** Settings of the existence cache (the resolver's `cache`, `timeout` and `concurrency` options, resolved). */
export interface ExistenceCacheSettings {
  /** How long a "present" answer is fresh, ms; 0 disables caching altogether. */
  ttl: number;
  /** How long a "missing" (or fault) answer is kept, ms; 0 keeps none. */
  missTtl: number;
  /** How many keys are kept at most (and how many checks may wait in the queue). */
  max: number;
  /** How long a caller waits for one check, ms; then it gets the avatar. */
  timeout: number;
  /** How long a check may run, ms; then its request is aborted. */
  hardTimeout: number;
  /** How long past its `ttl` a logo known present is still served while re-checks fail, ms; 0: not at all. */
  staleIfError: number;
  /** How many checks run at once. */
  concurrency: number;
  /** Check with `storage.stat()` and keep the file's version with a "present" answer (the resolver's `version`). */
  version: boolean;
  /** The tier asked before the storage (the resolver's `shared`), or none. */
  shared: SharedTier | undefined;
  /** The storage's circuit breaker (src/breaker.ts), or `false`: renders always wait up to `timeout`. */
  breaker: BreakerSettings | false;
}

/** The cache's interface to the resolver. */
export interface ExistenceCache {
  /** The cached answer, without any I/O (a stale "present" starts its re-check in the background). */
  peek(key: string): Existence | undefined;
  /** A synchronous check through the driver's `existsSync`, cached; `undefined` when it has none. */
  checkSync(key: string): Existence | undefined;
  /** The answer, waiting at most `timeout` from the check's start (then `'fault'`); not at all while the breaker is open. Never rejects. */
  check(key: string): Promise<Existence>;
  /** Starts the check of a key in the background (a sync render that found nothing cached). */
  start(key: string): void;
  /** The answer whenever the storage gives it (at most `hardTimeout` from the check's start); `'fault'` at once unless the breaker is closed. Never rejects. */
  settled(key: string): Promise<Existence>;
  /** The version of a key's file, from its latest "present" answer (`version` on), else `undefined`. No I/O. */
  version(key: string): string | undefined;
  /**
   * The key's current entry while its answer needs no re-check (see {@link LiveAnswer}), for the
   * resolver's warm path to remember; `undefined` otherwise. No I/O, no recency update.
   */
  live(key: string): LiveAnswer | undefined;
  /**
   * Tells the cache that a warm call was answered from `follower`'s entry. The entry moves up the
   * cache's least-recently-used order before the next answer is stored (which is when an entry
   * can be evicted), so that eviction still spares what renders use, without an LRU lookup per call.
   */
  touch(follower: Follower): void;
  /** Forgets one key (and the answer of its running check), or everything — here and, through the shared tier, on every replica. */
  invalidate(key?: string): void;
  /**
   * Stores an answer the storage gave another way (a listing: `prefetch({ prefix })`), as a check's
   * answer is stored; `entry` is what the listing told of the file, for its version (`version` on).
   */
  fill(key: string, state: 'present' | 'missing', entry?: StorageEntry): void;
}

/** What the warm path keeps with an entry (see {@link LiveAnswer}). */
export interface Follower {
  /** The entry's key. */
  readonly key: string;
  /** A copy of the entry's `until`, set to 0 by the cache the moment the entry leaves. */
  until: number;
  /** Whether {@link ExistenceCache.touch} noted it since the cache last updated its LRU order. */
  used: boolean;
}

/**
 * What the resolver's warm path is told of an entry (src/answers.ts): what {@link ExistenceCache.peek}
 * answers for the key until `until`. The warm path attaches one {@link Follower} to it, holding a
 * copy of `until`, and the cache sets both to 0 the moment the entry stops being the key's —
 * replaced by a new answer, invalidated (here or through the shared tier's bus), or evicted — so
 * that a remembered answer is never served past a change, and a warm call reads one object.
 */
export interface LiveAnswer {
  /** What callers get: `'present'` also for a fault within stale-if-error. */
  readonly served: Existence;
  /** Until when (ms since the epoch, exclusive) `served` holds without a re-check; 0 once the entry left. */
  readonly until: number;
  /** The file's version, as {@link ExistenceCache.version} tells it. */
  readonly version: string | undefined;
  /** The warm path's follower of this entry, once it attached one. */
  follower: Follower | undefined;
}

/**
 * One key's latest answer. `fresh` ends its window (`ttl` or `missTtl`); `servableUntil`, on an
 * answer of "present" and on faults that followed one, is when a logo last seen present stops
 * being served although re-checks fail: `ttl + staleIfError` after it was last seen (RFC 5861's
 * stale-if-error, counted from when the answer went stale).
 */
interface Entry extends LiveAnswer {
  until: number;
  readonly state: Existence;
  readonly fresh: number;
  readonly servableUntil: number | undefined;
  /** The file's version while it is (or, within stale-if-error, was last seen) present. */
  readonly version: string | undefined;
}

/** An entry, with what {@link ExistenceCache.peek} answers for it while it is fresh and until when. */
function makeEntry(state: Existence, fresh: number, servableUntil: number | undefined, version: string | undefined, now: number): Entry {
  // A fault within stale-if-error serves the logo until the earlier of its window and stale-if-error's.
  const kept = state === 'fault' && servableUntil !== undefined && servableUntil > now;
  return { state, fresh, servableUntil, version, served: kept ? 'present' : state, until: kept ? Math.min(fresh, servableUntil) : fresh, follower: undefined };
}

/** How long an answer stays fresh: its whole `window`, or what is left of it when it came from the shared tier. */
function freshFor(found: Found | undefined, window: number): number {
  const left = found?.freshFor;
  return typeof left === 'number' && left >= 0 && left < window ? left : window;
}

/**
 * Builds the existence cache for one storage. `report` hears of every fault and timeout;
 * `reportWindow` (ms) is how long it keeps quiet about one problem, which a shared tier follows too.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` when the shared tier cannot connect (at construction).
 */
export function createExistenceCache(storage: Storage, settings: ExistenceCacheSettings, report: Report, reportWindow = 1000): ExistenceCache {
  const { ttl, missTtl, staleIfError } = settings;
  const enabled = ttl > 0;
  // An entry that leaves (replaced, deleted, cleared, evicted) tells the warm path at once.
  const entries = new LRUCache<string, Entry>({
    max: settings.max,
    dispose: (gone) => {
      gone.until = 0;
      if (gone.follower !== undefined) gone.follower.until = 0;
    },
  });
  // With `version`, a check is a stat(): what it tells is the version; no stat, no version.
  const stat = settings.version ? storage.stat?.bind(storage) : undefined;

  // Entries warm calls used since the last answer was stored: each once (`used`), so at most one per follower.
  let touched: Follower[] = [];
  /** Moves the entries warm calls used up the LRU order, as `get` would have on each call. */
  function catchUp(): void {
    const used = touched;
    touched = [];
    for (const follower of used) {
      follower.used = false;
      if (follower.until !== 0) entries.get(follower.key);
    }
  }

  /** Stores an answer and says what callers get: a fault within stale-if-error still serves the logo. */
  function settle(key: string, checked: Existence, error: LogoFallbackError | undefined, current: boolean, found?: Found): Existence {
    const now = Date.now();
    // The driver refused the key (a symlink out of its root): not a fault of the storage, so never
    // served within stale-if-error — it replaces a logo known present at once, as "missing" does —
    // but reported, and kept for `missTtl` as a fault is.
    const state: Existence = checked === 'fault' && error?.code === 'INVALID_KEY' ? 'unsafe' : checked;
    const previous = enabled ? entries.peek(key) : undefined;
    let entry: Entry | undefined;
    let served = state;
    if (state === 'present') {
      const fresh = now + freshFor(found, ttl);
      const version = settings.version && found?.version !== undefined && isVersion(found.version) ? found.version : undefined;
      entry = makeEntry(state, fresh, staleIfError > 0 ? fresh + staleIfError : undefined, version, now);
    } else if (state === 'missing') {
      const window = freshFor(found, missTtl);
      entry = window > 0 ? makeEntry(state, now + window, undefined, undefined, now) : undefined;
    } else if (state === 'unsafe') {
      entry = missTtl > 0 ? makeEntry(state, now + missTtl, undefined, undefined, now) : undefined;
      if (error !== undefined) report(error);
    } else {
      const keep = previous !== undefined && previous.state !== 'missing' && previous.servableUntil !== undefined && previous.servableUntil > now;
      const servableUntil = keep ? previous.servableUntil : undefined;
      entry = missTtl > 0 || keep ? makeEntry(state, now + missTtl, servableUntil, keep ? previous.version : undefined, now) : undefined;
      if (keep) served = 'present';
      // Within stale-if-error, the first fault is reported and the ones after it are not.
      // The error's own key is its subject: a driver's error without one (ROOT_MISSING) is about the whole storage.
      if (error !== undefined && !(keep && previous.state === 'fault')) report(error);
    }
    if (enabled && current) {
      if (touched.length > 0) catchUp();
      if (entry === undefined) entries.delete(key);
      else entries.set(key, entry);
    }
    return served;
  }

  const fromStorage: StorageCheck =
    stat === undefined
      ? async (key, signal) => ({ exists: existenceOf(await storage.exists(key, signal), storage.name, 'exists') })
      : async (key, signal) => {
          const entry = entryOf(await stat(key, signal), storage.name);
          const version = entry === undefined ? undefined : fileVersion(entry);
          return entry === undefined ? { exists: false } : version === undefined ? { exists: true } : { exists: true, version };
        };

  /** Forgets what this replica knows of one key (or everything), telling no one. */
  function dropLocal(key?: string): void {
    runner.invalidate(key);
    if (key === undefined) entries.clear();
    else entries.delete(key);
  }

  function connectShared(tier: SharedTier): SharedTierConnection {
    let connection: unknown;
    try {
      connection = tier.connect({
        storage: storage.name,
        ttl,
        missTtl,
        timeout: settings.timeout,
        max: settings.max,
        reportWindow,
        report,
        dropLocal,
        dropMissing() {
          // A logo served within stale-if-error (a fault after "present") is kept: only what said "no logo" goes.
          const drop = [...entries.entries()].filter(([, entry]) => entry.state === 'missing' || entry.state === 'unsafe' || (entry.state === 'fault' && entry.servableUntil === undefined));
          for (const [key] of drop) entries.delete(key);
        },
      });
      const { check, invalidate } = connection as Partial<SharedTierConnection>;
      if (typeof check !== 'function' || typeof invalidate !== 'function') throw new Error('its connect() returned no check() and invalidate()');
    } catch (cause) {
      throw new LogoFallbackError('INVALID_OPTION', `createLogoResolver(): the shared tier could not connect: ${describeError(cause)}`, { cause });
    }
    return connection as SharedTierConnection;
  }

  let shared: SharedTierConnection | undefined;
  const runner = createCheckRunner(
    storage,
    async (key, signal) => {
      if (shared === undefined) return { found: await fromStorage(key, signal), byStorage: true };
      let byStorage = false;
      const found = await shared.check(key, signal, (asked, abort) => {
        byStorage = true;
        return fromStorage(asked, abort);
      });
      return { found, byStorage };
    },
    { timeout: settings.timeout, hardTimeout: settings.hardTimeout, concurrency: settings.concurrency, maxQueued: settings.max, breaker: settings.breaker },
    settle,
    report,
  );
  // Without a cache there is nothing to share: every render asks the storage, as configured.
  if (enabled && settings.shared !== undefined) shared = connectShared(settings.shared);

  function peek(key: string): Existence | undefined {
    if (!enabled) return undefined;
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    const now = Date.now();
    const servable = entry.servableUntil !== undefined && entry.servableUntil > now;
    if (now < entry.fresh) return entry.state === 'fault' && servable ? 'present' : entry.state;
    // Past its window. A logo that was there is still served while one re-check runs
    // (stale-while-revalidate), and while re-checks fail within stale-if-error; a stale "missing" or
    // fault is never served: the caller checks again, as `missTtl` promises.
    if (entry.state === 'present' || servable) {
      runner.start(key);
      return 'present';
    }
    return undefined;
  }

  return {
    peek,
    checkSync(key) {
      // A synchronous check tells no version: with `version` on, the asynchronous stat() answers.
      if (storage.existsSync === undefined || stat !== undefined) return undefined;
      let state: Existence;
      let error: LogoFallbackError | undefined;
      try {
        state = existenceOf(storage.existsSync(key), storage.name, 'existsSync') ? 'present' : 'missing';
      } catch (cause) {
        state = 'fault';
        error = toLogoError(cause, key, storage.name);
      }
      return settle(key, state, error, true);
    },
    check: (key) => runner.wait(key),
    start: (key) => runner.start(key),
    settled: (key) => runner.settled(key),
    fill(key, state, entry) {
      const version = state === 'present' && entry !== undefined ? fileVersion(entry) : undefined;
      settle(key, state, undefined, true, { exists: state === 'present', ...(version === undefined ? {} : { version }) });
    },
    version: (key) => (enabled ? entries.peek(key)?.version : undefined),
    touch(follower) {
      follower.used = true;
      touched.push(follower);
    },
    live(key) {
      const current = enabled ? entries.peek(key) : undefined;
      return current !== undefined && Date.now() < current.until ? current : undefined;
    },
    invalidate(key) {
      dropLocal(key);
      shared?.invalidate(key);
    },
  };
}
