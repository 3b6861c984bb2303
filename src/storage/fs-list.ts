/**
 * The fs driver's listing: a directory walk with `opendir` (file types come with the directory
 * entries, so no per-file `stat` unless sizes are asked for), inside the root only.
 */
import { constants, type Stats } from 'node:fs';
import { access, opendir, lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
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
  /** Give every entry its size and modification time (one `lstat` per file, 64 at a time). */
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
/** Directory entries read per `opendir` call on the thread pool (Node's default is 32). */
const DIRENT_BUFFER = 256;
/** Files whose `lstat` runs at once when sizes are asked for. */
const STAT_BATCH = 64;

function fault(action: string, error: unknown): LogoFallbackError {
  return error instanceof LogoFallbackError ? error : storageFault('fs', `listing failed: ${action}: ${error instanceof Error ? error.message : String(error)}`, '', error);
}

async function orUndefined<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    if (NOT_FOUND.has(errorCode(error) ?? '')) return undefined;
    throw error;
  }
}

function stopIfAborted(signal: AbortSignal | undefined, prefix: string): void {
  if (signal?.aborted === true) throw storageFault('fs', 'listing was aborted', prefix, signal.reason);
}

/** Whether a directory's key can hold a key starting with `prefix`, or a file's key starts with it. */
function matches(key: string, prefix: string, isDirectory: boolean): boolean {
  return key.startsWith(prefix) || (isDirectory && prefix.startsWith(`${key}/`));
}

/**
 * Every file under `prefix`, each once (a directory reached through several in-root symlinks is
 * listed under each path, as `exists` would find it there; a symlink back to a directory being
 * walked is a cycle and is not followed). Skipped: keys that break the key rules, symlinks that
 * resolve outside the root or nowhere, anything that is not a regular file. A directory that cannot
 * be read or entered (`EACCES`) is a fault: the listing would be incomplete; with `stat`, so is a
 * file this process may not read.
 */
export async function* listFs({ root, prefix, signal, stat: withStat, mayRead }: FsListInput): AsyncGenerator<StorageEntry> {
  assertSafePrefix(prefix, 'fs');
  const realRoot = await orUndefined(realpath(root)).catch((error: unknown) => {
    throw fault(`resolving the root ${root}`, error);
  });
  if (realRoot === undefined) {
    throw new LogoFallbackError('ROOT_MISSING', `fs storage: the root directory ${root} does not exist, so nothing can be listed`, { storage: 'fs' });
  }
  const cut = prefix.lastIndexOf('/');
  const startKey = cut === -1 ? '' : prefix.slice(0, cut);
  const startDir = startKey === '' ? root : path.join(root, startKey);
  const startReal = await orUndefined(realpath(startDir)).catch((error: unknown) => {
    throw fault(`resolving ${startDir}`, error);
  });
  // A prefix whose directory is missing lists nothing; one that leaves the root (a symlink) too,
  // and so does one whose "directory" is a file (`c/x` when `c` is a file: no key starts with it).
  if (startReal === undefined || !isWithin(realRoot, startReal)) return;
  const startStat = await orUndefined(stat(startReal)).catch((error: unknown) => {
    throw fault(`resolving ${startDir}`, error);
  });
  if (startStat === undefined || !startStat.isDirectory()) return;

  const stack: Frame[] = [{ dir: startDir, key: startKey, chain: [startReal] }];
  let batch: Array<{ key: string; full: string }> = [];
  async function* flush(): AsyncGenerator<StorageEntry> {
    const files = batch;
    batch = [];
    const stats = await Promise.all(files.map(({ full }) => orUndefined(lstat(full)).catch((error: unknown) => {
      throw fault(`lstat ${full}`, error);
    })));
    for (const [i, file] of files.entries()) {
      const found = stats[i];
      if (found === undefined) continue;
      // As exists() would: a file this process may not read is a fault, not a file nor a missing one.
      if (!mayRead(found)) await access(file.full, constants.R_OK).catch((error: unknown) => {
        throw fault(`reading ${file.full}`, error);
      });
      yield { key: file.key, size: found.size, modified: found.mtimeMs };
    }
  }

  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    stopIfAborted(signal, prefix);
    let directory;
    try {
      // Names can be read from a directory without "x", but none of its files can be: a fault,
      // as exists() reports for each of them, rather than a listing of files nobody can serve.
      await access(frame.dir, constants.R_OK | constants.X_OK);
      directory = await opendir(frame.dir, { bufferSize: DIRENT_BUFFER });
    } catch (error) {
      if (NOT_FOUND.has(errorCode(error) ?? '')) continue; // removed while walking
      throw fault(`opening ${frame.dir}`, error);
    }
    try {
      for await (const entry of directory) {
        const key = frame.key === '' ? entry.name : `${frame.key}/${entry.name}`;
        // A directory whose own key is unsafe only holds unsafe keys: skip it whole.
        if (keyProblem(key) !== undefined) continue;
        const full = path.join(frame.dir, entry.name);
        const parentReal = frame.chain[frame.chain.length - 1] as string;
        if (entry.isFile()) {
          if (!matches(key, prefix, false)) continue;
          if (!withStat) {
            yield { key };
            continue;
          }
          batch.push({ key, full });
          if (batch.length >= STAT_BATCH) yield* flush();
        } else if (entry.isDirectory()) {
          if (matches(key, prefix, true)) stack.push({ dir: full, key, chain: [...frame.chain, path.join(parentReal, entry.name)] });
        } else if (entry.isSymbolicLink()) {
          if (!matches(key, prefix, true)) continue;
          // Loops (ELOOP) and dangling links name no file: not listed, as exists() finds no file there.
          const real = await realpath(full).catch(() => undefined);
          if (real === undefined || !isWithin(realRoot, real)) continue;
          const target = await stat(real).catch(() => undefined);
          if (target?.isFile() === true && matches(key, prefix, false)) {
            yield withStat ? { key, size: target.size, modified: target.mtimeMs } : { key };
          } else if (target?.isDirectory() === true && !frame.chain.some((above) => isWithin(real, above))) {
            stack.push({ dir: full, key, chain: [...frame.chain, real] });
          }
        }
        stopIfAborted(signal, prefix);
      }
    } catch (error) {
      if (error instanceof LogoFallbackError) throw error;
      throw fault(`reading ${frame.dir}`, error);
    }
    if (batch.length > 0) yield* flush();
  }
}
