/**
 * Reading S3's `ListObjectsV2` answer (`<ListBucketResult>`, docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
 * The answer is a flat, well-known document: the few elements needed are taken by name, and XML's
 * escapes (`&amp;`, `&lt;`, `&#x…;`) are decoded, since keys may hold any character.
 */
import { unquoteEtag } from './guards.js';

/** One `<Contents>` element, as S3 sent it (the key not yet checked against the key rules). */
export interface ListedObject {
  readonly key: string;
  readonly size: number | undefined;
  readonly modified: number | undefined;
  readonly etag: string | undefined;
}

/** One page of a listing. */
export interface ListPage {
  readonly objects: readonly ListedObject[];
  /** `NextContinuationToken` when `IsTruncated` is true: the next page's token. */
  readonly next: string | undefined;
  readonly truncated: boolean;
}

const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's predefined and numeric character references; anything else stays as written. */
export function decodeXmlText(text: string): string {
  return text.replace(ENTITY, (whole, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? whole;
    const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXmlText(match[1]);
}

function finiteOrUndefined(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Parses one page. Throws an `Error` (the driver turns it into a fault) when the document is not a
 * `ListBucketResult`, or says it is truncated without a token to go on with.
 */
export function parseListPage(xml: string): ListPage {
  if (!/<ListBucketResult[\s>]/.test(xml)) throw new Error('the answer is not a ListBucketResult');
  const objects: ListedObject[] = [];
  for (const match of xml.matchAll(/<Contents(?:\s[^>]*)?>([\s\S]*?)<\/Contents>/g)) {
    const block = match[1] ?? '';
    const key = element(block, 'Key');
    if (key === undefined) continue;
    const size = element(block, 'Size');
    const modified = element(block, 'LastModified');
    objects.push({
      key,
      size: size === undefined ? undefined : finiteOrUndefined(Number(size)),
      modified: modified === undefined ? undefined : finiteOrUndefined(Date.parse(modified)),
      etag: unquoteEtag(element(block, 'ETag')),
    });
  }
  // The page's own fields, read outside the <Contents> blocks (a key never holds a raw "<").
  const rest = xml.replace(/<Contents(?:\s[^>]*)?>[\s\S]*?<\/Contents>/g, '');
  const truncated = element(rest, 'IsTruncated')?.trim() === 'true';
  const next = element(rest, 'NextContinuationToken');
  if (truncated && (next === undefined || next === '')) throw new Error('the answer is truncated but has no NextContinuationToken');
  return { objects, next: truncated ? next : undefined, truncated };
}
