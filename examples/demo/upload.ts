/**
 * A logo upload: read a multipart form of at most 5 MB, accept only PNG, JPEG or WebP by content
 * (magic bytes), refuse SVG, and store the file under a generated name — atomically, so a failed
 * upload leaves nothing behind.
 *
 * The form is parsed by the platform's own `Request.formData()` (undici, built into Node): no
 * dependency, and the body is bounded in size and in time before it is parsed, so buffering it
 * is safe: a client that stops sending is cut off after {@link UPLOAD_IDLE_TIMEOUT_MS}, one that
 * hangs up is reported in one line.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, realpath, rename, rm, unlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { parseReference } from '../../src/index.js';
import { whyNotWholeImage } from './image-check.js';
import { ACCEPTED, looksLikeMarkup, sniffImage, typeOfExtension, type AcceptedType } from './image-type.js';

/** The largest logo accepted, in bytes (5 MiB). */
export const MAX_LOGO_BYTES = 5 * 1024 * 1024;
/** Room for the multipart envelope around the file, in bytes. */
export const FORM_OVERHEAD = 64 * 1024;
/** The largest request body read, in bytes: a logo of {@link MAX_LOGO_BYTES} and its envelope. nginx's `client_max_body_size` must be at least this. */
export const MAX_UPLOAD_BODY_BYTES = MAX_LOGO_BYTES + FORM_OVERHEAD;
/** How long an upload may send nothing before it is refused with 408, in ms. @default 10000 */
export const UPLOAD_IDLE_TIMEOUT_MS = 10_000;
/** Where new logos go, as in Horilla (`base/company/icon/`). */
export const LOGO_DIR = 'base/company/icon';
/** Where uploads are written before they are renamed into place (inside the root: same filesystem). */
export const STAGING_DIR = '.uploading';

/** An upload refused with an HTTP status and a message meant for the person uploading. */
export class UploadError extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The client went away before the body was complete: nobody is left to answer. */
export class UploadAborted extends Error {
  constructor(readonly received: number) {
    super(`the client closed the connection after ${received} bytes`);
  }
}

const TOO_LARGE = 'The file is larger than 5 MB.';

/** Reads the whole body, at most `limit` bytes, failing when nothing arrives for `idleMs`. */
function readBody(req: IncomingMessage, limit: number, idleMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new UploadError(413, TOO_LARGE));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onClose).off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks));
      else reject(error);
    };
    const timer = setTimeout(() => finish(new UploadError(408, `The upload stalled: nothing arrived for ${idleMs / 1000} s. Try again.`)), idleMs);
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return finish(new UploadError(413, TOO_LARGE));
      chunks.push(chunk);
      timer.refresh();
    };
    const onEnd = (): void => finish(undefined);
    const onClose = (): void => {
      if (!req.complete) finish(new UploadAborted(size));
    };
    req.on('data', onData).on('end', onEnd).on('error', onClose).on('close', onClose);
  });
}

const names: Record<string, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP', 'image/svg+xml': 'SVG', 'image/gif': 'GIF' };
const label = (type: string): string => names[type] ?? type;

/**
 * Reads the `logo` field of a multipart upload and checks it. Throws {@link UploadError}, or
 * {@link UploadAborted} when the client hangs up.
 */
export async function readLogoUpload(req: IncomingMessage, idleMs = UPLOAD_IDLE_TIMEOUT_MS): Promise<{ bytes: Buffer; type: AcceptedType }> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data;.*boundary=/i.test(contentType)) throw new UploadError(400, 'Send the logo as a multipart/form-data upload.');
  const body = await readBody(req, MAX_UPLOAD_BODY_BYTES, idleMs);
  let form: FormData;
  try {
    form = await new Request('http://upload.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw new UploadError(400, 'The upload could not be read as a form.');
  }
  const file = form.get('logo');
  if (file === null || typeof file === 'string') throw new UploadError(400, 'Choose a logo file to upload.');
  if (file.size === 0) throw new UploadError(400, 'The file is empty.');
  if (file.size > MAX_LOGO_BYTES) throw new UploadError(413, TOO_LARGE);
  const bytes = Buffer.from(await file.arrayBuffer());
  const claimed = [file.type.split(';')[0]?.trim().toLowerCase(), typeOfExtension(file.name)].filter((type): type is string => !!type && type !== 'application/octet-stream');
  if (claimed.includes('image/svg+xml') || looksLikeMarkup(bytes)) {
    throw new UploadError(415, 'SVG (and other markup) is refused: it can carry scripts. Upload a PNG, JPEG or WebP image.');
  }
  const actual = sniffImage(bytes);
  if (actual === undefined) throw new UploadError(415, 'This file is not a PNG, JPEG or WebP image, whatever its name says.');
  const lie = claimed.find((type) => type !== actual);
  if (lie !== undefined) throw new UploadError(415, `The file claims to be ${label(lie)} but its content is ${label(actual)}.`);
  const broken = whyNotWholeImage(bytes, actual);
  if (broken !== undefined) throw new UploadError(415, `This file starts like a ${label(actual)} image but is not one a browser can draw: ${broken}.`);
  return { bytes, type: actual };
}

/**
 * Stores a checked logo under a generated name (`base/company/icon/<uuid>.<ext>`) and returns its
 * key. Written to a temporary file inside the root first, then renamed: a reader never sees half a
 * file, and a failure leaves nothing behind.
 */
export async function storeLogo(mediaRoot: string, bytes: Buffer, type: AcceptedType): Promise<string> {
  const id = randomUUID();
  const key = `${LOGO_DIR}/${id}.${ACCEPTED[type]}`;
  const staging = path.join(mediaRoot, STAGING_DIR);
  const temporary = path.join(staging, id);
  await mkdir(staging, { recursive: true });
  await mkdir(path.join(mediaRoot, LOGO_DIR), { recursive: true });
  try {
    await writeFile(temporary, bytes, { flag: 'wx', mode: 0o644 });
    await rename(temporary, path.join(mediaRoot, key));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return key;
}

/**
 * Removes a logo file: the one just stored when the database update after it failed, or the one a
 * new upload replaced (an orphan once no row points at it). Only a safe key inside the root is
 * touched: a stored reference such as `../../../etc/passwd` or an external URL removes nothing,
 * and a folder symlinked out of the root is not followed. Resolves to whether a file was removed.
 */
export async function removeLogo(mediaRoot: string, reference: string): Promise<boolean> {
  const parsed = parseReference(reference, { baseUrl: '/media/', root: mediaRoot });
  if (parsed.kind !== 'key') return false;
  const realRoot = await realpath(mediaRoot);
  const folder = await realpath(path.join(mediaRoot, path.dirname(parsed.key))).catch(() => undefined);
  if (folder === undefined || (folder !== realRoot && !folder.startsWith(realRoot + path.sep))) return false;
  try {
    await unlink(path.join(folder, path.basename(parsed.key)));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
