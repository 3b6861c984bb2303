/** The resolver's options: their types (documented for users) and their checks at construction. */
import type { AvatarProvider } from './avatars/types.js';
import { breakerSettings, type BreakerOptions } from './breaker.js';
import type { ExistenceCacheSettings } from './cache.js';
import { initialsAvatar } from './avatars/svg.js';
import { uiAvatars } from './avatars/ui-avatars.js';
import { LogoFallbackError, describeError, describeValue } from './errors.js';
import { SAFE_URL_RULE, isSafeUrl } from './escape.js';
import { checkKnownKeys, msOption, numberOption, showValue } from './options.js';
import { hasInitials } from './avatars/initials.js';
import type { SharedTier } from './shared/types.js';
import type { Storage } from './storage/types.js';

/** Which fields of a record hold the name and the file. Each is tried in order. */
export interface FieldOptions {
  /** @default ['company', 'name'] */
  name?: string | readonly string[];
  /** @default ['icon', 'logo'] */
  file?: string | readonly string[];
}

export type { BreakerOptions } from './breaker.js';

/** The existence cache's windows, size and deadlines. */
export interface CacheOptions {
  /** How long "the file exists" is remembered, ms (0 – 2^31−1). `0` turns caching off. @default 30_000 */
  ttl?: number;
  /** How long "missing" (or a storage fault) is remembered, ms (0 – 2^31−1). `0` remembers none. @default 5_000 */
  missTtl?: number;
  /**
   * How many keys are remembered at most (1 – 1,000,000): the existence cache, the resolver's memos
   * of parsed references and avatars, and the queue of waiting checks are all this size
   * ({@link LogoResolver.memoSize}). Past it, the least recently used key is forgotten.
   * @default 10_000
   */
  max?: number;
  /**
   * How long one check may run, ms (at least `timeout`, at most 2^31−1): after a render stopped
   * waiting it goes on, so that it can still fill the cache; then its request is aborted and the
   * answer is a fault. A check nobody waits for does not keep the process alive meanwhile (the
   * HTTP and S3 drivers `unref()` its sockets): a script exits once its last caller has its answer.
   * @default 10_000 (or `timeout`, when that is longer)
   */
  hardTimeout?: number;
  /**
   * Stale-if-error (RFC 5861), ms (0 – 2^31−1): a logo known present keeps being served for this
   * long past its `ttl` while re-checks end in a fault (a storage outage, a timeout) — reported
   * once; an answer of "missing", or a refusal of the key by the storage (a symlink now resolving
   * outside an fs root), replaces it at once. `0` turns it off. @default 300_000
   */
  staleIfError?: number;
  /**
   * The storage's circuit breaker (closed → open → half-open; see {@link BreakerOptions}), or
   * `false` for none: then a hung storage costs an async render one `timeout` per distinct file.
   * @default { failures: 3, cooldown: 5_000 } (cooldown: 10 × `timeout`, when that is longer)
   */
  breaker?: BreakerOptions | false;
}


/** Options of `createLogoResolver`. Every one is optional. */
export interface LogoResolverOptions {
  /** Where the files are. @default fsStorage({ root: 'media', baseUrl: '/media/' }) */
  storage?: Storage;
  /**
   * Draws the fallback: a provider, such as `initialsAvatar()` or `uiAvatars()` — called, not the
   * factory itself. It is tried once at construction on the placeholder, and must return a safe
   * avatar URL there (path-absolute, protocol-relative, http(s), or a `data:image/svg+xml` or
   * `data:image/png` URL); at render time a name it fails for gets an empty SVG and an
   * `AVATAR_FAILED` report.
   * @default initialsAvatar()
   * @throws {LogoFallbackError} `INVALID_OPTION` at construction for a factory passed uncalled, or a
   * provider that throws or returns anything else for the placeholder.
   */
  avatar?: AvatarProvider;
  /** Which record fields hold the name and the file. */
  fields?: FieldOptions;
  /** The name used when a record has none, or one without a letter or digit. @default 'C' */
  placeholder?: string;
  /** The existence cache, or `false` for none (every render then asks the storage). */
  cache?: CacheOptions | false;
  /**
   * How long a render waits for one storage check, ms (1 – 600,000), counted from when the check
   * starts; a check waiting in the queue (see `concurrency`) is waited for this long at most before
   * it starts. Then the render gets the avatar, and the check goes on to fill the cache.
   * @default 300
   */
  timeout?: number;
  /**
   * How many storage checks run at once (1 – 1,024), whoever starts them — renders, background
   * re-checks, `prefetch()`. The others wait in one queue, in order.
   * @default 32
   */
  concurrency?: number;
  /**
   * A second existence cache shared by several replicas of the app, with an invalidation bus between
   * them: `redisShared({ client, subscriber })` from `logo-fallback/redis`. The local cache stays in
   * front of it (a warm render never waits on it); a check the local cache cannot answer asks it
   * before the storage, and `invalidate()` reaches every replica. Not used with `cache: false` (or a
   * `ttl` of 0): without a cache there is nothing to share.
   * @default none: each replica checks the storage for itself
   */
  shared?: SharedTier;
  /**
   * URLs that change when the file does: a present logo's URL carries `?v=` and a short version
   * derived from what the storage knows about the file (its ETag, size and modification time, from
   * `storage.stat()`), so that browsers and CDNs fetch the new file after a re-upload under the same
   * key. Needs a storage with `stat()` and a fixed `baseUrl` (presigned S3 URLs are signed anew
   * every window, and a parameter added to them would break their signature), and the cache
   * (`ttl` above 0: the version is kept with the answer). Checks are then `stat()` calls, also on
   * `fsStorage` (no synchronous check: `prefetch()` makes a sync render's first answer right).
   * @default false
   * @throws {LogoFallbackError} `INVALID_OPTION` at construction when the storage or cache cannot carry a version.
   */
  version?: boolean;
  /**
   * Hears of invalid references, unreadable records, storage faults and timeouts — once per key (or
   * reference) and reason within `max(missTtl, 1 s)`. Must not throw (if it does, the error is ignored).
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
  /** How long a report is not repeated, ms. */
  reportWindow: number;
  onError: (error: LogoFallbackError) => void;
}

const OWNER = 'createLogoResolver()';
const KNOWN = ['storage', 'avatar', 'fields', 'placeholder', 'cache', 'timeout', 'concurrency', 'shared', 'version', 'onError'] as const;
const KNOWN_FIELDS = ['name', 'file'] as const;
const KNOWN_CACHE = ['ttl', 'missTtl', 'max', 'hardTimeout', 'staleIfError', 'breaker'] as const;
/** lru-cache allocates its index arrays for `max` up front (8 bytes a slot): a bound keeps that honest. */
const MAX_KEYS = 1_000_000;

function invalid(message: string): LogoFallbackError {
  return new LogoFallbackError('INVALID_OPTION', `${OWNER}: ${message}`);
}

function fieldList(value: unknown, option: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((field) => typeof field === 'string' && field !== '')) {
    throw invalid(`"${option}" must be a field name or a non-empty array of field names, got ${showValue(value)}`);
  }
  return [...(list as string[])];
}

/**
 * A function where an object is expected is, nearly always, the factory passed uncalled
 * (`storage: fsStorage`): the message says to call it, with the factory's own name when it has one.
 */
function uncalled(option: string, factory: Function, example: string, exampleOptions: string): LogoFallbackError {
  let name = '';
  try {
    name = typeof factory.name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(factory.name) ? factory.name : '';
  } catch {
    // A Proxy whose trap throws: no name to show.
  }
  // `{ storage: () => … }` names the arrow after the property: no name of its own.
  if (name === option) name = '';
  const call = name === '' ? `${example}(${exampleOptions})` : `${name}(${name === example ? exampleOptions : '…'})`;
  return invalid(`"${option}" is a function${name === '' ? '' : ` (${name})`}, not what it makes: call it — ${option}: ${call}`);
}

/** The runtime check of a storage matches the `Storage` type: a name, `exists()` and `url()`, and `existsSync()` only as a function. */
function checkStorage(storage: unknown): Storage | undefined {
  if (storage === undefined) return undefined;
  if (typeof storage === 'function') throw uncalled('storage', storage, 'fsStorage', '{ root: "media" }');
  const candidate = storage as Partial<Storage> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.exists !== 'function' || typeof candidate.url !== 'function') {
    throw invalid('"storage" must be a storage driver such as fsStorage({ root: "media" }) (an object with name, exists() and url())');
  }
  if (typeof candidate.name !== 'string' || candidate.name === '') {
    throw invalid(`"storage" must have a name (a non-empty string, for messages: 'fs', 's3', …), got ${showValue(candidate.name)}`);
  }
  if (candidate.existsSync !== undefined && typeof candidate.existsSync !== 'function') {
    throw invalid(`"storage.existsSync" must be a function when present, got ${showValue(candidate.existsSync)}`);
  }
  return candidate as Storage;
}

/** A shared tier is an object with a name and `connect()` (what `redisShared()` returns). */
function checkShared(shared: unknown): SharedTier | undefined {
  if (shared === undefined) return undefined;
  if (typeof shared === 'function') throw uncalled('shared', shared, 'redisShared', '{ client, subscriber }');
  const candidate = shared as Partial<SharedTier> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.connect !== 'function' || typeof candidate.name !== 'string') {
    throw invalid(`"shared" must be a shared tier such as redisShared({ client, subscriber }) from logo-fallback/redis (an object with name and connect()), got ${showValue(shared)}`);
  }
  return candidate as SharedTier;
}

/** The package's provider factories, which a user may pass uncalled (`avatar: initialsAvatar`). */
const FACTORIES = new Map<unknown, string>([
  [initialsAvatar, 'initialsAvatar'],
  [uiAvatars, 'uiAvatars'],
]);

/**
 * An avatar provider is tried once, at construction, on the placeholder: a factory passed uncalled
 * (`avatar: initialsAvatar`), a provider that throws or returns anything but a safe avatar URL
 * ({@link isSafeUrl}) would otherwise fail on every render (`AVATAR_FAILED`), page after page.
 */
function checkAvatar(value: unknown, placeholder: string): AvatarProvider | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(`"avatar" must be an avatar provider such as initialsAvatar() or uiAvatars() (a function), got ${showValue(value)}`);
  const factory = FACTORIES.get(value);
  if (factory !== undefined) throw invalid(`"avatar" is ${factory} itself, which makes providers: call it — avatar: ${factory}() (with its options, if any)`);
  let url: unknown;
  try {
    url = (value as AvatarProvider)({ name: placeholder });
  } catch (cause) {
    throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: "avatar" threw when it drew the placeholder (${JSON.stringify(placeholder)}): ${describeError(cause)}`, { cause });
  }
  if (typeof url === 'function') {
    const name = typeof (value as { name?: unknown }).name === 'string' && (value as { name: string }).name !== '' ? (value as { name: string }).name : 'yourFactory';
    throw invalid(`"avatar" returned a function, not a URL: it looks like a provider factory — call it: avatar: ${name}()`);
  }
  if (!isSafeUrl(url, 'avatar')) {
    throw invalid(`"avatar" returned ${describeValue(url)} for the placeholder (${JSON.stringify(placeholder)}), not a safe avatar URL (${SAFE_URL_RULE})`);
  }
  return value as AvatarProvider;
}


/** `version: true` needs a storage that tells versions and prints fixed URLs, and a cache that keeps them. */
function checkVersion(value: unknown, storage: Storage | undefined, ttl: number): boolean {
  if (value === undefined || value === false) return false;
  if (value !== true) throw invalid(`"version" must be true or false, got ${showValue(value)}`);
  // No storage given: the default fsStorage has both.
  if (storage !== undefined && typeof storage.stat !== 'function') {
    throw invalid(`"version" needs a storage with stat() (fsStorage, httpStorage, s3Storage and unstorageStorage have it); the ${storage.name} storage has none`);
  }
  if (storage !== undefined && storage.baseUrl === undefined) {
    throw invalid(
      `"version" needs a storage with a fixed baseUrl; the ${storage.name} storage builds its URLs itself (presigned URLs change every signing window, and a parameter added to them would break their signature)`,
    );
  }
  if (ttl === 0) throw invalid('"version" needs the existence cache (cache.ttl above 0): the version is kept with the answer');
  return true;
}

/**
 * Checks the options and fills in defaults: every option against its real range, unknown keys
 * refused (naming the known ones), a hostile options object refused rather than half read.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` on the first bad option.
 */
export function resolveResolverOptions(options: LogoResolverOptions): ResolvedResolverOptions {
  try {
    return resolve(options);
  } catch (error) {
    if (error instanceof LogoFallbackError) throw error;
    throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: the options could not be read: ${describeError(error)}`, { cause: error });
  }
}

function resolve(options: LogoResolverOptions): ResolvedResolverOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalid(`the options must be an object, got ${showValue(options)}`);
  checkKnownKeys(options, KNOWN, 'the options', OWNER);
  if (options.onError !== undefined && typeof options.onError !== 'function') throw invalid('"onError" must be a function');
  const placeholder = options.placeholder ?? 'C';
  if (typeof placeholder !== 'string' || !hasInitials(placeholder)) {
    throw invalid(`"placeholder" must be a name with at least one letter or digit, got ${showValue(placeholder)}`);
  }
  const avatar = checkAvatar(options.avatar, placeholder);
  if (options.cache !== undefined && options.cache !== false && (options.cache === null || typeof options.cache !== 'object' || Array.isArray(options.cache))) {
    throw invalid(`"cache" must be an object such as { ttl: 30_000 } or false, got ${showValue(options.cache)}`);
  }
  if (options.cache !== undefined && options.cache !== false) checkKnownKeys(options.cache, KNOWN_CACHE, '"cache"', OWNER);
  if (options.fields !== undefined) checkKnownKeys(options.fields, KNOWN_FIELDS, '"fields"', OWNER);
  const cache: CacheOptions = options.cache === false ? { ttl: 0, missTtl: 0 } : (options.cache ?? {});
  const timeout = msOption(options.timeout, 'timeout', OWNER, { min: 1, max: 600_000, fallback: 300 });
  const hardTimeout = msOption(cache.hardTimeout, 'cache.hardTimeout', OWNER, { min: 1, fallback: Math.max(10_000, timeout) });
  if (hardTimeout < timeout) {
    throw invalid(`"cache.hardTimeout" must be at least "timeout" (${timeout} ms): a check cannot be aborted before the render stops waiting for it, got ${showValue(hardTimeout)}`);
  }
  const missTtl = msOption(cache.missTtl, 'cache.missTtl', OWNER, { min: 0, fallback: 5_000 });
  const ttl = msOption(cache.ttl, 'cache.ttl', OWNER, { min: 0, fallback: 30_000 });
  const storage = checkStorage(options.storage);
  return {
    storage,
    avatar,
    nameFields: fieldList(options.fields?.name, 'fields.name', ['company', 'name']),
    fileFields: fieldList(options.fields?.file, 'fields.file', ['icon', 'logo']),
    placeholder,
    cache: {
      ttl,
      missTtl,
      max: numberOption(cache.max, 'cache.max', OWNER, { min: 1, max: MAX_KEYS, fallback: 10_000, integer: true }),
      timeout,
      hardTimeout,
      staleIfError: msOption(cache.staleIfError, 'cache.staleIfError', OWNER, { min: 0, fallback: 300_000 }),
      concurrency: numberOption(options.concurrency, 'concurrency', OWNER, { min: 1, max: 1024, fallback: 32, integer: true }),
      version: checkVersion(options.version, storage, ttl),
      shared: checkShared(options.shared),
      breaker: breakerSettings(cache.breaker, timeout, OWNER),
    },
    reportWindow: Math.max(missTtl, 1000),
    onError: options.onError ?? ((error) => console.warn(error.message)),
  };
}
