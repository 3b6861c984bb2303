/**
 * URLs that change when the file does (the resolver's `version` option): a short version derived
 * from what the storage knows about a file — its ETag, size and modification time — appended to
 * its URL as `?v=…`, so that a browser or a CDN that cached the old bytes under a URL fetches the
 * new ones after a re-upload under the same key (the "cache busting" of immutable-asset URLs).
 */
import { createHash } from 'node:crypto';
import type { StorageEntry } from './storage/types.js';

/** Characters of the version: 10 of base64url, 60 bits — two versions of one file never meet. */
const VERSION_LENGTH = 10;

/**
 * The version of a stored file, or `undefined` when the storage told nothing that could tell two
 * versions apart. The ETag alone would do where there is one (S3, most HTTP servers); size and
 * modification time are added because some servers send a weak or content-independent ETag.
 */
export function fileVersion(entry: StorageEntry): string | undefined {
  const parts = [entry.etag ?? '', entry.size === undefined ? '' : String(entry.size), entry.modified === undefined ? '' : String(Math.trunc(entry.modified))];
  if (parts.every((part) => part === '')) return undefined;
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, VERSION_LENGTH);
}

/** `url` with the version as its `v` query parameter (`?v=…`, or `&v=…` after a query). */
export function versionedUrl(url: string, version: string | undefined): string {
  if (version === undefined) return url;
  const hash = url.indexOf('#');
  const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}v=${version}${fragment}`;
}

/** Whether a string can be a version (what a shared tier hands back is checked before it is printed). */
export function isVersion(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(value);
}
