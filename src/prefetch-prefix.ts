/**
 * `prefetch({ prefix })`: one listing of the storage fills the existence cache for every file under
 * a key prefix (issue 11 §6). A sync engine (Handlebars) cannot wait for remote storage; one call at
 * start-up makes its renders right the first time for one request per 1,000 keys (S3's
 * `ListObjectsV2`) instead of one `HEAD` per key — the approach of rclone and of orphan scanners.
 *
 * What a listing proves, and what it does not:
 * - a listed key with `size > 0` is present; with `size: 0` it is missing (an empty file is never
 *   present, as `exists()` says); a listed key without a size (a driver that cannot tell) is left
 *   to the ordinary check;
 * - a key under the prefix that is NOT listed is left unknown, not cached as missing: the listing
 *   names what exists, not what is asked for, and a sync render of an unknown key prints the avatar
 *   anyway (the right answer for a missing file) while one check fills the cache for the next.
 */
import type { ExistenceCache } from './cache.js';
import { LogoFallbackError, describeError, describeValue, isLogoFallbackError } from './errors.js';
import { MAX_REFERENCE_LENGTH, keyProblem } from './keys.js';
import type { Report } from './reports.js';
import type { Storage, StorageEntry } from './storage/types.js';

/** What the listings need of the resolver's settings. */
export interface PrefixListingSettings {
  /** `cache.max`: how many listed keys are stored at most (more would evict the first ones). */
  readonly max: number;
  /** `cache.ttl`: 0 means no cache, and so nothing a listing could fill. */
  readonly ttl: number;
  /** `cache.hardTimeout`, ms: a listing that yields nothing for this long is aborted. */
  readonly hardTimeout: number;
}

/** The resolver's listings. */
export interface PrefixListings {
  /** Lists `prefix` and fills the cache. Never rejects: every problem goes to `report`. */
  run(prefix: unknown): Promise<void>;
  /** Tells the listings in flight that `key` (or everything) was invalidated: they must not store it. */
  invalidate(key?: string): void;
}

const OWNER = 'prefetch({ prefix })';

/** One listing in flight: what was invalidated since it started, so that it does not store an older answer. */
interface Running {
  all: boolean;
  readonly keys: Set<string>;
}

/** Builds the listings of one resolver. */
export function createPrefixListings(storage: Storage, cache: ExistenceCache, settings: PrefixListingSettings, report: Report): PrefixListings {
  const running = new Set<Running>();
  const { max, hardTimeout } = settings;

  function refuse(message: string): void {
    report(new LogoFallbackError('INVALID_OPTION', `${OWNER}: ${message}`, { storage: storage.name }));
  }

  async function run(prefix: unknown): Promise<void> {
    if (typeof prefix !== 'string') return refuse(`"prefix" must be a storage key prefix such as "base/company/icon/" ('' for every key), got ${describeValue(prefix)}`);
    const problem = prefix.length > MAX_REFERENCE_LENGTH ? 'is too long' : prefix === '' ? undefined : keyProblem(`${prefix}x`);
    if (problem !== undefined) return refuse(`no safe key can start with the prefix ${describeValue(prefix)}: it ${problem}`);
    if (typeof storage.list !== 'function') {
      return refuse(`the ${storage.name} storage cannot list its files (it has no list(); HTTP storage never can): nothing was prefetched — prefetch the records instead, prefetch(records)`);
    }
    if (settings.ttl === 0) return; // no cache: nothing to fill, so nothing to ask
    await list(prefix, storage.list.bind(storage));
  }

  async function list(prefix: string, listing: NonNullable<Storage['list']>): Promise<void> {
    const state: Running = { all: false, keys: new Set() };
    const controller = new AbortController();
    let seen = 0;
    let idle: NodeJS.Timeout | undefined;
    // Resolves when the listing stalls: a driver that ignores its signal cannot hold the caller.
    const stalled = new Promise<'stalled'>((resolve) => {
      idle = setTimeout(() => {
        const error = new LogoFallbackError('TIMEOUT', `${storage.name} storage: listing ${describeValue(prefix)} gave nothing for hardTimeout (${hardTimeout} ms), after ${seen} keys; it was aborted`, { key: prefix, storage: storage.name });
        controller.abort(error);
        resolve('stalled');
        report(error, `list:${prefix}`);
      }, hardTimeout);
    });

    async function fill(): Promise<void> {
      for await (const entry of listing(prefix, controller.signal, { stat: true }) as AsyncIterable<StorageEntry>) {
        if (controller.signal.aborted) return;
        idle?.refresh();
        if (++seen > max) {
          refuse(`the ${storage.name} storage has more than cache.max (${max}) files under ${describeValue(prefix)}: the first ${max} were stored and the listing stopped; raise cache.max above the number of files, or prefetch a narrower prefix`);
          return; // leaving the loop ends the listing (its iterator's return())
        }
        const { key, size } = entry;
        // A driver's listing is trusted no more than a template: only keys under the prefix that the key rules accept.
        if (typeof key !== 'string' || !key.startsWith(prefix) || keyProblem(key) !== undefined || typeof size !== 'number' || !(size >= 0)) continue;
        if (state.all || state.keys.has(key)) continue;
        cache.fill(key, size > 0 ? 'present' : 'missing', entry);
      }
    }

    running.add(state);
    try {
      await Promise.race([fill(), stalled]);
    } catch (cause) {
      // A stalled listing was reported when it was aborted; its iterator's late error is the same fault.
      if (!controller.signal.aborted) {
        report(isLogoFallbackError(cause) ? cause : new LogoFallbackError('STORAGE_FAILED', `${storage.name} storage: listing ${describeValue(prefix)} failed: ${describeError(cause)}`, { cause, key: prefix, storage: storage.name }), `list:${prefix}`);
      }
    } finally {
      clearTimeout(idle);
      running.delete(state);
    }
  }

  return {
    run,
    invalidate(key) {
      for (const state of running) {
        // The set is bounded like the cache: past it, the listing stores nothing more.
        if (key === undefined || state.keys.size >= max) state.all = true;
        else state.keys.add(key);
      }
    },
  };
}
