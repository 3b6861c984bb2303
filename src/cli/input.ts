/**
 * Opens the audit's input (a file or stdin), decodes it as UTF-8 text and settles its format.
 * Anything that is not readable text ends the audit with exit code 2 and a one-line reason.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** The record formats the audit reads. */
export type Format = 'json' | 'ndjson' | 'csv';
export const FORMATS: readonly Format[] = ['json', 'ndjson', 'csv'];

/** Input that cannot be read at all (missing, a directory, binary, empty): exit code 2. */
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
}

const BY_EXTENSION: Record<string, Format> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.csv': 'csv' };

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

/** The format of text that starts with `first`: `{` NDJSON, `[` a JSON array, anything else CSV. */
function sniff(first: string): Format {
  return first === '{' ? 'ndjson' : first === '[' ? 'json' : 'csv';
}

/**
 * Opens `source` (a path, or `-` for stdin). The format is `format` when given; else from the
 * extension (`.ndjson`, `.jsonl`, `.csv`); else (stdin, `.json`, anything else) from the first
 * character that is not whitespace.
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

  // Look ahead to the first significant character, keeping what was read for the records.
  const pending: string[] = [];
  let first: string | undefined;
  while (first === undefined) {
    const next = await text.next();
    if (next.done) throw new InputError(`${label} is empty: there are no records to audit`);
    pending.push(next.value);
    first = /[^\s\ufeff]/.exec(next.value)?.[0];
  }
  const chosen = format ?? (source === '-' ? undefined : BY_EXTENSION[path.extname(source).toLowerCase()]) ?? sniff(first);

  async function* chunks(): AsyncGenerator<string> {
    yield* pending.splice(0);
    yield* text;
  }
  return { format: chosen, chunks: chunks(), size, bytesRead: () => counter.bytes };
}
