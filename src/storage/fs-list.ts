/**
 * The fs driver's listing: a directory walk (file types come with the directory entries, so no
 * per-file `lstat` unless sizes are asked for), inside the root only.
 *
 * The walk makes synchronous calls, as the driver's `existsSync` does: on a local disk each is a
 * system call that returns at once, and a call through libuv's thread pool costs more than the
 * call itself (a promise, a thread hop and a callback per file). {@link listFs} hands the entries on
 * asynchronously and lets the event loop run every {@link SLICE} directory entries, so a long walk
 * does not hold timers, sockets or a caller's abort for more than a few milliseconds at a time.
 */
import { accessSync, constants, lstatSync, opendirSync, realpathSync, statSync, type Dir, type Stats } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LogoFallbackError } from '../errors.js';
import { keyProblem } from '../keys.js';
import { assertSafePrefix, errorCode, isWithin, storageFault } from './guards.js';
import type { StorageEntry } from './types.js';

/** What {@link listFs} walks. */
export interface FsListInput {
  /** The storage's absolute root. */
  readonly root: string;
  /** A key prefix (`'base/company/icon/'`, `'base/co'`, `''`). */
  readonly prefix: string;
  readonly signal?: AbortSignal | undefined;
  /** Give every entry its size and modification time (one `lstat` per file). */
  readonly stat: boolean;
  /** Whether this process may read a file, from its mode bits (the fs driver's own rule). */
  readonly mayRead: (stats: Stats) => boolean;
}

/** A directory waiting to be read: its path, its key, and the real paths of the directories above it. */
interface Frame {
  readonly dir: string;
  readonly key: string;
  /** Real paths from the walk's start down to this directory: a symlink to any of them is a cycle. */
  readonly chain: readonly string[];
}

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR']);
/** Directory entries read per `opendir` call (Node's default is 32). */
const DIRENT_BUFFER = 256;
/** Directory entries (and directories) walked between two turns of the event loop. */
export const SLICE = 1024;
/** Where the walk lets the event loop run. */
const PAUSE = Symbol('pause');

function fault(action: string, error: unknown): LogoFallbackError {
  return error instanceof LogoFallbackError ? error : storageFault('fs', `listing failed: ${action}: ${error instanceof Error ? error.message : String(error)}`, '', error);
}

/** A call's result, `undefined` for "not found" (`ENOENT`, `ENOTDIR`); any other error as a fault. */
function orUndefined<T>(call: () => T, action: string): T | undefined {
  try {
    return call();
  } catch (error) {
    if (NOT_FOUND.has(errorCode(error) ?? '')) return undefined;
    throw fault(action, error);
  }
}

function stopIfAborted(signal: AbortSignal | undefined, prefix: string): void {
  if (signal?.aborted === true) throw storageFault('fs', 'listing was aborted', prefix, signal.reason);
}

/** Whether a directory's key can hold a key starting with `prefix`, or a file's key starts with it. */
function matches(key: string, prefix: string, isDirectory: boolean): boolean {
  return key.startsWith(prefix) || (isDirectory && prefix.startsWith(`${key}/`));
}

/** Opens a directory to read, or `undefined` when it is gone (removed while walking). */
function openDirectory(dir: string): Dir | undefined {
  // Names can be read from a directory without "x", but none of its files can be: a fault, as
  // exists() reports for each of them, rather than a listing of files nobody can serve.
  return orUndefined(() => {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return opendirSync(dir, { bufferSize: DIRENT_BUFFER });
  }, `opening ${dir}`);
}

/** A file this process may not read is a fault, as exists() has it: neither a file nor a missing one. */
function assertReadable(full: string, stats: Stats, mayRead: (stats: Stats) => boolean): void {
  if (mayRead(stats)) return;
  try {
    accessSync(full, constants.R_OK);
  } catch (error) {
    throw fault(`reading ${full}`, error);
  }
}

/** The walk: every entry of {@link listFs}, and a {@link PAUSE} every {@link SLICE} directory entries. */
function* walk({ root, prefix, signal, stat: withStat, mayRead }: FsListInput): Generator<StorageEntry | typeof PAUSE> {
  assertSafePrefix(prefix, 'fs');
  const realRoot = orUndefined(() => realpathSync.native(root), `resolving the root ${root}`);
  if (realRoot === undefined) {
    throw new LogoFallbackError('ROOT_MISSING', `fs storage: the root directory ${root} does not exist, so nothing can be listed`, { storage: 'fs' });
  }
  const cut = prefix.lastIndexOf('/');
  const startKey = cut === -1 ? '' : prefix.slice(0, cut);
  const startDir = startKey === '' ? root : path.join(root, startKey);
  const startReal = orUndefined(() => realpathSync.native(startDir), `resolving ${startDir}`);
  // A prefix whose directory is missing lists nothing; one that leaves the root (a symlink) too,
  // and so does one whose "directory" is a file (`c/x` when `c` is a file: no key starts with it).
  if (startReal === undefined || !isWithin(realRoot, startReal)) return;
  const startStat = orUndefined(() => statSync(startReal), `resolving ${startDir}`);
  if (startStat === undefined || !startStat.isDirectory()) return;

  const stack: Frame[] = [{ dir: startDir, key: startKey, chain: [startReal] }];
  let walked = 0;
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    stopIfAborted(signal, prefix);
    const directory = openDirectory(frame.dir);
    if (directory === undefined) continue;
    // Entry names hold no separator and are never "." or "..": the root-relative path is a string join.
    const dirPrefix = frame.dir.endsWith(path.sep) ? frame.dir : frame.dir + path.sep;
    const parentReal = frame.chain[frame.chain.length - 1] as string;
    try {
      for (let entry = directory.readSync(); entry !== null; entry = directory.readSync()) {
        if (++walked % SLICE === 0) yield PAUSE;
        stopIfAborted(signal, prefix);
        const key = frame.key === '' ? entry.name : `${frame.key}/${entry.name}`;
        // A directory whose own key is unsafe only holds unsafe keys: skip it whole.
        if (keyProblem(key) !== undefined) continue;
        const full = dirPrefix + entry.name;
        if (entry.isFile()) {
          if (!matches(key, prefix, false)) continue;
          if (!withStat) {
            yield { key };
            continue;
          }
          const stats = orUndefined(() => lstatSync(full), `lstat ${full}`);
          if (stats === undefined) continue; // removed while walking
          assertReadable(full, stats, mayRead);
          yield { key, size: stats.size, modified: stats.mtimeMs };
        } else if (entry.isDirectory()) {
          if (matches(key, prefix, true)) stack.push({ dir: full, key, chain: [...frame.chain, path.join(parentReal, entry.name)] });
        } else if (entry.isSymbolicLink()) {
          if (!matches(key, prefix, true)) continue;
          // Loops (ELOOP) and dangling links name no file: not listed, as exists() finds no file there.
          const real = quietly(() => realpathSync.native(full));
          if (real === undefined || !isWithin(realRoot, real)) continue;
          const target = quietly(() => statSync(real));
          if (target?.isFile() === true && matches(key, prefix, false)) {
            if (!withStat) {
              yield { key };
              continue;
            }
            assertReadable(full, target, mayRead);
            yield { key, size: target.size, modified: target.mtimeMs };
          } else if (target?.isDirectory() === true && !frame.chain.some((above) => isWithin(real, above))) {
            stack.push({ dir: full, key, chain: [...frame.chain, real] });
          }
        }
      }
    } catch (error) {
      throw fault(`reading ${frame.dir}`, error);
    } finally {
      directory.closeSync();
    }
  }
}

/** A call's result, or `undefined` when it throws (a symlink's target that names no file). */
function quietly<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}

/**
 * Every file under `prefix`, each once (a directory reached through several in-root symlinks is
 * listed under each path, as `exists` would find it there; a symlink back to a directory being
 * walked is a cycle and is not followed). Skipped: keys that break the key rules, symlinks that
 * resolve outside the root or nowhere, anything that is not a regular file. A directory that cannot
 * be read or entered (`EACCES`) is a fault: the listing would be incomplete; with `stat`, so is a
 * file this process may not read.
 */
export async function* listFs(input: FsListInput): AsyncGenerator<StorageEntry> {
  for (const item of walk(input)) {
    if (item === PAUSE) await nextTurn();
    else yield item;
  }
}

/** {@link listFs} for a caller that blocks anyway (the audit): the same entries, synchronously. */
export function* listFsSync(input: FsListInput): Generator<StorageEntry> {
  for (const item of walk(input)) if (item !== PAUSE) yield item;
}
