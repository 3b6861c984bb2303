/**
 * The tests that drop privileges (`setpriv` to uid 65534, where a permission is the point) start
 * Node on this checkout as that user, so uid 65534 must be able to reach it. A checkout made the
 * way the README suggests for a fresh try — `git clone . "$(mktemp -d)/x"` — sits in a folder of
 * mode 0700 (mktemp(1)'s), which only root may enter: every such test then failed with
 * "Cannot find package 'tsx'". When the runner runs as root, it grants search permission to others
 * (`o+x`, never read: nobody can list the folder) on each folder above the checkout that lacks it,
 * for the run only, and gives each its mode back when the run ends (on exit, SIGINT or SIGTERM).
 */
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** The folders above `dir` that others cannot search, with their modes. */
function closedAncestors(dir: string): Array<{ folder: string; mode: number }> {
  const closed: Array<{ folder: string; mode: number }> = [];
  for (let folder = dirname(dir); ; folder = dirname(folder)) {
    const mode = statSync(folder).mode & 0o7777;
    if ((mode & 0o001) === 0) closed.push({ folder, mode });
    if (dirname(folder) === folder) return closed;
  }
}

/**
 * Lets others search every folder above `dir` (chmod o+x) and returns the function that gives the
 * folders their modes back; also called on exit, SIGINT and SIGTERM. Does nothing unless the
 * process runs as root (only root can drop privileges, and a non-root run needs no reach).
 */
export function letNobodyReach(dir: string): () => void {
  if (process.getuid?.() !== 0) return () => {};
  const closed = closedAncestors(dir);
  for (const { folder, mode } of closed) chmodSync(folder, mode | 0o001);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    for (const { folder, mode } of closed) {
      try {
        chmodSync(folder, mode);
      } catch {
        // The folder went away during the run: nothing to give back.
      }
    }
  };
  if (closed.length > 0) {
    process.stdout.write(`(the run lets uid 65534 search ${closed.map((entry) => entry.folder).join(', ')} until it ends)\n`);
    process.once('exit', restore);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        restore();
        process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
      });
    }
  }
  return restore;
}
