/**
 * "List once, merge": the storage's files under a prefix are listed once (S3 `ListObjectsV2`,
 * 1,000 keys a request; a directory walk on disk) and every record's key is looked up in that
 * listing instead of being checked on its own. Memory is bounded by the listing: one entry per
 * file (a `Set` of keys; with orphans, a `Map` of keys to size, time and "referenced").
 */
import { fsInternals } from '../storage/fs.js';
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
  /** How many files were listed. */
  readonly listed: number;
  /** With `keepFiles`: every listed file by key (empty ones included), for the orphans. */
  readonly files: ReadonlyMap<string, ListedFile> | undefined;
  /** How many checks were answered from the listing (the rest, outside the prefix, went to `fallback`). */
  readonly answered: number;
}

/** What {@link listingChecker} lists, and what it does with keys outside the listing. */
export interface ListingOptions {
  prefix: string;
  /**
   * Answers keys outside the prefix — and, with `confirmMissing`, keys the listing does not show
   * as present.
   */
  fallback: Checker;
  /**
   * Ask `fallback` about every key the listing lacks, instead of calling it missing: where a check
   * is cheap (local disk) this makes the verdicts the same as per-key checks in every case, also
   * where a listing cannot say why a file is absent (a symlink out of the root is refused, not
   * missing; a file created since the walk is present).
   */
  confirmMissing: boolean;
  /** Keep every file's size and time, and note which are referenced (`--orphans`). */
  keepFiles: boolean;
  /** Called as files come in (for a progress line). */
  onEntry?: ((count: number) => void) | undefined;
}

/**
 * Lists the prefix and returns a checker over the result. Sizes are asked for (`{ stat: true }`,
 * one `lstat` per file on disk, free on S3) because "present" means a non-empty file, as `exists`
 * has it: a listing that counted an empty file as present would disagree with a check of that key.
 * Rejects when the listing fails: a listing that may be incomplete cannot say "missing".
 */
export async function listingChecker(storage: Storage & Required<Pick<Storage, 'list'>>, options: ListingOptions): Promise<ListingChecker> {
  const { prefix, fallback, keepFiles, onEntry, confirmMissing } = options;
  const present = new Set<string>();
  const files = keepFiles ? new Map<string, ListedFile>() : undefined;
  let listed = 0;
  const take = (entry: StorageEntry): void => {
    listed++;
    if (entry.size !== 0) present.add(entry.key);
    files?.set(entry.key, { size: entry.size, modified: entry.modified, referenced: false });
    if ((listed & 1023) === 0) onEntry?.(listed);
  };
  // The local disk's walk is read synchronously: the audit waits for it anyway, and a promise per
  // listed file would cost more than the file's own system call.
  const walk = fsInternals(storage)?.listSync(prefix, { stat: true });
  if (walk !== undefined) for (const entry of walk) take(entry);
  else for await (const entry of storage.list(prefix, undefined, { stat: true })) take(entry);
  let answered = 0;
  return {
    prefix,
    listed,
    files,
    get answered() {
      return answered;
    },
    check(key): Outcome | Promise<Outcome> {
      if (!key.startsWith(prefix)) return fallback.check(key);
      answered++;
      const file = files?.get(key);
      if (file !== undefined) file.referenced = true;
      if (present.has(key)) return PRESENT;
      return confirmMissing ? fallback.check(key) : MISSING;
    },
    close() {
      fallback.close();
    },
  };
}
