/**
 * The demo's avatar route (`/avatars/`) and the resolver of its e-mail column: what an e-mail
 * would get for each company — the logo's own URL, else the route's PNG avatar. PNG needs the
 * optional dependency `@resvg/resvg-js`; without it the route serves SVG only, the column asks for
 * SVG, and the page says why, instead of the app refusing to start.
 */
import { createLogoResolver, initialsAvatar, LogoFallbackError, type LogoResolver, type LogoResolverOptions } from '../../src/index.js';
import { avatarHandler, type AvatarHandler } from '../../src/server/index.js';

/** Where the route answers; the e-mail column's avatar URLs start with it. */
export const AVATAR_ROUTE = '/avatars/';
/** The e-mail column's avatar size, px: twice the 34 px it is shown at, as e-mail templates do for high-density screens. */
export const EMAIL_AVATAR_SIZE = 68;

/** The route and the e-mail column, as far as this installation can draw them. */
export interface AvatarRoute {
  /** Serves `/avatars/<initials>.svg` and, when `format` is `'png'`, `.png`; other paths answer 404. */
  handle: AvatarHandler;
  /** The resolver of the e-mail column (the app's storage, avatars from the route). */
  logos: LogoResolver;
  /** What the e-mail column asks the resolver for: `'png'`, or `'svg'` when PNG cannot be drawn here. */
  format: 'png' | 'svg';
  /** Why PNG is off (the package's own message), when it is. */
  pngUnavailable?: string;
}

/**
 * Builds the route with PNG when `@resvg/resvg-js` loads, else SVG only (its `MISSING_DEPENDENCY`
 * error becomes {@link AvatarRoute.pngUnavailable}). Any other error is a bug and is thrown.
 * `resolver` holds the e-mail column's resolver options but the avatar (storage, onError).
 */
export function createAvatarRoute(resolver: Omit<LogoResolverOptions, 'avatar'>): AvatarRoute {
  // The e-mail column asks per call (`{ format }`): one resolver whose route URLs are .png or .svg.
  const logos = createLogoResolver({ ...resolver, avatar: initialsAvatar({ route: AVATAR_ROUTE, size: EMAIL_AVATAR_SIZE }) });
  try {
    return { handle: avatarHandler({ route: AVATAR_ROUTE, png: true }), logos, format: 'png' };
  } catch (error) {
    if (!(error instanceof LogoFallbackError) || error.code !== 'MISSING_DEPENDENCY') throw error;
    return { handle: avatarHandler({ route: AVATAR_ROUTE }), logos, format: 'svg', pngUnavailable: error.message };
  }
}
