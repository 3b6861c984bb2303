/**
 * Sends one file of a local storage, opened and checked once (media-open.ts), with `@fastify/send`
 * (ETag, Last-Modified, 304, 412, Range, 416, HEAD), then replaces its type with one from a short
 * list of raster image types, so that an upload is never served as HTML, SVG or script.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import send from '@fastify/send';
import type { OpenedFile } from './media-open.js';

/**
 * The types served inline, by extension (lower-cased). Raster images only: browsers run no script
 * in them, whatever the bytes. SVG is XML that runs scripts when opened as a page, and HTML is a
 * page: both, and everything else, are sent as `application/octet-stream` with
 * `Content-Disposition: attachment` (a download, never a document of this origin).
 */
export const INLINE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.apng': 'image/apng',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jfif': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
};

/** Headers on every answer of the route: never sniffed into another type, never a document that runs anything. */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;

/** What the client sent that `send` reads: method and the conditional and range headers. */
export interface FileRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The outcome of sending a file. */
export type FileAnswer =
  | { readonly kind: 'sent'; readonly status: number; readonly headers: Record<string, string>; readonly body: Readable | string | undefined }
  /** The file is gone (or became a directory) since it was checked. */
  | { readonly kind: 'missing' }
  /** `send` refused the path (a dot file, malformed encoding): the key rules should have already. */
  | { readonly kind: 'refused' }
  /** Reading it failed (a permission, an I/O error): `error` says why. */
  | { readonly kind: 'fault'; readonly error: unknown };

/** The `Content-Type` (and `Content-Disposition`) a key is served with. */
export function typeHeaders(key: string): Record<string, string> {
  const type = INLINE_TYPES[path.extname(key).toLowerCase()];
  return type === undefined ? { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment' } : { 'Content-Type': type };
}

function plain(status: number, message: string, extra: Record<string, string> = {}): FileAnswer {
  const body = `${message}\n`;
  const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS, ...extra, 'Content-Length': String(Buffer.byteLength(body)) };
  return { kind: 'sent', status, headers, body };
}

/**
 * Sends a file opened by {@link openInRoot}: `send` stats and reads it through `opened.dir` +
 * `opened.name` (on Linux `/proc/self/fd/N`: the open file itself, whatever its path names by
 * now). `opened.handle` stays open until the body stream is closed — the descriptor number must
 * not be reused by another file before `send` has opened its own — and is closed then, or at once
 * when there is no body. The type comes from the key's extension.
 */
export async function sendFile(request: FileRequest, opened: OpenedFile, key: string, cacheControl: string): Promise<FileAnswer> {
  const release = (): void => void opened.handle.close().catch(() => undefined);
  let result: Awaited<ReturnType<typeof send>>;
  try {
    result = await send(request as unknown as Readable, `/${encodeURIComponent(opened.name)}`, {
      root: opened.dir,
      index: false,
      dotfiles: 'deny',
      extensions: false,
      cacheControl: false,
      contentType: false,
      acceptRanges: true,
      etag: true,
      lastModified: true,
    });
  } catch (error) {
    release();
    return { kind: 'fault', error };
  }
  if (result.type !== 'file' || result.statusCode === 304 || request.method === 'HEAD') {
    result.stream.destroy();
    release();
  } else {
    result.stream.once('close', release);
  }
  if (result.type === 'directory') return { kind: 'missing' };
  if (result.type === 'error') {
    const { statusCode } = result;
    if (statusCode === 404) return { kind: 'missing' };
    if (statusCode === 400 || statusCode === 403) return { kind: 'refused' };
    if (statusCode === 412) return plain(412, 'Precondition Failed');
    if (statusCode === 416) return plain(416, 'Range Not Satisfiable', { 'Content-Range': result.headers['Content-Range'] ?? '' });
    return { kind: 'fault', error: result.metadata.error };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers)) headers[name] = String(value);
  Object.assign(headers, result.statusCode === 304 ? {} : typeHeaders(key), SECURITY_HEADERS, { 'Cache-Control': cacheControl });
  const empty = result.statusCode === 304 || request.method === 'HEAD';
  return { kind: 'sent', status: result.statusCode, headers, body: empty ? undefined : result.stream };
}
