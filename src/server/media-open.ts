/**
 * Opens a local file of the media route ONCE and checks what was opened, so that the bytes sent
 * are those of a file inside the root even while symlinks are swapped under it.
 *
 * Checking a path and then opening it again by path lets a symlink swapped in between serve any
 * file of the machine (a time-of-check to time-of-use race). Node has no `openat(2)` to walk a
 * path one component at a time, so: open with `O_NOFOLLOW` (the kernel refuses a symlink as the
 * last component), `O_NONBLOCK` (a FIFO cannot hang the request) and `O_NOCTTY`; ask the kernel
 * where the descriptor really points (`/proc/self/fd/N`, which resolves every folder symlink that
 * was followed on the way) and refuse it unless it lies inside the root's real path; `fstat` it
 * (a non-empty regular file only). The sender then reads `/proc/self/fd/N`, which opens the very
 * file the descriptor holds, not whatever the path names by then.
 *
 * Without `/proc` (macOS, the BSDs, Windows) the check falls back to `realpath()` and the file's
 * device and inode, and the sender opens the checked path again: a window of a few system calls
 * remains there (README "Media route").
 */
import { constants, type Stats } from 'node:fs';
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isWithin } from '../storage/guards.js';

/** Where Linux shows each open descriptor as a link to the open file itself. */
const FD_DIR = '/proc/self/fd';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

/** What an `open` with `O_NOFOLLOW` fails with when the last component is a symlink (Linux and macOS `ELOOP`, FreeBSD `EMLINK`, NetBSD `EFTYPE`). */
const SYMLINK_REFUSED = new Set(['ELOOP', 'EMLINK', 'EFTYPE']);
const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR']);

/** A file opened and checked: read it through `path` while `handle` stays open, then close `handle`. */
export interface OpenedFile {
  readonly kind: 'opened';
  readonly handle: FileHandle;
  readonly stats: Stats;
  /** The folder and the name under it to read the file by: `/proc/self/fd` and the descriptor, or (without `/proc`) the checked real path. */
  readonly dir: string;
  readonly name: string;
  /** Where the file really is under the root's real path, `/`-separated (`base/company/icon/acme.png`; a symlink's target, not the link). */
  readonly relative: string;
}

/** The outcome of {@link openInRoot}. */
export type OpenResult =
  | OpenedFile
  /** Not there (any more), a folder, a FIFO, a device, or an empty file: not servable. */
  | { readonly kind: 'missing' }
  /** It resolves outside the root's real path (a symlink swapped in since it was checked). */
  | { readonly kind: 'refused'; readonly where: string }
  /** Opening or checking it failed (a permission, an I/O error, no root). */
  | { readonly kind: 'fault'; readonly error: unknown };

const code = (error: unknown): string => String((error as NodeJS.ErrnoException | null)?.code ?? '');

/** Where the descriptor points: the kernel's answer on Linux; elsewhere the real path, if it still names the same file. */
async function openedPath(handle: FileHandle, file: string, stats: Stats): Promise<{ where: string; viaProc: boolean } | undefined> {
  try {
    return { where: await readlink(`${FD_DIR}/${handle.fd}`), viaProc: true };
  } catch {
    const resolved = await realpath(file).catch(() => undefined);
    if (resolved === undefined) return undefined;
    const now = await stat(resolved).catch(() => undefined);
    return now !== undefined && now.dev === stats.dev && now.ino === stats.ino ? { where: resolved, viaProc: false } : undefined;
  }
}

/** Opens `file`; a symlink as its last component is followed only when it resolves inside `realRoot` (the fs storage's rule). */
async function openOnce(file: string, realRoot: string): Promise<FileHandle | OpenResult> {
  try {
    return await open(file, OPEN_FLAGS);
  } catch (error) {
    if (NOT_FOUND.has(code(error))) return { kind: 'missing' };
    if (!SYMLINK_REFUSED.has(code(error))) return { kind: 'fault', error };
  }
  // A symlink: the fs storage serves one that stays inside the root. Resolve it, then open the
  // target with O_NOFOLLOW again; whatever is swapped in meanwhile, the check below sees the truth.
  let target: string;
  try {
    target = await realpath(file);
  } catch (error) {
    return NOT_FOUND.has(code(error)) || SYMLINK_REFUSED.has(code(error)) ? { kind: 'missing' } : { kind: 'fault', error };
  }
  if (!isWithin(realRoot, target) || target === realRoot) return { kind: 'refused', where: target };
  try {
    return await open(target, OPEN_FLAGS);
  } catch (error) {
    if (NOT_FOUND.has(code(error))) return { kind: 'missing' };
    return SYMLINK_REFUSED.has(code(error)) ? { kind: 'refused', where: target } : { kind: 'fault', error };
  }
}

/**
 * Opens `key` (a key that passed the key rules) under `root` once, and checks what was opened:
 * a non-empty regular file whose real path is inside the root's real path. Nothing stays open
 * unless the answer is `'opened'`; then the caller closes `handle` once the file is read.
 */
export async function openInRoot(root: string, key: string): Promise<OpenResult> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    return { kind: 'fault', error };
  }
  const file = path.join(root, key);
  const opened = await openOnce(file, realRoot);
  if (!('fd' in opened)) return opened;
  const handle = opened;
  let result: OpenResult;
  try {
    const stats = await handle.stat();
    const found = await openedPath(handle, file, stats);
    if (found === undefined) result = { kind: 'missing' };
    else if (!isWithin(realRoot, found.where) || found.where === realRoot) result = { kind: 'refused', where: found.where };
    // nlink 0: deleted since it was opened (readlink then ends in " (deleted)").
    else if (!stats.isFile() || stats.size === 0 || stats.nlink === 0) result = { kind: 'missing' };
    else {
      const relative = path.relative(realRoot, found.where).split(path.sep).join('/');
      return found.viaProc
        ? { kind: 'opened', handle, stats, dir: FD_DIR, name: String(handle.fd), relative }
        : { kind: 'opened', handle, stats, dir: path.dirname(found.where), name: path.basename(found.where), relative };
    }
  } catch (error) {
    result = { kind: 'fault', error };
  }
  await handle.close().catch(() => undefined);
  return result;
}
