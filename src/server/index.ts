/**
 * logo-fallback/server: the avatar route, serving the URLs `initialsAvatar({ route })` emits.
 */
export { avatarHandler } from './avatar-handler.js';
export type { AvatarHandler } from './avatar-handler.js';
export { avatarFetchHandler } from './avatar-fetch-handler.js';
export type { AvatarFetchHandler } from './avatar-fetch-handler.js';
export type { AvatarRouteOptions } from './avatar-response.js';
export type { AvatarShape, AvatarStyleOptions } from '../avatars/draw.js';
