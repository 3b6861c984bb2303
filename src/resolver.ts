/**
 * createLogoResolver: a record or file value → a storage key → does it exist? → its URL, or an
 * avatar. Never throws, never rejects: every failure ends in an avatar and a report to `onError`.
 */
import { LRUCache } from 'lru-cache';
import { initialsAvatar } from './avatars/svg.js';
import type { AvatarProvider } from './avatars/types.js';
import { createExistenceCache } from './cache.js';
import { LogoFallbackError, describeValue } from './errors.js';
import { isAttributeSafe } from './escape.js';
import { parseReference } from './keys.js';
import { Memo } from './memo.js';
import { numberOption } from './options.js';
import { displayName, fileReference, hasInitials, isRecord, readField } from './records.js';
import { fsStorage } from './storage/fs.js';
import type { Storage } from './storage/types.js';
import { resolveResolverOptions, type LogoResolverOptions } from './resolver-options.js';

export type { LogoResolverOptions, CacheOptions, FieldOptions } from './resolver-options.js';

/** Per-call options of the resolver's methods. */
export interface LogoCallOptions {
  /** The avatar's size in CSS pixels, passed to the avatar provider (1–2048). */
  size?: number;
}

/** Options of {@link LogoResolver.prefetch}. */
export interface PrefetchOptions {
  /** The items are file values (`company.icon`), not records. @default false */
  files?: boolean;
  /** How many storage checks run at once. @default 16 */
  concurrency?: number;
}

/** What {@link createLogoResolver} returns. Every method is safe to call with anything. */
export interface LogoResolver {
  /** `get_company_logo`: the record's logo URL if its file exists, else an avatar for its name. Sync. */
  logo(record: unknown, options?: LogoCallOptions): string;
  /** `get_company_logo_url`: the file's URL if it exists, else an avatar for `name`. Sync. */
  fileUrl(file: unknown, name?: unknown, options?: LogoCallOptions): string;
  /** Like {@link LogoResolver.logo}, awaiting storage (at most `timeout` ms). Never rejects. */
  logoAsync(record: unknown, options?: LogoCallOptions): Promise<string>;
  /** Like {@link LogoResolver.fileUrl}, awaiting storage (at most `timeout` ms). Never rejects. */
  fileUrlAsync(file: unknown, name?: unknown, options?: LogoCallOptions): Promise<string>;
  /** For adapters: the answer now when it is known (a string), else a promise of it. Never rejects. */
  settleLogo(record: unknown, options?: LogoCallOptions): string | Promise<string>;
  /** For adapters: {@link LogoResolver.fileUrl}'s answer now, or a promise of it. Never rejects. */
  settleFileUrl(file: unknown, name?: unknown, options?: LogoCallOptions): string | Promise<string>;
  /** The avatar URL for a name (the placeholder's when there is none). */
  avatar(name?: unknown, options?: LogoCallOptions): string;
  /**
   * `get_company_name`: the record's display name (read through `fields.name`); a string is taken
   * as the name itself. `fallback` (default `''`) when there is none.
   */
  name(record: unknown, fallback?: unknown): string;
  /** Checks the files of many records (or file values) so that sync renders are right the first time. */
  prefetch(items: Iterable<unknown> | null | undefined, options?: PrefetchOptions): Promise<void>;
  /** Forgets what is known about one file value (after an upload or delete), or about everything. */
  invalidate(file?: unknown): void;
  /**
   * Hands an error to `onError`, deduplicated like the resolver's own reports. For adapters that
   * catch an engine's fault so that it cannot crash the process.
   */
  reportError(error: unknown): void;
  /** The storage the resolver checks. */
  readonly storage: Storage;
}

/** A parsed reference. `url` is memoised only for storages with a fixed `baseUrl` (see `urlOf`). */
type Parsed = { kind: 'key'; key: string; url: string | undefined } | { kind: 'external'; url: string } | { kind: 'invalid'; error: LogoFallbackError };

/** Printed when even the avatar provider fails: an empty SVG, safe anywhere. */
const LAST_RESORT = 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E';
const MEMO_LIMIT = 2048;

/**
 * Creates a resolver. All options are optional; the defaults read `media/` (served at `/media/`).
 *
 * @example
 * ```ts
 * const logos = createLogoResolver({ storage: fsStorage({ root: 'media', baseUrl: '/media/' }) });
 * logos.logo({ company: 'Acme Corp', icon: 'base/company/icon/acme.png' });
 * // '/media/base/company/icon/acme.png' if the file exists, else an avatar URL with "AC"
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` / `INVALID_OPTION` for bad options.
 */
export function createLogoResolver(options: LogoResolverOptions = {}): LogoResolver {
  const settings = resolveResolverOptions(options);
  const storage: Storage = settings.storage ?? fsStorage({ root: 'media', baseUrl: '/media/' });
  const avatarProvider: AvatarProvider = settings.avatar ?? initialsAvatar();
  const { nameFields, fileFields, placeholder, onError } = settings;

  const reported = new LRUCache<string, true>({ max: 1000, ttl: Math.max(settings.cache.missTtl, 1000) });
  function report(error: LogoFallbackError): void {
    // Once per key (and reason) per window: a page of 100 broken logos must not flood the log.
    const id = `${error.code}\u0000${error.message}`;
    if (reported.has(id)) return;
    reported.set(id, true);
    try {
      onError(error);
    } catch {
      // A throwing error handler must not break a render either.
    }
  }
  const onFieldFailure = (field: string, cause: unknown): void =>
    report(new LogoFallbackError('INVALID_RECORD', `reading the "${field}" field of a record threw`, { cause }));

  const cache = createExistenceCache(storage, settings.cache, report);
  const keyContext = { baseUrl: storage.baseUrl, root: storage.root };
  const parsedMemo = new Memo<string, Parsed>(settings.cache.max);
  const avatarByRawName = new Memo<string, string>(1000);
  const avatarBySizeAndName = new Memo<string, string>(1000);

  const unsafeUrl = (key: string) =>
    new LogoFallbackError('INVALID_KEY', `${storage.name} storage built an unsafe URL for ${describeValue(key)}`, { key, storage: storage.name });

  function parse(reference: string): Parsed {
    const memo = parsedMemo.get(reference);
    if (memo !== undefined) return memo;
    const result = parseReference(reference, keyContext);
    let parsed: Parsed;
    if (result.kind === 'invalid') {
      parsed = { kind: 'invalid', error: new LogoFallbackError('INVALID_KEY', `refused reference ${describeValue(reference)}: ${result.reason}`) };
    } else if (result.kind === 'external') {
      parsed = result;
    } else if (storage.baseUrl === undefined) {
      parsed = { kind: 'key', key: result.key, url: undefined };
    } else {
      const url = storage.url(result.key);
      parsed = isAttributeSafe(url) ? { kind: 'key', key: result.key, url } : { kind: 'invalid', error: unsafeUrl(result.key) };
    }
    if (reference.length <= MEMO_LIMIT) parsedMemo.set(reference, parsed);
    return parsed;
  }

  function avatarName(value: unknown): string {
    const name = displayName(value);
    return name !== undefined && hasInitials(name) ? name : placeholder;
  }

  function drawAvatar(name: string, size: number | undefined): string {
    try {
      const url = avatarProvider(size === undefined ? { name } : { name, size });
      if (typeof url !== 'string' || !isAttributeSafe(url)) throw new Error(`it returned ${describeValue(url)}`);
      return url;
    } catch (cause) {
      report(new LogoFallbackError('INVALID_OPTION', `the avatar provider failed for ${describeValue(name)}`, { cause }));
      return LAST_RESORT;
    }
  }

  function avatar(nameValue?: unknown, callOptions?: LogoCallOptions): string {
    const size = callOptions?.size;
    const wanted = typeof size === 'number' && Number.isInteger(size) && size >= 1 && size <= 2048 ? size : undefined;
    // The common case — a string name, no size — is memoised by the raw string, before any
    // normalising: a page of missing logos must cost a map lookup per logo, not a re-draw.
    if (wanted === undefined && typeof nameValue === 'string') {
      const memo = avatarByRawName.get(nameValue);
      if (memo !== undefined) return memo;
    }
    const name = avatarName(nameValue);
    const memoKey = `${wanted ?? ''}\u0000${name}`;
    const url = avatarBySizeAndName.get(memoKey) ?? drawAvatar(name, wanted);
    if (name.length <= MEMO_LIMIT) {
      avatarBySizeAndName.set(memoKey, url);
      if (wanted === undefined && typeof nameValue === 'string' && nameValue.length <= MEMO_LIMIT) avatarByRawName.set(nameValue, url);
    }
    return url;
  }

  /**
   * The public URL of a key that exists. A storage with a fixed `baseUrl` gives the same URL every
   * time, so it was memoised with the parse; one without (presigned S3 URLs, which expire) is
   * asked on every answer.
   */
  function urlOf(key: string, memo: string | undefined, nameValue: unknown, callOptions: LogoCallOptions | undefined): string {
    if (memo !== undefined) return memo;
    const url = storage.url(key);
    if (isAttributeSafe(url)) return url;
    report(unsafeUrl(key));
    return avatar(nameValue, callOptions);
  }

  function settleFileUrl(file: unknown, nameValue: unknown, callOptions: LogoCallOptions | undefined, wait: boolean): string | Promise<string> {
    try {
      const reference = fileReference(file, onFieldFailure);
      if (reference === undefined) return avatar(nameValue, callOptions);
      const parsed = parse(reference);
      if (parsed.kind === 'external') return parsed.url;
      if (parsed.kind === 'invalid') {
        report(parsed.error);
        return avatar(nameValue, callOptions);
      }
      let state = cache.peek(parsed.key);
      if (state === undefined && !wait) state = cache.checkSync(parsed.key);
      if (state !== undefined) return state === 'present' ? urlOf(parsed.key, parsed.url, nameValue, callOptions) : avatar(nameValue, callOptions);
      const pending = cache.check(parsed.key);
      if (!wait) return avatar(nameValue, callOptions); // the check runs on, so the next render is right
      return pending.then((checked) => (checked === 'present' ? urlOf(parsed.key, parsed.url, nameValue, callOptions) : avatar(nameValue, callOptions)));
    } catch (cause) {
      report(new LogoFallbackError('STORAGE_FAILED', 'resolving a logo failed unexpectedly', { cause }));
      return avatar(nameValue, callOptions);
    }
  }

  function settleLogo(record: unknown, callOptions: LogoCallOptions | undefined, wait: boolean): string | Promise<string> {
    if (!isRecord(record)) return avatar(undefined, callOptions);
    const name = readField(record, nameFields, onFieldFailure);
    return settleFileUrl(readField(record, fileFields, onFieldFailure), name, callOptions, wait);
  }

  function keyOf(file: unknown): string | undefined {
    const reference = fileReference(file);
    if (reference === undefined) return undefined;
    const parsed = parse(reference);
    return parsed.kind === 'key' ? parsed.key : undefined;
  }

  async function prefetch(items: Iterable<unknown> | null | undefined, prefetchOptions: PrefetchOptions = {}): Promise<void> {
    try {
      const concurrency = numberOption(prefetchOptions.concurrency, 'concurrency', 'prefetch()', { min: 1, max: 1024, fallback: 16, integer: true });
      if (items === null || items === undefined || typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function') return;
      const keys = new Set<string>();
      for (const item of items) {
        const file = prefetchOptions.files === true ? item : isRecord(item) ? readField(item, fileFields, onFieldFailure) : undefined;
        const key = keyOf(file);
        if (key !== undefined && cache.peek(key) === undefined) keys.add(key);
      }
      const queue = keys.values();
      const worker = async (): Promise<void> => {
        for (let next = queue.next(); !next.done; next = queue.next()) await cache.check(next.value);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, keys.size) }, worker));
    } catch (cause) {
      report(cause instanceof LogoFallbackError ? cause : new LogoFallbackError('STORAGE_FAILED', 'prefetch failed', { cause }));
    }
  }

  return {
    storage,
    reportError: (error) =>
      report(error instanceof LogoFallbackError ? error : new LogoFallbackError('STORAGE_FAILED', `an adapter caught: ${describeValue(error instanceof Error ? error.message : error, 300)}`, { cause: error })),
    logo: (record, callOptions) => settleLogo(record, callOptions, false) as string,
    fileUrl: (file, name, callOptions) => settleFileUrl(file, name, callOptions, false) as string,
    logoAsync: async (record, callOptions) => settleLogo(record, callOptions, true),
    fileUrlAsync: async (file, name, callOptions) => settleFileUrl(file, name, callOptions, true),
    settleLogo: (record, callOptions) => settleLogo(record, callOptions, true),
    settleFileUrl: (file, name, callOptions) => settleFileUrl(file, name, callOptions, true),
    avatar,
    name(record, fallback) {
      const value = typeof record === 'string' ? record : isRecord(record) ? readField(record, nameFields, onFieldFailure) : undefined;
      return displayName(value) ?? (typeof fallback === 'string' ? fallback : '');
    },
    prefetch,
    invalidate(file) {
      if (file === undefined) {
        cache.invalidate();
        return;
      }
      const key = keyOf(file);
      if (key !== undefined) cache.invalidate(key);
    },
  };
}
