/** Builds the storage the audit checks from its flags, with the package's own drivers. */
import { stat } from 'node:fs/promises';
import { LogoFallbackError } from '../errors.js';
import { fsStorage } from '../storage/fs.js';
import { httpStorage } from '../storage/http.js';
import { s3Storage } from '../storage/s3.js';
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
    if (choice.kind === 'http') return httpStorage({ baseUrl: choice.baseUrl, headers: choice.headers, timeout });
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
    if (!accessKeyId || !secretAccessKey) throw new UsageError('--s3-bucket needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
    return s3Storage({
      endpoint: choice.endpoint,
      region: choice.region,
      bucket: choice.bucket,
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      forcePathStyle: choice.pathStyle,
      ...(choice.publicBaseUrl === undefined ? {} : { publicBaseUrl: choice.publicBaseUrl }),
      timeout,
    });
  } catch (error) {
    // A bad option (a malformed URL, say) is bad usage: say which, without the package's prefix.
    if (error instanceof LogoFallbackError) {
      const flags = choice.kind === 'fs' ? '--root/--base-url' : choice.kind === 'http' ? '--http' : '--s3-*';
      throw new UsageError(`${flags}: ${error.message.replace(/^\[logo-fallback\] /, '')}`);
    }
    throw error;
  }
}
