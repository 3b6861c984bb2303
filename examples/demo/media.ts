/**
 * GET /media/<key>: media from the storage root, only when the app allows it — here, only files
 * that are some company's logo (a file lying in the volume is not published by being there).
 * Behind nginx the app answers with `X-Accel-Redirect` and nginx sends the file from an `internal`
 * location; alone, it sends the file itself. Either way: the key rules of the package (no
 * traversal, no symlink out of the root), a type from a short list, `nosniff`, and a sandbox CSP
 * so that nothing served from here can run as a page.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { encodeKey, parseReference, type Storage } from '../../src/index.js';

const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

/** Headers on every media answer: never sniffed, never a document, cached for 7 days (as nginx). */
export function mediaHeaders(key: string): Record<string, string> {
  const type = TYPES[path.extname(key).slice(1).toLowerCase()];
  return {
    'Content-Type': type ?? 'application/octet-stream',
    ...(type === undefined ? { 'Content-Disposition': 'attachment' } : {}),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'public, max-age=604800',
  };
}

/** What the media route needs. */
export interface MediaDeps {
  storage: Storage;
  mediaRoot: string;
  /** The app's permission check. */
  allowed(key: string): boolean;
  mediaAccelPrefix: string | undefined;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('Not found\n');
}

/** Answers a request under `/media/`. */
export async function serveMedia(req: IncomingMessage, res: ServerResponse, pathname: string, deps: MediaDeps): Promise<void> {
  // The same key rules as the filters: `..`, `%2e%2e`, backslashes and control characters are refused.
  const reference = parseReference(pathname, { baseUrl: '/media/' });
  if (reference.kind !== 'key' || !deps.allowed(reference.key)) return notFound(res);
  const { key } = reference;
  let present: boolean;
  try {
    present = await deps.storage.exists(key); // containment, symlinks resolving outside the root
  } catch {
    present = false;
  }
  if (!present) return notFound(res);
  const headers = mediaHeaders(key);
  if (deps.mediaAccelPrefix !== undefined) {
    res.writeHead(200, { ...headers, 'X-Accel-Redirect': deps.mediaAccelPrefix + encodeKey(key) });
    res.end();
    return;
  }
  const file = path.join(deps.mediaRoot, key);
  const info = await stat(file);
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag, 'Cache-Control': headers['Cache-Control'] as string });
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(info.size), ETag: etag });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
