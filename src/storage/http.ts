/** Media behind nginx or a CDN: existence through an HTTP `HEAD` with Node's `fetch`. */
import { LogoFallbackError } from '../errors.js';
import { encodeKey } from '../keys.js';
import { normalizeBaseUrl, numberOption } from '../options.js';
import { assertSafeKey, describeFetchFailure, storageFault, unquoteEtag, withDeadline } from './guards.js';
import type { Storage, StorageEntry } from './types.js';

/** Options of {@link httpStorage}. */
export interface HttpStorageOptions {
  /** The absolute `http(s)://` URL the media is served under, e.g. `https://cdn.example.com/media/`. */
  baseUrl: string;
  /**
   * Headers sent with every check (an `Authorization` for a private origin, say). They are not part
   * of the public URL.
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * How long one request may take, ms; then it is a fault. The resolver's own `timeout` (how long a
   * render waits) is usually shorter: this one bounds the request that goes on filling the cache.
   * @default 10_000
   */
  timeout?: number;
}

/** A 405 means the server does not do HEAD: one byte of a GET answers the same question. */
const RANGE_PROBE = { Range: 'bytes=0-0' };

/**
 * The object's full size in bytes: `Content-Range: bytes 0-0/SIZE` for a range answer, else
 * `Content-Length`; `undefined` when the server does not say.
 */
function objectSize(response: Response): number | undefined {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  const text = response.status === 206 ? range?.[1] : response.headers.get('content-length');
  const size = text === undefined || text === null || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

/**
 * A redirect to the same URL with a slash added is how nginx, Apache and most static servers
 * answer for a directory: the key names a directory, not a file, so it is missing.
 */
function isDirectoryRedirect(response: Response, url: string): boolean {
  if (response.status !== 301 && response.status !== 302 && response.status !== 307 && response.status !== 308) return false;
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
 * Checks files with `HEAD <baseUrl><key>`: 2xx → exists; 404 or 410 → missing; 405 → one `GET`
 * with `Range: bytes=0-0`; anything else (another status, a redirect — never followed, it may leave
 * the base URL — a refused connection, a timeout) → a `STORAGE_FAILED` fault.
 *
 * @example
 * ```ts
 * const storage = httpStorage({ baseUrl: 'https://cdn.example.com/media/' });
 * await storage.exists('base/company/icon/acme.png'); // true when the CDN answers 200
 * storage.url('base/company/icon/o brien.png');        // 'https://cdn.example.com/media/base/company/icon/o%20brien.png'
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` / `INVALID_OPTION` for bad options.
 */
export function httpStorage(options: HttpStorageOptions): Storage {
  const owner = 'httpStorage()';
  const baseUrl = normalizeBaseUrl(options?.baseUrl, 'baseUrl', owner);
  if (!/^https?:\/\//i.test(baseUrl)) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "baseUrl" must be an absolute http(s) URL such as "https://cdn.example.com/media/", got ${JSON.stringify(baseUrl)}`);
  }
  const timeout = numberOption(options.timeout, 'timeout', owner, { min: 1, max: 600_000, fallback: 10_000 });
  let headers: Headers;
  try {
    headers = new Headers(options.headers ?? {});
  } catch (error) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "headers" must be an object of valid header names and values`, { cause: error });
  }

  async function request(key: string, method: 'HEAD' | 'GET', signal: AbortSignal): Promise<Response> {
    const init: RequestInit = {
      method,
      headers: method === 'GET' ? new Headers([...headers, ...Object.entries(RANGE_PROBE)]) : headers,
      redirect: 'manual',
      signal,
    };
    try {
      return await fetch(baseUrl + encodeKey(key), init);
    } catch (error) {
      throw fault(`checking ${JSON.stringify(key)} failed: ${describeFetchFailure(error, timeout)}`, key, error);
    }
  }

  async function stat(key: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
    assertSafeKey(key, 'http'); // before any request is built
    const combined = withDeadline(signal, timeout);
    let response = await request(key, 'HEAD', combined);
    if (response.status === 405) {
      await response.body?.cancel().catch(() => undefined);
      response = await request(key, 'GET', combined);
    }
    // Free the connection: a HEAD has no body, a range GET at most one byte.
    await response.body?.cancel().catch(() => undefined);
    const { status, headers } = response;
    if (status === 404 || status === 410 || isDirectoryRedirect(response, baseUrl + encodeKey(key))) return undefined;
    if (status < 200 || status >= 300) {
      const why =
        status >= 300 && status < 400
          ? `a ${status} redirect${headers.has('location') ? ` to ${JSON.stringify(headers.get('location'))}` : ''}, which is not followed`
          : `status ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw fault(`checking ${JSON.stringify(key)} got ${why}`, key);
    }
    const size = objectSize(response);
    // An empty file draws a broken image: missing, as on every other storage.
    if (size === 0) return undefined;
    const modified = Date.parse(headers.get('last-modified') ?? '');
    const etag = unquoteEtag(headers.get('etag'));
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
