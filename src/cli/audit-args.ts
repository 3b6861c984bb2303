/** The `audit` command's flags: parsed with Node's own `util.parseArgs`, checked, with defaults. */
import { parseArgs } from 'node:util';
import { keyProblem } from '../keys.js';
import { FORMATS, type Format } from './input.js';
import { DIALECTS, identifierProblem, type Dialect } from './sql.js';

/** Bad usage: exit code 2 with a one-line reason. */
export class UsageError extends Error {}

/** Where the audit looks for the files. `baseUrl` is the URL the app serves media under (MEDIA_URL). */
export type StorageChoice =
  | { kind: 'fs'; root: string; baseUrl: string }
  | { kind: 'http'; httpBase: string; baseUrl: string; headers: Record<string, string> }
  | { kind: 's3'; endpoint: string; region: string; bucket: string; pathStyle: boolean; publicBaseUrl: string | undefined };

/** `--sql-update` and its companions. */
export interface SqlChoice {
  table: string;
  idColumn: string;
  fileColumn: string;
  dialect: Dialect;
  /** A file, or `-` for stdout. */
  output: string;
}

/** The audit's settings, as the flags gave them. */
export interface AuditArgs {
  /** A path, or `-` for stdin. */
  input: string;
  format: Format | undefined;
  jsonPath: string[] | undefined;
  delimiter: string | undefined;
  idField: string;
  nameFields: string[];
  fileFields: string[];
  storage: StorageChoice;
  check: 'auto' | 'list' | 'head';
  prefix: string;
  json: boolean;
  concurrency: number;
  timeout: number;
  /** A share from 0 to 1. */
  maxMissing: number;
  /** Checks in a row that may fail before the audit stops (storage unreachable); 0: never stop. */
  maxFaults: number;
  orphans: boolean;
  /** ms. */
  minAge: number;
  sql: SqlChoice | undefined;
  /** A file, or `-` for stdout. */
  restoreList: string | undefined;
  /** Whether an input with no records is a clean run (exit 0) rather than a failed export (exit 2). */
  allowEmpty: boolean;
}

const OPTIONS = {
  format: { type: 'string' },
  'json-path': { type: 'string' },
  delimiter: { type: 'string' },
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
  check: { type: 'string' },
  prefix: { type: 'string' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'max-missing': { type: 'string' },
  'max-faults': { type: 'string' },
  orphans: { type: 'boolean' },
  'min-age': { type: 'string' },
  'sql-update': { type: 'string' },
  'id-column': { type: 'string' },
  'file-column': { type: 'string' },
  dialect: { type: 'string' },
  'sql-out': { type: 'string' },
  'restore-list': { type: 'string' },
  'allow-empty': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

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

/** `0.5`, `50%` → 0.5. */
function share(value: string | undefined): number {
  if (value === undefined) return 0.5;
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(value.trim());
  const number = match === null ? Number.NaN : Number(match[1]) / (match[2] === '%' ? 100 : 1);
  if (!(number >= 0 && number <= 1)) throw new UsageError(`--max-missing must be a share from 0 to 1 (or 0% to 100%), got "${value}"`);
  return number;
}

/** `--max-faults`: checks in a row that may fail before the audit stops (storage unreachable). */
export const DEFAULT_MAX_FAULTS = 50;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `30m`, `7d`, `0` → ms. */
function age(value: string | undefined): number {
  if (value === undefined) return UNITS.h as number * 24;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|min|h|d)?$/.exec(value.trim());
  const unit = match?.[2];
  if (match === null || (unit === undefined && Number(match[1]) !== 0)) {
    throw new UsageError(`--min-age must be an age such as 24h, 30m, 7d or 0, got "${value}"`);
  }
  return Number(match[1]) * (unit === undefined ? 0 : (UNITS[unit] as number));
}

function delimiter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === 'tab' || value === '\\t') return '\t';
  if ([...value].length !== 1 || value === '"' || value === '\n' || value === '\r') {
    throw new UsageError(`--delimiter must be one character (or "tab"), not a quote or line break, got ${JSON.stringify(value)}`);
  }
  return value;
}

function prefix(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const problem = keyProblem(value.endsWith('/') ? value.slice(0, -1) : value);
  if (problem !== undefined) throw new UsageError(`--prefix ${JSON.stringify(value)}: a key prefix such as base/company/icon/, but it ${problem}`);
  return value;
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

function storageChoice(values: Values): StorageChoice {
  const baseUrl = values['base-url'] ?? '/media/';
  if (values.http !== undefined) return { kind: 'http', httpBase: values.http, baseUrl, headers: headers(values.header) };
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
  return { kind: 'fs', root: values.root ?? 'media', baseUrl };
}

function sqlChoice(values: Values, idField: string, fileFields: string[]): SqlChoice | undefined {
  const table = values['sql-update'];
  if (table === undefined) {
    for (const flag of ['id-column', 'file-column', 'dialect', 'sql-out'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --sql-update`);
    }
    return undefined;
  }
  const dialect = (values.dialect ?? 'postgres') as Dialect;
  if (!DIALECTS.includes(dialect)) throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, got "${values.dialect}"`);
  const fileColumn = values['file-column'] ?? (fileFields.length === 1 ? fileFields[0] : undefined);
  if (fileColumn === undefined) throw new UsageError(`--sql-update needs --file-column: which of ${fileFields.join(', ')} is the column to set to NULL?`);
  const idColumn = values['id-column'] ?? idField;
  const names: Array<[string, string]> = [...table.split('.').map((part): [string, string] => ['--sql-update', part]), ['--id-column', idColumn], ['--file-column', fileColumn]];
  for (const [flag, name] of names) {
    const problem = identifierProblem(name, dialect);
    if (problem !== undefined) throw new UsageError(`${flag}: the name ${JSON.stringify(name)} ${problem}`);
  }
  return { table, idColumn, fileColumn, dialect, output: values['sql-out'] ?? '-' };
}

/**
 * `--timeout -5` would be refused by `parseArgs` as "ambiguous" (it looks like an option): a value
 * that starts with `-` and is not a known flag is joined to its flag (`--timeout=-5`), so that the
 * flag's own check can say what is wrong with it.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    const option = name === undefined ? undefined : (OPTIONS as Record<string, { type: string }>)[name];
    if (option?.type === 'string' && next !== undefined && next.startsWith('-') && next !== '-' && !next.startsWith('--') && !/^-[a-z]$/i.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: joinDashValues(argv), allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /^Option '(-[^' ]+)(?: <value>)?' argument (?:is ambiguous|missing)/.exec(message)?.[1];
    if (flag !== undefined) throw new UsageError(`${flag} needs a value`);
    // Node's messages go on with advice about "--" that does not apply here: keep the first sentence.
    throw new UsageError(message.replace(/\.\s[\s\S]*$/, '.'));
  }
}

function checkCombinations(values: Values): void {
  if (values.format !== undefined && !(FORMATS as readonly string[]).includes(values.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
  }
  if (values['json-path'] !== undefined && values.format !== undefined && values.format !== 'json') throw new UsageError('--json-path reads JSON: it cannot be combined with --format ' + values.format);
  if (values['json-path'] !== undefined && values['json-path'].split('.').some((part) => part === '')) throw new UsageError('--json-path must be property names separated by dots, e.g. data.companies');
  if (values.delimiter !== undefined && values.format !== undefined && values.format !== 'csv') throw new UsageError('--delimiter is for CSV input');
  if (values.http !== undefined && values.root !== undefined) throw new UsageError('--http checks over HTTP: it cannot be combined with --root');
  const s3 = values['s3-bucket'] !== undefined;
  if (s3 && (values.http !== undefined || values.root !== undefined)) throw new UsageError('--s3-bucket cannot be combined with --http or --root');
  if (!s3 && (values['s3-endpoint'] ?? values['s3-region'] ?? values['s3-path-style']) !== undefined) {
    throw new UsageError('--s3-endpoint, --s3-region and --s3-path-style need --s3-bucket');
  }
  if (values.header !== undefined && values.http === undefined) throw new UsageError('--header is sent with --http checks only');
  if (values.check !== undefined && !['auto', 'list', 'head'].includes(values.check)) throw new UsageError(`--check must be one of auto, list, head, got "${values.check}"`);
  if (values.http !== undefined && (values.check === 'list' || values.orphans === true)) throw new UsageError(`${values.orphans === true ? '--orphans' : '--check list'} needs a storage that can list (local disk or S3): HTTP cannot`);
  if (values['min-age'] !== undefined && values.orphans !== true) throw new UsageError('--min-age goes with --orphans');
  if (values.orphans === true && values.check === 'head') throw new UsageError('--orphans lists the storage: it cannot be combined with --check head');
  if (values.prefix !== undefined && values.check === 'head') throw new UsageError('--prefix limits a listing: it cannot be combined with --check head');
  if (values['sql-update'] !== undefined && values['sql-out'] === undefined && values['restore-list'] === '-') throw new UsageError('--sql-update and --restore-list - cannot both write to stdout: give --sql-out <file>');
}

/** Parses the flags after `audit`. Throws {@link UsageError}; returns `undefined` for `--help`. */
export function parseAuditArgs(argv: string[]): AuditArgs | undefined {
  const { values, positionals } = parse(argv);
  if (values.help === true) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'name the records to audit: a file, or "-" for stdin' : `one input only, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  checkCombinations(values);
  const idField = values['id-field'] ?? 'id';
  if (idField.trim() === '') throw new UsageError('--id-field must not be empty');
  const fileFields = list(values['file-field'], ['icon', 'logo']);
  const jsonPath = values['json-path']?.split('.');
  return {
    input: positionals[0] as string,
    format: (values.format as Format | undefined) ?? (jsonPath === undefined ? undefined : 'json'),
    jsonPath,
    delimiter: delimiter(values.delimiter),
    idField,
    nameFields: list(values['name-field'], ['company', 'name']),
    fileFields,
    storage: storageChoice(values),
    check: (values.check ?? 'auto') as AuditArgs['check'],
    prefix: prefix(values.prefix),
    json: values.json === true,
    concurrency: integer(values.concurrency, 'concurrency', 32, 1, 1024),
    timeout: integer(values.timeout, 'timeout', 10_000, 1, 600_000),
    maxMissing: share(values['max-missing']),
    maxFaults: integer(values['max-faults'], 'max-faults', DEFAULT_MAX_FAULTS, 0, Number.MAX_SAFE_INTEGER),
    orphans: values.orphans === true,
    minAge: age(values['min-age']),
    sql: sqlChoice(values, idField, fileFields),
    restoreList: values['restore-list'],
    allowEmpty: values['allow-empty'] === true,
  };
}
