/**
 * The media route's one request → answer logic, shared by every framework's glue: a request path
 * under `prefix` → a storage key (the package's key rules) → the resolver's `lookup()` (its cache,
 * its deadlines, its reports) → the file, a redirect to the file's URL, or the avatar fallback.
 */
import type { Readable } from 'node:stream';
import { LogoFallbackError, describeError, isLogoFallbackError } from '../errors.js';
import { SAFE_URL_RULE, isSafeUrl } from '../escape.js';
import { encodeKey, parseReference } from '../keys.js';
import type { LogoResolver } from '../resolver-types.js';
import { fallbackAnswer, type FallbackReason } from './media-fallback.js';
import { SECURITY_HEADERS, sendFile, typeHeaders } from './media-file.js';
import { createNameLookup, createPermission } from './media-hooks.js';
import { openInRoot } from './media-open.js';
import { resolveMediaOptions, type MediaRouteOptions } from './media-options.js';

/** A request as the route reads it; each framework's glue builds one. */
export interface MediaRequest {
  /** The HTTP method as received (`GET`). */
  readonly method: string;
  /** The request target as received, path and query: `/media/a.png?v=2`. The query is ignored. */
  readonly target: string;
  /** The request headers, names lower-case (`if-none-match`, `range`): Node's `req.headers`. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * What the route did: `'file'` (the file, or `304`/`206`/`412`/`416` about it), `'accel'` (an
 * `X-Accel-Redirect` for nginx to send it), `'redirect'` (to a remote storage's URL of the file),
 * a fallback (`'missing'`, `'unsafe'`, `'fault'`, `'denied'`), or `'method'` (`405`).
 */
export type MediaOutcome = 'file' | 'accel' | 'redirect' | FallbackReason | 'method';

/** One answer of the route. */
export interface MediaAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** Header names as sent. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: a file stream, bytes or text; `undefined` for `HEAD` and `304`. */
  readonly body: Readable | Uint8Array | string | undefined;
  readonly outcome: MediaOutcome;
}

/** Answers one request; `undefined` when its path is not under `prefix` (the glue passes it on). Never rejects. */
export interface MediaRoute {
  (request: MediaRequest): Promise<MediaAnswer | undefined>;
  /** The checked `prefix` option, with its trailing slash. */
  readonly prefix: string;
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS } as const;

function text(status: number, message: string, outcome: MediaOutcome, head: boolean, extra: Record<string, string> = {}): MediaAnswer {
  const body = `${message}\n`;
  return { status, headers: { ...TEXT, ...extra, 'Content-Length': String(Buffer.byteLength(body)) }, body: head ? undefined : body, outcome };
}

/** A key some segment of which is a dot file or directory (`.env`, `.git/config`): never served. */
function isDotKey(key: string): boolean {
  return key.startsWith('.') || key.includes('/.');
}

/** Builds the route; bad options throw {@link LogoFallbackError} `INVALID_OPTION` at once. */
export function createMediaRoute(logos: LogoResolver, options: MediaRouteOptions | undefined, owner: string): MediaRoute {
  const settings = resolveMediaOptions(logos, options, owner);
  const nameOf = createNameLookup(logos, settings.nameFor, settings.nameTimeout, owner);
  const allowed = createPermission(logos, settings.allow, settings.allowTimeout, owner);
  const { storage } = logos;
  const { prefix } = settings;

  const report = (error: LogoFallbackError): void => logos.reportError(error);

  async function fallback(reason: FallbackReason, key: string | undefined, head: boolean): Promise<MediaAnswer> {
    return fallbackAnswer(settings, reason, await nameOf(key), head);
  }

  /** The key as a reference the resolver reads the same way: a URL of the storage's when it has one. */
  const referenceOf = (key: string): string => (storage.baseUrl === undefined ? key : storage.baseUrl + encodeKey(key));

  /** A local file the resolver knows present: checked again (it may be gone since), opened once inside the root, then sent or handed to nginx. */
  async function sendLocal(request: MediaRequest, key: string, head: boolean): Promise<MediaAnswer> {
    const gone = (): Promise<MediaAnswer> => {
      logos.invalidate(referenceOf(key)); // gone since the resolver saw it: the next render shows the avatar at once
      return fallback('missing', key, head);
    };
    let entry;
    try {
      entry = await storage.stat?.(key);
    } catch (cause) {
      const error = isLogoFallbackError(cause) ? cause : new LogoFallbackError('STORAGE_FAILED', `${owner}: ${storage.name} storage: stat() failed for ${JSON.stringify(key)}: ${describeError(cause)}`, { key, storage: storage.name, cause });
      report(error);
      return fallback(error.code === 'INVALID_KEY' ? 'unsafe' : 'fault', key, head);
    }
    if (entry === undefined) return gone();
    const opened = await openInRoot(storage.root as string, key);
    if (opened.kind === 'missing') return gone();
    if (opened.kind === 'refused') {
      report(new LogoFallbackError('INVALID_KEY', `${owner}: ${JSON.stringify(key)} resolved outside the root when it was opened (${JSON.stringify(opened.where)}): a symlink swapped in since it was checked; not sent`, { key, storage: storage.name }));
      return fallback('unsafe', key, head);
    }
    if (opened.kind === 'fault') {
      report(new LogoFallbackError('STORAGE_FAILED', `${owner}: opening ${JSON.stringify(key)} failed: ${describeError(opened.error)}`, { key, storage: storage.name, cause: opened.error }));
      return fallback('fault', key, head);
    }
    if (settings.accelRedirect !== undefined) {
      // nginx opens the file again, by path: the real path just checked (a symlink inside the root
      // resolved), under a location that refuses any symlink on the way (disable_symlinks on).
      await opened.handle.close().catch(() => undefined);
      const headers = { ...typeHeaders(key), ...SECURITY_HEADERS, 'Cache-Control': settings.cacheControl, 'X-Accel-Redirect': settings.accelRedirect + encodeKey(opened.relative), 'Content-Length': '0' };
      return { status: 200, headers, body: undefined, outcome: 'accel' };
    }
    const sent = await sendFile(request, opened, key, settings.cacheControl);
    if (sent.kind === 'sent') return { status: sent.status, headers: sent.headers, body: head ? undefined : sent.body, outcome: 'file' };
    if (sent.kind === 'missing') return gone();
    if (sent.kind === 'refused') return fallback('unsafe', key, head);
    report(new LogoFallbackError('STORAGE_FAILED', `${owner}: reading ${JSON.stringify(key)} failed: ${describeError(sent.error)}`, { key, storage: storage.name, cause: sent.error }));
    return fallback('fault', key, head);
  }

  function redirect(url: string, key: string, head: boolean): Promise<MediaAnswer> | MediaAnswer {
    if (url.startsWith(prefix)) {
      report(new LogoFallbackError('STORAGE_FAILED', `${owner}: the ${storage.name} storage's URL for ${JSON.stringify(key)} leads back to the media route (${url})`, { key, storage: storage.name }));
      return fallback('fault', key, head);
    }
    // The resolver printed nothing else, but a Location header is a URL the browser follows: the same predicate, here too.
    if (!isSafeUrl(url)) {
      report(new LogoFallbackError('INVALID_KEY', `${owner}: the ${storage.name} storage's URL for ${JSON.stringify(key)} is not safe to redirect to (${SAFE_URL_RULE})`, { key, storage: storage.name }));
      return fallback('unsafe', key, head);
    }
    // Not cacheable: a presigned URL expires, and a cached redirect would outlive a deleted file.
    return text(302, `Found: ${url}`, 'redirect', head, { Location: url });
  }

  async function answer(request: MediaRequest, path: string, head: boolean): Promise<MediaAnswer> {
    // The package's key rules, on the raw path: `..` in any encoding, encoded slashes, backslashes,
    // NUL and other controls, malformed UTF-8, over-long keys. Refused paths are answered, not
    // reported: they come from the network, and X-Logo-Fallback marks them in the access log.
    const parsed = parseReference(path, { baseUrl: prefix });
    if (parsed.kind !== 'key' || isDotKey(parsed.key)) return fallback('unsafe', undefined, head);
    const { key } = parsed;
    const permission = await allowed(key, request);
    // A denied key gets the placeholder: its name (nameFor) would tell whose file it is.
    if (permission === 'denied') return fallback('denied', undefined, head);
    if (permission === 'failed') return fallback('fault', undefined, head);
    const found = await logos.lookup(referenceOf(key));
    if (found.state === 'missing' || found.state === 'fault') return fallback(found.state, key, head);
    // 'unsafe', or 'external' (a key the resolver reads as a URL: `c:logo.png` without a baseUrl).
    if (found.state !== 'present' || found.url === undefined) return fallback('unsafe', key, head);
    return settings.local ? sendLocal(request, key, head) : redirect(found.url, key, head);
  }

  const route = async (request: MediaRequest): Promise<MediaAnswer | undefined> => {
    const target = String(request.target);
    const cut = target.search(/[?#]/);
    const path = cut === -1 ? target : target.slice(0, cut);
    if (!path.startsWith(prefix)) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method Not Allowed', 'method', false, { Allow: 'GET, HEAD' });
    const head = request.method === 'HEAD';
    try {
      return await answer(request, path, head);
    } catch (cause) {
      // Nothing above should throw; if something does, the page still gets a picture.
      report(new LogoFallbackError('STORAGE_FAILED', `${owner}: answering ${JSON.stringify(path.slice(0, 200))} failed unexpectedly: ${describeError(cause)}`, { cause }));
      return fallbackAnswer(settings, 'fault', '', head);
    }
  };
  return Object.assign(route, { prefix });
}
