/**
 * The existence cache: one storage check per key per window, shared by everyone who asks while it
 * runs, answered within `timeout`, and never letting a fault pass for "missing" beyond `missTtl`.
 */
import { LRUCache } from 'lru-cache';
import { LogoFallbackError } from './errors.js';
import type { Storage } from './storage/types.js';

/** What a check found: the file is there, it is not, or the storage could not say. */
export type Existence = 'present' | 'missing' | 'fault';

/** Settings of the existence cache (the resolver's `cache` option, resolved). */
export interface ExistenceCacheSettings {
  /** How long a "present" answer is kept, ms; 0 disables caching altogether. */
  ttl: number;
  /** How long a "missing" (or fault) answer is kept, ms; 0 keeps none. */
  missTtl: number;
  /** How many keys are kept at most. */
  max: number;
  /** How long a caller waits for one check, ms; then it gets the avatar. */
  timeout: number;
  /** How long a check may run on in the background after `timeout`, ms; then its signal aborts it. */
  hardTimeout: number;
}

/** The cache's interface to the resolver. */
export interface ExistenceCache {
  /** The cached answer, without any I/O. */
  peek(key: string): Existence | undefined;
  /** A synchronous check through the driver's `existsSync`, cached; `undefined` when it has none. */
  checkSync(key: string): Existence | undefined;
  /** The answer, waiting for storage at most `timeout` ms (then `'fault'`). Never rejects. */
  check(key: string): Promise<Existence>;
  /** Forgets one key (and drops its running check), or everything. */
  invalidate(key?: string): void;
}

function toLogoError(error: unknown, key: string, storage: Storage): LogoFallbackError {
  if (error instanceof LogoFallbackError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new LogoFallbackError('STORAGE_FAILED', `${storage.name} storage: checking ${JSON.stringify(key)} failed: ${detail}`, {
    cause: error,
    key,
    storage: storage.name,
  });
}

/** Builds the existence cache for one storage. `report` hears of every fault and timeout. */
export function createExistenceCache(
  storage: Storage,
  settings: ExistenceCacheSettings,
  report: (error: LogoFallbackError) => void,
): ExistenceCache {
  const { ttl, missTtl, timeout, hardTimeout } = settings;
  const enabled = ttl > 0;
  const ttlOf = (state: Existence): number => (state === 'present' ? ttl : missTtl);

  async function ask(key: string, signal: AbortSignal): Promise<Existence> {
    try {
      return (await storage.exists(key, AbortSignal.any([signal, AbortSignal.timeout(hardTimeout)]))) ? 'present' : 'missing';
    } catch (error) {
      // An aborted check (invalidated, or past the hard limit) is not the storage's fault.
      if (!signal.aborted) report(toLogoError(error, key, storage));
      return 'fault';
    }
  }

  const lru = new LRUCache<string, Existence>({
    max: settings.max,
    ttl: Math.max(ttl, missTtl, 1),
    ttlAutopurge: false,
    // A stale entry stays until its re-check replaces it, so that `peek` can still serve it.
    noDeleteOnStaleGet: true,
    // lru-cache shares one running fetch between every caller of the same key.
    fetchMethod: async (key, _stale, { signal, options }) => {
      const state = await ask(key, signal);
      options.ttl = ttlOf(state);
      return state;
    },
  });

  /** Checks past their `timeout`, shared so that callers who join late keep the first deadline. */
  const deadlines = new Map<string, Promise<Existence>>();

  function store(key: string, state: Existence): Existence {
    if (enabled && ttlOf(state) > 0) lru.set(key, state, { ttl: ttlOf(state) });
    return state;
  }

  function startCheck(key: string): Promise<Existence> {
    if (!enabled) {
      const controller = new AbortController();
      return ask(key, controller.signal);
    }
    return lru.fetch(key).then(
      (state) => {
        // A zero window keeps nothing: lru-cache reads a ttl of 0 as "forever".
        if (state !== undefined && ttlOf(state) === 0) lru.delete(key);
        return state ?? 'fault';
      },
      () => 'fault' as const,
    );
  }

  function check(key: string): Promise<Existence> {
    const running = deadlines.get(key);
    if (running !== undefined) return running;
    const result = new Promise<Existence>((resolve) => {
      const timer = setTimeout(() => {
        report(
          new LogoFallbackError('TIMEOUT', `${storage.name} storage: no answer for ${JSON.stringify(key)} within ${timeout} ms`, {
            key,
            storage: storage.name,
          }),
        );
        resolve('fault');
      }, timeout); // not unref'd: someone awaits this answer, the process must wait for it
      void startCheck(key).then((state) => {
        clearTimeout(timer);
        resolve(state);
      });
    });
    deadlines.set(key, result);
    void result.then(() => {
      if (deadlines.get(key) === result) deadlines.delete(key);
    });
    return result;
  }

  /**
   * Stale-while-revalidate, for "present" only: past its `ttl` a logo that was there is still
   * served while one re-check runs (at most `hardTimeout`), so pages do not flicker to the avatar
   * (sync renders) or wait (async ones) every `ttl`. A stale "missing" or fault is never served:
   * the caller checks again, as `missTtl` promises.
   */
  function peek(key: string): Existence | undefined {
    if (!enabled) return undefined;
    const fresh = lru.get(key);
    if (fresh !== undefined) return fresh;
    const status: LRUCache.Status<string, Existence> = {};
    const stale = lru.get(key, { allowStale: true, status });
    if (stale !== 'present') return undefined;
    if (status.get === 'stale') void check(key);
    return stale;
  }

  return {
    peek,
    checkSync(key) {
      if (storage.existsSync === undefined) return undefined;
      try {
        return store(key, storage.existsSync(key) ? 'present' : 'missing');
      } catch (error) {
        report(toLogoError(error, key, storage));
        return store(key, 'fault');
      }
    },
    check,
    invalidate(key) {
      if (key === undefined) {
        lru.clear();
        deadlines.clear();
      } else {
        lru.delete(key);
        deadlines.delete(key);
      }
    },
  };
}
