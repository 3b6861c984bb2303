/**
 * The resolver's `prefetch()`: the checks of many records (or file values) at once, so that sync
 * renders are right the first time, bounded by `concurrency` and, as a whole, by `hardTimeout`;
 * or, for `{ prefix }`, one listing of the storage (src/prefetch-prefix.ts).
 */
import type { ExistenceCache, ExistenceCacheSettings } from './cache.js';
import { LogoFallbackError, describeError, isLogoFallbackError } from './errors.js';
import { booleanOption, checkKnownKeys, numberOption, optionKeys, readOptions, showValue } from './options.js';
import type { PrefixListings } from './prefetch-prefix.js';
import { isRecord, readCallOption, readFailures, readField, type ReadFailures } from './records.js';
import type { Report } from './reports.js';
import type { LogoResolver, PrefetchOptions, PrefetchPrefix } from './resolver-types.js';

const OWNER = 'prefetch()';
const PREFETCH_KEYS = optionKeys<PrefetchOptions>()(['files', 'concurrency']);
const PREFIX_KEYS = optionKeys<PrefetchPrefix>()(['prefix']);

/** A list whose iteration threw (a generator that throws, a Proxy whose traps throw): the caller's data, not the storage's fault. */
const unreadable = (cause: unknown, what = 'the list'): LogoFallbackError =>
  new LogoFallbackError('INVALID_RECORD', `${OWNER}: reading ${what} threw: ${describeError(cause)}`, { cause });

/** What `prefetch()` uses of its resolver. */
export interface PrefetchContext {
  readonly cache: ExistenceCache;
  readonly listings: PrefixListings;
  readonly settings: Pick<ExistenceCacheSettings, 'concurrency' | 'hardTimeout'>;
  /** The record fields that hold the file. */
  readonly fileFields: readonly string[];
  /** The storage key of a file value, if it names one (refused references are reported). */
  keyOf(file: unknown, failures: ReadFailures): string | undefined;
  readonly report: Report;
  /** Makes the call's one report of what threw while reading its arguments. */
  reportRead(failures: ReadFailures): void;
}

/** Builds `prefetch()` for one resolver (see {@link LogoResolver.prefetch}). Never throws, never rejects. */
export function createPrefetch(context: PrefetchContext): LogoResolver['prefetch'] {
  const { cache, listings, settings, fileFields, keyOf, report, reportRead } = context;
  return async function prefetch(items: Iterable<unknown> | PrefetchPrefix | null | undefined, prefetchOptions?: PrefetchOptions): Promise<void> {
    const failures = readFailures();
    let timer: NodeJS.Timeout | undefined;
    try {
      const options = readOptions<PrefetchOptions>(prefetchOptions ?? undefined, PREFETCH_KEYS, 'its options', OWNER);
      const files = booleanOption(options.files, 'files', OWNER, false);
      const concurrency = numberOption(options.concurrency, 'concurrency', OWNER, { min: 1, max: 1024, fallback: settings.concurrency, integer: true });
      if (items === null || items === undefined) return;
      if (typeof items === 'string') {
        throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: got the string ${showValue(items)}; pass a list of ${files ? 'file values' : 'records'} (an array), or { prefix } to list the storage`);
      }
      const keys = new Set<string>();
      let iterator: Iterator<unknown> | undefined;
      try {
        const iterate = (items as Partial<Iterable<unknown>>)[Symbol.iterator];
        if (typeof iterate === 'function') iterator = iterate.call(items) as Iterator<unknown>;
      } catch (error) {
        throw unreadable(error);
      }
      if (iterator === undefined) {
        // Not a list: the listing form, `{ prefix }` — no other key (a typo such as `prefx` is named).
        // Reading it is reading the caller's data: a throwing trap or getter is an INVALID_RECORD.
        try {
          Object.keys(items);
        } catch (error) {
          throw unreadable(error, 'its argument');
        }
        checkKnownKeys(items, PREFIX_KEYS, 'its argument', OWNER);
        const prefix = readCallOption(items, 'prefix', failures);
        if (prefix !== undefined) await listings.run(prefix);
        return;
      }
      for (;;) {
        let item: unknown;
        try {
          const step = iterator.next();
          if (step.done === true) break;
          item = step.value;
        } catch (error) {
          // What was read before the throw is still checked.
          report(unreadable(error));
          break;
        }
        const file = files ? item : isRecord(item) ? readField(item, fileFields, failures) : undefined;
        const key = keyOf(file, failures);
        if (key !== undefined && cache.peek(key) === undefined) keys.add(key);
      }
      const queue = keys.values();
      let stopped = false;
      const worker = async (): Promise<void> => {
        for (let next = queue.next(); !next.done && !stopped; next = queue.next()) await cache.settled(next.value);
      };
      // Every check is bounded by hardTimeout, and so is the whole prefetch: the rest go on in the background.
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, settings.hardTimeout);
      });
      await Promise.race([Promise.all(Array.from({ length: Math.min(concurrency, keys.size) }, worker)), deadline]);
      stopped = true;
    } catch (cause) {
      report(isLogoFallbackError(cause) ? cause : new LogoFallbackError('STORAGE_FAILED', `prefetch() failed: ${describeError(cause)}`, { cause }));
    } finally {
      clearTimeout(timer);
      reportRead(failures);
    }
  };
}
