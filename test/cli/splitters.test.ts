import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonArraySplitter, MAX_RECORD_LENGTH, ndjsonSplitter, NotAnArrayError, type Piece, type Splitter } from '../../src/cli/splitters.js';

/** Feeds `text` to a splitter in chunks cut at `cuts` (any positions, even inside a record). */
function split(splitter: Splitter, text: string, cuts: number[] = []): Piece[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const out: Piece[] = [];
  let start = 0;
  for (const point of [...points, text.length]) {
    out.push(...splitter.push(text.slice(start, point)));
    start = point;
  }
  return [...out, ...splitter.end()];
}

const records = fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 12 });
const cuts = fc.array(fc.nat(), { maxLength: 6 });

test('a JSON array is cut into exactly its elements, wherever the chunks are cut, with their lines', () => {
  fc.assert(
    fc.property(records, fc.constantFrom(undefined, 2), cuts, (values, indent, at) => {
      const text = JSON.stringify(values, null, indent);
      const pieces = split(jsonArraySplitter(), text, at);
      // Compared as JSON text: fast-check's keys include "__proto__", which object equality mishandles.
      assert.equal(pieces.map((piece) => ('text' in piece ? JSON.stringify(JSON.parse(piece.text)) : piece.error)), values.map((value) => JSON.stringify(value)));
      const lines = text.split('\n');
      for (const piece of pieces) assert.ok((lines[piece.line - 1] ?? '').trimStart().startsWith(indent === undefined ? '[' : '{'));
    }),
  );
});

test('NDJSON is cut into its lines, blank lines skipped, CRLF accepted', () => {
  fc.assert(
    fc.property(records, fc.constantFrom('\n', '\r\n'), cuts, (values, newline, at) => {
      const text = values.map((value) => JSON.stringify(value)).join(`${newline}${newline}`) + newline;
      const pieces = split(ndjsonSplitter(), text, at);
      assert.equal(pieces.map((piece) => ('text' in piece ? piece.text : piece.error)), values.map((value) => JSON.stringify(value)));
      assert.equal(pieces.map((piece) => piece.line), values.map((_, i) => 2 * i + 1));
    }),
  );
});

test('a broken record in an array does not swallow the next ones', () => {
  const text = '[\n{"id": 1, "name": "ok"},\n{"id": 2, "name": "open string},\n{"id": 3, "name": "}"},\n{"id": 4, "x": ]]},\n{"id": 5}\n]';
  const pieces = split(jsonArraySplitter(), text);
  assert.equal(
    pieces.map((piece) => [piece.line, 'text' in piece ? 'text' : 'error']),
    [
      [2, 'text'],
      [3, 'error'],
      [4, 'text'],
      [5, 'text'], // invalid JSON, reported when parsed
      [6, 'text'],
    ],
  );
});

test('what is not an array is refused; a truncated one is reported once', () => {
  assert.throws(() => split(jsonArraySplitter(), '{"id": 1}'), (error: unknown) => error instanceof NotAnArrayError);
  assert.throws(() => split(jsonArraySplitter(), '  '), (error: unknown) => error instanceof NotAnArrayError);
  assert.equal(split(jsonArraySplitter(), '[{"id": 1}, {"id": 2'), [
    { line: 1, text: '{"id": 1}' },
    { line: 1, error: 'the JSON array ends in the middle of this record (truncated input?)' },
  ]);
  assert.equal(split(jsonArraySplitter(), '[{"id": 1}]\n\n junk'), [
    { line: 1, text: '{"id": 1}' },
    { line: 3, error: 'text after the end of the JSON array' },
  ]);
});

test('a record larger than the limit is reported, not kept', () => {
  const big = `{"x": "${'a'.repeat(MAX_RECORD_LENGTH)}"}`;
  const array = split(jsonArraySplitter(), `[${big}, {"id": 2}]`, [10, 5000, 70000]);
  assert.equal(array.map((piece) => 'error' in piece), [true, false]);
  const lines = split(ndjsonSplitter(), `${big}\n{"id": 2}\n`, [10, 5000, 70000]);
  assert.equal(lines.map((piece) => 'error' in piece), [true, false]);
});

/** NDJSON by the rules, all at once: the pieces a splitter must give whatever the chunks. */
function ndjsonReference(text: string): Piece[] {
  const pieces: Piece[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    pieces.push(line.length > MAX_RECORD_LENGTH ? { line: i + 1, error: `the record is larger than ${MAX_RECORD_LENGTH} characters` } : { line: i + 1, text: line.replace(/\r$/, '') });
  });
  return pieces;
}

test('NDJSON: any text, any chunks — lines of white space of every kind skipped, one CR before LF dropped, lines numbered', () => {
  const piece = fc.constantFrom('{"a":1}', 'x', ' ', '\t', '\r', '\n', '\r\n', '\u00a0', '\u2028', '\ufeff', '\u3000', '\u200b', '\u0085', '"\\n"');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), cuts, (parts, at) => {
      const text = parts.join('');
      assert.equal(split(ndjsonSplitter(), text, at), ndjsonReference(text), JSON.stringify(text));
    }),
    { numRuns: 3000 },
  );
  // A record over the limit inside one chunk is reported as it is across chunks.
  const big = `{"x": "${'a'.repeat(MAX_RECORD_LENGTH)}"}`;
  for (const at of [[], [3], [MAX_RECORD_LENGTH + 20]]) {
    assert.equal(split(ndjsonSplitter(), `{"id": 1}\r\n${big}\r\n\n{"id": 2}`, at), ndjsonReference(`{"id": 1}\r\n${big}\r\n\n{"id": 2}`), JSON.stringify(at));
  }
});

test.run();
