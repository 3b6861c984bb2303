/**
 * Turns decoded input into records, a batch per chunk of input: each with the line it starts on,
 * or the reason its line is malformed. Malformed lines are reported and skipped; reading goes on.
 */
import { csvSplitter, type CsvPiece } from './csv.js';
import { InputError, type Input } from './input.js';
import { jsonPathSplitter } from './json-path.js';
import { numberIdLiteral } from './record-id.js';
import { jsonArraySplitter, MAX_RECORD_LENGTH, ndjsonSplitter, NotAnArrayError, type Piece, type Splitter } from './splitters.js';

/**
 * A record read from the input, or a malformed line. `idLiteral`: a JSON number id that `JSON.parse`
 * may not have carried exactly, read again from its digits (see {@link numberIdLiteral}).
 */
export type InputItem =
  | { readonly line: number; readonly record: object; readonly idLiteral?: { literal: string } | { problem: string } }
  | { readonly line: number; readonly malformed: string };

/** How to read the records. */
export interface ReadOptions {
  /** The file fields: a CSV header must have one of them. */
  fileFields: readonly string[];
  /** The id field: a JSON number there is read exactly. Without it ids are not looked at. */
  idField?: string | undefined;
  /** CSV: the delimiter; otherwise a `sep=` line or the header decides. */
  delimiter?: string | undefined;
  /** JSON: the property path of the records' array inside an object. */
  jsonPath?: readonly string[] | undefined;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function fromPiece(piece: Piece, idField: string | undefined): InputItem {
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
  const id = idField === undefined ? undefined : (value as Record<string, unknown>)[idField];
  const idLiteral = typeof id === 'number' ? numberIdLiteral(piece.text, idField as string, id) : undefined;
  return idLiteral === undefined ? { line: piece.line, record: value } : { line: piece.line, record: value, idLiteral };
}

async function* splitJson(input: Input, splitter: Splitter, idField: string | undefined): AsyncGenerator<InputItem[]> {
  const item = (piece: Piece): InputItem => fromPiece(piece, idField);
  try {
    for await (const chunk of input.chunks) yield splitter.push(chunk).map(item);
    yield splitter.end().map(item);
  } catch (error) {
    if (error instanceof NotAnArrayError) throw new InputError(error.message);
    throw error;
  }
}

function csvHeader(piece: CsvPiece, delimiter: string, fileFields: readonly string[]): string[] {
  if ('error' in piece) throw new InputError(`cannot read the CSV header on line ${piece.line}: ${piece.error}`);
  const header = piece.fields;
  if (!fileFields.some((field) => header.includes(field))) {
    const shown = delimiter === '\t' ? 'tab' : JSON.stringify(delimiter);
    throw new InputError(
      `the CSV header (${header.join(', ')}) has no ${fileFields.join(' or ')} column (read with the delimiter ${shown}); name the column with --file-field, or the delimiter with --delimiter`,
    );
  }
  return header;
}

async function* splitCsv(input: Input, options: ReadOptions): AsyncGenerator<InputItem[]> {
  const splitter = csvSplitter({ delimiter: options.delimiter, maxLength: MAX_RECORD_LENGTH });
  let header: string[] | undefined;
  const toItems = (pieces: CsvPiece[]): InputItem[] => {
    const items: InputItem[] = [];
    for (const piece of pieces) {
      if (header === undefined) {
        header = csvHeader(piece, splitter.delimiter ?? ',', options.fileFields);
      } else if ('error' in piece) {
        items.push({ line: piece.line, malformed: `invalid CSV: ${piece.error}` });
      } else if (piece.fields.length !== header.length) {
        items.push({ line: piece.line, malformed: `invalid CSV: the record has ${piece.fields.length} fields, the header ${header.length}` });
      } else {
        // No prototype: a column named "__proto__" or "constructor" is a field like any other.
        const record: Record<string, string> = Object.create(null) as Record<string, string>;
        for (let i = 0; i < header.length; i++) record[header[i] as string] = piece.fields[i] as string;
        items.push({ line: piece.line, record });
      }
    }
    return items;
  };
  for await (const chunk of input.chunks) yield toItems(splitter.push(chunk));
  yield toItems(splitter.end());
}

/** The records of an input, streamed in batches, in input order. An empty input has none. */
export function readRecords(input: Input, options: ReadOptions): AsyncGenerator<InputItem[]> {
  if (input.format === 'csv') return splitCsv(input, options);
  if (input.format === 'ndjson') return splitJson(input, ndjsonSplitter(), options.idField);
  return splitJson(input, options.jsonPath === undefined ? jsonArraySplitter() : jsonPathSplitter(options.jsonPath), options.idField);
}
