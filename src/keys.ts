/**
 * The one place that turns a template's reference into a safe storage key — or refuses it.
 *
 * A reference is whatever the database holds: a storage key (`base/company/icon/a.png`), a URL of
 * ours (`/media/base/…`, `https://cdn.example.com/media/…`), an absolute filesystem path inside the
 * storage root, or a foreign URL. Anything else is refused before any storage access is built.
 */
import { isSafeUrl } from './escape.js';

/** The longest storage key accepted, in UTF-8 bytes (S3's own limit is 1,024). */
export const MAX_KEY_BYTES = 1024;
/** References longer than this (in UTF-16 units) are refused before any parsing. */
export const MAX_REFERENCE_LENGTH = 8192;

/** What the key rules need to know about the storage. */
export interface KeyContext {
  /** The storage's public base URL, normalised with a trailing slash. */
  readonly baseUrl?: string | undefined;
  /** The storage's absolute root directory (local storage only), without a trailing slash (except `/` itself). */
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
const DOT = 46;
const SLASH = 47;
const BACKSLASH = 92;
const PERCENT = 37;

function isHexUnit(code: number | undefined): boolean {
  return code !== undefined && ((code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 102));
}

/**
 * Decodes ASCII `%XX` escapes until none is left — the fixed point of decoding again and again, so
 * that `%2e`, `%252e` and `%252525252e` are all seen as the dot they hide. One pass, O(length): a
 * decoded character is pushed back onto the output and may complete an escape with what precedes
 * it. Escapes never overlap (`%` is not a hex digit), so the order of decoding does not change the
 * result. Escapes of bytes ≥ 0x80 are left as they are: they are parts of UTF-8 characters, never
 * a dot, slash, backslash or ASCII control. Used only to inspect a value, never to build a key.
 */
export function decodeToFixedPoint(value: string): string {
  if (!value.includes('%')) return value;
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    out.push(value.charCodeAt(i));
    for (let n = out.length; n >= 3 && out[n - 3] === 37 && isHexUnit(out[n - 2]) && isHexUnit(out[n - 1]); n = out.length) {
      const byte = Number.parseInt(String.fromCharCode(out[n - 2] as number, out[n - 1] as number), 16);
      if (byte >= 0x80) break;
      out.length = n - 3;
      out.push(byte);
    }
  }
  let text = '';
  for (let i = 0; i < out.length; i += 4096) text += String.fromCharCode(...out.slice(i, i + 4096));
  return text;
}

/** Whether a `/`-separated path has a `.` or `..` segment (a scan: no array of segments is built). */
function hasDotSegment(path: string): boolean {
  for (let start = 0; start <= path.length; ) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const length = end - start;
    if ((length === 1 || length === 2) && path.charCodeAt(start) === DOT && (length === 1 || path.charCodeAt(start + 1) === DOT)) return true;
    start = end + 1;
  }
  return false;
}

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/**
 * Why a path (of a key or of a foreign URL) is unsafe, decoded to any depth, if it is. Dots,
 * slashes, backslashes and controls never change once they appear (decoding more cannot remove
 * them), so the fully decoded form shows every one that any depth of decoding would.
 */
function unsafePathReason(path: string): string | undefined {
  const decoded = decodeToFixedPoint(path);
  if (decoded.includes('\\')) return 'contains a backslash';
  // An encoded slash would make segments appear when a storage or proxy decodes the key.
  if (count(decoded, '/') > count(path, '/')) return 'contains an encoded slash';
  if (CONTROL.test(decoded) || CONTROL.test(decodeUtf8Loosely(decoded))) return 'contains a control character';
  if (hasDotSegment(decoded)) return 'contains a "." or ".." segment';
  return undefined;
}

/** The UTF-8 escapes left by {@link decodeToFixedPoint} decoded (C1 controls hide there), or the text as it is. */
function decodeUtf8Loosely(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Checks a storage key against the rules: relative, `/`-separated, no empty, `.` or `..` segment
 * (also percent-encoded, at any depth), no backslash, no control character, well-formed Unicode,
 * at most {@link MAX_KEY_BYTES} bytes.
 *
 * @returns why the key is refused, or `undefined` when it is safe.
 */
export function keyProblem(key: string): string | undefined {
  return isPlainSafeKey(key) ? undefined : describeKeyProblem(key);
}

/**
 * The common case of {@link keyProblem}, in one pass over the key's code units without allocating:
 * `true` when the key is certainly safe — no `%` (so decoding cannot change it), no backslash, no
 * control character, no lone surrogate, no empty, `.` or `..` segment, and at most
 * {@link MAX_KEY_BYTES} bytes of UTF-8. `false` sends the key to {@link describeKeyProblem}, which
 * applies every rule (decoding included) and says which one it breaks, if any. A page checks the
 * same kind of key thousands of times; the rules are the same either way (a property test holds the
 * two together).
 */
function isPlainSafeKey(key: string): boolean {
  const length = key.length;
  let bytes = 0;
  let segmentStart = 0;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? SLASH : key.charCodeAt(i);
    if (code === SLASH) {
      const segment = i - segmentStart;
      if (segment === 0) return false; // empty key or empty segment
      if (segment <= 2 && key.charCodeAt(segmentStart) === DOT && (segment === 1 || key.charCodeAt(segmentStart + 1) === DOT)) return false;
      segmentStart = i + 1;
      bytes += i === length ? 0 : 1;
    } else if (code < 0x80) {
      if (code < 0x20 || code === 0x7f || code === PERCENT || code === BACKSLASH) return false;
      bytes += 1;
    } else if (code < 0x800) {
      if (code <= 0x9f) return false; // C1 controls
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = key.charCodeAt(i + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false; // a lone surrogate
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
    if (bytes > MAX_KEY_BYTES) return false; // a huge key is not scanned to its end here
  }
  return true;
}

/** {@link keyProblem} by every rule, in the order the reasons are given; exported for the tests that hold the fast path to it. */
export function describeKeyProblem(key: string): string | undefined {
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
  // The same predicate as every other printed URL (only http(s), `//` and `/` reach here).
  if (!isSafeUrl(url)) return { kind: 'invalid', reason: 'the URL is not safe inside an HTML attribute' };
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
  // `/srv/media/../etc/passwd` is refused by the key rules instead of being normalised away. The
  // prefix ends with a slash, so that `/srv/media-old/…` is not inside `/srv/media`; a root of `/`
  // is its own prefix.
  const prefix = root === undefined ? undefined : root.endsWith('/') ? root : `${root}/`;
  if (prefix !== undefined && reference.startsWith(prefix)) {
    return keyOrInvalid(reference.slice(prefix.length));
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
  // The whole key at once, its slashes given back: a literal `%` is encoded as `%25`, so every
  // `%2F` in the result was a slash.
  return isUrlSafe(key) ? key : encodeURIComponent(key).replace(SLASH_OR_RFC3986_EXTRA, escapeOrSlash);
}

const SLASH_OR_RFC3986_EXTRA = /%2F|[!'()*]/g;
const escapeOrSlash = (match: string): string => (match === '%2F' ? '/' : `%${match.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Whether {@link encodeKey} would give the key back unchanged: only ASCII letters, digits, `-`,
 * `_`, `.`, `~` (what RFC 3986 calls unreserved) and `/`. Most keys are; they cost one scan, no
 * allocation.
 */
function isUrlSafe(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    const letter = (code | 32) >= 97 && (code | 32) <= 122;
    if (!letter && !(code >= 48 && code <= 57) && code !== 45 && code !== 95 && code !== DOT && code !== 126 && code !== SLASH) return false;
  }
  return true;
}
