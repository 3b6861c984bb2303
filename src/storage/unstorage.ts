/**
 * Any unstorage driver (Azure Blob, GCS, Redis, Netlify Blobs, …) through `hasItem`. unstorage is an
 * optional peer dependency: nothing is imported from it, the storage is only called.
 */
import { LogoFallbackError } from '../errors.js';
import { encodeKey } from '../keys.js';
import { normalizeBaseUrl, numberOption } from '../options.js';
import { assertSafeKey, storageFault } from './guards.js';
import type { Storage } from './types.js';

/** The part of an unstorage `Storage` (from `createStorage()`) this driver uses. */
export interface UnstorageLike {
  hasItem(key: string): Promise<boolean> | boolean;
}

/** Options of {@link unstorageStorage}. */
export interface UnstorageStorageOptions {
  /** The public URL the files are served under: `/media/` or `https://cdn.example.com/media/`. */
  baseUrl: string;
  /**
   * How long one `hasItem` may take, ms; then it is a fault. (unstorage has no way to cancel a
   * call: the driver's own request runs on, but nobody waits for it.)
   * @default 10_000
   */
  timeout?: number;
}

const SPECIAL = /[%:?]/g;
const ESCAPES: Record<string, string> = { '%': '%25', ':': '%3A', '?': '%3F' };

/**
 * The unstorage key for a storage key. unstorage reads `/`, `\` and `:` all as separators and drops
 * everything from a `?` on, so `a:b` would alias `a/b` and `logo?v=2.png` would alias `logo`. Keys
 * are therefore translated one-to-one: segments are joined with `:` (as unstorage does itself) and
 * `%`, `:` and `?` inside a segment are percent-encoded. A key without those three characters maps
 * to exactly what unstorage makes of it anyway (`base/icon/a.png` → `base:icon:a.png`); upload a file
 * whose name has them under `unstorageKey(key)` so that the check finds it.
 *
 * @example
 * ```ts
 * unstorageKey('base/icon/a.png');   // 'base:icon:a.png'
 * unstorageKey('base/logo?v=2.png'); // 'base:logo%3Fv=2.png'
 * ```
 */
export function unstorageKey(key: string): string {
  return key
    .split('/')
    .map((segment) => segment.replace(SPECIAL, (c) => ESCAPES[c] ?? c))
    .join(':');
}

/**
 * Checks files through an unstorage storage's `hasItem` (see {@link unstorageKey} for how keys are
 * translated); a thrown error or a timeout is a `STORAGE_FAILED` fault. `url(key)` is
 * `baseUrl + key`, each segment percent-encoded.
 *
 * @example
 * ```ts
 * import { createStorage } from 'unstorage';
 * import azureBlob from 'unstorage/drivers/azure-storage-blob';
 * const storage = unstorageStorage(createStorage({ driver: azureBlob({ accountName: 'acme', containerName: 'media' }) }), {
 *   baseUrl: 'https://acme.blob.core.windows.net/media/',
 * });
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` / `INVALID_OPTION` for bad options.
 */
export function unstorageStorage(storage: UnstorageLike, options: UnstorageStorageOptions): Storage {
  const owner = 'unstorageStorage()';
  if (storage === null || typeof storage !== 'object' || typeof storage.hasItem !== 'function') {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: the first argument must be an unstorage storage (from createStorage()), with hasItem()`);
  }
  const baseUrl = normalizeBaseUrl(options?.baseUrl, 'baseUrl', owner);
  const timeout = numberOption(options.timeout, 'timeout', owner, { min: 1, max: 600_000, fallback: 10_000 });

  const fault = (message: string, key: string, cause?: unknown): LogoFallbackError => storageFault('unstorage', message, key, cause);

  async function exists(key: string, signal?: AbortSignal): Promise<boolean> {
    assertSafeKey(key, 'unstorage');
    signal?.throwIfAborted();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fault(`checking ${JSON.stringify(key)} got no answer within ${timeout} ms`, key)), timeout);
      onAbort = () => reject(fault(`checking ${JSON.stringify(key)} was aborted`, key, signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const answer = Promise.resolve().then(() => storage.hasItem(unstorageKey(key)));
      return Boolean(await Promise.race([answer, stop]));
    } catch (error) {
      throw error instanceof LogoFallbackError ? error : fault(`checking ${JSON.stringify(key)} failed: ${error instanceof Error ? error.message : String(error)}`, key, error);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    name: 'unstorage',
    baseUrl,
    exists,
    url: (key) => baseUrl + encodeKey(key),
  };
}
