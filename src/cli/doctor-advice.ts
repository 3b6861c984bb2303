/**
 * The doctor's fix for folders and files this process cannot write, by cause: an owner other than
 * the running user needs `chown`; owner bits without read, write and search (`x`) need `chmod`;
 * both need both (a root-owned folder of mode 500 stays unwritable after a `chown` alone). What
 * neither explains (an ACL, an immutable attribute, a security module) is said so, not papered over.
 */
import path from 'node:path';
import type { FolderProblem } from './doctor-files.js';

/** A file that cannot be written, with its owner and mode when it could be stat'ed. */
export interface FileProblem {
  file: string;
  owner?: FolderProblem['owner'];
}

/** Who the process runs as. */
export interface RunningUser {
  uid: number;
  gid: number;
}

/** Paths a fix names one by one; beyond it, a recursive command over the directory. */
const LISTED = 5;
const FULL = new Set(['ENOSPC', 'EDQUOT']);
const DENIED = new Set(['EACCES', 'EPERM']);

/** A path as a POSIX shell reads it: bare when it holds only safe characters, else single-quoted. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

const modeOf = (owner: NonNullable<FolderProblem['owner']>): number => Number.parseInt(owner.mode, 8);

/** Whether `folder` lies below one of `others` (a folder that cannot be searched blocks all below it: its fix is theirs). */
function below(folder: string, others: ReadonlySet<string>): boolean {
  let current = folder;
  for (let parent = path.dirname(current); parent !== current; current = parent, parent = path.dirname(parent)) {
    if (others.has(parent)) return true;
  }
  return false;
}

/**
 * The fix, as one sentence starting `Fix: ` (or describing what cannot be fixed by ownership), for
 * the folders and files under `dir` that failed as `user`. Read-only filesystems, full disks,
 * owners and modes are each named by what they are.
 */
export function writeFix(dir: string, folders: readonly FolderProblem[], files: readonly FileProblem[], user: RunningUser): string {
  if (folders.some((problem) => problem.error === 'EROFS')) return 'the filesystem is read-only: mount it read-write';
  const denied = folders.filter((problem) => DENIED.has(problem.error));
  const failed = new Set(denied.map((problem) => problem.folder));
  let chown = false;
  const chmodFolders: string[] = [];
  const chmodFiles: string[] = [];
  const unexplained: string[] = [];
  for (const problem of denied) {
    const wrongOwner = problem.owner !== undefined && problem.owner.uid !== user.uid;
    const ownerBitsShort = problem.owner !== undefined && (modeOf(problem.owner) & 0o700) !== 0o700;
    if (wrongOwner) chown = true;
    if (ownerBitsShort && !chmodFolders.includes(problem.folder)) chmodFolders.push(problem.folder);
    // Owner and mode right (or not even stat'able) below a failed folder: that folder's fix is this one's.
    if (!wrongOwner && !ownerBitsShort && !below(problem.folder, failed) && !unexplained.includes(problem.folder)) unexplained.push(problem.folder);
  }
  for (const problem of files) {
    if (problem.owner === undefined) {
      unexplained.push(problem.file);
      continue;
    }
    const wrongOwner = problem.owner.uid !== user.uid;
    const ownerBitsShort = (modeOf(problem.owner) & 0o600) !== 0o600;
    if (wrongOwner) chown = true;
    if (ownerBitsShort) chmodFiles.push(problem.file);
    if (!wrongOwner && !ownerBitsShort) unexplained.push(problem.file);
  }

  const commands: string[] = [];
  if (chown) commands.push(`chown -R ${user.uid}:${user.gid} ${shellQuote(dir)}`);
  if (chmodFolders.length > LISTED) commands.push(`chmod -R u+rwX ${shellQuote(dir)}`);
  else {
    if (chmodFolders.length > 0) commands.push(`chmod u+rwx ${chmodFolders.map(shellQuote).join(' ')}`);
    if (chmodFiles.length > 0) commands.push(`chmod u+rw ${chmodFiles.slice(0, LISTED).map(shellQuote).join(' ')}${chmodFiles.length > LISTED ? ' …' : ''}`);
  }
  const sentences: string[] = [];
  if (commands.length > 0) {
    const why = [chown ? `owned by another user than uid ${user.uid}` : '', chmodFolders.length + chmodFiles.length > 0 ? 'without read, write (and, for a folder, search) permission for their owner' : '']
      .filter(Boolean)
      .join(', and ');
    sentences.push(`Fix: ${commands.join(' && ')} (${why})`);
  }
  if (unexplained.length > 0) {
    sentences.push(
      `Neither owner nor mode explains ${unexplained.slice(0, LISTED).join(', ')}${unexplained.length > LISTED ? ', …' : ''}: look for an ACL (getfacl), an immutable attribute (lsattr) or a security module (SELinux, AppArmor)`,
    );
  }
  if (folders.some((problem) => FULL.has(problem.error))) sentences.push('The filesystem is full, or the quota used up: free space');
  const other = folders.filter((problem) => !DENIED.has(problem.error) && !FULL.has(problem.error));
  if (sentences.length === 0 && other.length > 0) sentences.push(`See the errors above (${[...new Set(other.map((problem) => problem.error))].join(', ')})`);
  return sentences.join('. ');
}
