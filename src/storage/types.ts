/**
 * Where the files live. A driver is a factory returning a plain object that implements this
 * interface (`fsStorage(options)`); it checks its required options at construction.
 */
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
   * Whether the object exists. Resolves `false` for "missing"; rejects for a fault (permissions,
   * network, a refused key). `signal` aborts a check nobody waits for any more.
   */
  exists(key: string, signal?: AbortSignal): Promise<boolean>;
  /** A synchronous check, only where it is cheap and local (the fs driver). */
  existsSync?(key: string): boolean;
  /**
   * The public URL of a key: the base URL plus the key, each segment percent-encoded. The resolver
   * memoises it when the storage declares a `baseUrl`; a storage whose URLs change over time
   * (presigned URLs) must leave `baseUrl` undefined, and is then asked on every answer.
   */
  url(key: string): string;
}
