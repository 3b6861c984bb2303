/**
 * `--json-path companies`: the records are an array inside a JSON object (`{"companies": [...]}`,
 * an API's or a dump's usual shape). The object is scanned, without being held, up to the named
 * array, whose elements are then split as a top-level array's are.
 */
import { jsonArraySplitter, NotAnArrayError, type Piece, type Splitter } from './splitters.js';

/** Property names longer than this cannot be matched (and are not kept while scanning). */
const MAX_KEY_LENGTH = 1024;

type Expect = 'value' | 'key' | 'colon' | 'after' | 'literal';

/**
 * A splitter for the array at `path` (property names, outermost first) inside a JSON object. Throws
 * {@link NotAnArrayError} when the input has no array there.
 */
export function jsonPathSplitter(path: readonly string[]): Splitter {
  const shown = path.join('.');
  let inner: Splitter | undefined;
  let line = 1;
  const keys: Array<string | null> = []; // per open container: the current property (objects) or null (arrays)
  let expect: Expect = 'value';
  let inString = false;
  let escaped = false;
  let isKey = false;
  let keyText = '';
  let ended = false;

  const atPath = (): boolean => keys.length === path.length && keys.every((key, i) => key === path[i]);

  function close(): void {
    keys.pop();
    expect = 'after';
    if (keys.length === 0) ended = true;
  }

  function endKey(): void {
    let key: string | null = null;
    if (keyText.length <= MAX_KEY_LENGTH) {
      try {
        key = JSON.parse(`"${keyText}"`) as string;
      } catch {
        key = null;
      }
    }
    keys[keys.length - 1] = key ?? '\u0000unmatchable';
    expect = 'colon';
  }

  function scan(chunk: string): Piece[] {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (c === '\n') line++;
      if (inString) {
        if (isKey && keyText.length <= MAX_KEY_LENGTH) keyText += c;
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') {
          inString = false;
          if (isKey) {
            keyText = keyText.slice(0, -1);
            endKey();
          } else {
            expect = 'after';
          }
        }
        continue;
      }
      if (ended || c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\ufeff') {
        if (expect === 'literal') expect = 'after';
        continue;
      }
      if (expect === 'value' && atPath()) {
        if (c !== '[') throw new NotAnArrayError(`--json-path ${shown} is not an array (line ${line} starts its value with ${JSON.stringify(c)})`);
        inner = jsonArraySplitter({ line, ignoreTrailing: true });
        return inner.push(chunk.slice(i));
      }
      if (expect === 'literal' && c !== ',' && c !== '}' && c !== ']') continue;
      if (expect === 'literal') expect = 'after';
      if (c === '{' && expect === 'value') {
        keys.push('\u0000none'); // no property read yet
        expect = 'key';
      } else if (c === '[' && expect === 'value') {
        keys.push(null);
      } else if ((c === '}' || c === ']') && keys.length > 0) {
        close();
      } else if (c === '"') {
        inString = true;
        isKey = expect === 'key';
        keyText = '';
      } else if (c === ':' && expect === 'colon') {
        expect = 'value';
      } else if (c === ',') {
        expect = keys[keys.length - 1] === null ? 'value' : 'key';
      } else if (expect === 'value') {
        expect = 'literal';
      }
    }
    return [];
  }

  return {
    push(chunk) {
      return inner === undefined ? scan(chunk) : inner.push(chunk);
    },
    end() {
      if (inner !== undefined) return inner.end();
      throw new NotAnArrayError(`the JSON has no array at --json-path ${shown}`);
    },
  };
}
