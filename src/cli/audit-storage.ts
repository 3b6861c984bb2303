/** Builds the storage the audit checks from its flags, with the package's own drivers. */
import { stat } from 'node:fs/promises';
import { LogoFallbackError } from '../errors.js';
import type { KeyContext } from '../keys.js';
import { normalizeBaseUrl } from '../options.js';
import type { Storage } from '../storage/types.js';
import { UsageError, type StorageChoice } from './audit-args.js';

/** The storage, and how references are read against it. */
export interface AuditStorage {
  storage: Storage;
  /**
   * The storage's own base URL and root first; then, for `--http`, the app's media URL
   * (`--base-url`, `/media/` by default), whose references name the same keys on the CDN.
   */
  contexts: KeyContext[];
}

// Each driver is imported when it is chosen: an audit of the local disk does not load the S3
// signer, and `--version` or `help` loads no driver at all.
async function build(choice: StorageChoice, timeout: number): Promise<AuditStorage> {
  if (choice.kind === 'fs') {
    const { fsStorage } = await import('../storage/fs.js');
    const storage = fsStorage({ root: choice.root, baseUrl: choice.baseUrl });
    return { storage, contexts: [{ baseUrl: storage.baseUrl, root: storage.root }] };
  }
  if (choice.kind === 'http') {
    const { httpStorage } = await import('../storage/http.js');
    const storage = httpStorage({ baseUrl: choice.httpBase, headers: choice.headers, timeout });
    const appBase = normalizeBaseUrl(choice.baseUrl, 'baseUrl', '--base-url');
    return { storage, contexts: [{ baseUrl: storage.baseUrl }, { baseUrl: appBase }] };
  }
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new UsageError('--s3-bucket needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
  const { s3Storage } = await import('../storage/s3.js');
  const storage = s3Storage({
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
  return { storage, contexts: [{ baseUrl: storage.baseUrl }] };
}

/**
 * The storage for `choice`. A local root that does not exist is bad usage (exit 2), not a
 * thousand "missing" lines: it is almost always a wrong `--root`.
 */
export async function auditStorage(choice: StorageChoice, timeout: number): Promise<AuditStorage> {
  if (choice.kind === 'fs') {
    const isDirectory = await stat(choice.root).then((info) => info.isDirectory(), () => false);
    if (!isDirectory) throw new UsageError(`--root ${choice.root}: no such directory (where is the media? MEDIA_ROOT)`);
  }
  try {
    return await build(choice, timeout);
  } catch (error) {
    // A bad option (a malformed URL, say) is bad usage: say which, without the package's prefix.
    if (error instanceof LogoFallbackError) {
      const flags = choice.kind === 'fs' ? '--root/--base-url' : choice.kind === 'http' ? '--http/--base-url' : '--s3-*/--base-url';
      throw new UsageError(`${flags}: ${error.message.replace(/^\[logo-fallback\] /, '')}`);
    }
    throw error;
  }
}
