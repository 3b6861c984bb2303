/**
 * Where the files live. A driver is a factory returning a plain object that implements this
 * interface (`fsStorage(options)`); it checks its required options at construction.
 */

/**
 * One stored object, as {@link Storage.stat} or {@link Storage.list} reports it. Only what the
 * storage knows without reading the object: fields it cannot tell are left out.
 */
export interface StorageEntry {
  /** The object's storage key (`base/company/icon/acme.png`): relative, `/`-separated, not encoded. */
  readonly key: string;
  /** The object's size in bytes. A 0-byte object is never "present" (a browser cannot draw it). */
  readonly size?: number;
  /** When the object was last modified, in ms since the Unix epoch. */
  readonly modified?: number;
  /** The storage's validator for this version of the object (an S3 or HTTP `ETag`), quotes removed; a weak one keeps `W/`. */
  readonly etag?: string;
}

export interface Storage {
  /** The driver's name, for messages: `'fs'`, `'http'`, `'s3'`, … */
  readonly name: string;
  /**
   * The public base URL of the storage, with a trailing slash. References that start with it are
   * recognised as "ours" and checked by their key (Horilla keeps `/media/…` URLs in its session).
   */
  readonly baseUrl?: string;
  /** The absolute root directory of a local storage, so that absolute paths inside it are recognised. */
  readonly root?: string;
  /**
   * Whether the object exists and could be served: a non-empty file (or object) the server can read.
   * Resolves `false` for "missing" (also a directory, or an empty file); rejects for a fault
   * (permissions, network, a refused key). `signal` aborts a check nobody waits for any more.
   */
  exists(key: string, signal?: AbortSignal): Promise<boolean>;
  /** A synchronous check, only where it is cheap and local (the fs driver). */
  existsSync?(key: string): boolean;
  /**
   * Optional: what the storage knows about a present object (size, modification time, ETag), or
   * `undefined` when it is missing — by the same rules as {@link Storage.exists}. Rejects for a fault.
   */
  stat?(key: string, signal?: AbortSignal): Promise<StorageEntry | undefined>;
  /**
   * Optional, for drivers that can enumerate (fs, S3, unstorage; not HTTP): every file under
   * `prefix` — a key prefix, not only a directory: `'base/company/icon/'`, `'base/company/icon/ac'`,
   * `''` for all — in no particular order, each key once. Directories are not entries; empty files
   * are (with `size: 0`), so that a caller can apply the "present" rule. Keys that break the key
   * rules (and, for fs, symlinks resolving outside the root) are skipped, so that every listed key is
   * one {@link Storage.exists} would accept.
   *
   * `size` and `modified` come with every entry where the listing itself carries them (S3); where
   * each would cost one more request or syscall per file (fs, unstorage), only when
   * `options.stat` is `true` — without it an fs walk reads directories only, which is what makes
   * listing cheaper than one check per key.
   *
   * Throws (from the iterator) `STORAGE_FAILED` for a fault, `INVALID_KEY` for an unsafe prefix,
   * `ROOT_MISSING` when a local root does not exist. `signal` stops the listing with a fault.
   */
  list?(prefix: string, signal?: AbortSignal, options?: { readonly stat?: boolean }): AsyncIterable<StorageEntry>;
  /**
   * The public URL of a key: the base URL plus the key, each segment percent-encoded. The resolver
   * memoises it when the storage declares a `baseUrl`; a storage whose URLs change over time
   * (presigned URLs) must leave `baseUrl` undefined, and is then asked on every answer.
   */
  url(key: string): string;
}
