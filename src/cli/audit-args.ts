/** The `audit` command's flags: parsed with Node's own `util.parseArgs`, checked, with defaults. */
import { parseArgs } from 'node:util';
import { FORMATS, type Format } from './input.js';

/** Bad usage: exit code 2 with a one-line reason. */
export class UsageError extends Error {}

/** Where the audit looks for the files. */
export type StorageChoice = { kind: 'fs'; root: string; baseUrl: string } | { kind: 'http'; baseUrl: string };

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
  const idField = values['id-field'] ?? 'id';
  if (idField.trim() === '') throw new UsageError('--id-field must not be empty');
  return {
    input: positionals[0] as string,
    format: format as Format | undefined,
    idField,
    nameFields: list(values['name-field'], ['company', 'name']),
    fileFields: list(values['file-field'], ['icon', 'logo']),
    storage:
      values.http !== undefined
        ? { kind: 'http', baseUrl: values.http }
        : { kind: 'fs', root: values.root ?? 'media', baseUrl: values['base-url'] ?? '/media/' },
    json: values.json === true,
    concurrency: integer(values.concurrency, 'concurrency', 32, 1, 1024),
    timeout: integer(values.timeout, 'timeout', 10_000, 1, 600_000),
  };
}
