/**
 * Which filesystem a directory lives on, from `/proc/self/mountinfo` (Linux, proc(5)): its own
 * mount (a Docker volume, a bind mount), or the container's layered root filesystem — which the
 * next deploy replaces, taking every file written there with it.
 */
import { readFile, realpath } from 'node:fs/promises';

/** One line of `/proc/self/mountinfo`, the fields the doctor needs. */
export interface MountEntry {
  /** Where it is mounted, unescaped. */
  mountPoint: string;
  /** The directory of the source filesystem that is mounted there (`/` unless a bind mount). */
  root: string;
  fsType: string;
  /** The device or volume, as the kernel names it (`/dev/vda`, `overlay`, `tmpfs`). */
  source: string;
}

/** Filesystems a container engine stacks into a container's root: its writable layer lives there. */
const LAYERED = new Set(['overlay', 'aufs', 'fuse-overlayfs']);
/** Filesystems held in memory: gone when the container (or the machine) stops. */
const MEMORY = new Set(['tmpfs', 'ramfs']);

/** Undoes mountinfo's octal escapes (`\040` space, `\011` tab, `\012` newline, `\134` backslash). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Parses mountinfo text (proc(5): `id parent major:minor root mount-point options [optional…] -
 * fstype source super-options`). Lines that do not have that shape are skipped.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash === -1 || fields.length < dash + 3) continue;
    entries.push({
      root: unescape(fields[3] as string),
      mountPoint: unescape(fields[4] as string),
      fsType: fields[dash + 1] as string,
      source: unescape(fields[dash + 2] as string),
    });
  }
  return entries;
}

/** The mount a resolved path is on: the longest mount point above it; of equals, the last (it hides the others). */
export function mountOf(resolvedPath: string, entries: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    const { mountPoint } = entry;
    const above = mountPoint === '/' || resolvedPath === mountPoint || resolvedPath.startsWith(`${mountPoint}/`);
    if (above && (best === undefined || mountPoint.length >= best.mountPoint.length)) best = entry;
  }
  return best;
}

/** How a directory's files fare when the container is replaced. */
export type Persistence =
  /** On a mount of its own that is not in memory: a volume or bind mount, kept across deploys. */
  | 'own-mount'
  /** On the container's layered root filesystem: lost with the container. */
  | 'container-root'
  /** On a tmpfs or ramfs: lost when the container stops. */
  | 'memory'
  /** On the root filesystem of a machine that is not a container (a host or VM disk). */
  | 'host-root'
  /** mountinfo could not be read (not Linux?). */
  | 'unknown';

/** What {@link persistenceOf} found. */
export interface MountFinding {
  persistence: Persistence;
  mount: MountEntry | undefined;
  /** The directory with symlinks resolved. */
  resolved: string;
}

/** Judges the mount of a resolved path from parsed mountinfo. Pure: tests feed it any mount table. */
export function judgeMount(resolved: string, entries: readonly MountEntry[]): MountFinding {
  const mount = mountOf(resolved, entries);
  if (mount === undefined) return { persistence: 'unknown', mount, resolved };
  if (MEMORY.has(mount.fsType)) return { persistence: 'memory', mount, resolved };
  if (mount.mountPoint !== '/') return { persistence: 'own-mount', mount, resolved };
  return { persistence: LAYERED.has(mount.fsType) ? 'container-root' : 'host-root', mount, resolved };
}

/**
 * Where `directory` lives, read from `mountinfo` (default: this process's `/proc/self/mountinfo`).
 * Never throws: an unreadable table gives `unknown`.
 */
export async function persistenceOf(directory: string, mountinfo = '/proc/self/mountinfo'): Promise<MountFinding> {
  const resolved = await realpath(directory).catch(() => directory);
  let text: string;
  try {
    text = await readFile(mountinfo, 'utf8');
  } catch {
    return { persistence: 'unknown', mount: undefined, resolved };
  }
  return judgeMount(resolved, parseMountinfo(text));
}
