/**
 * createLogoResolver: a record or file value → a storage key → does it exist? → its URL, or an
 * avatar. Never throws, never rejects: every failure ends in an avatar and a report to `onError`.
 */
import { attachWarmPath, createWarmAnswers, textOf, type Printable } from './answers.js';
import { initialsAvatar } from './avatars/svg.js';
import { createAvatars } from './avatar-memo.js';
import { createExistenceCache } from './cache.js';
import { LogoFallbackError, describeError, describeValue, isLogoFallbackError } from './errors.js';
import { SAFE_URL_RULE, isSafeUrl } from './escape.js';
import { MAX_REFERENCE_LENGTH, parseReference } from './keys.js';
import { Memo, memoKey } from './memo.js';
import { fileReference, isRecord, readFailures, readField, readCallOption, createDisplayNames, type ReadFailures } from './records.js';
import { createReporter } from './reports.js';
import { createPrefetch } from './prefetch.js';
import { createPrefixListings } from './prefetch-prefix.js';
import { fsStorage } from './storage/fs.js';
import type { Storage } from './storage/types.js';
import { resolveResolverOptions, type LogoResolverOptions } from './resolver-options.js';
import type { LogoLookup, LogoResolver } from './resolver-types.js';
import { versionedUrl } from './url-version.js';

export type { LogoResolverOptions, CacheOptions, BreakerOptions, FieldOptions } from './resolver-options.js';
export type { LogoCallOptions, LogoLookup, LogoResolver, PrefetchOptions, PrefetchPrefix } from './resolver-types.js';

/** What a call asks of its avatar: its `size` and `format` options as read (checked by `avatars.draw`). */
interface AvatarAsk {
  readonly size: unknown;
  readonly format: unknown;
}

function readAsk(callOptions: unknown, failures: ReadFailures): AvatarAsk {
  return { size: readCallOption(callOptions, 'size', failures), format: readCallOption(callOptions, 'format', failures) };
}

/** A parsed reference. `url` is memoised only for storages with a fixed `baseUrl` (see `urlOf`). */
type Parsed =
  | { kind: 'key'; key: string; url: string | undefined }
  | { kind: 'external'; url: string }
  | { kind: 'invalid'; error: LogoFallbackError; subject: string; key?: string };

/**
 * Creates a resolver. All options are optional; the defaults read `media/` (served at `/media/`).
 *
 * @example
 * ```ts
 * const logos = createLogoResolver({ storage: fsStorage({ root: 'media', baseUrl: '/media/' }) });
 * logos.logo({ company: 'Acme Corp', icon: 'base/company/icon/acme.png' });
 * // '/media/base/company/icon/acme.png' if the file exists, else an avatar URL with "AC"
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` / `INVALID_OPTION` for bad options (an unknown key,
 * a value out of its range), at construction — never later.
 */
export function createLogoResolver(options: LogoResolverOptions = {}): LogoResolver {
  const settings = resolveResolverOptions(options);
  const storage: Storage = settings.storage ?? fsStorage({ root: 'media', baseUrl: '/media/' });
  const { nameFields, fileFields } = settings;
  const memoSize = settings.cache.max;

  const report = createReporter(settings.onError, settings.reportWindow);
  const cache = createExistenceCache(storage, settings.cache, report, settings.reportWindow);
  const listings = createPrefixListings(storage, cache, settings.cache, report);
  const avatars = createAvatars(settings.avatar ?? initialsAvatar(), settings.placeholder, memoSize, report);
  const keyContext = { baseUrl: storage.baseUrl, root: storage.root };
  const parsedMemo = new Memo<string, Parsed>(memoSize);
  const versioned = settings.cache.version;
  const displayName = createDisplayNames(memoSize);
  // What the full path answered, for the warm path (src/answers.ts) to answer again while it holds.
  const warm = createWarmAnswers(cache, avatars, { nameFields, fileFields, max: memoSize, versioned });

  /** One report per call for everything that threw while reading what the template passed. */
  function reportRead(failures: ReadFailures): void {
    if (failures.at.length === 0) return;
    report(new LogoFallbackError('INVALID_RECORD', `reading what the template passed threw at ${failures.at.join(', ')}: ${describeError(failures.first)}`, { cause: failures.first }));
  }
  const unexpected = (cause: unknown): void =>
    report(new LogoFallbackError('STORAGE_FAILED', `resolving a logo failed unexpectedly: ${describeError(cause)}`, { cause }));

  function storageUrl(key: string): { url: string } | { error: LogoFallbackError } {
    let url: unknown;
    try {
      url = storage.url(key);
    } catch (cause) {
      return { error: new LogoFallbackError('STORAGE_FAILED', `${storage.name} storage: url() threw for ${describeValue(key)}: ${describeError(cause)}`, { cause, key, storage: storage.name }) };
    }
    if (isSafeUrl(url)) return { url };
    return {
      error: new LogoFallbackError('INVALID_KEY', `${storage.name} storage built an unsafe URL for ${describeValue(key)}: ${describeValue(url)} (${SAFE_URL_RULE})`, {
        key,
        storage: storage.name,
      }),
    };
  }

  function parse(reference: string): Parsed {
    // Past the limit, parseReference refuses at once; hashing a huge string for the memo would cost more.
    const id = reference.length > MAX_REFERENCE_LENGTH ? undefined : memoKey(reference);
    const memo = id === undefined ? undefined : parsedMemo.get(id);
    if (memo !== undefined) return memo;
    const result = parseReference(reference, keyContext);
    let parsed: Parsed;
    if (result.kind === 'invalid') {
      const error = new LogoFallbackError('INVALID_KEY', `refused reference ${describeValue(reference)}: ${result.reason}`);
      parsed = { kind: 'invalid', error, subject: id ?? memoKey(reference) };
    } else if (result.kind === 'external') {
      parsed = result;
    } else if (storage.baseUrl === undefined) {
      parsed = { kind: 'key', key: result.key, url: undefined };
    } else {
      const built = storageUrl(result.key);
      // A safe key whose URL the storage could not build: the storage's fault, not the reference's.
      parsed = 'url' in built ? { kind: 'key', key: result.key, url: built.url } : { kind: 'invalid', error: built.error, subject: result.key, key: result.key };
    }
    if (id !== undefined) parsedMemo.set(id, parsed);
    return parsed;
  }

  /**
   * The public URL of a key that exists. A storage with a fixed `baseUrl` gives the same URL every
   * time, so it was memoised with the parse; one without (presigned S3 URLs, which expire) is
   * asked on every answer. With `version` on, the file's version is appended (`?v=`).
   * `undefined` (reported) when the storage fails to give a safe one.
   */
  function urlOf(key: string, memo: string | undefined): string | undefined {
    const built = builtUrl(key, memo);
    return typeof built === 'string' ? built : undefined;
  }
  /** {@link urlOf}, or the error it reported. */
  function builtUrl(key: string, memo: string | undefined): string | LogoFallbackError {
    if (memo !== undefined) return versioned ? versionedUrl(memo, cache.version(key)) : memo;
    const built = storageUrl(key);
    if ('url' in built) return versioned ? versionedUrl(built.url, cache.version(key)) : built.url;
    report(built.error, key);
    return built.error;
  }

  function keyOf(file: unknown, failures: ReadFailures): string | undefined {
    const reference = fileReference(file, failures);
    if (reference === undefined) return undefined;
    const parsed = parse(reference);
    return parsed.kind === 'key' ? parsed.key : undefined;
  }

  function settleFileUrl(file: unknown, nameValue: unknown, ask: AvatarAsk, failures: ReadFailures, wait: boolean): string | Promise<string> {
    const avatar = (): string => avatars.draw(nameValue, ask.size, ask.format);
    const reference = fileReference(file, failures);
    if (reference === undefined) return avatar();
    const parsed = parse(reference);
    if (parsed.kind === 'external') {
      warm.rememberExternal(reference, parsed.url);
      return parsed.url;
    }
    if (parsed.kind === 'invalid') {
      report(parsed.error, parsed.subject);
      return avatar();
    }
    const answer = (present: boolean): string => (present ? urlOf(parsed.key, parsed.url) : undefined) ?? avatar();
    const state = cache.peek(parsed.key) ?? cache.checkSync(parsed.key);
    if (state !== undefined) {
      warm.remember(reference, parsed.key, parsed.url);
      return answer(state === 'present');
    }
    if (!wait) {
      cache.start(parsed.key); // the check runs on, so the next render is right
      return avatar();
    }
    return cache.check(parsed.key).then((checked) => {
      try {
        return answer(checked === 'present');
      } catch (cause) {
        unexpected(cause);
        return avatars.safe(nameValue, ask.size, ask.format);
      }
    });
  }

  /**
   * Runs one public call: its reads noted and reported once, anything unexpected ending in the
   * avatar. `threw`: what a read threw in the warm path before it left the call to this one —
   * reported as a read of `label` when reading again here does not throw (a getter or trap that
   * throws now and then), so that a call that met a throw always makes its one report.
   */
  function guarded<T>(fallback: () => T, run: (failures: ReadFailures) => T, threw?: { error: unknown }, label = 'record'): T {
    const failures = readFailures();
    try {
      return run(failures);
    } catch (cause) {
      unexpected(cause);
      return fallback();
    } finally {
      if (threw !== undefined && failures.at.length === 0) {
        failures.at.push(label);
        failures.first = threw.error;
      }
      reportRead(failures);
    }
  }

  /** `logo()` and its kin: the warm path's answer when it has one, else the full path's. */
  function logoAnswer(record: unknown, callOptions: unknown, wait: boolean): Printable | string | Promise<string> {
    return warm.logo(record, callOptions) ?? fullLogo(record, callOptions, wait);
  }
  function fullLogo(record: unknown, callOptions: unknown, wait: boolean): string | Promise<string> {
    return guarded(
      () => avatars.safe(undefined, undefined),
      (failures) => {
        const ask = readAsk(callOptions, failures);
        if (!isRecord(record)) return avatars.draw(undefined, ask.size, ask.format);
        const name = readField(record, nameFields, failures);
        return settleFileUrl(readField(record, fileFields, failures), name, ask, failures, wait);
      },
      warm.takeThrown(),
    );
  }

  /** `fileUrl()` and its kin, as {@link logoAnswer}. */
  function fileAnswer(file: unknown, name: unknown, callOptions: unknown, wait: boolean): Printable | string | Promise<string> {
    return warm.file(file, name, callOptions) ?? fullFile(file, name, callOptions, wait);
  }
  function fullFile(file: unknown, name: unknown, callOptions: unknown, wait: boolean): string | Promise<string> {
    return guarded(
      () => avatars.safe(name, undefined),
      (failures) => settleFileUrl(file, name, readAsk(callOptions, failures), failures, wait),
      warm.takeThrown(),
      'file',
    );
  }
  const settleLogo = (record: unknown, callOptions: unknown, wait: boolean): string | Promise<string> => textOf(logoAnswer(record, callOptions, wait));
  const settleFile = (file: unknown, name: unknown, callOptions: unknown, wait: boolean): string | Promise<string> => textOf(fileAnswer(file, name, callOptions, wait));

  /** A refusal (`INVALID_KEY`: an unsafe URL, a key outside the root) is `unsafe`, as its report says; anything else a fault. */
  const stateOf = (error: LogoFallbackError): 'unsafe' | 'fault' => (error.code === 'INVALID_KEY' ? 'unsafe' : 'fault');

  async function lookup(file: unknown): Promise<LogoLookup> {
    const failures = readFailures();
    try {
      const reference = fileReference(file, failures);
      if (reference === undefined) return { state: 'missing' };
      const parsed = parse(reference);
      if (parsed.kind === 'external') return { state: 'external', url: parsed.url };
      if (parsed.kind === 'invalid') {
        report(parsed.error, parsed.subject);
        return parsed.key === undefined ? { state: 'unsafe' } : { state: stateOf(parsed.error), key: parsed.key };
      }
      const { key } = parsed;
      const state = cache.peek(key) ?? cache.checkSync(key) ?? (await cache.check(key));
      if (state !== 'present') return { state, key };
      const url = builtUrl(key, parsed.url);
      return typeof url === 'string' ? { state: 'present', key, url } : { state: stateOf(url), key };
    } catch (cause) {
      unexpected(cause);
      return { state: 'fault' };
    } finally {
      reportRead(failures);
    }
  }

  const prefetch = createPrefetch({ cache, listings, settings: settings.cache, fileFields, keyOf, report, reportRead });

  return attachWarmPath<LogoResolver>({
    storage,
    memoSize,
    reportError: (error) =>
      report(isLogoFallbackError(error) ? error : new LogoFallbackError('STORAGE_FAILED', `an adapter caught: ${describeError(error, 300)}`, { cause: error })),
    logo: (record, callOptions) => settleLogo(record, callOptions, false) as string,
    fileUrl: (file, name, callOptions) => settleFile(file, name, callOptions, false) as string,
    logoAsync: async (record, callOptions) => settleLogo(record, callOptions, true),
    fileUrlAsync: async (file, name, callOptions) => settleFile(file, name, callOptions, true),
    settleLogo: (record, callOptions) => settleLogo(record, callOptions, true),
    settleFileUrl: (file, name, callOptions) => settleFile(file, name, callOptions, true),
    avatar: (name, callOptions) =>
      guarded(
        () => avatars.safe(undefined, undefined),
        (failures) => {
          const ask = readAsk(callOptions, failures);
          return avatars.draw(name, ask.size, ask.format);
        },
      ),
    name: (record, fallback) =>
      guarded(
        () => '',
        (failures) => {
          const value = typeof record === 'string' ? record : isRecord(record) ? readField(record, nameFields, failures) : undefined;
          return displayName(value) ?? (typeof fallback === 'string' ? fallback : '');
        },
      ),
    lookup,
    prefetch,
    invalidate: (file) =>
      guarded(
        () => undefined,
        (failures) => {
          if (file === undefined) {
            listings.invalidate();
            return cache.invalidate();
          }
          const key = keyOf(file, failures);
          if (key !== undefined) {
            listings.invalidate(key);
            cache.invalidate(key);
          }
        },
      ),
  }, { logo: logoAnswer, file: fileAnswer, slot: warm.slot });
}
