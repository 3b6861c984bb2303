/**
 * The avatar route's one request → response logic, shared by the Node `http` handler and the
 * fetch handler: `GET <route><initials>.svg?size=&shape=&bg=&fg=` draws the same SVG as
 * `initialsAvatar()` would for those parameters.
 */
import { parseHex, pickColors, repairColor } from '../avatars/colors.js';
import { AVATAR_SHAPES, drawAvatar, resolveStyle, type AvatarShape, type AvatarStyleOptions } from '../avatars/draw.js';
import { isInitials } from '../avatars/initials.js';
import { LogoFallbackError } from '../errors.js';
import { normalizeBaseUrl, numberOption } from '../options.js';

/** Options of the avatar route handlers. Give them the same style options as `initialsAvatar({ route })`. */
export interface AvatarRouteOptions extends AvatarStyleOptions {
  /** The path the route answers under, path-absolute. @default '/avatars/' */
  route?: string;
  /** The size when the URL has none, 16–512. @default 64 */
  size?: number;
  /** The shape when the URL has none. @default 'square' */
  shape?: AvatarShape;
}

/** A response to send: status, headers and a body (empty for HEAD and 304). */
export interface AvatarRouteResponse {
  /** The HTTP status: 200, 304, 400, 404 or 405. */
  status: number;
  /** Header names as sent. */
  headers: Record<string, string>;
  /** The SVG or a plain-text message. */
  body: string;
}

/** Answers one request; `undefined` when the path is not under the route (the caller passes it on). */
export type AvatarResponder = (method: string, target: string, ifNoneMatch: string | null | undefined) => AvatarRouteResponse | undefined;

const SVG_HEADERS = {
  'Content-Type': 'image/svg+xml',
  'Cache-Control': 'public, max-age=31536000, immutable',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;
const TEXT_HEADERS = {
  'Content-Type': 'text/plain; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;
const SVG_FILE = /^([^/]+)\.svg$/;
const DIGITS = /^\d+$/;
const encoder = new TextEncoder();

/** A strong validator for a body: a 53-bit hash (cyrb53) in base 36 and the length. No crypto module needed (Workers). */
function entityTag(body: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
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
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "route" must be a path such as "/avatars/", got ${JSON.stringify(value)}`);
  }
  return route;
}

/** Builds the responder for a set of route options; bad options throw {@link LogoFallbackError} at once. */
export function createAvatarResponder(options: AvatarRouteOptions, owner: string): AvatarResponder {
  if (options === null || typeof options !== 'object') throw new LogoFallbackError('INVALID_OPTION', `${owner}: the options must be an object`);
  const style = resolveStyle(options, owner);
  const route = routeOption(options.route, owner);
  const defaultSize = numberOption(options.size, 'size', owner, { min: 16, max: 512, fallback: 64, integer: true });
  const defaultShape = options.shape ?? 'square';
  if (!AVATAR_SHAPES.includes(defaultShape)) {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "shape" must be one of ${AVATAR_SHAPES.join(', ')}, got ${JSON.stringify(options.shape)}`);
  }

  function draw(path: string, query: URLSearchParams): AvatarRouteResponse | { svg: string } {
    const file = SVG_FILE.exec(path.slice(route.length));
    if (!file) return text(404, 'Not Found');
    let letters: string;
    try {
      letters = decodeURIComponent(file[1] as string);
    } catch {
      return text(400, 'Bad Request: the initials are not valid percent-encoded UTF-8');
    }
    if (!isInitials(letters)) return text(400, 'Bad Request: the initials must be one to three letters or digits');

    const sizeParam = query.get('size');
    if (sizeParam !== null && !DIGITS.test(sizeParam)) return text(400, 'Bad Request: size must be a whole number of pixels (16 to 512)');
    const size = sizeParam === null ? defaultSize : Math.max(16, Math.min(512, Number(sizeParam)));
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
    return { svg: drawAvatar({ initials: letters, size, shape: shapeParam as AvatarShape, colors }, style) };
  }

  return (method, target, ifNoneMatch) => {
    const cut = target.search(/[?#]/);
    const path = cut === -1 ? target : target.slice(0, cut);
    if (!path.startsWith(route)) return undefined;
    if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    const search = cut === -1 || target[cut] === '#' ? '' : target.slice(cut + 1).split('#')[0] ?? '';
    const drawn = draw(path, new URLSearchParams(search));
    if (!('svg' in drawn)) return method === 'HEAD' ? { ...drawn, body: '' } : drawn;
    const etag = entityTag(drawn.svg);
    if (matchesTag(ifNoneMatch, etag)) {
      const { 'Content-Type': _type, ...rest } = SVG_HEADERS;
      return { status: 304, headers: { ...rest, ETag: etag }, body: '' };
    }
    const headers = { ...SVG_HEADERS, ETag: etag, 'Content-Length': String(encoder.encode(drawn.svg).length) };
    return { status: 200, headers, body: method === 'HEAD' ? '' : drawn.svg };
  };
}
