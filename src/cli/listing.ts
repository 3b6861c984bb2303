/**
 * "List once, merge": the storage's files under a prefix are listed once (S3 `ListObjectsV2`,
 * 1,000 keys a request; a directory walk on disk) and every record's key is looked up in that
 * listing instead of being checked on its own. Memory is bounded by the listing: one entry per file.
 */
import type { Storage, StorageEntry } from '../storage/types.js';
import { MISSING, PRESENT, type Checker, type Outcome } from './checks.js';

/** A listed file, and whether a record referenced it (for `--orphans`). */
export interface ListedFile {
  /** Bytes; `undefined` when the storage did not say. */
  readonly size: number | undefined;
  /** Last modification, ms since the Unix epoch; `undefined` when the storage did not say. */
  readonly modified: number | undefined;
  referenced: boolean;
}

/** A checker that answers from a listing, and the listing itself. */
export interface ListingChecker extends Checker {
  /** The prefix listed (`''`: the whole storage). */
  readonly prefix: string;
  /** Every listed file by key. */
  readonly files: ReadonlyMap<string, ListedFile>;
  /** How many checks were answered from the listing (the rest, outside the prefix, went to `fallback`). */
  readonly answered: number;
}

/**
 * Lists `prefix` (progress through `onEntry`) and returns a checker over the result. Keys outside
 * the prefix are handed to `fallback`. A 0-byte file counts as missing, as `exists` has it (a
 * browser cannot draw it). Rejects when the listing fails.
 */
export async function listingChecker(
  storage: Storage & Required<Pick<Storage, 'list'>>,
  prefix: string,
  fallback: Checker,
  onEntry?: (count: number) => void,
): Promise<ListingChecker> {
  const files = new Map<string, ListedFile>();
  for await (const entry of storage.list(prefix) as AsyncIterable<StorageEntry>) {
    files.set(entry.key, { size: entry.size, modified: entry.modified, referenced: false });
    onEntry?.(files.size);
  }
  let answered = 0;
  return {
    prefix,
    files,
    get answered() {
      return answered;
    },
    check(key): Outcome | Promise<Outcome> {
      if (!key.startsWith(prefix)) return fallback.check(key);
      answered++;
      const file = files.get(key);
      if (file === undefined) return MISSING;
      file.referenced = true;
      return file.size === 0 ? MISSING : PRESENT;
    },
    close() {
      fallback.close();
    },
  };
}
