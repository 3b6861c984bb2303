/**
 * GET /healthz: the database answers, and the app can write where uploads go — checked the way
 * `logo-fallback doctor` checks it (a sentinel created, read and deleted in a hidden folder of each
 * folder, always removed; the database's files writable), so a restore that left `base/company/icon` owned by root turns the
 * health check red instead of every upload failing with EACCES. Also says which mount holds the
 * media (information only: a lost volume still serves pages, with avatars).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { persistenceOf, type Persistence } from '../../src/cli/doctor-mounts.js';
import { probeFolders, unwritableFiles } from '../../src/cli/doctor-files.js';
import { describeProblem } from '../../src/cli/doctor.js';
import { LOGO_DIR, STAGING_DIR } from './upload.js';

/** The answer of /healthz. `status` is `failing` (HTTP 503) when the database or a write fails. */
export interface Health {
  status: 'ok' | 'failing';
  database: boolean;
  mediaWritable: boolean;
  dataWritable: boolean;
  /** Where the media lives (see `logo-fallback doctor`): `own-mount` is what a deployment wants. */
  mediaMount: Persistence;
  /** Why, for each failing check. */
  problems: string[];
}

/** The folder itself when it exists, else the nearest existing folder above it (where `mkdir -p` starts). */
async function nearestExisting(folder: string, root: string): Promise<string> {
  for (let current = folder; ; current = path.dirname(current)) {
    const isFolder = await stat(current).then((info) => info.isDirectory(), () => false);
    if (isFolder || current === root || current === path.dirname(current)) return current;
  }
}

/** The folders an upload writes to: the staging folder, the logo folder, and the root (or the nearest that exist). */
export async function uploadFolders(mediaRoot: string): Promise<string[]> {
  const folders = await Promise.all([mediaRoot, path.join(mediaRoot, STAGING_DIR), path.join(mediaRoot, LOGO_DIR)].map((folder) => nearestExisting(folder, mediaRoot)));
  return [...new Set(folders)];
}

/** Runs the checks. Never throws. */
export async function checkHealth(mediaRoot: string, dataDir: string, databaseAnswers: () => boolean): Promise<Health> {
  const [media, data, files, mount] = await Promise.all([
    uploadFolders(mediaRoot).then(probeFolders),
    probeFolders([dataDir]),
    unwritableFiles(dataDir, 100),
    persistenceOf(mediaRoot),
  ]);
  const database = databaseAnswers();
  const problems = [
    ...(database ? [] : ['the database does not answer']),
    ...media.map((problem) => `uploads cannot be written: ${describeProblem(problem)}`),
    ...data.map((problem) => `the data directory cannot be written: ${describeProblem(problem)}`),
    ...files.map((file) => `the data file ${file} cannot be written`),
  ];
  return {
    status: problems.length === 0 ? 'ok' : 'failing',
    database,
    mediaWritable: media.length === 0,
    dataWritable: data.length === 0 && files.length === 0,
    mediaMount: mount.persistence,
    problems,
  };
}
