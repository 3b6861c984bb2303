/** The `audit` command's flags: parsed with Node's own `util.parseArgs`, checked, with defaults. */
import { parseArgs } from 'node:util';
import { FORMATS, type Format } from './input.js';

/** Bad usage: exit code 2 with a one-line reason. */
export class UsageError extends Error {}

/** Where the audit looks for the files. */
export type StorageChoice =
  | { kind: 'fs'; root: string; baseUrl: string }
  | { kind: 'http'; baseUrl: string; headers: Record<string, string> }
  | { kind: 's3'; endpoint: string; region: string; bucket: string; pathStyle: boolean; publicBaseUrl: string | undefined };

/** The audit's settings, as the flags gave them. */
export interface AuditArgs {
  /** A path, or `-` for stdin. */
  input: string;
  format: Format | undefined;
  idField: string;
  nameFields: string[];
  fileFields: string[];
  storage: StorageChoice;
  json: boolean;
  concurrency: number;
  timeout: number;
}

export const AUDIT_USAGE = `Usage: logo-fallback audit [options] <file | ->

Lists records whose logo file is missing from storage, whose reference is unsafe, whose check
failed, or whose line is malformed. Reads a JSON array, NDJSON or CSV (with a header row) from a
file, or from stdin with "-". It only reads: storage and input are never written.

Input
  --format <json|ndjson|csv>   default: from the extension; stdin: "{" NDJSON, "[" JSON, else CSV
  --id-field <name>            the record's id (default: id)
  --name-field <name>          the company's name; repeat or comma-separate to try several
                               (default: company,name — as the resolver)
  --file-field <name>          the file reference (default: icon,logo — as the resolver)
Storage (local disk by default)
  --root <dir>                 the media directory, MEDIA_ROOT (default: media)
  --base-url <url>             the URL it is served under, MEDIA_URL (default: /media/)
  --http <base-url>            check over HTTP instead: HEAD <base-url><key>
  --header <name: value>       with --http, sent with every check (repeatable), e.g. an Authorization
  --s3-bucket <name>           check an S3-compatible bucket instead (signed HEAD); credentials from
                               AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
  --s3-endpoint <url>          e.g. https://s3.eu-west-1.amazonaws.com, http://127.0.0.1:9000
  --s3-region <region>         default: AWS_REGION, else us-east-1
  --s3-path-style              address the bucket as <endpoint>/<bucket>/ (MinIO and most self-hosted)
                               with S3, --base-url is the bucket's public URL (for stored URLs)
Output
  --json                       {"summary": {...}, "problems": [{"id","name","reference","line","reason"}]}
  --concurrency <n>            checks at once (default: 32)
  --timeout <ms>               per check (default: 10000)

Exit status: 0 nothing listed, 1 something listed, 2 bad usage or unreadable input.`;

function list(values: string[] | undefined, fallback: string[]): string[] {
  if (values === undefined) return fallback;
  const fields = values.flatMap((value) => value.split(',')).map((field) => field.trim());
  if (fields.some((field) => field === '')) throw new UsageError('field names must not be empty');
  return fields;
}

function integer(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return number;
}

function headers(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of values ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header must look like "Name: value", got "${header}"`);
    out[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return out;
}

type StorageFlags = { [flag in 'root' | 'base-url' | 'http' | 's3-bucket' | 's3-endpoint' | 's3-region']?: string | undefined } & {
  header?: string[] | undefined;
  's3-path-style'?: boolean | undefined;
};

function storageChoice(values: StorageFlags): StorageChoice {
  if (values.http !== undefined) return { kind: 'http', baseUrl: values.http, headers: headers(values.header) };
  const bucket = values['s3-bucket'];
  if (bucket !== undefined) {
    const endpoint = values['s3-endpoint'];
    if (endpoint === undefined) throw new UsageError('--s3-bucket needs --s3-endpoint, e.g. https://s3.eu-west-1.amazonaws.com');
    return {
      kind: 's3',
      endpoint,
      bucket,
      region: values['s3-region'] ?? (process.env.AWS_REGION || 'us-east-1'),
      pathStyle: values['s3-path-style'] === true,
      publicBaseUrl: values['base-url'],
    };
  }
  return { kind: 'fs', root: values.root ?? 'media', baseUrl: values['base-url'] ?? '/media/' };
}

/** Parses the flags after `audit`. Throws {@link UsageError}; returns `undefined` for `--help`. */
export function parseAuditArgs(argv: string[]): AuditArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        'id-field': { type: 'string' },
        'name-field': { type: 'string', multiple: true },
        'file-field': { type: 'string', multiple: true },
        root: { type: 'string' },
        'base-url': { type: 'string' },
        http: { type: 'string' },
        header: { type: 'string', multiple: true },
        's3-bucket': { type: 'string' },
        's3-endpoint': { type: 'string' },
        's3-region': { type: 'string' },
        's3-path-style': { type: 'boolean' },
        json: { type: 'boolean' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // Node's messages go on with advice about "--" that does not apply here: keep the first sentence.
    throw new UsageError((error as Error).message.replace(/\.\s[\s\S]*$/, '.'));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'name the records to audit: a file, or "-" for stdin' : `one input only, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  const format = values.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  }
  if (values.http !== undefined && (values.root !== undefined || values['base-url'] !== undefined)) {
    throw new UsageError('--http checks over HTTP: it cannot be combined with --root or --base-url');
  }
  const s3 = values['s3-bucket'] !== undefined;
  if (s3 && (values.http !== undefined || values.root !== undefined)) throw new UsageError('--s3-bucket cannot be combined with --http or --root');
  if (!s3 && (values['s3-endpoint'] ?? values['s3-region'] ?? values['s3-path-style']) !== undefined) {
    throw new UsageError('--s3-endpoint, --s3-region and --s3-path-style need --s3-bucket');
  }
  if (values.header !== undefined && values.http === undefined) throw new UsageError('--header is sent with --http checks only');
  const idField = values['id-field'] ?? 'id';
  if (idField.trim() === '') throw new UsageError('--id-field must not be empty');
  return {
    input: positionals[0] as string,
    format: format as Format | undefined,
    idField,
    nameFields: list(values['name-field'], ['company', 'name']),
    fileFields: list(values['file-field'], ['icon', 'logo']),
    storage: storageChoice(values),
    json: values.json === true,
    concurrency: integer(values.concurrency, 'concurrency', 32, 1, 1024),
    timeout: integer(values.timeout, 'timeout', 10_000, 1, 600_000),
  };
}
