/**
 * initialsAvatar: the default avatar provider. It draws the avatar itself — initials on a colour
 * derived from the name — as a small SVG `data:` URL (or a URL of the avatar route): offline,
 * deterministic, and no name ever leaves the server.
 */
import { LRUCache } from 'lru-cache';
import { LogoFallbackError } from '../errors.js';
import { encodeSegment } from '../keys.js';
import { booleanOption, normalizeBaseUrl, numberOption, optionKeys, readOptions, showValue, stringListOption } from '../options.js';
import { DEFAULT_PALETTE, createPalette, pickColors, type AvatarColors } from './colors.js';
import { encodedSvg } from './data-url.js';
import { AVATAR_SHAPES, AVATAR_STYLE_KEYS, drawAvatar, resolveStyle, type AvatarShape, type AvatarStyleOptions } from './draw.js';
import { initials } from './initials.js';
import { readSubject } from './subject.js';
import { createPngRenderer, PNG_DEFAULT_SIZE, PNG_MAX_SIZE, type PngRenderer, type PngRendererOptions } from './png/render.js';
import type { AvatarProvider } from './types.js';

export type { AvatarShape, AvatarStyleOptions } from './draw.js';
export { svgDataUrl } from './data-url.js';

/** Options of {@link initialsAvatar}. */
export interface InitialsAvatarOptions extends AvatarStyleOptions {
  /** Width and height in CSS pixels, 16–512. A size asked for by the template wins. @default 64 (SVG), 128 (PNG) */
  size?: number;
  /** `'square'`, `'rounded'` (corners of 16%) or `'circle'`. @default 'square' */
  shape?: AvatarShape;
  /**
   * Background colours, hex; at least one. An entry whose text would contrast less than
   * `minContrast` is darkened or lightened until it reaches it.
   * @default DEFAULT_PALETTE (18 colours)
   */
  palette?: readonly string[];
  /** How many initials at most, 1–3 (see `initials()`). @default 2 */
  length?: number;
  /** Upper-case the initials. @default true */
  uppercase?: boolean;
  /** The name drawn when a name gives no initials (empty, emoji only …). @default 'C' */
  placeholder?: string;
  /**
   * Put the name in the SVG as its accessible name (`role="img"`, `aria-label`). Off by default:
   * the `<img>` around it carries the `alt` text, and the avatar is then `aria-hidden`.
   * @default false
   */
  label?: boolean;
  /**
   * Emit URLs of the avatar route (`logo-fallback/server`) under this path or URL, such as
   * `'/avatars/'`, instead of `data:` URLs: `/avatars/AC.svg?size=64&shape=square&bg=1d4ed8`.
   * Give the route the same style options. The URL carries the initials, never the name.
   * A call may ask for the other format (`logos.logo(record, { format: 'png' })`): the URL then
   * ends in `.png` (or `.svg`), at the same size.
   * @default undefined (data: URLs)
   */
  route?: string;
  /**
   * `'png'` draws PNG images instead of SVG — for e-mail, PDFs and social cards, where SVG or
   * `data:` URLs do not work: `data:image/png;base64,…` URLs, or with `route` the route's `.png`
   * URLs (`/avatars/AC.png?size=128&…`, served by `avatarHandler({ png: true })`). Without `route`
   * it needs the optional dependency `@resvg/resvg-js`. Without `route`, a call's own `format`
   * is ignored: a `data:` URL keeps the format chosen here (e-mail clients block `data:` images
   * anyway; use `route` for them).
   * @default 'svg'
   */
  format?: 'svg' | 'png';
  /** The largest size drawn, 16–512 px: sizes asked for are clamped to it. @default 512 */
  maxSize?: number;
  /** PNG: font files (TTF, OTF, TTC) tried before the shipped Noto subsets. @default [] */
  fontFiles?: readonly string[];
  /** PNG: whether the system's fonts draw what the shipped and given fonts lack. @default true */
  systemFonts?: boolean;
}

const OWNER = 'initialsAvatar()';
const KNOWN = optionKeys<InitialsAvatarOptions>()([
  ...AVATAR_STYLE_KEYS, 'size', 'shape', 'palette', 'length', 'uppercase', 'placeholder', 'label', 'route', 'format', 'maxSize', 'fontFiles', 'systemFonts',
]);
const MEMO_MAX = 1024;
const DATA_URL_PREFIX = 'data:image/svg+xml,';
const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';

function shapeOption(value: unknown): AvatarShape {
  if (value === undefined) return 'square';
  if (typeof value === 'string' && (AVATAR_SHAPES as readonly string[]).includes(value)) return value as AvatarShape;
  throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: "shape" must be one of ${AVATAR_SHAPES.map((s) => `"${s}"`).join(', ')}, got ${JSON.stringify(value)}`);
}

function paletteOption(options: InitialsAvatarOptions, style: ReturnType<typeof resolveStyle>): AvatarColors[] | undefined {
  const { palette } = options;
  if (palette === undefined && style.textColor === undefined && style.minContrast === 4.5) return undefined; // the default, prepared once
  const colors = palette ?? DEFAULT_PALETTE;
  if (!Array.isArray(colors) || colors.length === 0) {
    throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: "palette" must be a non-empty array of hex colours such as ["#1e3a8a", "#0f766e"]`);
  }
  const contrastOptions = { minContrast: style.minContrast, ...(style.textColor === undefined ? {} : { text: style.textColor }) };
  return createPalette(colors, contrastOptions, (index) => {
    throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: "palette[${index}]" must be a hex colour such as "#1e3a8a", got ${JSON.stringify(colors[index])}`);
  });
}

/**
 * An avatar provider that draws initials on a colour as a small SVG `data:` URL. The same name
 * always gives the same picture; the text contrasts at least 4.5:1 with its background. Needs
 * `img-src data:` where a Content-Security-Policy is set (or use `route`).
 *
 * @example
 * ```ts
 * const logos = createLogoResolver({ avatar: initialsAvatar({ size: 34, shape: 'circle' }) });
 * initialsAvatar()({ name: 'Hewlett-Packard' });
 * // 'data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22%20width=%2264%22…HP%3C/text%3E%3C/svg%3E'
 * initialsAvatar({ route: '/avatars/' })({ name: 'Hewlett-Packard' });
 * // '/avatars/HP.svg?size=64&shape=square&bg=…'
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for a bad option or a key {@link InitialsAvatarOptions}
 * does not have (the message names the known keys); `MISSING_DEPENDENCY` for
 * `format: 'png'` without `route` when `@resvg/resvg-js` is not installed.
 */
export function initialsAvatar(options: InitialsAvatarOptions = {}): AvatarProvider {
  return initialsAvatarWith(options, {});
}

/** {@link initialsAvatar} with the PNG rasteriser swapped (tests, the bench); not exported by the package. */
export function initialsAvatarWith(given: InitialsAvatarOptions, internals: Pick<PngRendererOptions, 'load' | 'rasterizer'>): AvatarProvider {
  const options = readOptions<InitialsAvatarOptions>(given, KNOWN, 'the options', OWNER);
  const style = resolveStyle(options, OWNER);
  if (options.format !== undefined && options.format !== 'svg' && options.format !== 'png') {
    throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: "format" must be "svg" or "png", got ${JSON.stringify(options.format)}`);
  }
  const png = options.format === 'png';
  const maxSize = numberOption(options.maxSize, 'maxSize', OWNER, { min: 16, max: PNG_MAX_SIZE, fallback: PNG_MAX_SIZE, integer: true });
  const size = numberOption(options.size, 'size', OWNER, { min: 16, max: maxSize, fallback: Math.min(maxSize, png ? PNG_DEFAULT_SIZE : 64), integer: true });
  const shape = shapeOption(options.shape);
  const palette = paletteOption(options, style);
  const length = numberOption(options.length, 'length', OWNER, { min: 1, max: 3, fallback: 2, integer: true });
  const initialsOptions = { ...(options.length === undefined ? {} : { length }), uppercase: booleanOption(options.uppercase, 'uppercase', OWNER, true) };
  const placeholder = options.placeholder ?? 'C';
  const placeholderInitials = typeof placeholder === 'string' ? initials(placeholder, initialsOptions) : '';
  if (placeholderInitials === '') {
    throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: "placeholder" must be a name with at least one letter or digit, got ${showValue(placeholder)}`);
  }
  const route = options.route === undefined ? undefined : normalizeBaseUrl(options.route, 'route', OWNER);
  const fontFiles = stringListOption(options.fontFiles, 'fontFiles', OWNER);
  const systemFonts = booleanOption(options.systemFonts, 'systemFonts', OWNER, true);
  const label = booleanOption(options.label, 'label', OWNER, false);
  // Drawing PNGs here (not through the route) needs the rasteriser now: fail at start-up, not per render.
  let renderer: PngRenderer | undefined;
  if (png && route === undefined) {
    renderer = createPngRenderer({ ...(fontFiles === undefined ? {} : { fontFiles }), systemFonts, ...internals }, OWNER);
    if (!renderer.covers(placeholderInitials)) {
      throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: no font has the glyphs of the placeholder's initials ${JSON.stringify(placeholderInitials)}; pick a placeholder in a script the fonts cover`);
    }
  }
  const routeTail = `&shape=${shape}`;
  const fixedText = style.textColor === undefined ? '' : `&fg=${style.textColor.slice(1)}`;
  const memo = new LRUCache<string, string>({ max: MEMO_MAX });
  const otherMemo = new LRUCache<string, string>({ max: MEMO_MAX });
  const ownExtension = png ? '.png' : '.svg';

  function draw(name: string, px: number, extension: '.svg' | '.png'): string {
    let letters = initials(name, initialsOptions);
    let colorName = name;
    if (letters === '') {
      letters = placeholderInitials;
      colorName = placeholder;
    }
    const colors = pickColors(colorName, palette);
    if (route !== undefined) {
      return `${route}${encodeSegment(letters)}${extension}?size=${px}${routeTail}&bg=${colors.background.slice(1)}${fixedText}`;
    }
    if (renderer !== undefined) {
      const bytes = renderer.render({ initials: letters, size: px, shape, colors }, style, placeholderInitials);
      return PNG_DATA_URL_PREFIX + bytes.toString('base64');
    }
    return DATA_URL_PREFIX + drawAvatar({ initials: letters, size: px, shape, colors, label: label ? name : undefined }, style, encodedSvg);
  }

  return (subject) => {
    // Never throws, whatever it is handed (a null, a Proxy, a throwing getter): the placeholder then.
    const { name, size: wanted, format } = readSubject(subject);
    const px = wanted === undefined ? size : Math.max(16, Math.min(maxSize, wanted));
    // Only a route URL can switch format per call; a data: URL keeps the provider's own.
    const extension = route === undefined || format === undefined ? ownExtension : format === 'png' ? '.png' : '.svg';
    // Names are cut to a bounded prefix that decides everything drawn: a memo key of bounded size.
    // The provider's own size and format are the common case: keyed by the name alone, in a memo of its own.
    const other = px !== size || extension !== ownExtension;
    const cache = other ? otherMemo : memo;
    const key = other ? `${px}${extension}\u0000${name}` : name;
    let url = cache.get(key);
    if (url === undefined) {
      url = draw(name, px, extension);
      cache.set(key, url);
    }
    return url;
  };
}
