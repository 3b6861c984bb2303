/**
 * SigV4 query signing ("presigned URLs") for S3 GETs, synchronous and pure. A storage's `url()` is
 * synchronous and aws4fetch signs through WebCrypto (asynchronous), so this small part is done with
 * `node:crypto` instead; it is checked against AWS's own published example.
 */
import { createHash, createHmac } from 'node:crypto';

/** What a presigned GET needs. */
export interface PresignInput {
  /** The object's URL without query: `https://bucket.s3.amazonaws.com/key` or path-style. Its path must already be percent-encoded (RFC 3986). */
  url: string;
  /** The region the bucket lives in (`us-east-1`; `auto` for R2). */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials' token, signed into the URL as `X-Amz-Security-Token`. */
  sessionToken?: string | undefined;
  /** When the signature starts to count. */
  date: Date;
  /** How long the URL stays valid, seconds (1–604,800). */
  expiresIn: number;
}

const UNRESERVED_EXTRA = /[!'()*]/g;

/** AWS's UriEncode: everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(UNRESERVED_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20130524T000000Z`: ISO 8601 basic format, as SigV4 wants it. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Derives the signing key for a day; the same for every URL signed that day, so callers may keep it
 * (it is one HMAC chain of four steps).
 */
export function signingKey(secretAccessKey: string, day: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), 's3'), 'aws4_request');
}

/**
 * Returns `url` with the SigV4 query parameters that let anyone GET the object until it expires.
 * `key` (a signing key from {@link signingKey} for the same day and region) saves the HMAC chain.
 *
 * @example
 * ```ts
 * presignGet({ url: 'https://examplebucket.s3.amazonaws.com/test.txt', region: 'us-east-1',
 *   accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: '…', date: new Date('2013-05-24T00:00:00Z'), expiresIn: 86400 });
 * // '…/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Signature=aeeed9bb…'
 * ```
 */
export function presignGet(input: PresignInput, key?: Buffer): string {
  const url = new URL(input.url);
  const datetime = amzDate(input.date);
  const day = datetime.slice(0, 8);
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const params: Array<[string, string]> = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${input.accessKeyId}/${scope}`],
    ['X-Amz-Date', datetime],
    ['X-Amz-Expires', String(input.expiresIn)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  if (input.sessionToken !== undefined) params.push(['X-Amz-Security-Token', input.sessionToken]);
  const query = params
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    // SigV4 sorts by the encoded name, by code point.
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  // The path is signed exactly as it is sent: the caller has encoded it already, so it is not re-encoded.
  const canonicalRequest = ['GET', url.pathname, query, `host:${url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', datetime, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  const signature = createHmac('sha256', key ?? signingKey(input.secretAccessKey, day, input.region))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return `${url.origin}${url.pathname}?${query}&X-Amz-Signature=${signature}`;
}
