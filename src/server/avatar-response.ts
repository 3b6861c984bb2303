/**
 * The avatar route's one request → response logic, shared by the Node `http` handler and the
 * fetch handler: `GET <route><initials>.svg?size=&shape=&bg=&fg=` draws the same SVG as
 * `initialsAvatar()` would for those parameters.
 */
import { parseHex, pickColors, repairColor } from '../avatars/colors.js';
import { AVATAR_SHAPES, AVATAR_STYLE_KEYS, drawAvatar, resolveStyle, type AvatarShape, type AvatarStyleOptions } from '../avatars/draw.js';
import { initials, isInitials } from '../avatars/initials.js';
import { createPngRenderer, PNG_DEFAULT_SIZE, PNG_MAX_SIZE, PNG_MIN_SIZE, type PngRenderer, type PngRendererOptions } from '../avatars/png/render.js';
import { LogoFallbackError } from '../errors.js';
import { booleanOption, normalizeBaseUrl, numberOption, optionKeys, readOptions, showValue, stringListOption } from '../options.js';

/** Options of the avatar route handlers. Give them the same style options as `initialsAvatar({ route })`. */
export interface AvatarRouteOptions extends AvatarStyleOptions {
  /** The path the route answers under, path-absolute. @default '/avatars/' */
  route?: string;
  /** The size when the URL has none, 16–512. @default 64 */
  size?: number;
  /** The shape when the URL has none. @default 'square' */
  shape?: AvatarShape;
  /**
   * Serve `<route><initials>.png?size=&shape=&bg=&fg=` too (the URLs of `initialsAvatar({ format:
   * 'png', route })`), drawn with `@resvg/resvg-js` (an optional dependency: a clear
   * `LogoFallbackError` at construction without it) in a worker thread whose memory is bounded (see
   * the README's "PNG avatars"). `true` for the defaults. Without it `.png` paths are `404`.
   * @default false
   */
  png?: boolean | AvatarRoutePngOptions;
}

/** PNG options of the avatar route. */
export interface AvatarRoutePngOptions {
  /** The largest size served, 16–512 px; larger sizes get `400`. @default 512 */
  maxSize?: number;
  /** The size when the URL has none, 16–`maxSize` px. @default 128 */
  size?: number;
  /** Drawn when no font has a glyph of the initials: a name whose initials the fonts cover. @default 'C' */
  placeholder?: string;
  /** Font files (TTF, OTF, TTC) tried before the shipped Noto subsets. @default [] */
  fontFiles?: readonly string[];
  /** Whether the system's fonts draw what the shipped and given fonts lack. @default true */
  systemFonts?: boolean;
  /** How many rendered PNGs the memo keeps. @default 1024 */
  cacheEntries?: number;
  /** How many bytes of rendered PNG the memo keeps. @default 16777216 (16 MiB) */
  cacheBytes?: number;
}

/** A response to send: status, headers and a body (empty for HEAD and 304). */
export interface AvatarRouteResponse {
  /** The HTTP status: 200, 304, 400, 404 or 405. */
  status: number;
  /** Header names as sent. */
  headers: Record<string, string>;
  /** The SVG, the PNG bytes or a plain-text message. */
  body: string | Uint8Array;
}

/** Answers one request; `undefined` when the path is not under the route (the caller passes it on). */
export type AvatarResponder = (method: string, target: string, ifNoneMatch: string | null | undefined) => AvatarRouteResponse | undefined;

const SVG_HEADERS = {
  'Content-Type': 'image/svg+xml',
  'Cache-Control': 'public, max-age=31536000, immutable',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;
const PNG_HEADERS = { ...SVG_HEADERS, 'Content-Type': 'image/png' } as const;
const TEXT_HEADERS = {
  'Content-Type': 'text/plain; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;
const KNOWN = optionKeys<AvatarRouteOptions>()([...AVATAR_STYLE_KEYS, 'route', 'size', 'shape', 'png']);
const KNOWN_PNG = optionKeys<AvatarRoutePngOptions>()(['maxSize', 'size', 'placeholder', 'fontFiles', 'systemFonts', 'cacheEntries', 'cacheBytes']);
const IMAGE_FILE = /^([^/]+)\.(svg|png)$/;
const DIGITS = /^\d+$/;
const encoder = new TextEncoder();

/** A strong validator for a body: a 53-bit hash (cyrb53) in base 36 and the length. No crypto module needed (Workers). */
function entityTag(body: string | Uint8Array): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < body.length; i++) {
    const c = typeof body === 'string' ? body.charCodeAt(i) : (body[i] as number);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `"${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}-${body.length.toString(36)}"`;
}

/** `If-None-Match` matches when it lists the tag (compared weakly, as RFC 9110 asks) or is `*`. */
function matchesTag(header: string | null | undefined, tag: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const candidate = part.trim();
    return candidate === '*' || candidate === tag || candidate === `W/${tag}`;
  });
}

function text(status: number, message: string, extra: Record<string, string> = {}): AvatarRouteResponse {
  const body = `${message}\n`;
  return { status, headers: { ...TEXT_HEADERS, ...extra, 'Content-Length': String(encoder.encode(body).length) }, body };
}

function routeOption(value: unknown, owner: string): string {
  const route = normalizeBaseUrl(value ?? '/avatars/', 'route', owner);
  if (!route.startsWith('/')) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "route" must be a path such as "/avatars/", got ${showValue(value)}`);
  }
  return route;
}

interface RoutePng {
  renderer: PngRenderer;
  maxSize: number;
  size: number;
  placeholder: string;
}

/** What tests and the bench swap: the loader checked at construction, the rasteriser. */
export type PngInternals = Pick<PngRendererOptions, 'load' | 'rasterizer'>;

/** The route's PNG settings, the rasteriser loaded (or a {@link LogoFallbackError} now). */
function pngOption(value: unknown, owner: string, internals: PngInternals): RoutePng | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (value === null || typeof value !== 'object')) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "png" must be true, false or an object of PNG options, got ${showValue(value)}`);
  }
  const options = value === true ? {} : readOptions<AvatarRoutePngOptions>(value, KNOWN_PNG, '"png"', owner);
  const maxSize = numberOption(options.maxSize, 'png.maxSize', owner, { min: PNG_MIN_SIZE, max: PNG_MAX_SIZE, fallback: PNG_MAX_SIZE, integer: true });
  const size = numberOption(options.size, 'png.size', owner, { min: PNG_MIN_SIZE, max: maxSize, fallback: Math.min(PNG_DEFAULT_SIZE, maxSize), integer: true });
  const fontFiles = stringListOption(options.fontFiles, 'png.fontFiles', owner);
  const renderer = createPngRenderer({
    ...(fontFiles === undefined ? {} : { fontFiles }),
    systemFonts: booleanOption(options.systemFonts, 'png.systemFonts', owner, true),
    cacheEntries: numberOption(options.cacheEntries, 'png.cacheEntries', owner, { min: 1, max: 1_000_000, fallback: 1024, integer: true }),
    cacheBytes: numberOption(options.cacheBytes, 'png.cacheBytes', owner, { min: 1024, max: 2 ** 31, fallback: 16 * 1024 * 1024, integer: true }),
    ...internals,
  }, owner);
  const placeholder = initials(options.placeholder ?? 'C');
  if (placeholder === '' || !renderer.covers(placeholder)) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "png.placeholder" must be a name whose initials the fonts have glyphs for, got ${showValue(options.placeholder)}`);
  }
  return { renderer, maxSize, size, placeholder };
}

/** Builds the responder for a set of route options; bad options throw {@link LogoFallbackError} at once. */
export function createAvatarResponder(given: AvatarRouteOptions, owner: string, internals: PngInternals = {}): AvatarResponder {
  const options = readOptions<AvatarRouteOptions>(given, KNOWN, 'the options', owner);
  const style = resolveStyle(options, owner);
  const route = routeOption(options.route, owner);
  const defaultSize = numberOption(options.size, 'size', owner, { min: 16, max: 512, fallback: 64, integer: true });
  const defaultShape = options.shape ?? 'square';
  if (!AVATAR_SHAPES.includes(defaultShape)) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "shape" must be one of ${AVATAR_SHAPES.join(', ')}, got ${showValue(options.shape)}`);
  }
  const png = pngOption(options.png, owner, internals);
  const etags = new WeakMap<Uint8Array, string>();

  function draw(path: string, query: URLSearchParams): AvatarRouteResponse | { svg: string } | { png: Uint8Array } {
    const file = IMAGE_FILE.exec(path.slice(route.length));
    if (!file || (file[2] === 'png' && png === undefined)) return text(404, 'Not Found');
    let letters: string;
    try {
      letters = decodeURIComponent(file[1] as string);
    } catch {
      return text(400, 'Bad Request: the initials are not valid percent-encoded UTF-8');
    }
    if (!isInitials(letters)) return text(400, 'Bad Request: the initials must be one to three letters or digits');

    const sizeParam = query.get('size');
    if (sizeParam !== null && !DIGITS.test(sizeParam)) return text(400, 'Bad Request: size must be a whole number of pixels (16 to 512)');
    let size = sizeParam === null ? defaultSize : Math.max(16, Math.min(512, Number(sizeParam)));
    if (file[2] === 'png' && png !== undefined) {
      // A PNG's pixels are allocated: a size out of range is refused before anything is drawn.
      if (sizeParam !== null && (sizeParam.length > 4 || Number(sizeParam) < PNG_MIN_SIZE || Number(sizeParam) > png.maxSize)) {
        return text(400, `Bad Request: a PNG size must be ${PNG_MIN_SIZE} to ${png.maxSize} pixels`);
      }
      size = sizeParam === null ? png.size : Number(sizeParam);
    }
    const shapeParam = query.get('shape') ?? defaultShape;
    if (!(AVATAR_SHAPES as readonly string[]).includes(shapeParam)) return text(400, `Bad Request: shape must be ${AVATAR_SHAPES.join(', ')}`);
    const bgParam = query.get('bg');
    const fgParam = query.get('fg');
    const background = bgParam === null ? undefined : parseHex(bgParam);
    if (bgParam !== null && background === undefined) return text(400, 'Bad Request: bg must be a hex colour such as 1d4ed8');
    const fixedText = fgParam === null ? style.textColor : parseHex(fgParam);
    if (fgParam !== null && fixedText === undefined) return text(400, 'Bad Request: fg must be a hex colour such as ffffff');
    const wanted = background ?? pickColors(letters).background;
    // The route enforces the contrast floor itself, whatever colours a URL asks for.
    const colors = repairColor(wanted, { minContrast: style.minContrast, ...(fixedText === undefined ? {} : { text: fixedText }) });
    if (colors === undefined) return text(400, `Bad Request: no background reaches ${style.minContrast}:1 against fg`);
    const drawing = { initials: letters, size, shape: shapeParam as AvatarShape, colors };
    if (file[2] === 'png' && png !== undefined) return { png: png.renderer.render(drawing, style, png.placeholder) };
    return { svg: drawAvatar(drawing, style) };
  }

  function tagOf(body: string | Uint8Array): string {
    if (typeof body === 'string') return entityTag(body);
    // The memo hands back the same bytes for the same picture: hash them once.
    let tag = etags.get(body);
    if (tag === undefined) {
      tag = entityTag(body);
      etags.set(body, tag);
    }
    return tag;
  }

  return (method, target, ifNoneMatch) => {
    const cut = target.search(/[?#]/);
    const path = cut === -1 ? target : target.slice(0, cut);
    if (!path.startsWith(route)) return undefined;
    if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    const search = cut === -1 || target[cut] === '#' ? '' : target.slice(cut + 1).split('#')[0] ?? '';
    const drawn = draw(path, new URLSearchParams(search));
    if (!('svg' in drawn) && !('png' in drawn)) return method === 'HEAD' ? { ...drawn, body: '' } : drawn;
    const body = 'svg' in drawn ? drawn.svg : drawn.png;
    const etag = tagOf(body);
    if (matchesTag(ifNoneMatch, etag)) {
      const { 'Content-Type': _type, ...rest } = SVG_HEADERS;
      return { status: 304, headers: { ...rest, ETag: etag }, body: '' };
    }
    const length = typeof body === 'string' ? encoder.encode(body).length : body.length;
    const headers = { ...(typeof body === 'string' ? SVG_HEADERS : PNG_HEADERS), ETag: etag, 'Content-Length': String(length) };
    return { status: 200, headers, body: method === 'HEAD' ? '' : body };
  };
}
