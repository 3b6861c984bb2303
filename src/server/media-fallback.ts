/**
 * What the media route answers for a key it cannot serve: a `307` to the avatar route, or (with
 * `fallback: 'status'`) a `404` whose body is the avatar. Never a `200`: a CDN or browser would
 * keep the placeholder under the real file's URL.
 */
import type { MediaSettings } from './media-options.js';
import { SECURITY_HEADERS } from './media-file.js';
import type { MediaAnswer } from './media-route.js';

/**
 * Why a key is not served, as sent in `X-Logo-Fallback`: the file is `missing`; the path breaks
 * the key rules, or the storage refused the key (a symlink out of its root) or its URL (`unsafe`);
 * the storage or a hook failed (`fault`); the app's `allow` said no (`denied`).
 */
export type FallbackReason = 'missing' | 'unsafe' | 'fault' | 'denied';

const SVG_DATA = 'data:image/svg+xml,';
const PNG_DATA = 'data:image/png;base64,';

/** The bytes and type of an avatar `data:` URL (the two forms `initialsAvatar()` emits). */
function avatarBytes(url: string): { type: string; bytes: Uint8Array } {
  if (url.startsWith(PNG_DATA)) return { type: 'image/png', bytes: Buffer.from(url.slice(PNG_DATA.length), 'base64') };
  const svg = url.startsWith(SVG_DATA) ? decodeURIComponent(url.slice(SVG_DATA.length)) : '<svg xmlns="http://www.w3.org/2000/svg"/>';
  return { type: 'image/svg+xml', bytes: Buffer.from(svg) };
}

/** The answer for a key that cannot be served, for a display name (`''`: the placeholder). */
export function fallbackAnswer(settings: MediaSettings, reason: FallbackReason, name: string, head: boolean): MediaAnswer {
  const common = { 'Cache-Control': 'no-store', 'X-Logo-Fallback': reason, ...SECURITY_HEADERS };
  if (settings.fallback === 'status' && settings.bodyAvatar !== undefined) {
    const { type, bytes } = avatarBytes(settings.bodyAvatar({ name }));
    const headers = { ...common, 'Content-Type': type, 'Content-Length': String(bytes.length) };
    return { status: 404, headers, body: head ? undefined : bytes, outcome: reason };
  }
  const location = settings.routeAvatar({ name });
  const body = `Temporary Redirect: ${reason}, see ${location}\n`;
  const headers = { ...common, Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) };
  return { status: 307, headers, body: head ? undefined : body, outcome: reason };
}
