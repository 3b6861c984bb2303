/**
 * The doctor's checks on files: can this process create, read and delete a file in a folder (a
 * sentinel in a hidden folder of its own, always removed), which folders are there, and how much
 * room is left. They only ever write inside their own sentinel folders.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { access, constants, mkdir, readdir, readFile, rm, rmdir, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The name every sentinel folder starts with: hidden, and skipped by the walk. */
export const SENTINEL_PREFIX = '.logo-fallback-doctor-';

/** Why a folder failed the write probe. */
export interface FolderProblem {
  /** The folder, as given. */
  folder: string;
  /** The step that failed. */
  step: 'list' | 'create' | 'write' | 'read' | 'delete';
  /** The error code (`EACCES`, `EROFS`, `ENOSPC`, …) or message. */
  error: string;
  /** The folder's owner and permission bits, when it could be stat'ed. */
  owner?: { uid: number; gid: number; mode: string };
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.message : String(error));

/** The owner and permission bits (octal) of a path, or `undefined` when it cannot be stat'ed. */
export async function ownerOf(folder: string): Promise<FolderProblem['owner']> {
  try {
    const info = await stat(folder);
    return { uid: info.uid, gid: info.gid, mode: (info.mode & 0o7777).toString(8) };
  } catch {
    return undefined;
  }
}

/**
 * Creates a hidden folder in `folder`, writes a sentinel file in it, reads it back and deletes both:
 * what an upload does (create a file, later replace or remove it). Resolves to the problem, or
 * `undefined` when every step worked. The sentinel folder is removed whatever happens.
 */
export async function probeFolder(folder: string): Promise<FolderProblem | undefined> {
  const token = randomBytes(8).toString('hex');
  const probe = path.join(folder, `${SENTINEL_PREFIX}${process.pid}-${token}`);
  const file = path.join(probe, 'sentinel');
  let step: FolderProblem['step'] = 'create';
  try {
    await mkdir(probe, { mode: 0o700 });
    step = 'write';
    await writeFile(file, token, { flag: 'wx', mode: 0o600 });
    step = 'read';
    if ((await readFile(file, 'utf8')) !== token) throw new Error('the sentinel read back differs from what was written');
    step = 'delete';
    await unlink(file);
    await rmdir(probe);
    return undefined;
  } catch (error) {
    return { folder, step, error: codeOf(error), ...(await ownerOf(folder).then((owner) => (owner === undefined ? {} : { owner }))) };
  } finally {
    await rm(probe, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Probes each folder in turn; the problems, in the order given. */
export async function probeFolders(folders: readonly string[]): Promise<FolderProblem[]> {
  const problems: FolderProblem[] = [];
  for (const folder of folders) {
    const problem = await probeFolder(folder);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** What {@link walk} found. */
export interface Walk {
  /** `root` and every folder below it, breadth-first (symlinks are not followed). */
  folders: string[];
  /** Entries that are not folders (files, symlinks, …), sentinels excepted. */
  files: number;
  /** Folders that could not be listed. */
  unreadable: FolderProblem[];
  /** Whether the walk stopped at `limit` folders. */
  truncated: boolean;
}

/** Lists the folders under `root`, at most `limit` of them: the cost is bounded by the tree's size and the limit. */
export async function walk(root: string, limit: number): Promise<Walk> {
  const result: Walk = { folders: [], files: 0, unreadable: [], truncated: false };
  const queue = [root];
  for (let index = 0; index < queue.length; index++) {
    const next = queue[index] as string;
    result.folders.push(next);
    let entries: Dirent[];
    try {
      entries = await readdir(next, { withFileTypes: true });
    } catch (error) {
      result.unreadable.push({ folder: next, step: 'list', error: codeOf(error), ...(await ownerOf(next).then((owner) => (owner === undefined ? {} : { owner }))) });
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(SENTINEL_PREFIX)) continue;
      if (!entry.isDirectory()) result.files++;
      else if (queue.length < limit) queue.push(path.join(next, entry.name));
      else result.truncated = true;
    }
  }
  return result;
}

/** Regular files directly in `folder` that this process cannot write (a database restored as root, say). */
export async function unwritableFiles(folder: string, limit: number): Promise<string[]> {
  const found: string[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return found; // reported by the walk
  }
  for (const entry of entries.slice(0, limit)) {
    if (!entry.isFile()) continue;
    const file = path.join(folder, entry.name);
    try {
      await access(file, constants.R_OK | constants.W_OK);
    } catch {
      found.push(file);
    }
  }
  return found;
}

/** Room left on the filesystem that holds `folder`, for this process (bytes and inodes). */
export interface FreeSpace {
  /** Bytes available to an unprivileged user. */
  available: number;
  /** The filesystem's size in bytes. */
  total: number;
  /** Inodes free, and in all (`0` in all: the filesystem does not count them). */
  freeInodes: number;
  inodes: number;
}

/** statfs(2) of `folder`. */
export async function freeSpace(folder: string): Promise<FreeSpace> {
  const info = await statfs(folder);
  return { available: info.bavail * info.bsize, total: info.blocks * info.bsize, freeInodes: info.ffree, inodes: info.files };
}

/** Bytes for people: `512 B`, `1.5 KiB`, `12.3 GiB` (IEC units, powers of 1024). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
