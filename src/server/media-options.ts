/**
 * The media route's options: what they mean, their defaults, and their checks at construction.
 */
import { initialsAvatar, type InitialsAvatarOptions } from '../avatars/svg.js';
import type { AvatarProvider } from '../avatars/types.js';
import { LogoFallbackError } from '../errors.js';
import { checkKnownKeys, msOption, normalizeBaseUrl, showValue } from '../options.js';
import type { LogoResolver } from '../resolver-types.js';
import type { MediaRequest } from './media-route.js';

/**
 * Looks up the display name for a storage key whose file cannot be served (a database query: the
 * company whose logo it is). Returns a name, a record (read through the resolver's `fields.name`),
 * or nothing (the avatar's placeholder). May be async; may throw or hang: it gets `nameTimeout` ms,
 * and `signal` aborts when they are over.
 */
export type MediaNameLookup = (key: string, context: { readonly signal: AbortSignal }) => unknown;

/**
 * The app's permission check for one storage key (Horilla's media requires a login; the demo app
 * serves only files that are some company's logo). `request` carries the method, the target and
 * the headers (cookies, `Authorization`). Only `true` allows; anything else denies. May be async;
 * may throw or hang: it gets `allowTimeout` ms, and `signal` aborts when they are over.
 */
export type MediaPermission = (key: string, context: { readonly request: MediaRequest; readonly signal: AbortSignal }) => unknown;

/** Options of {@link mediaHandler} and {@link mediaFetchHandler} (and the Fastify and Koa glue). */
export interface MediaRouteOptions {
  /**
   * The path the media is requested under, path-absolute with a trailing slash. Requests outside
   * it are passed on (`next()`, `undefined`). The part after it is a storage key, percent-encoded
   * as `storage.url()` encodes it.
   * @default '/media/'
   */
  prefix?: string;
  /**
   * Where the app serves the avatar route (`avatarHandler()` from this module), a path or an
   * http(s) URL: a miss is redirected to `<avatarRoute><initials>.svg?size=…`. Must not lie under
   * `prefix`.
   * @default '/avatars/'
   */
  avatarRoute?: string;
  /**
   * The avatar's style: the options you give `avatarHandler()` and `initialsAvatar()` (size,
   * shape, colours, font; `format: 'png'` for `.png` URLs, served by `avatarHandler({ png: true })`).
   * @default {} (initialsAvatar's defaults: 64 px squares)
   */
  avatar?: Omit<InitialsAvatarOptions, 'route'>;
  /** The name for a key that cannot be served; without it, every fallback shows the placeholder's avatar. Never asked about a denied key (the name would tell whose file it is). */
  nameFor?: MediaNameLookup;
  /**
   * The app's permission check, asked for every key that passes the key rules, before the storage
   * is. A denied key is answered like a missing one — the fallback, with the placeholder's avatar
   * and `X-Logo-Fallback: denied` — so a page never shows a broken image, and the answer does not
   * tell whether the file exists. A check that throws or outlives `allowTimeout` is a `fault`.
   * @default undefined (every key is allowed)
   */
  allow?: MediaPermission;
  /**
   * How long `allow` may take, ms; then the file is not sent (`X-Logo-Fallback: fault`) and a
   * `TIMEOUT` is reported. At most {@link NAME_LOOKUPS_IN_FLIGHT} checks run at once; past that, the same.
   * @default 300
   */
  allowTimeout?: number;
  /**
   * Let nginx send local files: an allowed, present file is answered with an empty `200` and
   * `X-Accel-Redirect: <accelRedirect><path>` (its real path under the root — a symlink inside
   * the root resolved — percent-encoded as in URLs), which nginx serves from an `internal`
   * location (`alias` to the storage's root, `disable_symlinks on`). The file is opened and
   * checked here first, as for sending it. A path with a leading and a
   * trailing slash, not under `prefix`; local storages only. Conditional and range requests are
   * then nginx's to answer.
   * @default undefined (the route sends the file itself)
   */
  accelRedirect?: string;
  /**
   * How long `nameFor` may take, ms; then the placeholder's avatar is sent and a `TIMEOUT` is
   * reported. At most {@link NAME_LOOKUPS_IN_FLIGHT} lookups run at once; past that, the placeholder.
   * @default 300
   */
  nameTimeout?: number;
  /**
   * How a key that cannot be served is answered:
   * - `'redirect'`: `307 Temporary Redirect` to the avatar route, `Cache-Control: no-store`;
   * - `'status'`: `404 Not Found` with the avatar itself (SVG, or PNG with `avatar.format: 'png'`)
   *   as the body, `Cache-Control: no-store` — for clients that want the status.
   * Both carry `X-Logo-Fallback: missing | unsafe | fault`.
   * @default 'redirect'
   */
  fallback?: 'redirect' | 'status';
  /**
   * `Cache-Control` of a served file (local storage). A shared cache may then keep a file that is
   * later lost; it never keeps a fallback (`no-store`).
   * @default 'public, max-age=3600'
   */
  cacheControl?: string;
}

/** How many `nameFor` lookups may be in flight at once; a hung database cannot pile up more. */
export const NAME_LOOKUPS_IN_FLIGHT = 64;

const KNOWN = ['prefix', 'avatarRoute', 'avatar', 'nameFor', 'nameTimeout', 'allow', 'allowTimeout', 'accelRedirect', 'fallback', 'cacheControl'] as const;
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** The options after their checks. */
export interface MediaSettings {
  readonly prefix: string;
  readonly fallback: 'redirect' | 'status';
  readonly cacheControl: string;
  readonly nameFor: MediaNameLookup | undefined;
  readonly nameTimeout: number;
  readonly allow: MediaPermission | undefined;
  readonly allowTimeout: number;
  /** The `X-Accel-Redirect` prefix, with its trailing slash; `undefined`: files are sent by the route. */
  readonly accelRedirect: string | undefined;
  /** Draws the redirect's `Location` (`/avatars/AC.svg?…`). */
  readonly routeAvatar: AvatarProvider;
  /** Draws the `data:` URL whose bytes are the `'status'` answer's body (`fallback: 'status'` only). */
  readonly bodyAvatar: AvatarProvider | undefined;
  /** Whether files are streamed from the local disk (a storage with a `root`), else redirected to. */
  readonly local: boolean;
}

function invalid(owner: string, message: string): LogoFallbackError {
  return new LogoFallbackError('INVALID_OPTION', `${owner}: ${message}`);
}

/** Checks the resolver and the options; throws {@link LogoFallbackError} `INVALID_OPTION` for anything wrong. */
export function resolveMediaOptions(logos: LogoResolver, value: MediaRouteOptions | undefined, owner: string): MediaSettings {
  if (logos === null || typeof logos !== 'object' || typeof logos.lookup !== 'function' || typeof logos.storage !== 'object' || logos.storage === null) {
    throw invalid(owner, `the first argument must be a resolver from createLogoResolver(), got ${showValue(logos)}`);
  }
  checkKnownKeys(value, KNOWN, 'the options', owner);
  const options: MediaRouteOptions = value ?? {};
  const prefix = normalizeBaseUrl(options.prefix ?? '/media/', 'prefix', owner);
  if (!prefix.startsWith('/')) throw invalid(owner, `"prefix" must be a path such as "/media/", got ${showValue(options.prefix)}`);
  const avatarRoute = normalizeBaseUrl(options.avatarRoute ?? '/avatars/', 'avatarRoute', owner);
  if (avatarRoute.startsWith(prefix)) {
    throw invalid(owner, `"avatarRoute" ${JSON.stringify(avatarRoute)} lies under "prefix" ${JSON.stringify(prefix)}: a fallback would land on the media route again`);
  }
  const fallback = options.fallback ?? 'redirect';
  if (fallback !== 'redirect' && fallback !== 'status') throw invalid(owner, `"fallback" must be "redirect" or "status", got ${showValue(options.fallback)}`);
  const cacheControl = options.cacheControl ?? 'public, max-age=3600';
  if (typeof cacheControl !== 'string' || cacheControl === '' || !HEADER_VALUE.test(cacheControl)) {
    throw invalid(owner, `"cacheControl" must be a header value such as "public, max-age=3600", got ${showValue(options.cacheControl)}`);
  }
  if (options.nameFor !== undefined && typeof options.nameFor !== 'function') throw invalid(owner, `"nameFor" must be a function (key) => name, got ${showValue(options.nameFor)}`);
  const nameTimeout = msOption(options.nameTimeout, 'nameTimeout', owner, { min: 1, fallback: 300 });
  if (options.allow !== undefined && typeof options.allow !== 'function') throw invalid(owner, `"allow" must be a function (key, { request, signal }) => boolean, got ${showValue(options.allow)}`);
  const allowTimeout = msOption(options.allowTimeout, 'allowTimeout', owner, { min: 1, fallback: 300 });
  const style = options.avatar ?? {};
  if (style === null || typeof style !== 'object') throw invalid(owner, `"avatar" must be an object of initialsAvatar() style options, got ${showValue(options.avatar)}`);
  if ('route' in style) throw invalid(owner, '"avatar.route" is not an option here: give the route as "avatarRoute"');

  const storage = logos.storage;
  const local = typeof storage.root === 'string';
  if (local && typeof storage.stat !== 'function') {
    throw invalid(owner, `the ${storage.name} storage has a local root but no stat(): the route checks each file (and its containment) again before it is sent`);
  }
  const baseUrl = storage.baseUrl;
  if (!local && baseUrl !== undefined && baseUrl.startsWith(prefix)) {
    throw invalid(owner, `the ${storage.name} storage's files are at ${JSON.stringify(baseUrl)}, under "prefix": the route cannot redirect to them; serve them from elsewhere, or use a storage with a local root`);
  }
  const accelRedirect = checkAccelRedirect(options.accelRedirect, prefix, local, storage.name, owner);
  return {
    prefix,
    fallback,
    cacheControl,
    nameFor: options.nameFor,
    nameTimeout,
    allow: options.allow,
    allowTimeout,
    accelRedirect,
    routeAvatar: initialsAvatar({ ...style, route: avatarRoute }),
    bodyAvatar: fallback === 'status' ? initialsAvatar(style) : undefined,
    local,
  };
}

/** The `accelRedirect` option: `undefined`, or a path such as `/_protected_media/` (a location of nginx's, not under `prefix`). */
function checkAccelRedirect(value: unknown, prefix: string, local: boolean, storageName: string, owner: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\/[\x21-\x7e]*\/$/.test(value) || value.includes('//') || /(^|\/)\.\.?\//.test(value)) {
    throw invalid(owner, `"accelRedirect" must be a path with a leading and a trailing slash, such as "/_protected_media/", got ${showValue(value)}`);
  }
  if (value.startsWith(prefix) || prefix.startsWith(value)) {
    throw invalid(owner, `"accelRedirect" ${JSON.stringify(value)} and "prefix" ${JSON.stringify(prefix)} overlap: nginx would send the redirect back to the route`);
  }
  if (!local) throw invalid(owner, `"accelRedirect" needs a storage with a local root (nginx sends the file from disk), not the ${storageName} storage`);
  return value;
}
