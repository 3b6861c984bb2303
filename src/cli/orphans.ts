/**
 * Orphans: listed files that no record references. A file younger than `minAge` is not one yet (a
 * fresh upload whose database row is not committed), nor is a file whose age the storage does not
 * tell, unless `minAge` is 0.
 */
import type { ListedFile } from './listing.js';
import type { Orphan } from './report.js';

/** How many orphans, their bytes, and how many unreferenced files were too young (or of unknown age) to count. */
export interface OrphanCounts {
  count: number;
  bytes: number;
  young: number;
  minAge: number;
}

/**
 * Hands each orphan of `files` to `onOrphan`, sorted by key, and returns the counts. `now` and
 * `minAge` are in ms.
 */
export function listOrphans(files: ReadonlyMap<string, ListedFile>, minAge: number, now: number, onOrphan: (orphan: Orphan) => void): OrphanCounts {
  const counts: OrphanCounts = { count: 0, bytes: 0, young: 0, minAge };
  const keys: string[] = [];
  for (const [key, file] of files) if (!file.referenced) keys.push(key);
  keys.sort();
  for (const key of keys) {
    const file = files.get(key) as ListedFile;
    const oldEnough = minAge === 0 || (file.modified !== undefined && now - file.modified >= minAge);
    if (!oldEnough) {
      counts.young++;
      continue;
    }
    counts.count++;
    counts.bytes += file.size ?? 0;
    onOrphan({ key, size: file.size, modified: file.modified });
  }
  return counts;
}
