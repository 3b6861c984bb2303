/**
 * Any unstorage driver (Azure Blob, GCS, Redis, Netlify Blobs, …) through `hasItem`. unstorage is an
 * optional peer dependency: nothing is imported from it, the storage is only called.
 */
import { LogoFallbackError } from '../errors.js';
import { encodeKey, keyProblem } from '../keys.js';
import { normalizeBaseUrl, numberOption, optionKeys, readOptions } from '../options.js';
import { assertSafeKey, assertSafePrefix, storageFault } from './guards.js';
import type { Storage, StorageEntry } from './types.js';

/**
 * The part of an unstorage `Storage` (from `createStorage()`) this driver uses. Only `hasItem` is
 * required; with `getItemRaw` and `getMeta` a check can tell an empty item (and, on the fs drivers,
 * a directory) from a file, and with `getKeys` the storage can list.
 */
export interface UnstorageLike {
  hasItem(key: string): Promise<boolean> | boolean;
  getItemRaw?(key: string): unknown;
  getMeta?(key: string, options: { nativeOnly: boolean }): unknown;
  getKeys?(base: string): Promise<string[]> | string[];
  getMount?(key: string): { driver?: { name?: string | undefined } | undefined } | undefined;
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

const KNOWN = optionKeys<UnstorageStorageOptions>()(['baseUrl', 'timeout']);

/** unstorage's drivers over a local directory: their `hasItem` and `getMeta` say yes to a directory. */
const LOCAL_FS_DRIVERS = new Set(['fs', 'fs-lite']);
/** Items inspected at once when a listing asks for sizes. */
const STAT_BATCH = 16;

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
 * The storage key for an unstorage key, the inverse of {@link unstorageKey}; `undefined` for an
 * unstorage key that `unstorageKey` never produces (so `exists` could not find it under any key).
 */
export function fromUnstorageKey(ukey: string): string | undefined {
  const key = ukey
    .split(':')
    .map((segment) => segment.replace(/%(25|3A|3F)/g, (escape) => (escape === '%25' ? '%' : escape === '%3A' ? ':' : '?')))
    .join('/');
  return unstorageKey(key) === ukey ? key : undefined;
}

/** Whether the key lives on one of unstorage's drivers over a local directory (`getMount` is public API). */
function isLocalMount(storage: UnstorageLike, ukey: string): boolean {
  try {
    return LOCAL_FS_DRIVERS.has(storage.getMount?.(ukey)?.driver?.name ?? '');
  } catch {
    return false;
  }
}

function byteLength(value: unknown): number | undefined {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value.byteLength;
  return undefined; // a parsed JSON value: not empty, size unknown
}

function toMs(value: unknown): number | undefined {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Checks files through an unstorage storage (see {@link unstorageKey} for how keys are translated):
 * `hasItem`, then the size from `getMeta` — or, where that has none (the memory driver, Redis) or
 * cannot tell a directory from a file (unstorage's `fs` and `fs-lite` drivers, which answer
 * `hasItem` with `existsSync`), from `getItemRaw`. An empty item or a directory is missing; a
 * thrown error (`EACCES` included), or no answer within `timeout`, is a `STORAGE_FAILED` fault.
 * `list(prefix)`, when the storage has `getKeys`, gives the keys `getKeys` returns under the prefix
 * (all at once: unstorage has no paging), translated back; with `{ stat: true }` each is inspected
 * as `stat` does. `url(key)` is `baseUrl + key`, each segment percent-encoded.
 *
 * @example
 * ```ts
 * import { createStorage } from 'unstorage';
 * import azureBlob from 'unstorage/drivers/azure-storage-blob';
 * const storage = unstorageStorage(createStorage({ driver: azureBlob({ accountName: 'acme', containerName: 'media' }) }), {
 *   baseUrl: 'https://acme.blob.core.windows.net/media/',
 * });
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` for no `baseUrl`; `INVALID_OPTION` for a bad option,
 * a key {@link UnstorageStorageOptions} does not have, or a first argument that is not a storage.
 */
export function unstorageStorage(storage: UnstorageLike, options: UnstorageStorageOptions): Storage & Required<Pick<Storage, 'stat'>> {
  const owner = 'unstorageStorage()';
  let can: { raw: boolean; meta: boolean; keys: boolean; mount: boolean };
  try {
    if (storage === null || typeof storage !== 'object' || typeof storage.hasItem !== 'function') throw new TypeError('no hasItem()');
    can = {
      raw: typeof storage.getItemRaw === 'function',
      meta: typeof storage.getMeta === 'function',
      keys: typeof storage.getKeys === 'function',
      mount: typeof storage.getMount === 'function',
    };
  } catch (error) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: the first argument must be an unstorage storage (from createStorage()), with hasItem()`, { cause: error });
  }
  const opts = readOptions<UnstorageStorageOptions>(options, KNOWN, 'the options', owner);
  const baseUrl = normalizeBaseUrl(opts.baseUrl, 'baseUrl', owner);
  const timeout = numberOption(opts.timeout, 'timeout', owner, { min: 1, max: 600_000, fallback: 10_000 });

  const fault = (message: string, key: string, cause?: unknown): LogoFallbackError => storageFault('unstorage', message, key, cause);

  /** Runs one storage call under the driver's timeout and the caller's signal; a throw is a fault. */
  async function bounded<T>(what: string, key: string, signal: AbortSignal | undefined, call: () => T | Promise<T>): Promise<T> {
    if (signal?.aborted === true) throw fault(`${what} was aborted`, key, signal.reason);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fault(`${what} got no answer within ${timeout} ms`, key)), timeout);
      onAbort = () => reject(fault(`${what} was aborted`, key, signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([Promise.resolve().then(call), stop]);
    } catch (error) {
      throw error instanceof LogoFallbackError ? error : fault(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, key, error);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * What the storage holds under a key: `undefined` when it is not a file, else its size when the
   * storage can tell. `hasItem` alone says true for a directory on the fs drivers, and for an empty
   * item everywhere, so the size comes from `getMeta` or, where that has none (the memory driver)
   * or cannot tell a directory from a file (the fs drivers, read directly), from `getItemRaw`.
   */
  async function inspect(key: string, signal: AbortSignal | undefined, withMeta: boolean): Promise<{ size?: number; modified?: number } | undefined> {
    const ukey = unstorageKey(key);
    const what = `checking ${JSON.stringify(key)}`;
    const local = can.mount && isLocalMount(storage, ukey);
    if (!local && !(await bounded(what, key, signal, () => storage.hasItem(ukey)))) return undefined;
    let size: number | undefined;
    let modified: number | undefined;
    const readMeta = async (): Promise<void> => {
      if (!can.meta) return;
      const meta = (await bounded(what, key, signal, () => storage.getMeta?.(ukey, { nativeOnly: true }))) as { size?: unknown; mtime?: unknown } | null | undefined;
      size = typeof meta?.size === 'number' && Number.isFinite(meta.size) ? meta.size : undefined;
      modified = toMs(meta?.mtime);
    };
    if (!local) await readMeta();
    if (local || size === undefined) {
      if (!can.raw) return local ? undefined : {};
      const raw = await bounded(what, key, signal, () => storage.getItemRaw?.(ukey));
      // unstorage's fs drivers resolve (not reject) with the error for anything but ENOENT/EISDIR.
      if (raw instanceof Error) throw fault(`${what} failed: ${raw.message}`, key, raw);
      if (raw === null || raw === undefined) return undefined;
      const length = byteLength(raw);
      if (local && withMeta) await readMeta(); // only for `modified`: its size would be a directory's too
      size = length;
    }
    return { ...(size === undefined ? {} : { size }), ...(modified === undefined ? {} : { modified }) };
  }

  async function stat(key: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
    assertSafeKey(key, 'unstorage');
    const found = await inspect(key, signal, true);
    return found === undefined || found.size === 0 ? undefined : { key, ...found };
  }

  async function* list(prefix: string, signal: AbortSignal | undefined, withStat: boolean): AsyncGenerator<StorageEntry> {
    assertSafePrefix(prefix, 'unstorage');
    const cut = prefix.lastIndexOf('/');
    const base = cut === -1 ? '' : unstorageKey(prefix.slice(0, cut));
    const raw = await bounded(`listing ${JSON.stringify(prefix)}`, prefix, signal, () => storage.getKeys?.(base) ?? []);
    const keys = (Array.isArray(raw) ? raw : []).flatMap((item) => {
      const key = typeof item === 'string' ? fromUnstorageKey(item) : undefined;
      return key !== undefined && key.startsWith(prefix) && keyProblem(key) === undefined ? [key] : [];
    });
    if (!withStat) {
      for (const key of keys) yield { key };
      return;
    }
    for (let i = 0; i < keys.length; i += STAT_BATCH) {
      const batch = keys.slice(i, i + STAT_BATCH);
      const found = await Promise.all(batch.map((key) => inspect(key, signal, true)));
      for (const [j, key] of batch.entries()) {
        const info = found[j];
        if (info !== undefined) yield { key, ...info };
      }
    }
  }

  return {
    name: 'unstorage',
    baseUrl,
    async exists(key, signal) {
      assertSafeKey(key, 'unstorage');
      const found = await inspect(key, signal, false);
      return found !== undefined && found.size !== 0;
    },
    stat,
    ...(can.keys ? { list: (prefix: string, signal?: AbortSignal, listOptions?: { readonly stat?: boolean }) => list(prefix, signal, listOptions?.stat === true) } : {}),
    url: (key) => baseUrl + encodeKey(key),
  };
}
