/**
 * Opens the audit's input (a file or stdin), decodes it as UTF-8 text and settles its format.
 * Anything that is not readable text ends the audit with exit code 2 and a one-line reason.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** The record formats the audit reads. */
export type Format = 'json' | 'ndjson' | 'csv';
/** Every value `--format` takes. */
export const FORMATS: readonly Format[] = ['json', 'ndjson', 'csv'];

/** Input that cannot be read at all (missing, a directory, binary): exit code 2. */
export class InputError extends Error {}

/** Decoded input, ready to be split into records. */
export interface Input {
  readonly format: Format;
  /** The text, chunk by chunk, streamed. */
  readonly chunks: AsyncIterable<string>;
  /** The input's size in bytes, when it is a regular file (for the progress line). */
  readonly size: number | undefined;
  /** Bytes read so far. */
  bytesRead(): number;
  /** Whether the input holds nothing but whitespace: no records (`sqlite3 -header` prints nothing for an empty table). */
  readonly empty: boolean;
}

const BY_EXTENSION: Record<string, Format> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.csv': 'csv' };
/** How far the first line is looked at to tell NDJSON from one pretty-printed object. */
const SNIFF_LENGTH = 1 << 16;

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

/** Reads bytes, refusing what is not text: invalid UTF-8 or a NUL byte means binary data. */
async function* decode(stream: AsyncIterable<Buffer | string>, counter: { bytes: number }, label: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of stream) {
      // A stream with an encoding set (or an in-memory one) gives strings: judge their bytes alike.
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        throw new InputError(`${label} is not UTF-8 text (binary data near byte ${counter.bytes})`);
      }
      const nul = text.indexOf('\u0000');
      if (nul !== -1) throw new InputError(`${label} holds binary data (a NUL byte near byte ${counter.bytes})`);
      counter.bytes += bytes.length;
      if (text !== '') yield text;
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${label}: ${reasonOf(error)}`);
  }
}

/**
 * The format of text that starts with `first`: `[` a JSON array; `{` NDJSON, unless the first line
 * ends with an opening bracket (`{`, `{"companies": [`: one pretty-printed object, read as JSON so
 * that it is refused with advice rather than taken for malformed lines); anything else CSV.
 */
function sniff(first: string, firstLine: string | undefined): Format {
  if (first === '[') return 'json';
  if (first !== '{') return 'csv';
  return firstLine !== undefined && /[{[]\s*$/.test(firstLine) ? 'json' : 'ndjson';
}

/**
 * Opens `source` (a path, or `-` for stdin). The format is `format` when given; else from the
 * extension (`.ndjson`, `.jsonl`, `.csv`); else (stdin, `.json`, anything else) from the first
 * character that is not whitespace (see `sniff`). Input of nothing but whitespace is `empty`: no records.
 */
export async function openInput(source: string, format: Format | undefined, stdin: Readable = process.stdin): Promise<Input> {
  const label = source === '-' ? 'stdin' : source;
  let stream: AsyncIterable<Buffer | string>;
  let size: number | undefined;
  if (source === '-') {
    stream = stdin;
  } else {
    try {
      const info = await stat(source);
      if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      if (info.isFile()) size = info.size;
      stream = (await open(source, 'r')).createReadStream();
    } catch (error) {
      throw new InputError(`cannot read ${label}: ${reasonOf(error)}`);
    }
  }
  const counter = { bytes: 0 };
  const text = decode(stream, counter, label);

  // Look ahead to the first significant character (and to the end of its line, for `{`), keeping
  // what was read for the records.
  const pending: string[] = [];
  let seen = ''; // from the first significant character on, at most SNIFF_LENGTH
  let first: string | undefined;
  let firstLine: string | undefined;
  for (;;) {
    if (first !== undefined && (firstLine !== undefined || seen.length >= SNIFF_LENGTH)) break;
    const next = await text.next();
    if (next.done) break;
    if (first === undefined) {
      const start = next.value.search(/[^\s\ufeff]/);
      if (start === -1) {
        // Only the line breaks of leading blank space matter (for line numbers).
        pending.push(next.value.replace(/[^\n]+/g, ''));
        continue;
      }
      first = next.value[start];
      seen = next.value.slice(start, start + SNIFF_LENGTH);
    } else {
      seen += next.value.slice(0, SNIFF_LENGTH - seen.length);
    }
    pending.push(next.value);
    if (first !== '{') firstLine = '';
    else if (seen.includes('\n')) firstLine = seen.slice(0, seen.indexOf('\n'));
  }
  if (first === undefined) {
    return { format: format ?? 'ndjson', chunks: (async function* () {})(), size, bytesRead: () => counter.bytes, empty: true };
  }
  const chosen = format ?? (source === '-' ? undefined : BY_EXTENSION[path.extname(source).toLowerCase()]) ?? sniff(first, firstLine);

  async function* chunks(): AsyncGenerator<string> {
    try {
      yield* pending.splice(0);
      yield* text;
    } finally {
      // Stopped early (a refused input): close the file now, not when it is garbage-collected.
      await text.return(undefined);
    }
  }
  return { format: chosen, chunks: chunks(), size, bytesRead: () => counter.bytes, empty: false };
}
