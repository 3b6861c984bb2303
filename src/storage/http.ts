/** Media behind nginx or a CDN: existence through an HTTP `HEAD` on kept-alive connections. */
import { LogoFallbackError } from '../errors.js';
import { encodeKey } from '../keys.js';
import { normalizeBaseUrl, numberOption, optionKeys, readOptions } from '../options.js';
import { assertSafeKey, describeRequestFailure, startDeadline, storageFault, unquoteEtag } from './guards.js';
import { headersOption } from './http-headers.js';
import { keepAliveClient, type ClientResponse } from './http-client.js';
import type { Storage, StorageEntry } from './types.js';

/** Options of {@link httpStorage}. */
export interface HttpStorageOptions {
  /** The absolute `http(s)://` URL the media is served under, e.g. `https://cdn.example.com/media/`. */
  baseUrl: string;
  /**
   * Headers sent with every check (an `Authorization` for a private origin, say). They are not part
   * of the public URL. A name is an RFC 9110 token; a value is Latin-1 text (tab, visible ASCII,
   * U+0080–U+00FF: HTTP's and fetch's ByteString), so a typographic `…` or `’` pasted from
   * formatted text is refused at start-up, naming the header and the character's position.
   * @default {}
   */
  headers?: Record<string, string> | Headers;
  /**
   * How long one check may take, ms, including the wait for a free connection; then it is a fault.
   * The resolver's own `timeout` (how long a render waits) is usually shorter: this one bounds the
   * request that goes on filling the cache.
   * @default 10_000
   */
  timeout?: number;
  /**
   * The most connections kept open to the origin; checks beyond it wait for a free one. Connections
   * are kept alive between checks (no TCP or TLS handshake per check).
   * @default 16
   */
  maxSockets?: number;
}

const KNOWN = optionKeys<HttpStorageOptions>()(['baseUrl', 'headers', 'timeout', 'maxSockets']);

/** A 405 means the server does not do HEAD: one byte of a GET answers the same question. */
const RANGE_PROBE = 'bytes=0-0';

/**
 * The object's full size in bytes: from `Content-Range` (`bytes 0-0/SIZE`, or `bytes *\/0` for an
 * empty file's 416) on a range answer, else `Content-Length`; `undefined` when the server does not say.
 */
function objectSize(response: ClientResponse): number | undefined {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '')?.[1];
  const text = response.status === 206 || response.status === 416 ? range : response.headers.get('content-length');
  const size = text === undefined || text === null || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

/**
 * A redirect to the same URL with a slash added is how nginx, Apache and most static servers
 * answer for a directory: the key names a directory, not a file, so it is missing.
 */
function isDirectoryRedirect(response: ClientResponse, url: string): boolean {
  if (![301, 302, 307, 308].includes(response.status)) return false;
  const location = response.headers.get('location');
  if (location === null) return false;
  try {
    return new URL(location, url).href === new URL(`${url}/`).href;
  } catch {
    return false;
  }
}

const fault = (message: string, key: string, cause?: unknown): LogoFallbackError => storageFault('http', message, key, cause);

/**
 * Checks files with `HEAD <baseUrl><key>`: 2xx with a non-empty body → exists; 404, 410, a
 * `Content-Length: 0` (an empty file) or a redirect to the same URL with a slash (a directory) →
 * missing; 405 → one `GET` with `Range: bytes=0-0`; anything else (another status, another
 * redirect — never followed, it may leave the base URL — a refused connection, a timeout) → a
 * `STORAGE_FAILED` fault. `stat(key)` gives the size, `Last-Modified` and `ETag` of that answer.
 * An HTTP server cannot list: there is no `list()`.
 *
 * @example
 * ```ts
 * const storage = httpStorage({ baseUrl: 'https://cdn.example.com/media/' });
 * await storage.exists('base/company/icon/acme.png'); // true when the CDN answers 200
 * storage.url('base/company/icon/o brien.png');        // 'https://cdn.example.com/media/base/company/icon/o%20brien.png'
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` for no `baseUrl`; `INVALID_OPTION` for a bad option
 * (a header that cannot be sent is named, with the offending character's position) or a key
 * {@link HttpStorageOptions} does not have.
 */
export function httpStorage(options: HttpStorageOptions): Storage & Required<Pick<Storage, 'stat'>> {
  const owner = 'httpStorage()';
  const opts = readOptions<HttpStorageOptions>(options, KNOWN, 'the options', owner);
  const baseUrl = normalizeBaseUrl(opts.baseUrl, 'baseUrl', owner);
  if (!/^https?:\/\//i.test(baseUrl)) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "baseUrl" must be an absolute http(s) URL such as "https://cdn.example.com/media/", got ${JSON.stringify(baseUrl)}`);
  }
  const timeout = numberOption(opts.timeout, 'timeout', owner, { min: 1, max: 600_000, fallback: 10_000 });
  const maxSockets = numberOption(opts.maxSockets, 'maxSockets', owner, { min: 1, max: 1024, fallback: 16, integer: true });
  const headers = headersOption(opts.headers, owner);
  const probeHeaders = new Headers(headers);
  probeHeaders.set('Range', RANGE_PROBE);
  const client = keepAliveClient(maxSockets);

  async function stat(key: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
    assertSafeKey(key, 'http'); // before any request is built
    const url = baseUrl + encodeKey(key);
    // One deadline for the whole check (the HEAD and, after a 405, the GET), cleared when it settles.
    const deadline = startDeadline(signal, timeout);
    let response: ClientResponse;
    try {
      response = await client.request(url, { method: 'HEAD', headers, signal: deadline.signal, body: 'discard' });
      if (response.status === 405) response = await client.request(url, { method: 'GET', headers: probeHeaders, signal: deadline.signal, body: 'discard' });
    } catch (error) {
      throw fault(`checking ${JSON.stringify(key)} failed: ${describeRequestFailure(error, deadline.signal, timeout)}`, key, error);
    } finally {
      deadline.clear();
    }
    const { status, headers: answer } = response;
    if (status === 404 || status === 410 || isDirectoryRedirect(response, url)) return undefined;
    const size = objectSize(response);
    // An empty file draws a broken image: missing, as on every other storage (a range GET of an
    // empty file is a 416).
    if (size === 0 && ((status >= 200 && status < 300) || status === 416)) return undefined;
    if (status < 200 || status >= 300) {
      const why =
        status >= 300 && status < 400
          ? `a ${status} redirect${answer.has('location') ? ` to ${JSON.stringify(answer.get('location'))}` : ''}, which is not followed`
          : `status ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw fault(`checking ${JSON.stringify(key)} got ${why}`, key);
    }
    const modified = Date.parse(answer.get('last-modified') ?? '');
    const etag = unquoteEtag(answer.get('etag'));
    return { key, ...(size === undefined ? {} : { size }), ...(Number.isFinite(modified) ? { modified } : {}), ...(etag === undefined ? {} : { etag }) };
  }

  return {
    name: 'http',
    baseUrl,
    exists: async (key, signal) => (await stat(key, signal)) !== undefined,
    stat,
    url: (key) => baseUrl + encodeKey(key),
  };
}
