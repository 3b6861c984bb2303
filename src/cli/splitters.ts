/**
 * Cuts a stream of text into one piece per record, with the line each piece starts on, without
 * holding more than one record in memory: NDJSON by lines, a JSON array by its top-level elements.
 *
 * JSON parsers stop at the first error; an audit must report the bad record's line and go on, so
 * the array is split here by a small scanner (strings, escapes, nesting) and each element is parsed
 * on its own. Only the scanner is hand-written; `JSON.parse` still judges every element.
 */

/** One piece of input: a record's text, or why the input at that line cannot be one. */
export type Piece = { readonly line: number; readonly text: string } | { readonly line: number; readonly error: string };

/** Turns chunks of text into pieces; `end()` flushes what is left. */
export interface Splitter {
  push(chunk: string): Piece[];
  end(): Piece[];
}

/** A record longer than this (in UTF-16 units) is reported, not kept: memory stays bounded. */
export const MAX_RECORD_LENGTH = 1 << 20;

const tooLarge = (line: number): Piece => ({ line, error: `the record is larger than ${MAX_RECORD_LENGTH} characters` });

/** Accumulates the text of one record across chunks, dropping it once it is too large. */
class TextBuffer {
  private parts: string[] = [];
  private length = 0;
  overflow = false;

  add(text: string): void {
    if (this.overflow || text === '') return;
    this.length += text.length;
    if (this.length > MAX_RECORD_LENGTH) {
      this.overflow = true;
      this.parts = [];
    } else {
      this.parts.push(text);
    }
  }

  take(line: number): Piece {
    const piece = this.overflow ? tooLarge(line) : { line, text: this.parts.join('') };
    this.parts = [];
    this.length = 0;
    this.overflow = false;
    return piece;
  }
}

/** Whether a code unit is white space as `String.prototype.trim` has it (WhiteSpace and LineTerminator). */
function isTrimmed(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Whether `text[start, end)` holds anything but white space, without cutting it out. */
function hasContent(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isTrimmed(text.charCodeAt(i))) return true;
  return false;
}

/** NDJSON: one record per line; blank lines are skipped; `\r\n` line ends are accepted. */
export function ndjsonSplitter(): Splitter {
  const buffer = new TextBuffer();
  let line = 1;
  let blank = true;
  /** Whether part of the current line came in an earlier chunk (and waits in `buffer`). */
  let carried = false;

  function emit(out: Piece[]): void {
    const piece = buffer.take(line);
    if (!blank) out.push('text' in piece ? { line, text: piece.text.replace(/\r$/, '') } : piece);
    blank = true;
    carried = false;
  }

  return {
    push(chunk) {
      const out: Piece[] = [];
      let start = 0;
      for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
        if (carried) {
          if (blank && hasContent(chunk, start, newline)) blank = false;
          buffer.add(chunk.slice(start, newline));
          emit(out);
        } else if (hasContent(chunk, start, newline)) {
          // The whole line is in this chunk, the common case: one slice, no buffer.
          const end = chunk.charCodeAt(newline - 1) === 13 && newline > start ? newline - 1 : newline;
          out.push(newline - start > MAX_RECORD_LENGTH ? tooLarge(line) : { line, text: chunk.slice(start, end) });
        }
        line++;
        start = newline + 1;
      }
      if (start < chunk.length) {
        if (blank && hasContent(chunk, start, chunk.length)) blank = false;
        buffer.add(chunk.slice(start));
        carried = true;
      }
      return out;
    },
    end() {
      const out: Piece[] = [];
      emit(out);
      return out;
    },
  };
}

type State = 'start' | 'between' | 'element' | 'after';
const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\ufeff']);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Thrown for input that is not a JSON array at all: the audit stops with exit code 2. */
export class NotAnArrayError extends Error {}

/** Options of {@link jsonArraySplitter}. */
export interface JsonArrayOptions {
  /** The line the text starts on (an array inside an object starts further down). @default 1 */
  line?: number;
  /** Whether text after the array's `]` is ignored (the rest of an enclosing object) rather than reported. @default false */
  ignoreTrailing?: boolean;
}

/** Says what to do with a JSON object, naming its first array-valued property when it starts with one. */
function objectHint(text: string): string {
  let example = 'companies';
  const property = /^\{\s*"((?:[^"\\\n]|\\.){1,200})"\s*:\s*\[/.exec(text)?.[1];
  try {
    if (property !== undefined) example = JSON.parse(`"${property}"`) as string;
  } catch {
    // a broken escape: keep the generic example
  }
  const shown = /^[\w-]+$/.test(example) ? example : JSON.stringify(example);
  return `the JSON is one object, not an array of records: name the array that holds them with --json-path, e.g. --json-path ${shown}`;
}

/**
 * A JSON array: one piece per top-level element. A record broken by a raw newline inside a string
 * ends at that line, and stray closing brackets are ignored, so one bad record does not swallow the
 * rest.
 */
export function jsonArraySplitter(options: JsonArrayOptions = {}): Splitter {
  const buffer = new TextBuffer();
  let state: State = 'start';
  let line = options.line ?? 1;
  let startLine = line;
  let openers = ''; // the brackets open in the current record, innermost last
  let inString = false;
  let escaped = false;
  let trailingReported = options.ignoreTrailing === true;
  let lastLine = line; // the last line holding anything but whitespace

  return {
    push(chunk) {
      const out: Piece[] = [];
      let elementStart = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i] as string;
        if (state === 'element') {
          lastLine = line;
          if (inString) {
            if (escaped) escaped = false;
            else if (c === '\\') escaped = true;
            else if (c === '"') inString = false;
            else if (c === '\n') {
              // A JSON string cannot hold a raw newline: this record is broken. End it here, so the
              // next line (the next record, in most files) is read afresh rather than swallowed.
              buffer.take(startLine);
              out.push({ line: startLine, error: `invalid JSON: a string is not closed before the end of line ${line}` });
              state = 'between';
              line++;
              continue;
            }
          } else if (c === '"') {
            inString = true;
          } else if (c === '{' || c === '[') {
            openers += c;
          } else if ((c === ',' || c === ']') && openers === '') {
            buffer.add(chunk.slice(elementStart, i));
            out.push(buffer.take(startLine));
            state = c === ',' ? 'between' : 'after';
          } else if (c === '}' || c === ']') {
            // A closer that does not match its opener is ignored (the record is invalid JSON and
            // will be reported), so that a stray `]` cannot end the whole array early.
            if (openers.endsWith(c === '}' ? '{' : '[')) openers = openers.slice(0, -1);
          }
        } else if (!WHITESPACE.has(c)) {
          lastLine = line;
          if (state === 'start') {
            if (c === '{') throw new NotAnArrayError(objectHint(chunk.slice(i)));
            if (c !== '[') throw new NotAnArrayError(`expected a JSON array starting with "[" on line ${line}, found ${JSON.stringify(c)}`);
            state = 'between';
          } else if (state === 'between') {
            if (c === ']') state = 'after';
            else if (c !== ',') {
              state = 'element';
              startLine = line;
              elementStart = i;
              openers = '';
              inString = false;
              escaped = false;
              i--; // read this character again as part of the element
              continue;
            }
          } else if (!trailingReported) {
            trailingReported = true;
            out.push({ line, error: 'text after the end of the JSON array' });
          }
        }
        if (c === '\n') line++;
      }
      if (state === 'element') buffer.add(chunk.slice(elementStart));
      return out;
    },
    end() {
      if (state === 'start') throw new NotAnArrayError('expected a JSON array, found no data');
      if (state === 'after') return [];
      const out: Piece[] = [];
      if (state === 'element') {
        const piece = buffer.take(startLine);
        if ('text' in piece && !parses(piece.text)) {
          out.push({ line: startLine, error: 'the JSON array ends in the middle of this record (truncated input?)' });
          return out;
        }
        out.push(piece);
      }
      out.push({ line: lastLine, error: 'the JSON array is not closed with "]" (truncated input?)' });
      return out;
    },
  };
}
