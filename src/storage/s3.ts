/** S3 and S3-compatible stores (AWS, MinIO, R2, …): a signed `HEAD` through aws4fetch. */
import { AwsClient } from 'aws4fetch';
import { LogoFallbackError } from '../errors.js';
import { booleanOption, normalizeBaseUrl, numberOption, optionKeys, readOptions, requireString } from '../options.js';
import { encodeKey, encodeSegment, keyProblem } from '../keys.js';
import { amzDate, presignGet, signingKey } from './s3-presign.js';
import { parseListPage } from './s3-list.js';
import { assertSafeKey, assertSafePrefix, describeRequestFailure, startDeadline, storageFault, unquoteEtag } from './guards.js';
import { keepAliveClient, type ClientResponse } from './http-client.js';
import type { Storage, StorageEntry } from './types.js';

/** Options of {@link s3Storage}. */
export interface S3StorageOptions {
  /** The S3 API endpoint, an `http(s)://` origin: `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000` (MinIO), `https://<account>.r2.cloudflarestorage.com`. */
  endpoint: string;
  /** The bucket's region: `eu-west-1`; `auto` for R2; `us-east-1` for most self-hosted stores. */
  region: string;
  /** The bucket's name (3–63 characters: lower-case letters, digits, `.` and `-`). */
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials (STS). */
  sessionToken?: string;
  /**
   * Address the bucket as `endpoint/bucket/key` instead of `bucket.endpoint/key`. MinIO, s3rver
   * and most self-hosted stores need `true`.
   * @default false
   */
  forcePathStyle?: boolean;
  /**
   * Where the objects are publicly readable (the bucket's website, a CDN in front of it). When set,
   * `url(key)` is this plus the key, and nothing is signed.
   */
  publicBaseUrl?: string;
  /**
   * Presigned GET URLs for a private bucket (used when `publicBaseUrl` is not set). `expiresIn` is
   * in seconds (at most 604,800, S3's limit). URLs are signed at the start of a window of half
   * `expiresIn`, so that a page prints the same URL for a while (browsers can cache the image) and
   * every printed URL stays valid for at least `expiresIn / 2`. Refused beside `publicBaseUrl`,
   * which signs nothing.
   * @default { expiresIn: 3600 }
   */
  signedUrls?: { expiresIn?: number };
  /**
   * How long one request (a `HEAD`, or one page of a listing) may take, ms, including the wait for
   * a free connection; then it is a fault.
   * @default 10_000
   */
  timeout?: number;
  /**
   * The most connections kept open to the endpoint; requests beyond it wait for a free one.
   * Connections are kept alive between checks (no TCP or TLS handshake per check).
   * @default 16
   */
  maxSockets?: number;
}

const KNOWN = optionKeys<S3StorageOptions>()([
  'endpoint', 'region', 'bucket', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'forcePathStyle', 'publicBaseUrl', 'signedUrls', 'timeout', 'maxSockets',
]);
const KNOWN_SIGNED_URLS = optionKeys<NonNullable<S3StorageOptions['signedUrls']>>()(['expiresIn']);
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const FORBIDDEN_HINT =
  'S3 answers 403 for a missing object when the credentials lack s3:ListBucket on the bucket, so this is either a missing file or wrong credentials or permissions; grant s3:ListBucket (and s3:GetObject) to tell them apart';

function invalid(message: string): LogoFallbackError {
  return new LogoFallbackError('INVALID_OPTION', `s3Storage(): ${message}`);
}

/** A {@link StorageEntry} with only the fields that are known. */
function entry(key: string, size: number | undefined, modified: number | undefined, etag: string | undefined): StorageEntry {
  return {
    key,
    ...(size === undefined ? {} : { size }),
    ...(modified === undefined || !Number.isFinite(modified) ? {} : { modified }),
    ...(etag === undefined ? {} : { etag }),
  };
}

function endpointUrl(value: unknown): URL {
  const text = requireString(value, 'endpoint', 's3Storage()');
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw invalid(`"endpoint" must be an http(s) origin such as "https://s3.eu-west-1.amazonaws.com", got ${JSON.stringify(text)}`);
  }
  return url;
}

/**
 * Checks files with a signed `HEAD` (SigV4 through aws4fetch) on kept-alive connections: 2xx with
 * a non-zero `Content-Length` → exists; 404 or a 0-byte object → missing; 403 → a fault (see
 * `S3StorageOptions`: a missing object reads as 403 without `s3:ListBucket`); anything else, a
 * refused connection or a timeout → a `STORAGE_FAILED` fault. `stat(key)` gives the size,
 * `Last-Modified` and `ETag` of that answer; `list(prefix)` pages through `ListObjectsV2`, 1,000
 * keys a request, each entry with its size, modification time and ETag (folder markers and keys
 * the key rules refuse are skipped). `url(key)` is `publicBaseUrl + key` when set, else a
 * presigned GET URL.
 *
 * @example
 * ```ts
 * const storage = s3Storage({
 *   endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1', bucket: 'acme-media',
 *   accessKeyId: process.env.S3_KEY!, secretAccessKey: process.env.S3_SECRET!,
 *   publicBaseUrl: 'https://media.acme.example/',
 * });
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` for a required option left out; `INVALID_OPTION` for a
 * bad option, a key {@link S3StorageOptions} (or its `signedUrls`) does not have, or `signedUrls`
 * beside `publicBaseUrl` (which signs nothing).
 */
export function s3Storage(options: S3StorageOptions): Storage & Required<Pick<Storage, 'stat' | 'list'>> {
  const owner = 's3Storage()';
  const opts = readOptions<S3StorageOptions>(options, KNOWN, 'the options', owner);
  const signedUrls = readOptions<NonNullable<S3StorageOptions['signedUrls']>>(opts.signedUrls, KNOWN_SIGNED_URLS, '"signedUrls"', owner);
  const endpoint = endpointUrl(opts.endpoint);
  const region = requireString(opts.region, 'region', owner);
  const bucket = requireString(opts.bucket, 'bucket', owner);
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw invalid(`"bucket" must be a bucket name (3–63 characters: lower-case letters, digits, "." and "-"), got ${JSON.stringify(bucket)}`);
  }
  const accessKeyId = requireString(opts.accessKeyId, 'accessKeyId', owner);
  const secretAccessKey = requireString(opts.secretAccessKey, 'secretAccessKey', owner);
  const sessionToken = opts.sessionToken === undefined ? undefined : requireString(opts.sessionToken, 'sessionToken', owner);
  const forcePathStyle = booleanOption(opts.forcePathStyle, 'forcePathStyle', owner, false);
  const publicBaseUrl = opts.publicBaseUrl === undefined ? undefined : normalizeBaseUrl(opts.publicBaseUrl, 'publicBaseUrl', owner);
  if (publicBaseUrl !== undefined && opts.signedUrls !== undefined) {
    throw invalid('"signedUrls" and "publicBaseUrl" cannot go together: with "publicBaseUrl" nothing is signed');
  }
  const expiresIn = numberOption(signedUrls.expiresIn, 'signedUrls.expiresIn', owner, { min: 2, max: 604_800, fallback: 3600, integer: true });
  const timeout = numberOption(opts.timeout, 'timeout', owner, { min: 1, max: 600_000, fallback: 10_000 });
  const maxSockets = numberOption(opts.maxSockets, 'maxSockets', owner, { min: 1, max: 1024, fallback: 16, integer: true });
  const http = keepAliveClient(maxSockets);

  // The bucket goes where S3 expects it; only the key (encoded per segment) is appended after this.
  const bucketUrl = forcePathStyle ? `${endpoint.origin}/${bucket}` : `${endpoint.protocol}//${bucket}.${endpoint.host}/`;
  const objectBase = bucketUrl.endsWith('/') ? bucketUrl : `${bucketUrl}/`;
  // aws4fetch retries 5xx ten times by default: a render cannot wait for that.
  const client = new AwsClient({ accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }), service: 's3', region, retries: 0 });

  const windowMs = Math.floor(expiresIn / 2) * 1000;
  let keyCache: { day: string; key: Buffer } | undefined;
  function presign(objectUrl: string): string {
    const date = new Date(Math.floor(Date.now() / windowMs) * windowMs);
    const day = amzDate(date).slice(0, 8);
    if (keyCache?.day !== day) keyCache = { day, key: signingKey(secretAccessKey, day, region) };
    return presignGet({ url: objectUrl, region, accessKeyId, secretAccessKey, sessionToken, date, expiresIn }, keyCache.key);
  }

  function fault(message: string, key: string, cause?: unknown): LogoFallbackError {
    return storageFault('s3', `(bucket ${bucket}) ${message}`, key, cause);
  }

  /** Sends one signed request on a kept-alive connection; a network failure or timeout is a fault. */
  async function send(url: string, method: 'HEAD' | 'GET', key: string, signal: AbortSignal | undefined): Promise<ClientResponse> {
    // A deadline held until the request settles (see startDeadline), body included.
    const deadline = startDeadline(signal, timeout);
    try {
      const signed = await client.sign(url, { method });
      return await http.request(url, { method, headers: signed.headers, signal: deadline.signal, body: method === 'GET' ? 'read' : 'discard' });
    } catch (error) {
      throw fault(`${method === 'HEAD' ? `checking ${JSON.stringify(key)}` : `listing ${JSON.stringify(key)}`} failed: ${describeRequestFailure(error, deadline.signal, timeout)}`, key, error);
    } finally {
      deadline.clear();
    }
  }

  function statusFault(what: string, key: string, status: number, detail = ''): LogoFallbackError {
    if (status === 403) return fault(`${what} got 403 Forbidden${detail}. ${FORBIDDEN_HINT}`, key);
    const hint = status === 301 || status === 307 ? ' (the bucket is probably in another region, or needs forcePathStyle)' : '';
    return fault(`${what} got status ${status}${detail}${hint}`, key);
  }

  async function stat(key: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
    assertSafeKey(key, 's3'); // before any request is signed
    const { status, headers } = await send(objectBase + encodeKey(key), 'HEAD', key, signal);
    if (status === 404) return undefined;
    if (status < 200 || status >= 300) throw statusFault(`checking ${JSON.stringify(key)}`, key, status);
    const size = Number(headers.get('content-length') ?? Number.NaN);
    // A 0-byte object (an interrupted upload, a "folder" marker) draws a broken image: missing.
    if (size === 0) return undefined;
    return entry(key, Number.isFinite(size) ? size : undefined, Date.parse(headers.get('last-modified') ?? ''), unquoteEtag(headers.get('etag')));
  }

  /** ListObjectsV2, 1,000 keys a request, following continuation tokens. */
  async function* list(prefix: string, signal?: AbortSignal): AsyncGenerator<StorageEntry> {
    assertSafePrefix(prefix, 's3');
    let token: string | undefined;
    do {
      // RFC 3986 encoding, so that the URL sent is exactly the one aws4fetch signs.
      const query = [['list-type', '2'], ['max-keys', '1000'], ['prefix', prefix], ...(token === undefined ? [] : [['continuation-token', token]])]
        .map(([name, value]) => `${name}=${encodeSegment(value ?? '')}`)
        .join('&');
      const response = await send(`${bucketUrl}?${query}`, 'GET', prefix, signal);
      const body = response.body?.toString('utf8') ?? '';
      if (response.status !== 200) {
        const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
        throw statusFault(`listing ${JSON.stringify(prefix)}`, prefix, response.status, code === undefined ? '' : ` (${code})`);
      }
      let page;
      try {
        page = parseListPage(body);
      } catch (error) {
        throw fault(`listing ${JSON.stringify(prefix)} failed: ${(error as Error).message}`, prefix, error);
      }
      for (const object of page.objects) {
        // "Folder" markers (`a/b/`) and keys the key rules refuse are not files a page can show.
        if (keyProblem(object.key) !== undefined || !object.key.startsWith(prefix)) continue;
        yield entry(object.key, object.size, object.modified, object.etag);
      }
      if (page.truncated && page.next === token) throw fault(`listing ${JSON.stringify(prefix)} failed: S3 returned the same continuation token twice`, prefix);
      token = page.next;
    } while (token !== undefined);
  }

  return {
    name: 's3',
    ...(publicBaseUrl === undefined ? {} : { baseUrl: publicBaseUrl }),
    exists: async (key, signal) => (await stat(key, signal)) !== undefined,
    stat,
    list: (prefix, signal) => list(prefix, signal),
    url: (key) => (publicBaseUrl === undefined ? presign(objectBase + encodeKey(key)) : publicBaseUrl + encodeKey(key)),
  };
}
