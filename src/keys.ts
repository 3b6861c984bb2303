/**
 * The one place that turns a template's reference into a safe storage key — or refuses it.
 *
 * A reference is whatever the database holds: a storage key (`base/company/icon/a.png`), a URL of
 * ours (`/media/base/…`, `https://cdn.example.com/media/…`), an absolute filesystem path inside the
 * storage root, or a foreign URL. Anything else is refused before any storage access is built.
 */
import { isAttributeSafe } from './escape.js';

/** The longest storage key accepted, in UTF-8 bytes (S3's own limit is 1,024). */
export const MAX_KEY_BYTES = 1024;
/** References longer than this (in UTF-16 units) are refused before any parsing. */
export const MAX_REFERENCE_LENGTH = 8192;

/** What the key rules need to know about the storage. */
export interface KeyContext {
  /** The storage's public base URL, normalised with a trailing slash. */
  readonly baseUrl?: string | undefined;
  /** The storage's absolute root directory (local storage only), without a trailing slash. */
  readonly root?: string | undefined;
}

/** The outcome of {@link parseReference}. */
export type Reference =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'external'; readonly url: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const PERCENT_BYTE = /%([0-9a-fA-F]{2})/g;

/**
 * Decodes `%XX` escapes byte by byte, never throwing. Used only to *inspect* a value for hidden
 * dots, slashes, backslashes and control characters, so a lenient decode is what we want.
 */
function decodeLoosely(value: string): string {
  return value.replace(PERCENT_BYTE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Every form a value takes when decoded once, twice, … (a double-encoded `%252e` hides a dot). */
function decodedForms(value: string): string[] {
  const forms = [value];
  let current = value;
  for (let i = 0; i < 4 && current.includes('%'); i++) {
    const next = decodeLoosely(current);
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}

function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => segment === '.' || segment === '..');
}

/** Why a path (of a key or of a foreign URL) is unsafe in any of its decoded forms, if it is. */
function unsafePathReason(path: string): string | undefined {
  for (const form of decodedForms(path)) {
    if (form.includes('\\')) return 'contains a backslash';
    // An encoded slash would make segments appear when a storage or proxy decodes the key.
    if (/%2f/i.test(form)) return 'contains an encoded slash';
    if (CONTROL.test(form)) return 'contains a control character';
    if (hasDotSegment(form)) return 'contains a "." or ".." segment';
  }
  return undefined;
}

/**
 * Checks a storage key against the rules: relative, `/`-separated, no empty, `.` or `..` segment
 * (also percent-encoded, at any depth), no backslash, no control character, well-formed Unicode,
 * at most {@link MAX_KEY_BYTES} bytes.
 *
 * @returns why the key is refused, or `undefined` when it is safe.
 */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'is empty';
  if (LONE_SURROGATE.test(key)) return 'contains malformed Unicode (a lone surrogate)';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`;
  if (key.split('/').includes('')) return 'has an empty segment (a leading, trailing or double slash)';
  return unsafePathReason(key);
}

function keyOrInvalid(key: string): Reference {
  const reason = keyProblem(key);
  return reason === undefined ? { kind: 'key', key } : { kind: 'invalid', reason: `the key ${reason}` };
}

/** A key taken from a URL path: the path is percent-encoded, the key is not. */
function keyFromUrlPath(encodedPath: string): Reference {
  const reason = unsafePathReason(encodedPath);
  if (reason !== undefined) return { kind: 'invalid', reason: `the URL path ${reason}` };
  let key: string;
  try {
    key = decodeURIComponent(encodedPath);
  } catch {
    return { kind: 'invalid', reason: 'the URL path has malformed percent-encoding' };
  }
  return keyOrInvalid(key);
}

function stripQueryAndFragment(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

function external(url: string, path: string): Reference {
  if (!isAttributeSafe(url)) return { kind: 'invalid', reason: 'the URL is not safe inside an HTML attribute' };
  const reason = unsafePathReason(path);
  return reason === undefined ? { kind: 'external', url } : { kind: 'invalid', reason: `the URL path ${reason}` };
}

function parseAbsoluteUrl(reference: string, context: KeyContext): Reference {
  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    return { kind: 'invalid', reason: 'the URL cannot be parsed' };
  }
  // Inspect the raw path: the URL parser has already collapsed `..`, which would hide a traversal.
  const afterAuthority = reference.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/, '');
  const rawPath = stripQueryAndFragment(afterAuthority);
  const base = context.baseUrl;
  if (base !== undefined && /^https?:/i.test(base)) {
    const baseUrl = new URL(base);
    if (url.origin === baseUrl.origin && rawPath.startsWith(baseUrl.pathname)) {
      return keyFromUrlPath(rawPath.slice(baseUrl.pathname.length));
    }
  }
  return external(reference, rawPath);
}

function parsePathAbsolute(reference: string, context: KeyContext): Reference {
  const path = stripQueryAndFragment(reference);
  const base = context.baseUrl;
  if (base !== undefined && base.startsWith('/') && path.startsWith(base)) {
    return keyFromUrlPath(path.slice(base.length));
  }
  const root = context.root;
  // A filesystem path stored by mistake: compare the raw string, never a resolved one, so that
  // `/srv/media/../etc/passwd` is refused by the key rules instead of being normalised away.
  if (root !== undefined && reference.startsWith(`${root}/`)) {
    return keyOrInvalid(reference.slice(root.length + 1));
  }
  return external(reference, path);
}

/**
 * Classifies a reference (DESIGN.md, "Inputs → outputs"):
 * - a storage key, or a URL or filesystem path of ours → `{ kind: 'key', key }`;
 * - another `http(s):` URL, a protocol-relative `//host/…` or another path-absolute `/…` that is
 *   attribute-safe → `{ kind: 'external', url }` (returned unchanged);
 * - anything unsafe (another scheme, dot segments, backslash, control characters, a key over
 *   {@link MAX_KEY_BYTES} bytes) → `{ kind: 'invalid', reason }`.
 */
export function parseReference(reference: string, context: KeyContext = {}): Reference {
  if (reference.length > MAX_REFERENCE_LENGTH) {
    return { kind: 'invalid', reason: `the reference is longer than ${MAX_REFERENCE_LENGTH} characters` };
  }
  if (CONTROL.test(reference)) return { kind: 'invalid', reason: 'the reference contains a control character' };
  if (reference.includes('\\')) return { kind: 'invalid', reason: 'the reference contains a backslash' };
  if (reference.startsWith('//')) {
    // Protocol-relative: judge it as the page would load it, but hand back the original string.
    const scheme = context.baseUrl !== undefined && /^http:/i.test(context.baseUrl) ? 'http:' : 'https:';
    const parsed = parseAbsoluteUrl(scheme + reference, context);
    return parsed.kind === 'external' ? { kind: 'external', url: reference } : parsed;
  }
  if (reference.startsWith('/')) return parsePathAbsolute(reference, context);
  const scheme = SCHEME.exec(reference)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return parseAbsoluteUrl(reference, context);
  if (scheme !== undefined) return { kind: 'invalid', reason: `the "${scheme}:" scheme is not allowed` };
  return keyOrInvalid(reference);
}

const RFC3986_EXTRA = /[!'()*]/g;

/**
 * Percent-encodes one URL component as `encodeURIComponent` does, and also `!'()*` (RFC 3986).
 * The value must be well-formed Unicode (no lone surrogates).
 */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(RFC3986_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Percent-encodes each segment of a key with {@link encodeSegment}, so the result is safe in a URL
 * path and in a quoted attribute: `o'brien (1).png` → `o%27brien%20%281%29.png`. The key must be
 * well-formed (see {@link keyProblem}).
 */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeSegment).join('/');
}
