/**
 * The `headers` option of the HTTP driver, checked at start-up against what the request will send,
 * so that a bad header is named (which header, which character, where, and why) at construction
 * instead of failing every check.
 */
import { LogoFallbackError } from '../errors.js';
import { showValue } from '../options.js';

/** A header name: an RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NOT_TOKEN = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/u;
/**
 * A character a header value cannot hold. Fetch's `Headers` takes a ByteString (every character
 * U+0000–U+00FF) without NUL, CR or LF; Node's `http` sends only tab, visible ASCII and
 * U+0080–U+00FF (obs-text, RFC 9110 §5.5). The stricter of the two is the rule.
 */
const NOT_IN_VALUE = /[^\t\x20-\x7e\x80-\xff]/u;
/** Typographic characters that arrive when a value is pasted from formatted text. */
const TYPOGRAPHIC = /[\u2010-\u2015\u2018-\u201f\u2026\u00a0\u2032\u2033\u2212]/u;

/** `U+2026 "…"`, for a message. */
function describeCharacter(character: string): string {
  const point = character.codePointAt(0) ?? 0;
  const code = `U+${point.toString(16).toUpperCase().padStart(4, '0')}`;
  return point < 0x20 || point === 0x7f ? code : `${code} ${JSON.stringify(character)}`;
}

/** The 1-based position, in characters (code points), of the match at `index`. */
function positionOf(text: string, index: number): number {
  let position = 1;
  for (const _ of text.slice(0, index)) position++;
  return position;
}

/** Why a header value cannot be sent, or `undefined` when it can. The value itself is never quoted: it is often a credential. */
function valueProblem(value: string): string | undefined {
  const match = NOT_IN_VALUE.exec(value);
  if (match === null) return undefined;
  const character = match[0];
  const where = `${describeCharacter(character)} at character ${positionOf(value, match.index)} of ${[...value].length}`;
  if ((character.codePointAt(0) ?? 0) > 0xff) {
    const pasted = TYPOGRAPHIC.test(character) ? ' (a typographic character, as pasted from formatted text: type the value or take it from the environment)' : '';
    return `its value has ${where}${pasted}: a header value must be Latin-1 text (a ByteString: every character U+0000–U+00FF)`;
  }
  return `its value has the control character ${where}: a header value may hold tab, visible ASCII and U+0080–U+00FF only (CR and LF would split the header)`;
}

/**
 * Checks the `headers` option — an object of names and values, or a `Headers` — and returns it as
 * `Headers`. A name must be an RFC 9110 token; a value a string of tab, visible ASCII and
 * U+0080–U+00FF (Latin-1, as HTTP and fetch's ByteString require). The message names the header,
 * the offending character (code point) and its position, never the value.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` naming the header and why.
 */
export function headersOption(value: unknown, owner: string): Headers {
  if (value === undefined) return new Headers();
  const invalid = (message: string, cause?: unknown) => new LogoFallbackError('INVALID_OPTION', `${owner}: "headers" ${message}`, cause === undefined ? {} : { cause });
  let entries: [string, unknown][];
  try {
    if (value instanceof Headers) entries = [...value];
    else if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`must be an object of header names and values such as { Authorization: \`Bearer \${token}\` }, got ${showValue(value)}`);
    else entries = Object.entries(value);
  } catch (error) {
    if (error instanceof LogoFallbackError) throw error;
    throw invalid(`could not be read: ${error instanceof Error ? error.message : showValue(error)}`, error);
  }
  const headers = new Headers();
  for (const [name, text] of entries) {
    if (!TOKEN.test(name)) {
      const bad = NOT_TOKEN.exec(name);
      const where = bad === null ? 'is empty' : `has ${describeCharacter(bad[0])} at character ${positionOf(name, bad.index)}`;
      throw invalid(`has the header name ${showValue(name)}, which ${where}: a header name is a token of letters, digits and !#$%&'*+-.^_\`|~`);
    }
    if (typeof text !== 'string') throw invalid(`has header ${JSON.stringify(name)} with a value that is not a string: ${showValue(text)}`);
    const problem = valueProblem(text);
    if (problem !== undefined) throw invalid(`has header ${JSON.stringify(name)}, and ${problem}`);
    headers.append(name, text);
  }
  return headers;
}
