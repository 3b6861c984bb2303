/** Builds the storage the audit checks from its flags, with the package's own drivers. */
import { stat } from 'node:fs/promises';
import { LogoFallbackError } from '../errors.js';
import { fsStorage } from '../storage/fs.js';
import type { Storage } from '../storage/types.js';
import { UsageError, type StorageChoice } from './audit-args.js';

/**
 * The storage for `choice`. A local root that does not exist is bad usage (exit 2), not a
 * thousand "missing" lines: it is almost always a wrong `--root`.
 */
export async function auditStorage(choice: StorageChoice, timeout: number): Promise<Storage> {
  try {
    if (choice.kind === 'fs') {
      const isDirectory = await stat(choice.root).then((info) => info.isDirectory(), () => false);
      if (!isDirectory) throw new UsageError(`--root ${choice.root}: no such directory (where is the media? MEDIA_ROOT)`);
      return fsStorage({ root: choice.root, baseUrl: choice.baseUrl });
    }
    throw new UsageError('--http is not available in this version');
  } catch (error) {
    if (error instanceof LogoFallbackError) throw new UsageError(error.message.replace(/^\[logo-fallback\] \w+\(\): /, ''));
    throw error;
  }
}
