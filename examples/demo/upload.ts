/**
 * A logo upload: read a multipart form of at most 5 MB, accept only PNG, JPEG or WebP by content
 * (magic bytes), refuse SVG, and store the file under a generated name — atomically, so a failed
 * upload leaves nothing behind.
 *
 * The form is parsed by the platform's own `Request.formData()` (undici, built into Node): no
 * dependency, and the body is bounded before it is parsed, so buffering it is safe.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { ACCEPTED, looksLikeMarkup, sniffImage, typeOfExtension, type AcceptedType } from './image-type.js';

/** The largest logo accepted, in bytes (5 MB, as nginx's `client_max_body_size 5m`). */
export const MAX_LOGO_BYTES = 5 * 1024 * 1024;
/** Room for the multipart envelope around the file. */
const FORM_OVERHEAD = 64 * 1024;
/** Where new logos go, as in Horilla (`base/company/icon/`). */
export const LOGO_DIR = 'base/company/icon';

/** An upload refused with an HTTP status and a message meant for the person uploading. */
export class UploadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new UploadError(413, 'The file is larger than 5 MB.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new UploadError(413, 'The file is larger than 5 MB.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const names: Record<string, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP', 'image/svg+xml': 'SVG', 'image/gif': 'GIF' };
const label = (type: string): string => names[type] ?? type;

/** Reads the `logo` field of a multipart upload and checks it. Throws {@link UploadError}. */
export async function readLogoUpload(req: IncomingMessage): Promise<{ bytes: Buffer; type: AcceptedType }> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data;.*boundary=/i.test(contentType)) throw new UploadError(400, 'Send the logo as a multipart/form-data upload.');
  const body = await readBody(req, MAX_LOGO_BYTES + FORM_OVERHEAD);
  let form: FormData;
  try {
    form = await new Request('http://upload.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw new UploadError(400, 'The upload could not be read as a form.');
  }
  const file = form.get('logo');
  if (file === null || typeof file === 'string') throw new UploadError(400, 'Choose a logo file to upload.');
  if (file.size === 0) throw new UploadError(400, 'The file is empty.');
  if (file.size > MAX_LOGO_BYTES) throw new UploadError(413, 'The file is larger than 5 MB.');
  const bytes = Buffer.from(await file.arrayBuffer());
  const claimed = [file.type.split(';')[0]?.trim().toLowerCase(), typeOfExtension(file.name)].filter((type): type is string => !!type && type !== 'application/octet-stream');
  if (claimed.includes('image/svg+xml') || looksLikeMarkup(bytes)) {
    throw new UploadError(415, 'SVG (and other markup) is refused: it can carry scripts. Upload a PNG, JPEG or WebP image.');
  }
  const actual = sniffImage(bytes);
  if (actual === undefined) throw new UploadError(415, 'This file is not a PNG, JPEG or WebP image, whatever its name says.');
  const lie = claimed.find((type) => type !== actual);
  if (lie !== undefined) throw new UploadError(415, `The file claims to be ${label(lie)} but its content is ${label(actual)}.`);
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
  const staging = path.join(mediaRoot, '.uploading');
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

/** Removes a stored logo again (when the database update after it failed). */
export async function removeLogo(mediaRoot: string, key: string): Promise<void> {
  await rm(path.join(mediaRoot, key), { force: true });
}
