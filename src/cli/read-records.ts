/**
 * Turns decoded input into records, one at a time: each with the line it starts on, or the reason
 * its line is malformed. Malformed lines are reported and skipped; reading goes on.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv, type CsvError } from 'csv-parse';
import { InputError, type Input } from './input.js';
import { jsonArraySplitter, ndjsonSplitter, NotAnArrayError, type Piece, type Splitter } from './splitters.js';

/** A record read from the input, or a malformed line. */
export type InputItem = { readonly line: number; readonly record: object } | { readonly line: number; readonly malformed: string };

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function fromPiece(piece: Piece): InputItem {
  if ('error' in piece) return { line: piece.line, malformed: piece.error };
  let value: unknown;
  try {
    value = JSON.parse(piece.text);
  } catch (error) {
    return { line: piece.line, malformed: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line: piece.line, malformed: `the record is ${describe(value)}, not an object` };
  }
  return { line: piece.line, record: value };
}

async function* splitJson(input: Input, splitter: Splitter): AsyncGenerator<InputItem> {
  try {
    for await (const chunk of input.chunks) yield* splitter.push(chunk).map(fromPiece);
    yield* splitter.end().map(fromPiece);
  } catch (error) {
    if (error instanceof NotAnArrayError) throw new InputError(error.message);
    throw error;
  }
}

/** Lines a raw CSV record spans beyond its first (quoted fields may hold newlines). */
function extraLines(raw: string): number {
  let count = 0;
  const body = raw.replace(/\r?\n$/, '');
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) count++;
  return count;
}

async function* splitCsv(input: Input, fileFields: readonly string[]): AsyncGenerator<InputItem> {
  const skipped: InputItem[] = [];
  const parser = parseCsv({
    columns: (header: string[]) => {
      if (!fileFields.some((field) => header.includes(field))) {
        parser.destroy(new InputError(`the CSV header (${header.join(', ')}) has no ${fileFields.join(' or ')} column; name it with --file-field`));
      }
      return header;
    },
    bom: true,
    info: true,
    raw: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      const line = Number((error as { lines?: unknown } | undefined)?.lines) || 0;
      skipped.push({ line, malformed: `invalid CSV: ${error?.message.replace(/\s+at line \d+.*$/, '') ?? 'unreadable record'}` });
      return undefined;
    },
  });
  // `pipe` does not forward a source's error (binary input, a read fault): hand it on by hand.
  const source = Readable.from(input.chunks);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number }; raw: string }>) {
      yield* skipped.splice(0);
      yield { line: row.info.lines - extraLines(row.raw), record: row.record };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read the CSV: ${(error as Error).message}`);
  }
  yield* skipped.splice(0);
}

/** The records of an input, streamed, in input order. */
export function readRecords(input: Input, fileFields: readonly string[]): AsyncGenerator<InputItem> {
  if (input.format === 'csv') return splitCsv(input, fileFields);
  return splitJson(input, input.format === 'json' ? jsonArraySplitter() : ndjsonSplitter());
}
