/**
 * Local disk (or a Docker volume): one `lstat` per check, with root containment that survives
 * symlinks swapped after they were checked.
 */
import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import { LogoFallbackError } from '../errors.js';
import { encodeKey } from '../keys.js';
import { normalizeBaseUrl, optionKeys, readOptions, requireString } from '../options.js';
import { listFs, listFsSync } from './fs-list.js';
import { assertSafeKey, errorCode, isWithin, storageFault } from './guards.js';
import type { Storage, StorageEntry } from './types.js';

/** Options of {@link fsStorage}. */
export interface FsStorageOptions {
  /** The directory that holds the media (Django's `MEDIA_ROOT`). Relative paths resolve from `process.cwd()`. `/` works too. */
  root: string;
  /**
   * The public URL the directory is served under (Django's `MEDIA_URL`).
   * @default '/media/'
   */
  baseUrl?: string;
}

const KNOWN = optionKeys<FsStorageOptions>()(['root', 'baseUrl']);

/**
 * One file-system call of a check, run synchronously or asynchronously by the caller, so that
 * `exists`, `existsSync` and `stat` share one implementation of the rules. `stat`, `lstat` and
 * `realpath` give `undefined` for "not found" (`ENOENT`, `ENOTDIR`); every other error is thrown
 * back into the check.
 */
type Op = { readonly op: 'stat' | 'lstat' | 'realpath' | 'access'; readonly path: string };
type Check<T> = Generator<Op, T, unknown>;

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR']);
/** `lstatSync` options that answer `undefined` for a missing file: one object for every check. */
const NO_THROW = { throwIfNoEntry: false } as const;

function notFoundAsUndefined(error: unknown): undefined {
  if (NOT_FOUND.has(errorCode(error) ?? '')) return undefined;
  throw error;
}

function runOpSync({ op, path: p }: Op): unknown {
  try {
    if (op === 'stat') return fs.statSync(p, { throwIfNoEntry: false });
    if (op === 'lstat') return fs.lstatSync(p, { throwIfNoEntry: false });
    if (op === 'realpath') return fs.realpathSync.native(p);
    return fs.accessSync(p, fs.constants.R_OK);
  } catch (error) {
    return notFoundAsUndefined(error);
  }
}

function runOpAsync({ op, path: p }: Op): Promise<unknown> {
  const pending = op === 'stat' ? fs.promises.stat(p) : op === 'lstat' ? fs.promises.lstat(p) : op === 'realpath' ? fs.promises.realpath(p) : fs.promises.access(p, fs.constants.R_OK);
  return pending.catch(notFoundAsUndefined);
}

/** Runs a check, feeding each call's result (or error) back into it. */
export function runSync<T>(steps: Check<T>): T {
  let result = steps.next();
  while (!result.done) {
    let value: unknown;
    try {
      value = runOpSync(result.value);
    } catch (error) {
      result = steps.throw(error);
      continue;
    }
    result = steps.next(value);
  }
  return result.value;
}

/** The asynchronous twin of {@link runSync}: the same check, each call on libuv's thread pool. */
export async function runAsync<T>(steps: Check<T>): Promise<T> {
  let result = steps.next();
  while (!result.done) {
    let value: unknown;
    try {
      value = await runOpAsync(result.value);
    } catch (error) {
      result = steps.throw(error);
      continue;
    }
    result = steps.next(value);
  }
  return result.value;
}

/** How many verified directories each storage remembers. Past it, a directory is verified again. */
const VERIFIED_DIRECTORIES = 10_000;
/**
 * How long a verified directory is trusted without a syscall, ms. It cannot widen what a swapped
 * symlink exposes: the resolver keeps a present answer for `ttl` (30 s by default), and the web
 * server follows the path it is given when the browser asks, so a swap shows on pages longer than
 * this anyway. It only bounds how long new checks take a directory's identity — and the root's
 * real path, for containment tests — on trust.
 */
const TRUST_MS = 1000;

/** A directory's identity when it was verified: a swap or a move gives another inode or ctime. */
interface Identity {
  readonly dev: number;
  readonly ino: number;
  readonly ctime: number;
  /** When the identity was last confirmed (`performance.now()`). */
  confirmed: number;
}

/**
 * Stores files on the local disk under `root`. A key is present when it names a non-empty regular
 * file this process may read; a directory, an empty file, a socket or a dangling symlink is missing.
 * Any other failure is a `STORAGE_FAILED` fault: a permission error (`EACCES`, also a file with
 * mode 000), a symlink loop (`ELOOP`), an over-long name (`ENAMETOOLONG`). A missing root is a
 * `ROOT_MISSING` fault, never "every file is missing".
 *
 * Containment: a key is looked up only below `root`, and a symlink — of the file or of any directory
 * on its way — is followed only when it resolves inside the root's real path; otherwise the key is
 * refused with `INVALID_KEY`. A check costs one `lstat` of the file: a directory is resolved
 * (`realpath`) once and remembered by its device, inode and ctime, confirmed by one `stat` at most
 * once a second, so a directory swapped for a symlink, or moved out and linked back, is resolved
 * again within a second.
 *
 * Readability is read from the `lstat` mode bits, owner and group against this process's user and
 * groups; where the bits deny, the kernel is asked (`access`), so an ACL that grants more is seen.
 * What the bits cannot show is not: an ACL entry, a security module (SELinux, AppArmor) or an NFS
 * server (`root_squash`) that denies what the bits allow, and a root process without
 * `CAP_DAC_OVERRIDE` (root is taken to read every file). Such a file counts as present.
 *
 * `list(prefix)` walks the directories (`opendir`, no per-file `stat` unless `{ stat: true }`) with
 * synchronous calls, letting the event loop run every 1,024 directory entries.
 *
 * @example
 * ```ts
 * const storage = fsStorage({ root: 'media', baseUrl: '/media/' });
 * await storage.exists('base/company/icon/acme.png'); // true
 * storage.url('base/company/icon/acme.png');           // '/media/base/company/icon/acme.png'
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` for no `root`; `INVALID_OPTION` for a bad option or a key
 * {@link FsStorageOptions} does not have (a typo is named before a missing `root`).
 */
export function fsStorage(options: FsStorageOptions): Storage & Required<Pick<Storage, 'existsSync' | 'stat' | 'list'>> {
  const owner = 'fsStorage()';
  const opts = readOptions<FsStorageOptions>(options, KNOWN, 'the options', owner);
  const root = path.resolve(requireString(opts.root, 'root', owner));
  const baseUrl = normalizeBaseUrl(opts.baseUrl ?? '/media/', 'baseUrl', owner);
  // By the directory's key ('' for the root). A plain Map, oldest entry dropped first: an LRU of
  // this size costs ~1 ms to build per storage.
  const verified = new Map<string, Identity>();
  /** The root's real path when it was last resolved (`performance.now()`). */
  let rootResolved: { readonly real: string; readonly at: number } | undefined;
  const uid = process.getuid?.();
  const groups = new Set([process.getgid?.(), ...(process.getgroups?.() ?? [])]);
  // A key that passed the key rules is relative, `/`-separated, without an empty, `.` or `..`
  // segment: on POSIX its path is the root and the key joined as strings (path.join would only
  // normalise what cannot change, at a cost per check). Elsewhere path.join turns `/` into `\`.
  const posix = path.sep === '/';
  const rootPrefix = root.endsWith(path.sep) ? root : root + path.sep;
  const fullPathOf = (key: string): string => (posix ? rootPrefix + key : path.join(root, key));
  /** The key of the directory holding a key's file: `''` for the root. */
  function directoryKeyOf(key: string): string {
    const cut = key.lastIndexOf('/');
    return cut === -1 ? '' : key.slice(0, cut);
  }

  function refuse(key: string, why: string): never {
    throw new LogoFallbackError('INVALID_KEY', `fs storage: refused key ${JSON.stringify(key)}: ${why}`, { key, storage: 'fs' });
  }

  function* attempt(key: string, op: Op): Check<unknown> {
    try {
      return yield op;
    } catch (error) {
      throw storageFault('fs', `checking ${JSON.stringify(key)} failed: ${error instanceof Error ? error.message : String(error)}`, key, error);
    }
  }

  function* realRoot(key: string): Check<string> {
    const real = (yield* attempt(key, { op: 'realpath', path: root })) as string | undefined;
    if (real === undefined) {
      throw new LogoFallbackError('ROOT_MISSING', `fs storage: the root directory ${root} does not exist, so every file is missing`, { storage: 'fs', key });
    }
    rootResolved = { real, at: performance.now() };
    return real;
  }

  /**
   * The root's real path for a containment test: resolved again at most once per {@link TRUST_MS},
   * as a verified directory is confirmed (a site whose logos sit in many directories would
   * otherwise resolve the root once per directory).
   */
  function* trustedRealRoot(key: string): Check<string> {
    if (rootResolved !== undefined && performance.now() - rootResolved.at < TRUST_MS) return rootResolved.real;
    return yield* realRoot(key);
  }

  /**
   * Whether the key's directory exists, refusing one that resolves outside the root. Within
   * {@link TRUST_MS} of its last confirmation a directory costs nothing; then one `stat` confirms its
   * identity; a `realpath` runs only for a directory never seen or whose identity changed.
   */
  function* verifyDirectory(key: string, dirKey: string): Check<boolean> {
    const known = verified.get(dirKey);
    const now = performance.now();
    if (known !== undefined && now - known.confirmed < TRUST_MS) return true;
    const dir = dirKey === '' ? root : fullPathOf(dirKey);
    const stats = (yield* attempt(key, { op: 'stat', path: dir })) as Stats | undefined;
    if (stats === undefined) {
      yield* realRoot(key); // a missing root is a fault, not a missing file
      return false;
    }
    if (!stats.isDirectory()) return false;
    if (known !== undefined && known.dev === stats.dev && known.ino === stats.ino && known.ctime === stats.ctimeMs) {
      known.confirmed = now;
      return true;
    }
    if (dirKey !== '') {
      const rootReal = yield* trustedRealRoot(key);
      const real = (yield* attempt(key, { op: 'realpath', path: dir })) as string | undefined;
      if (real === undefined) return false; // removed between the two calls
      if (!isWithin(rootReal, real)) refuse(key, 'it is in a directory that is a symlink resolving outside the root');
    }
    if (verified.size >= VERIFIED_DIRECTORIES) verified.delete(verified.keys().next().value as string);
    verified.set(dirKey, { dev: stats.dev, ino: stats.ino, ctime: stats.ctimeMs, confirmed: now });
    return true;
  }

  /**
   * Whether the mode bits let this process read the file; `false` asks the kernel (ACLs may still
   * allow it). `true` is taken as it is: see the limits in {@link fsStorage}'s documentation.
   */
  function mayRead(stats: Stats): boolean {
    if (uid === undefined || uid === 0) return true;
    if (stats.uid === uid) return (stats.mode & 0o400) !== 0;
    if (groups.has(stats.gid)) return (stats.mode & 0o040) !== 0;
    return (stats.mode & 0o004) !== 0;
  }

  /** The general check of a key that passed the key rules: every call it needs, run sync or async. */
  function* checkValid(key: string): Check<StorageEntry | undefined> {
    const full = fullPathOf(key);
    if (full === root || !isWithin(root, full)) refuse(key, 'it points outside the root');
    if (!(yield* verifyDirectory(key, directoryKeyOf(key)))) return undefined;
    let stats = (yield* attempt(key, { op: 'lstat', path: full })) as Stats | undefined;
    if (stats?.isSymbolicLink() === true) {
      const real = (yield* attempt(key, { op: 'realpath', path: full })) as string | undefined;
      if (real === undefined) return undefined; // dangling
      if (!isWithin(yield* trustedRealRoot(key), real)) refuse(key, 'it is a symlink that resolves outside the root');
      stats = (yield* attempt(key, { op: 'stat', path: real })) as Stats | undefined;
    }
    if (stats === undefined || !stats.isFile() || stats.size === 0) return undefined;
    if (!mayRead(stats)) yield* attempt(key, { op: 'access', path: full });
    return { key, size: stats.size, modified: stats.mtimeMs };
  }

  function* check(key: string): Check<StorageEntry | undefined> {
    assertSafeKey(key, 'fs');
    return yield* checkValid(key);
  }

  /**
   * The common case of a synchronous check, without the general check's generator, operation
   * objects or path normalising: the key's directory was verified within {@link TRUST_MS}, and one
   * `lstatSync` finds nothing there (missing), or something that is not a non-empty regular file
   * (missing), or a non-empty regular file whose mode bits let this process read it (present).
   * Anything else — an unverified directory, a symlink, mode bits that deny reading, any error —
   * is left to {@link checkValid} (`undefined`), which decides by every rule: the answers are
   * the same, and a fault or a refusal is raised there.
   */
  function quickCheckSync(key: string): boolean | undefined {
    const known = verified.get(directoryKeyOf(key));
    if (known === undefined || performance.now() - known.confirmed >= TRUST_MS) return undefined;
    let stats: Stats | undefined;
    try {
      stats = fs.lstatSync(fullPathOf(key), NO_THROW);
    } catch {
      return undefined;
    }
    if (stats === undefined) return false;
    if (stats.isSymbolicLink()) return undefined;
    if (!stats.isFile() || stats.size === 0) return false;
    return mayRead(stats) ? true : undefined;
  }

  /** `existsSync` of a key that passed the key rules. */
  function existsValidSync(key: string): boolean {
    return quickCheckSync(key) ?? runSync(checkValid(key)) !== undefined;
  }

  const storage: Storage & Required<Pick<Storage, 'existsSync' | 'stat' | 'list'>> = {
    name: 'fs',
    baseUrl,
    root,
    exists: async (key) => (await runAsync(check(key))) !== undefined,
    existsSync: (key) => {
      assertSafeKey(key, 'fs');
      return existsValidSync(key);
    },
    stat: (key) => runAsync(check(key)),
    list: (prefix, signal, listOptions) => listFs({ root, prefix, signal, stat: listOptions?.stat === true, mayRead }),
    url: (key) => baseUrl + encodeKey(key),
  };
  internals.set(storage, {
    existsValidSync,
    listSync: (prefix, listOptions) => listFsSync({ root, prefix, stat: listOptions.stat, mayRead }),
  });
  return storage;
}

/**
 * What the package's own callers may ask of an fs storage beyond {@link Storage}, for callers that
 * block anyway (the audit CLI). Not exported by the package.
 */
export interface FsInternals {
  /**
   * `existsSync` for a key that passed the key rules already (`parseReference` made it, or it
   * passed `keyProblem`): the same answer, without validating the key a second time. A key that
   * did not pass them must never reach it.
   */
  existsValidSync(key: string): boolean;
  /** `list(prefix, undefined, { stat })` as a synchronous walk: the same entries, without a promise per entry. */
  listSync(prefix: string, options: { readonly stat: boolean }): Iterable<StorageEntry>;
}

/** Each fs storage's {@link FsInternals}, by the storage object {@link fsStorage} returned. */
const internals = new WeakMap<Storage, FsInternals>();

/**
 * The {@link FsInternals} of a storage `fsStorage()` made; `undefined` for any other storage (a
 * copy or wrapper of an fs storage too: its own methods are then called, and validate).
 */
export function fsInternals(storage: Storage): FsInternals | undefined {
  return internals.get(storage);
}
