/** The resolver's options: their types (documented for users) and their checks at construction. */
import type { AvatarProvider } from './avatars/types.js';
import type { ExistenceCacheSettings } from './cache.js';
import { LogoFallbackError } from './errors.js';
import { numberOption } from './options.js';
import { hasInitials } from './records.js';
import type { Storage } from './storage/types.js';

/** Which fields of a record hold the name and the file. Each is tried in order. */
export interface FieldOptions {
  /** @default ['company', 'name'] */
  name?: string | readonly string[];
  /** @default ['icon', 'logo'] */
  file?: string | readonly string[];
}

/** The existence cache's windows and size. */
export interface CacheOptions {
  /** How long "the file exists" is remembered, ms. `0` turns caching off. @default 30_000 */
  ttl?: number;
  /** How long "missing" (or a storage fault) is remembered, ms. `0` remembers none. @default 5_000 */
  missTtl?: number;
  /** How many keys are remembered at most. @default 10_000 */
  max?: number;
  /**
   * How long a check may go on in the background after a render stopped waiting for it (so that
   * it can still fill the cache), ms; then it is aborted. @default 10_000
   */
  hardTimeout?: number;
}

/** Options of `createLogoResolver`. Every one is optional. */
export interface LogoResolverOptions {
  /** Where the files are. @default fsStorage({ root: 'media', baseUrl: '/media/' }) */
  storage?: Storage;
  /** Draws the fallback. @default initialsAvatar() */
  avatar?: AvatarProvider;
  /** Which record fields hold the name and the file. */
  fields?: FieldOptions;
  /** The name used when a record has none, or one without a letter or digit. @default 'C' */
  placeholder?: string;
  /** The existence cache, or `false` for none (every render then asks the storage). */
  cache?: CacheOptions | false;
  /** How long one storage check may take before the render gets the avatar, ms. @default 300 */
  timeout?: number;
  /**
   * Hears of invalid references, storage faults and timeouts — once per key and reason per
   * `missTtl` window. Must not throw (if it does, the error is ignored).
   * @default a `console.warn` of the message
   */
  onError?: (error: LogoFallbackError) => void;
}

/** The options after their checks, with defaults filled in. */
export interface ResolvedResolverOptions {
  storage: Storage | undefined;
  avatar: AvatarProvider | undefined;
  nameFields: readonly string[];
  fileFields: readonly string[];
  placeholder: string;
  cache: ExistenceCacheSettings;
  onError: (error: LogoFallbackError) => void;
}

const OWNER = 'createLogoResolver()';

function invalid(message: string): LogoFallbackError {
  return new LogoFallbackError('INVALID_OPTION', `${OWNER}: ${message}`);
}

function fieldList(value: unknown, option: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((field) => typeof field === 'string' && field !== '')) {
    throw invalid(`"${option}" must be a field name or a non-empty array of field names, got ${JSON.stringify(value)}`);
  }
  return [...(list as string[])];
}

function checkStorage(storage: unknown): Storage | undefined {
  if (storage === undefined) return undefined;
  const candidate = storage as Partial<Storage> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.exists !== 'function' || typeof candidate.url !== 'function') {
    throw invalid('"storage" must be a storage driver such as fsStorage({ root: "media" }) (an object with exists() and url())');
  }
  return candidate as Storage;
}

/** Checks the options and fills in defaults. Throws {@link LogoFallbackError} on the first bad one. */
export function resolveResolverOptions(options: LogoResolverOptions): ResolvedResolverOptions {
  if (options === null || typeof options !== 'object') throw invalid('the options must be an object');
  if (options.avatar !== undefined && typeof options.avatar !== 'function') {
    throw invalid('"avatar" must be an avatar provider such as uiAvatars() (a function)');
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw invalid('"onError" must be a function');
  const placeholder = options.placeholder ?? 'C';
  if (typeof placeholder !== 'string' || !hasInitials(placeholder)) {
    throw invalid(`"placeholder" must be a name with at least one letter or digit, got ${JSON.stringify(placeholder)}`);
  }
  if (options.cache !== undefined && options.cache !== false && (options.cache === null || typeof options.cache !== 'object')) {
    throw invalid('"cache" must be an object such as { ttl: 30_000 } or false');
  }
  const cache = options.cache === false ? { ttl: 0, missTtl: 0 } : (options.cache ?? {});
  const timeout = numberOption(options.timeout, 'timeout', OWNER, { min: 1, max: 600_000, fallback: 300 });
  return {
    storage: checkStorage(options.storage),
    avatar: options.avatar,
    nameFields: fieldList(options.fields?.name, 'fields.name', ['company', 'name']),
    fileFields: fieldList(options.fields?.file, 'fields.file', ['icon', 'logo']),
    placeholder,
    cache: {
      ttl: numberOption(cache.ttl, 'cache.ttl', OWNER, { min: 0, fallback: 30_000 }),
      missTtl: numberOption(cache.missTtl, 'cache.missTtl', OWNER, { min: 0, fallback: 5_000 }),
      max: numberOption(cache.max, 'cache.max', OWNER, { min: 1, fallback: 10_000, integer: true }),
      timeout,
      hardTimeout: Math.max(timeout, numberOption(cache.hardTimeout, 'cache.hardTimeout', OWNER, { min: 1, fallback: 10_000 })),
    },
    onError: options.onError ?? ((error) => console.warn(error.message)),
  };
}
