/** The resolver's public interface: what `createLogoResolver` returns, and its call options. */
import type { AvatarFormat } from './avatars/types.js';
import type { Storage } from './storage/types.js';

/** Per-call options of the resolver's methods. */
export interface LogoCallOptions {
  /**
   * The avatar's size in CSS pixels, passed to the avatar provider: an integer from 1 to 2048, or a
   * string of its decimal digits (`'40'`, as templates pass it). Any other value is reported once
   * to `onError` (`INVALID_OPTION`) and the provider's default size is drawn; `null` and `''` count
   * as absent. @default the avatar provider's size (`initialsAvatar`: 64)
   */
  size?: number | string;
  /**
   * The avatar's image format, passed to the avatar provider (`'svg'` or `'png'`; others are
   * ignored): `'png'` where SVG and `data:` URLs do not work, such as e-mail. The package's
   * `initialsAvatar({ route })` then emits the route's `.png` URL; a provider that cannot serve the
   * format (a `data:` URL provider, `uiAvatars()`) ignores it. The logo's own URL is unchanged.
   * @default the provider's own format
   */
  format?: AvatarFormat;
}

/**
 * The listing form of {@link LogoResolver.prefetch}: `prefetch({ prefix: 'base/company/icon/' })`
 * fills the existence cache for every file under a key prefix from ONE listing of the storage
 * (`Storage.list`: fs, S3, unstorage; not HTTP) — S3 answers 1,000 keys a request.
 *
 * - A listed file with a size above 0 is stored as present, an empty one as missing, for the
 *   usual `ttl`/`missTtl`; a key that is not listed is left unknown (its first sync render prints
 *   the avatar — right for a missing file — and one check fills the cache). A listing does not
 *   see permissions: a local file this process may not read (mode 000) is stored as present,
 *   where a check of its own reports a fault.
 * - At most `cache.max` keys: past it the listing stops, and `onError` hears `INVALID_OPTION`.
 * - A listing that yields nothing for `cache.hardTimeout` is aborted (`TIMEOUT`); a storage
 *   fault is reported as the driver gives it (`STORAGE_FAILED`, `ROOT_MISSING`).
 * - A storage that cannot list, or a prefix no safe key can start with: `INVALID_OPTION` to
 *   `onError`, nothing fetched. Never throws, never rejects.
 * - Files uploaded later are not known until their ttl runs out or they are checked: call it again
 *   (a timer below `ttl`) to keep a whole prefix fresh with one listing per period.
 */
export interface PrefetchPrefix {
  /** A storage key prefix, not a URL: `'base/company/icon/'`, `'base/company/icon/a'`, or `''` for every key. */
  prefix: string;
}

/** Options of {@link LogoResolver.prefetch}. */
export interface PrefetchOptions {
  /** The items are file values (`company.icon`), not records. @default false */
  files?: boolean;
  /**
   * How many of this prefetch's checks may run at once (1–1,024), within the resolver's own
   * `concurrency`, which bounds every check together. @default the resolver's `concurrency`
   */
  concurrency?: number;
}

/**
 * What the resolver knows about one file value ({@link LogoResolver.lookup}):
 * - `present`: the key's file exists (or is served within stale-if-error); `url` is its public URL;
 * - `missing`: it does not (or there is no reference at all: no `key` then);
 * - `unsafe`: refused (reported to `onError` as `INVALID_KEY`): the reference breaks the key rules
 *   (no `key` then), or the storage refused the key (the fs driver's symlink resolving outside its
 *   root) or built a URL that `isSafeUrl()` refuses (`javascript:`, …);
 * - `fault`: the storage failed, timed out, or its `url()` threw (reported);
 * - `external`: a URL that is not our storage's, returned unchanged as `url`.
 */
export type LogoLookup = LogoLookupPresent | LogoLookupExternal | LogoLookupAbsent;

/**
 * A {@link LogoLookup} whose file exists: `url` is its public URL, `key` its storage key. Every
 * variant declares `key` and `url` (as `undefined` where there is none), so code that only reads
 * them compiles on the union; checking `state` narrows them.
 */
export interface LogoLookupPresent {
  readonly state: 'present';
  /** The storage key. */
  readonly key: string;
  /** The file's public URL. */
  readonly url: string;
}

/** A {@link LogoLookup} of a URL that is not our storage's: `url` is the reference itself. */
export interface LogoLookupExternal {
  readonly state: 'external';
  readonly key?: undefined;
  /** The reference, unchanged. */
  readonly url: string;
}

/** A {@link LogoLookup} with nothing to print: no `url`, and a `key` when the answer is about one. */
export interface LogoLookupAbsent {
  readonly state: 'missing' | 'unsafe' | 'fault';
  /** The storage key, when the answer is about a key (never for a reference that breaks the key rules). */
  readonly key?: string;
  readonly url?: undefined;
}

/** What `createLogoResolver` returns. Every method is safe to call with anything: none throws or rejects. */
export interface LogoResolver {
  /** `get_company_logo`: the record's logo URL if its file exists, else an avatar for its name. Sync. */
  logo(record: unknown, options?: LogoCallOptions): string;
  /** `get_company_logo_url`: the file's URL if it exists, else an avatar for `name`. Sync. */
  fileUrl(file: unknown, name?: unknown, options?: LogoCallOptions): string;
  /** Like {@link LogoResolver.logo}, awaiting storage (at most `timeout` ms from the check's start). */
  logoAsync(record: unknown, options?: LogoCallOptions): Promise<string>;
  /** Like {@link LogoResolver.fileUrl}, awaiting storage (at most `timeout` ms from the check's start). */
  fileUrlAsync(file: unknown, name?: unknown, options?: LogoCallOptions): Promise<string>;
  /**
   * For adapters: the answer now when it is known — cached, or from the driver's synchronous check
   * (`fsStorage`) — as a string, else a promise of it (as {@link LogoResolver.logoAsync}).
   */
  settleLogo(record: unknown, options?: LogoCallOptions): string | Promise<string>;
  /** For adapters: {@link LogoResolver.fileUrl}'s answer now, or a promise of it (see {@link LogoResolver.settleLogo}). */
  settleFileUrl(file: unknown, name?: unknown, options?: LogoCallOptions): string | Promise<string>;
  /** The avatar URL for a name (the placeholder's when there is none). */
  avatar(name?: unknown, options?: LogoCallOptions): string;
  /**
   * `get_company_name`: the record's display name (read through `fields.name`); a string is taken
   * as the name itself. `fallback` (default `''`) when there is none.
   */
  name(record: unknown, fallback?: unknown): string;
  /**
   * What is known about one file value, through the same key rules and existence cache as
   * {@link LogoResolver.fileUrl} (waiting like {@link LogoResolver.fileUrlAsync}): for a media
   * route or a shared tier that must tell "missing" from "fault" from "unsafe".
   */
  lookup(file: unknown): Promise<LogoLookup>;
  /**
   * Checks the files of many records (or file values) so that sync renders are right the first
   * time. Resolves when every check has answered, or after `cache.hardTimeout` at most (the rest
   * go on in the background). Never rejects.
   *
   * `prefetch({ prefix })` instead lists the storage once and stores what the listing shows about
   * every file under the prefix (see {@link PrefetchPrefix}); it resolves when the listing ends.
   *
   * A call it cannot use checks nothing and is reported to `onError`: an unknown key in `options`
   * or in `{ prefix }`, a `files` that is not a boolean, a string instead of a list (a string is
   * iterable, one character at a time): `INVALID_OPTION`; a list or argument whose reading throws
   * (a generator, a Proxy's trap, a getter): `INVALID_RECORD`, the items read before it still checked.
   */
  prefetch(items: Iterable<unknown> | PrefetchPrefix | null | undefined, options?: PrefetchOptions): Promise<void>;
  /** Forgets what is known about one file value (after an upload or delete), or about everything. */
  invalidate(file?: unknown): void;
  /**
   * Hands an error to `onError`, deduplicated like the resolver's own reports. For adapters that
   * catch an engine's fault so that it cannot crash the process.
   */
  reportError(error: unknown): void;
  /** The storage the resolver checks. */
  readonly storage: Storage;
  /**
   * How many entries each of the resolver's memos holds (`cache.max`): parsed references, avatars
   * by name, and the existence cache itself. Adapters size their own memos of printed values by it,
   * so that a page's cost per item stays flat up to this many distinct files and names.
   */
  readonly memoSize: number;
}
