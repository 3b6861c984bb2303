/**
 * The shape of a shared tier: a second existence cache that several replicas of an app share, and
 * an invalidation bus between them. The existence cache (src/cache.ts) asks it before the storage,
 * and only there: adapter → resolver → keys → cache → shared tier → storage.
 *
 * `redisShared()` (`logo-fallback/redis`) is the one this package ships; the interface is public so
 * that another backend (a different client, another store) can be plugged in the same way.
 */
import type { LogoFallbackError } from '../errors.js';

/** What one existence check found. */
export interface Found {
  /** The file is there and servable (the storage's `exists()`, or `stat()` found it). */
  readonly exists: boolean;
  /**
   * A short version of the file, from what the storage knows about it (ETag, size, modification
   * time), when the resolver's `version` option is on and the storage told anything.
   */
  readonly version?: string;
  /**
   * How much longer this answer is fresh, ms, when it is not new: an answer another replica found
   * keeps the rest of its window (so windows never add up across replicas). When absent the answer
   * is new and gets the whole window (`cache.ttl` or `cache.missTtl`).
   */
  readonly freshFor?: number;
}

/**
 * Asks the storage itself. Resolves with what it found; rejects with the storage's fault (which a
 * shared tier never shares: every replica finds a fault for itself).
 */
export type StorageCheck = (key: string, signal: AbortSignal) => Promise<Found>;

/** What a resolver's existence cache hands to a shared tier when it connects. */
export interface SharedTierContext {
  /** The storage driver's name, for messages (`'s3'`). */
  readonly storage: string;
  /** How long "present" is fresh, ms (the resolver's `cache.ttl`, at least 1: a tier is only connected to a cache that caches). */
  readonly ttl: number;
  /** How long "missing" is fresh, ms (`cache.missTtl`; 0: missing answers are not kept). */
  readonly missTtl: number;
  /** How long a render waits for one check, ms (the resolver's `timeout`). */
  readonly timeout: number;
  /** How many keys the local cache holds (`cache.max`): a bound for what the tier keeps per key. */
  readonly max: number;
  /** How long `onError` does not hear of the same problem again, ms. */
  readonly reportWindow: number;
  /** Hands an error to the resolver's `onError` (deduplicated within `reportWindow`). Never throws. */
  report(error: LogoFallbackError, subject?: string): void;
  /** Forgets the local answer for one key, or every local answer — without telling anyone else. */
  dropLocal(key?: string): void;
  /** Forgets every local answer that is not "present": after this replica was cut off from the bus. */
  dropMissing(): void;
}

/** One resolver's connection to a shared tier. Its methods never throw; `check` rejects only with the storage's own fault. */
export interface SharedTierConnection {
  /**
   * The answer for `key`: the one shared by the fleet when there is one, else `fromStorage`'s —
   * which the tier calls at most once, and shares when it is not a fault.
   */
  check(key: string, signal: AbortSignal, fromStorage: StorageCheck): Promise<Found>;
  /** Tells every other replica to forget `key` (or everything), and forgets the shared answer. */
  invalidate(key?: string): void;
}

/** A shared tier, as the resolver's `shared` option takes it (see `redisShared()` in `logo-fallback/redis`). */
export interface SharedTier {
  /** For messages: `'redis'`. */
  readonly name: string;
  /** Connects one resolver's cache; called once by `createLogoResolver`, whose construction fails (`INVALID_OPTION`) if it throws. */
  connect(context: SharedTierContext): SharedTierConnection;
}
