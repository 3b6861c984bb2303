/** The `doctor` command's flags: parsed with Node's own `util.parseArgs`, checked, with defaults. */
import { parseArgs } from 'node:util';
import { UsageError } from './audit-args.js';
import type { DoctorOptions } from './doctor.js';
import { FORMATS, type Format } from './input.js';

/** The doctor's settings, as the flags gave them. */
export type DoctorArgs = Omit<DoctorOptions, 'stdin' | 'mountinfo'> & { json: boolean };

export const DOCTOR_USAGE = `Usage: logo-fallback doctor --media-root <dir> [options]

Tells whether uploaded media will survive the next deploy, and whether the app can write it now:
  mount       is the directory on its own mount (a volume, a bind mount), or on the container's
              own filesystem, which the next deploy replaces (read from /proc/self/mountinfo)?
  writable    can this user create, read and delete a file in every folder below it? (a sentinel
              in a hidden folder, always removed)
  free space  is there room left (bytes and inodes)?
  contents    is the directory empty while records reference files in it?
  references  with --records: what share of the referenced files exist?
Run it as the app's user, where the app runs (docker compose exec app logo-fallback doctor …).

Directories
  --media-root <dir>           the media directory, MEDIA_ROOT (required)
  --data-dir <dir>             the app's data directory, DATA_DIR: checked the same way
Records (read as "logo-fallback audit" reads them)
  --records <file | ->         a JSON array, NDJSON or CSV of records; repeatable; - reads stdin
  --format <json|ndjson|csv>   default: from the extension; stdin: "{" NDJSON, "[" JSON, else CSV
  --file-field <name>          the file reference (default: icon,logo — as the resolver)
  --base-url <url>             the URL the media is served under, MEDIA_URL (default: /media/)
  --max-missing <share>        fail when more than this share (0–1) of the referenced files is
                               missing (default: 0.5)
Limits and output
  --min-free <size>            fail below this much free space: bytes, or with K, M, G (powers of
                               1024; default: 100M)
  --json                       {"ok", "user": {"uid", "gid"}, "checks": [{"target", "check", "status", "message"}]}

Exit status: 0 no check failed (warnings and notes allowed), 1 a check failed, 2 bad usage or
unreadable records.`;

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `100M`, `1.5G`, `4096` → bytes. */
function size(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(value.trim());
  const bytes = match === null ? Number.NaN : Number(match[1]) * (UNITS[(match[2] as string).toUpperCase()] as number);
  if (!Number.isFinite(bytes) || bytes > Number.MAX_SAFE_INTEGER) throw new UsageError(`--min-free must be a size such as 100M, 2G or 4096, got "${value}"`);
  return Math.round(bytes);
}

function share(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) throw new UsageError(`--max-missing must be a share from 0 to 1 (0.5 is half), got "${value}"`);
  return number;
}

/** Parses the flags after `doctor`. Throws {@link UsageError}; returns `undefined` for `--help`. */
export function parseDoctorArgs(argv: string[]): DoctorArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        'media-root': { type: 'string' },
        'data-dir': { type: 'string' },
        records: { type: 'string', multiple: true },
        format: { type: 'string' },
        'file-field': { type: 'string', multiple: true },
        'base-url': { type: 'string' },
        'max-missing': { type: 'string' },
        'min-free': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\.\s[\s\S]*$/, '.'));
  }
  const { values } = parsed;
  if (values.help === true) return undefined;
  const mediaRoot = values['media-root'];
  if (mediaRoot === undefined || mediaRoot.trim() === '') throw new UsageError('name the media directory: --media-root <dir> (MEDIA_ROOT)');
  const format = values.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const records = values.records ?? [];
  if (records.filter((source) => source === '-').length > 1) throw new UsageError('--records - (stdin) can be given once');
  const fileFields = (values['file-field'] ?? ['icon,logo']).flatMap((value) => value.split(',')).map((field) => field.trim());
  if (fileFields.some((field) => field === '')) throw new UsageError('field names must not be empty');
  return {
    mediaRoot,
    dataDir: values['data-dir'],
    records,
    format: format as Format | undefined,
    fileFields,
    baseUrl: values['base-url'] ?? '/media/',
    maxMissing: share(values['max-missing'], 0.5),
    minFree: size(values['min-free'], 100 * 1024 ** 2),
    json: values.json === true,
  };
}
