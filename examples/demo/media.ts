/**
 * GET /media/<key>: media from the storage root, only when the app allows it — here, only files
 * that are some company's logo (a file lying in the volume is not published by being there).
 * Behind nginx the app answers with `X-Accel-Redirect` and nginx sends the file from an `internal`
 * location (with `disable_symlinks on`); alone, it sends the file itself. Either way: the key rules
 * of the package (no traversal), a type from a short list, `nosniff`, and a sandbox CSP so that
 * nothing served from here can run as a page.
 *
 * The file is opened ONCE, and what was opened is what is checked and sent. Checking a path and
 * then opening it again lets a symlink swapped in between serve any file on the machine. Node has
 * no openat(2) to walk the path one component at a time with O_NOFOLLOW, so: open with O_NOFOLLOW
 * (a symlink as the last component is refused by the kernel), O_NONBLOCK (a FIFO cannot hang the
 * request) and O_NOCTTY; then ask the kernel where the descriptor really points
 * (`/proc/self/fd/N`, which resolves every directory symlink that was followed) and refuse it
 * unless it is inside the real root; then fstat the descriptor (a regular file only) and stream
 * from it. A swap after the open changes nothing: the descriptor stays on the checked file.
 */
import { constants } from 'node:fs';
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { encodeKey, parseReference } from '../../src/index.js';

const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

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
  mediaRoot: string;
  /** The app's permission check. */
  allowed(key: string): boolean;
  mediaAccelPrefix: string | undefined;
}

/** Where an open descriptor really points: the kernel's answer on Linux; elsewhere the path, if it still names the same file. */
async function openedPath(handle: FileHandle, file: string, info: Stats): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    const resolved = await realpath(file).catch(() => undefined);
    if (resolved === undefined) return undefined;
    const now = await stat(resolved).catch(() => undefined);
    return now !== undefined && now.dev === info.dev && now.ino === info.ino ? resolved : undefined;
  }
}

/**
 * Opens `key` under `root` for reading, once, and checks what was opened: a regular file whose
 * real path is inside the real root. Resolves to the open handle and its stats, or `undefined`
 * (nothing opened stays open).
 */
export async function openInsideRoot(root: string, key: string): Promise<{ handle: FileHandle; info: Stats } | undefined> {
  const realRoot = await realpath(root).catch(() => undefined);
  if (realRoot === undefined) return undefined;
  const file = path.join(root, key);
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch {
    return undefined; // missing, unreadable, or a symlink (ELOOP)
  }
  try {
    const info = await handle.stat();
    const where = await openedPath(handle, file, info);
    if (info.isFile() && where !== undefined && where.startsWith(realRoot + path.sep)) return { handle, info };
  } catch {
    // fall through: closed below
  }
  await handle.close();
  return undefined;
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
  const opened = await openInsideRoot(deps.mediaRoot, key);
  if (opened === undefined) return notFound(res);
  const { handle, info } = opened;
  const headers = mediaHeaders(key);
  if (deps.mediaAccelPrefix !== undefined) {
    await handle.close(); // nginx opens it again, refusing symlinks on the way (nginx.conf: disable_symlinks on)
    res.writeHead(200, { ...headers, 'X-Accel-Redirect': deps.mediaAccelPrefix + encodeKey(key) });
    res.end();
    return;
  }
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  if (req.headers['if-none-match'] === etag) {
    await handle.close();
    res.writeHead(304, { ETag: etag, 'Cache-Control': headers['Cache-Control'] as string });
    res.end();
    return;
  }
  if (req.method === 'HEAD') {
    await handle.close();
    res.writeHead(200, { ...headers, 'Content-Length': String(info.size), ETag: etag });
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(info.size), ETag: etag });
  // pipeline closes the descriptor however the response ends (done, failed, or the client gone).
  pipeline(handle.createReadStream(), res, () => undefined);
}
