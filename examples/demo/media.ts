/**
 * GET /media/<key>: the package's media route (`mediaHandler` from logo-fallback/server) with the
 * app's permission check — only files that are some company's logo are published (a file lying in
 * the volume is not published by being there).
 *
 * What the route guarantees, the demo relies on: the package's key rules (no traversal in any
 * encoding, no dot files); each file opened ONCE and checked inside the media root before a byte
 * is sent (a symlink swapped in meanwhile changes nothing); raster image types only, `nosniff`, a
 * sandbox CSP. Behind nginx (`MEDIA_ACCEL_PREFIX`) it answers `X-Accel-Redirect` instead and nginx
 * sends the file from its `internal` location, refusing symlinks. A logo that is not there, a path
 * that breaks the rules, a fault, or a file that is nobody's logo: a 307 to the avatar route (with
 * the company's name when the file is its logo), never a broken image.
 */
import type { LogoResolver } from '../../src/index.js';
import { mediaHandler, type MediaHandler } from '../../src/server/index.js';
import { AVATAR_ROUTE } from './avatar-route.js';
import type { CompanyStore } from './db.js';

/** Media is cached for 7 days, as nginx's internal location says (`expires 7d`). */
const MEDIA_CACHE_CONTROL = 'public, max-age=604800';

/** The demo's media route over `logos`' storage; `accelPrefix`: nginx's internal location (MEDIA_ACCEL_PREFIX), else the app sends files. */
export function createMediaRoute(logos: LogoResolver, store: CompanyStore, accelPrefix: string | undefined): MediaHandler {
  return mediaHandler(logos, {
    prefix: '/media/',
    avatarRoute: AVATAR_ROUTE,
    allow: (key) => store.isLogo(key),
    nameFor: (key) => store.logoOwner(key), // a company record: the resolver reads its name
    cacheControl: MEDIA_CACHE_CONTROL,
    ...(accelPrefix === undefined ? {} : { accelRedirect: accelPrefix }),
  });
}
