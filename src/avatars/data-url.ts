/**
 * Percent-encoded (not base64) SVG `data:` URLs that are safe in any quoted HTML attribute.
 */
import type { Emit } from './draw.js';

/** Everything outside RFC 3986's unreserved and most sub-delimiter characters gets encoded (`&` and `'` too). */
const URL_UNSAFE = /[^A-Za-z0-9\-._~!$()*+,;=:@/?]/gu;
const PLAIN = /^[A-Za-z0-9\-._~!$()*+,;=:@/?]*$/;
const ENCODED = new Map<string, string>();
const HEX_COLOR = /^#[0-9a-f]{6}$/;

function percent(char: string): string {
  let encoded = ENCODED.get(char);
  if (encoded === undefined) {
    // encodeURIComponent leaves !'()* alone; of those only ' matters in an attribute, but encode
    // the same way as keys.ts does for one rule everywhere.
    encoded = encodeURIComponent(char).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    if (char.charCodeAt(0) < 128) ENCODED.set(char, encoded);
  }
  return encoded;
}

/** Percent-encodes SVG text for a `data:` URL. The text must be well-formed UTF-16 (no lone surrogates). */
export function encodeSvgText(text: string): string {
  return PLAIN.test(text) ? text : text.replace(URL_UNSAFE, percent);
}

/**
 * An SVG as a percent-encoded `data:image/svg+xml,` URL. Quotes, angle brackets, backtick,
 * backslash, `&`, `%`, `#`, white space and all non-ASCII are encoded, so the URL is safe in any
 * quoted HTML attribute.
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml,${encodeSvgText(svg)}`;
}

const encodedParts = new WeakMap<TemplateStringsArray, string[]>();
const encodedValues = new Map<string, string>();

/** Values repeat (colours, the font, common initials): remember a few hundred encodings. */
function encodeValue(value: string): string {
  let encoded = encodedValues.get(value);
  if (encoded !== undefined) return encoded;
  encoded = PLAIN.test(value) ? value : HEX_COLOR.test(value) ? `%23${value.slice(1)}` : encodeSvgText(value);
  if (value.length <= 64) {
    if (encodedValues.size >= 512) encodedValues.clear();
    encodedValues.set(value, encoded);
  }
  return encoded;
}

/**
 * An {@link Emit} that percent-encodes as it draws: each template's fixed parts once (cached by
 * the template itself), then only the values per call. Encoding is per character, so the result
 * equals `encodeSvgText` of the raw drawing.
 */
export const encodedSvg: Emit = (parts, ...values) => {
  let encoded = encodedParts.get(parts);
  if (encoded === undefined) {
    encoded = parts.map(encodeSvgText);
    encodedParts.set(parts, encoded);
  }
  let out = encoded[0] as string;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    out += `${typeof value === 'number' ? value : encodeValue(value as string)}${encoded[i + 1]}`;
  }
  return out;
};
