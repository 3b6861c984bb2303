/**
 * logo-fallback: a company's logo when the file exists in storage, an avatar when it does not.
 * Engine adapters live in `logo-fallback/nunjucks`, `/handlebars` and `/liquid`.
 */
export { createLogoResolver } from './resolver.js';
export type { LogoResolver, LogoCallOptions, LogoLookup, PrefetchOptions, PrefetchPrefix } from './resolver.js';
export type { LogoLookupAbsent, LogoLookupExternal, LogoLookupPresent } from './resolver-types.js';
export type { LogoResolverOptions, CacheOptions, BreakerOptions, FieldOptions } from './resolver-options.js';
export { fsStorage } from './storage/fs.js';
export type { FsStorageOptions } from './storage/fs.js';
export { httpStorage } from './storage/http.js';
export type { HttpStorageOptions } from './storage/http.js';
export { s3Storage } from './storage/s3.js';
export type { S3StorageOptions } from './storage/s3.js';
export { unstorageStorage, unstorageKey } from './storage/unstorage.js';
export type { UnstorageStorageOptions, UnstorageLike } from './storage/unstorage.js';
export type { Storage, StorageEntry } from './storage/types.js';
export type { SharedTier, SharedTierConnection, SharedTierContext, Found, StorageCheck } from './shared/types.js';
export { uiAvatars } from './avatars/ui-avatars.js';
export type { UiAvatarsOptions } from './avatars/ui-avatars.js';
export { initialsAvatar, svgDataUrl } from './avatars/svg.js';
export type { InitialsAvatarOptions, AvatarShape, AvatarStyleOptions } from './avatars/svg.js';
export { DEFAULT_PALETTE, MIN_CONTRAST, bestTextColor, colorsFor, contrast, luminance, repairColor } from './avatars/colors.js';
export type { AvatarColors, ContrastOptions } from './avatars/colors.js';
export { initials, MAX_NAME_LENGTH } from './avatars/initials.js';
export type { InitialsOptions } from './avatars/initials.js';
export type { AvatarFormat, AvatarProvider, AvatarSubject } from './avatars/types.js';
export { LogoFallbackError } from './errors.js';
export type { LogoFallbackErrorCode, LogoFallbackErrorDetails } from './errors.js';
export { escapeHtml, isAttributeSafe, isSafeUrl, type UrlUse } from './escape.js';
export { parseReference, keyProblem, encodeKey, encodeSegment, MAX_KEY_BYTES } from './keys.js';
export type { Reference, KeyContext } from './keys.js';
