/**
 * The one SVG drawing of an initials avatar, shared by `initialsAvatar()` (data: URLs) and the
 * avatar route, so that both give the same bytes for the same picture. Also the checks of the
 * style options both accept.
 */
import { LogoFallbackError } from '../errors.js';
import { escapeHtml } from '../escape.js';
import { numberOption, optionKeys, showValue } from '../options.js';
import { MIN_CONTRAST, parseHex, repairColor, type AvatarColors } from './colors.js';
import { countGraphemes } from './graphemes.js';

/** The avatar's outline. */
export type AvatarShape = 'square' | 'rounded' | 'circle';

/** The shapes, in the order the docs list them. */
export const AVATAR_SHAPES: readonly AvatarShape[] = ['square', 'rounded', 'circle'];

/** Options that decide how an avatar looks; `initialsAvatar()` and the avatar route both take them. */
export interface AvatarStyleOptions {
  /** The font stack: letters, digits, spaces, commas, hyphens and quotes. @default 'system-ui,-apple-system,Segoe UI,Roboto,sans-serif' */
  fontFamily?: string;
  /** The font weight: 1–1000, `'normal'` or `'bold'`. @default 600 */
  fontWeight?: number | 'normal' | 'bold';
  /** A fixed text colour, hex (palette entries are repaired to contrast with it). @default black or white, whichever contrasts more */
  textColor?: string;
  /** The least contrast ratio between text and background, 4.5–21 (WCAG AA is 4.5, AAA 7). @default 4.5 */
  minContrast?: number;
}

/** The keys of {@link AvatarStyleOptions}, for the option checks of the types that extend it. */
export const AVATAR_STYLE_KEYS = optionKeys<AvatarStyleOptions>()(['fontFamily', 'fontWeight', 'textColor', 'minContrast']);

/** Style options after their checks. */
export interface AvatarStyle {
  fontFamily: string;
  /** The font stack escaped for an XML attribute. */
  fontFamilyXml: string;
  fontWeight: string;
  textColor: string | undefined;
  minContrast: number;
}

/** What one drawing needs. */
export interface AvatarDrawing {
  /** Already made by `initials()` (or checked by `isInitials()`): drawn as they are. */
  initials: string;
  /** Width and height in CSS pixels. */
  size: number;
  /** The outline. */
  shape: AvatarShape;
  /** Background and text colour, `#rrggbb`, already checked for contrast. */
  colors: AvatarColors;
  /** The accessible name; without one the SVG is `aria-hidden`. */
  label?: string | undefined;
}

const DEFAULT_FONT = 'system-ui,-apple-system,Segoe UI,Roboto,sans-serif';
const FONT_FAMILY = /^[\p{L}\p{N} ,'"-]{1,200}$/u;
const MAX_LABEL = 256;
/** Characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF); removed from labels. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SPACES = /\s+/gu;

/** Font size in the 100-unit view box, by the number of initials. */
const FONT_SIZES = [50, 50, 42, 32];

/** Checks the style options (throws {@link LogoFallbackError} `INVALID_OPTION`) and fills in defaults. */
export function resolveStyle(options: AvatarStyleOptions, owner: string): AvatarStyle {
  const fontFamily = options.fontFamily ?? DEFAULT_FONT;
  if (typeof fontFamily !== 'string' || !FONT_FAMILY.test(fontFamily)) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "fontFamily" must be a font stack of letters, digits, spaces, commas, hyphens and quotes, such as "Inter, sans-serif", got ${showValue(fontFamily)}`);
  }
  const weight = options.fontWeight ?? 600;
  if (weight !== 'normal' && weight !== 'bold') numberOption(weight, 'fontWeight', owner, { min: 1, max: 1000, fallback: 600, integer: true });
  const textColor = options.textColor === undefined ? undefined : parseHex(options.textColor);
  if (options.textColor !== undefined && textColor === undefined) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "textColor" must be a hex colour such as "#ffffff", got ${JSON.stringify(options.textColor)}`);
  }
  const minContrast = numberOption(options.minContrast, 'minContrast', owner, { min: MIN_CONTRAST, max: 21, fallback: MIN_CONTRAST });
  if (textColor !== undefined && repairColor('#000000', { text: textColor, minContrast }) === undefined && repairColor('#ffffff', { text: textColor, minContrast }) === undefined) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: no background reaches ${minContrast}:1 against "textColor" ${textColor}; pick a darker or lighter text colour`);
  }
  return { fontFamily, fontFamilyXml: escapeHtml(fontFamily), fontWeight: String(weight), textColor, minContrast };
}

/** A label as safe XML attribute text: cut, without characters XML forbids, white space folded, escaped. */
function labelText(label: string): string {
  const cut = label.length > MAX_LABEL ? label.slice(0, MAX_LABEL) : label;
  return escapeHtml(cut.replace(NOT_XML, '\ufffd').replace(SPACES, ' ').trim());
}

/**
 * Joins a drawing's fixed parts and values. The drawing below is written once as tagged templates,
 * so that the route can take it as it is ({@link rawSvg}) and the `data:` URL provider can
 * percent-encode each fixed part once and only the values per call.
 */
export type Emit = (parts: TemplateStringsArray, ...values: (string | number)[]) => string;

/** The SVG text itself. */
export const rawSvg: Emit = (parts, ...values) => {
  let out = parts[0] as string;
  for (let i = 0; i < values.length; i++) out += `${values[i]}${parts[i + 1]}`;
  return out;
};

/**
 * Draws an initials avatar as SVG: a 100-unit view box scaled to `size`, a filled shape, and the
 * initials centred in plain text (no blend modes, no opacity). Typically 300–400 bytes.
 */
export function drawAvatar(drawing: AvatarDrawing, style: AvatarStyle, emit: Emit = rawSvg): string {
  const { size, colors } = drawing;
  const label = drawing.label === undefined ? '' : labelText(drawing.label);
  const svg = label === ''
    ? emit`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100" aria-hidden="true">`
    : emit`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100" role="img" aria-label="${label}">`;
  const shape = drawing.shape === 'circle'
    ? emit`<circle cx="50" cy="50" r="50" fill="${colors.background}"/>`
    : drawing.shape === 'rounded'
      ? emit`<rect width="100" height="100" rx="16" fill="${colors.background}"/>`
      : emit`<rect width="100" height="100" fill="${colors.background}"/>`;
  const fontSize = FONT_SIZES[Math.min(3, countGraphemes(drawing.initials))] as number;
  const text = emit`<text x="50" y="50" dy=".35em" fill="${colors.text}" font-family="${style.fontFamilyXml}" font-size="${fontSize}" font-weight="${style.fontWeight}" text-anchor="middle">${escapeHtml(drawing.initials)}</text></svg>`;
  return svg + shape + text;
}
