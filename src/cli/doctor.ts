/**
 * `logo-fallback doctor`: will the media survive the next deploy, and can the app write it now?
 * For the media root (and the data directory): which mount holds it, whether this process can
 * create, read and delete a file in every folder below it, the free space, and — with records —
 * whether the directory is empty while records point into it, and what share of them resolve.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fsStorage } from '../storage/fs.js';
import { audit, type AuditSummary } from './audit.js';
import { perKeyChecker } from './checks.js';
import { openInput, type Format } from './input.js';
import { persistenceOf, type MountFinding } from './doctor-mounts.js';
import { writeFix, type FileProblem } from './doctor-advice.js';
import { formatBytes, freeSpace, ownerOf, probeFolders, unwritableFiles, walk, type FolderProblem, type Walk } from './doctor-files.js';
import { readRecords } from './read-records.js';

/** How a check came out. Only `fail` makes the doctor exit 1. */
export type CheckStatus = 'ok' | 'info' | 'warn' | 'fail';

/** One finding. */
export interface DoctorCheck {
  target: 'media' | 'data' | 'records';
  check: 'directory' | 'mount' | 'writable' | 'free-space' | 'contents' | 'references';
  status: CheckStatus;
  /** One line for people, naming the path. */
  message: string;
}

/** Everything the doctor found. `ok` is false when any check failed. */
export interface DoctorReport {
  ok: boolean;
  user: { uid: number; gid: number };
  checks: DoctorCheck[];
}

/** What to examine. */
export interface DoctorOptions {
  /** The media directory uploads go to (`MEDIA_ROOT`). */
  mediaRoot: string;
  /** The app's data directory (`DATA_DIR`), checked the same way, without the records checks. */
  dataDir?: string | undefined;
  /** Record inputs (paths, or `-` for stdin), read as the audit reads them. */
  records: readonly string[];
  format?: Format | undefined;
  /** Fields holding the file reference. @default ['icon', 'logo'] */
  fileFields: readonly string[];
  /** The URL the media is served under (stored URLs under it count by their key). @default '/media/' */
  baseUrl: string;
  /** The share (0–1) of referenced files that may be missing before the check fails. @default 0.5 */
  maxMissing: number;
  /** Bytes that must be free on each filesystem. @default 104857600 (100 MiB) */
  minFree: number;
  /** Folders walked per directory, at most. @default 10000 */
  maxFolders?: number;
  stdin?: Readable;
  /** The mount table to read. @default '/proc/self/mountinfo' */
  mountinfo?: string;
}

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;
const uid = (): number => process.getuid?.() ?? -1;
const gid = (): number => process.getgid?.() ?? -1;

function mountCheck(target: DoctorCheck['target'], dir: string, { persistence, mount }: MountFinding, mountinfo: string): DoctorCheck {
  const where = mount === undefined ? '' : mount.source === mount.fsType ? mount.fsType : `${mount.fsType} ${mount.source}`;
  switch (persistence) {
    case 'own-mount':
      return { target, check: 'mount', status: 'ok', message: `${dir} is on its own mount (${where} at ${mount?.mountPoint}): a volume or bind mount, kept when the container is replaced` };
    case 'container-root':
      return { target, check: 'mount', status: 'fail', message: `${dir} is on the container's own filesystem (${where}): files written here are lost at the next deploy. Mount a volume at ${dir}` };
    case 'memory':
      return { target, check: 'mount', status: 'fail', message: `${dir} is on a ${mount?.fsType} (memory, at ${mount?.mountPoint}): its files are lost when the container stops. Mount a volume at ${dir}` };
    case 'host-root':
      return { target, check: 'mount', status: 'info', message: `${dir} is not in a container: it is on the machine's root filesystem (${where}), which a deploy does not replace` };
    default:
      return { target, check: 'mount', status: 'warn', message: `cannot tell which mount holds ${dir}: ${mountinfo} is not readable (not Linux?)` };
  }
}

/** A folder that failed the write probe, in words: `/srv/media/base (create: EACCES; owner uid 0 (root), mode 755)`. */
export function describeProblem(problem: FolderProblem): string {
  return describeFolder([problem]);
}

/** One folder's failed steps (a folder can fail the listing and the probe): `/srv/media/x (list, create: EACCES; …)`. */
function describeFolder(problems: readonly FolderProblem[]): string {
  const first = problems[0] as FolderProblem;
  const owner = first.owner === undefined ? '' : `; owner uid ${first.owner.uid}${first.owner.uid === 0 ? ' (root)' : ''}, mode ${first.owner.mode}`;
  const errors = [...new Set(problems.map((problem) => problem.error))];
  const steps = errors.length === 1 ? `${problems.map((problem) => problem.step).join(', ')}: ${first.error}` : problems.map((problem) => `${problem.step}: ${problem.error}`).join(', ');
  return `${first.folder} (${steps}${owner})`;
}

/** The problems by folder, in the order first seen. */
function byFolder(problems: readonly FolderProblem[]): FolderProblem[][] {
  const groups = new Map<string, FolderProblem[]>();
  for (const problem of problems) {
    const group = groups.get(problem.folder);
    if (group === undefined) groups.set(problem.folder, [problem]);
    else group.push(problem);
  }
  return [...groups.values()];
}

/** A file that failed, in words: `/srv/data/app.sqlite (owner uid 0 (root), mode 644)`. */
function describeFile({ file, owner }: FileProblem): string {
  return owner === undefined ? file : `${file} (owner uid ${owner.uid}${owner.uid === 0 ? ' (root)' : ''}, mode ${owner.mode})`;
}

function writableCheck(target: DoctorCheck['target'], dir: string, tree: Walk, problems: FolderProblem[], files: FileProblem[], maxFolders: number): DoctorCheck {
  const who = `uid ${uid()}`;
  const all = [...tree.unreadable, ...problems];
  if (all.length > 0 || files.length > 0) {
    const parts: string[] = [];
    const folders = byFolder(all);
    if (folders.length > 0) parts.push(`cannot create files in ${folders.length} of ${tree.folders.length} folders: ${folders.slice(0, 5).map(describeFolder).join(', ')}${folders.length > 5 ? ', …' : ''}`);
    if (files.length > 0) parts.push(`cannot write ${files.length} file${files.length === 1 ? '' : 's'}: ${files.slice(0, 5).map(describeFile).join(', ')}${files.length > 5 ? ', …' : ''}`);
    const fix = writeFix(dir, all, files, { uid: uid(), gid: gid() });
    return { target, check: 'writable', status: 'fail', message: `${who} ${parts.join('; ')}. Writes there fail. ${fix}` };
  }
  const limited = tree.truncated ? ` (the first ${maxFolders} only: the walk stops there)` : '';
  return {
    target,
    check: 'writable',
    status: tree.truncated ? 'warn' : 'ok',
    message: `${who} can create, read and delete files in ${tree.folders.length === 1 ? `${dir}` : `all ${tree.folders.length} folders of ${dir}`}${limited}`,
  };
}

async function spaceCheck(target: DoctorCheck['target'], dir: string, minFree: number): Promise<DoctorCheck> {
  try {
    const space = await freeSpace(dir);
    const inodesLow = space.inodes > 0 && space.freeInodes < 100;
    const low = space.available < minFree;
    const room = `${formatBytes(space.available)} free of ${formatBytes(space.total)}`;
    if (low || inodesLow) {
      const why = low ? `only ${room} (at least ${formatBytes(minFree)} wanted, --min-free)` : `only ${space.freeInodes} inodes free: new files cannot be created`;
      return { target, check: 'free-space', status: 'fail', message: `${dir}: ${why}` };
    }
    return { target, check: 'free-space', status: 'ok', message: `${dir}: ${room}` };
  } catch (error) {
    return { target, check: 'free-space', status: 'warn', message: `${dir}: free space unknown (${(error as Error).message})` };
  }
}

/** Existence and type first: without the directory, no other check means anything. */
async function directoryCheck(target: DoctorCheck['target'], dir: string): Promise<DoctorCheck | undefined> {
  try {
    if ((await stat(dir)).isDirectory()) return undefined;
    return { target, check: 'directory', status: 'fail', message: `${dir} is not a directory` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    return { target, check: 'directory', status: 'fail', message: `${dir} ${why}` };
  }
}

/** The checks every directory gets. The walk is returned for the contents check. */
async function examine(target: 'media' | 'data', dir: string, options: DoctorOptions): Promise<{ checks: DoctorCheck[]; tree?: Walk }> {
  const missing = await directoryCheck(target, dir);
  if (missing !== undefined) return { checks: [missing] };
  const maxFolders = options.maxFolders ?? 10_000;
  const mountinfo = options.mountinfo ?? '/proc/self/mountinfo';
  const tree = await walk(dir, maxFolders);
  const problems = await probeFolders(tree.folders);
  // The database's own files must stay writable too; media files are only ever added and removed.
  const unwritable = target === 'data' ? await unwritableFiles(dir, maxFolders) : [];
  const files = await Promise.all(unwritable.map(async (file): Promise<FileProblem> => {
    const owner = await ownerOf(file);
    return owner === undefined ? { file } : { file, owner };
  }));
  return {
    tree,
    checks: [
      mountCheck(target, dir, await persistenceOf(dir, mountinfo), mountinfo),
      writableCheck(target, dir, tree, problems, files, maxFolders),
      await spaceCheck(target, dir, options.minFree),
    ],
  };
}

const emptySummary = (): AuditSummary => ({ checked: 0, present: 0, missing: 0, unsafe: 0, fault: 0, malformed: 0, noFile: 0, external: 0 });

/** Reads every record input with the audit's own reader and checks the references against the media root. */
async function referenceSummary(options: DoctorOptions): Promise<AuditSummary> {
  const total = emptySummary();
  const storage = fsStorage({ root: options.mediaRoot, baseUrl: options.baseUrl });
  const checker = perKeyChecker(storage, { concurrency: 32, timeout: 10_000 });
  for (const source of options.records) {
    const input = await openInput(source, options.format, options.stdin);
    // An empty input (`sqlite3 -header` on an empty table) is no records, as in the audit.
    if (input.empty) continue;
    const { summary } = await audit(readRecords(input, { fileFields: options.fileFields }), {
      checker,
      contexts: [{ baseUrl: storage.baseUrl, root: storage.root }],
      idField: 'id',
      nameFields: ['company', 'name'],
      fileFields: options.fileFields,
      onProblem: () => undefined,
    });
    for (const key of Object.keys(total) as Array<keyof AuditSummary>) total[key] += summary[key];
  }
  return total;
}

function referencesCheck(summary: AuditSummary, maxMissing: number): DoctorCheck {
  const referenced = summary.present + summary.missing + summary.fault;
  const extra = [summary.unsafe > 0 ? `${summary.unsafe} unsafe` : '', summary.malformed > 0 ? `${summary.malformed} malformed` : ''].filter(Boolean).join(', ');
  const also = extra === '' ? '' : ` (${extra}: see logo-fallback audit)`;
  if (referenced === 0) return { target: 'records', check: 'references', status: 'info', message: `no record references a file in the media root (${summary.checked} read)${also}` };
  const share = (summary.missing + summary.fault) / referenced;
  const counts = `${summary.present} of ${referenced} referenced files are present, ${percent(share)} missing or unreadable`;
  if (share > maxMissing) {
    return {
      target: 'records',
      check: 'references',
      status: 'fail',
      message: `only ${counts}, above the --max-missing limit of ${percent(maxMissing)}: the media looks lost or not mounted; logo-fallback audit lists each one${also}`,
    };
  }
  return { target: 'records', check: 'references', status: 'ok', message: `${counts} (limit ${percent(maxMissing)})${also}` };
}

function contentsCheck(dir: string, tree: Walk, summary: AuditSummary | undefined): DoctorCheck {
  const referenced = summary === undefined ? 0 : summary.present + summary.missing + summary.fault;
  if (tree.files > 0) return { target: 'media', check: 'contents', status: 'ok', message: `${dir} holds ${tree.truncated ? 'at least ' : ''}${tree.files} file${tree.files === 1 ? '' : 's'}` };
  if (referenced > 0) {
    return {
      target: 'media',
      check: 'contents',
      status: 'fail',
      message: `${dir} holds no files, while records reference ${referenced}: the volume is not mounted, or was lost. Restore it from a backup; logo-fallback audit lists what is missing`,
    };
  }
  const why = summary === undefined ? ' (a new install? --records tells whether files are expected)' : ', and no record references one';
  return { target: 'media', check: 'contents', status: summary === undefined ? 'info' : 'ok', message: `${dir} holds no files${why}` };
}

/**
 * Runs every check. Rejects only for unreadable record input (`InputError`); everything about the
 * directories is a finding in the report.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const media = await examine('media', options.mediaRoot, options);
  const summary = options.records.length === 0 ? undefined : await referenceSummary(options);
  const checks = [...media.checks];
  if (media.tree !== undefined) checks.push(contentsCheck(options.mediaRoot, media.tree, summary));
  if (summary !== undefined) checks.push(referencesCheck(summary, options.maxMissing));
  if (options.dataDir !== undefined) checks.push(...(await examine('data', options.dataDir, options)).checks);
  return { ok: checks.every((check) => check.status !== 'fail'), user: { uid: uid(), gid: gid() }, checks };
}
