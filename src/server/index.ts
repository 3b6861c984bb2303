/**
 * logo-fallback/server: the avatar route, serving the URLs `initialsAvatar({ route })` emits, and
 * the media route, serving stored files or falling back to the avatar route.
 */
export { avatarHandler } from './avatar-handler.js';
export type { AvatarHandler } from './avatar-handler.js';
export { avatarFetchHandler } from './avatar-fetch-handler.js';
export type { AvatarFetchHandler } from './avatar-fetch-handler.js';
export type { AvatarRouteOptions } from './avatar-response.js';
export type { AvatarShape, AvatarStyleOptions } from '../avatars/draw.js';
export { mediaHandler } from './media-handler.js';
export type { MediaHandler } from './media-handler.js';
export { mediaFetchHandler } from './media-fetch-handler.js';
export type { MediaFetchHandler } from './media-fetch-handler.js';
export { mediaFastifyPlugin } from './media-fastify.js';
export type { MediaFastifyPlugin, FastifyInstanceLike, FastifyRequestLike, FastifyReplyLike } from './media-fastify.js';
export { mediaKoaMiddleware } from './media-koa.js';
export type { MediaKoaMiddleware, KoaContextLike } from './media-koa.js';
export type { MediaRouteOptions, MediaNameLookup, MediaPermission } from './media-options.js';
export type { MediaRequest } from './media-route.js';
export { NAME_LOOKUPS_IN_FLIGHT } from './media-options.js';
