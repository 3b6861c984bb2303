/**
 * The media route as a Koa middleware. Typed by the few members it uses, so that the package does
 * not depend on Koa.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LogoResolver } from '../resolver-types.js';
import type { MediaRouteOptions } from './media-options.js';
import { createMediaRoute } from './media-route.js';

/** The members of a Koa context the middleware reads and sets. */
export interface KoaContextLike {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  status: number;
  body: unknown;
  set(values: Record<string, string>): void;
}

/** A Koa middleware: pass it to `app.use()`. */
export type MediaKoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<unknown>;

/** Statuses Koa sends without a body (it drops one set for them). */
const EMPTY = new Set([204, 205, 304]);

/**
 * The media route of {@link mediaHandler} as a Koa middleware; requests outside `prefix` go to
 * `next()`. Mount it without a path (it matches `ctx.url`, the whole path).
 *
 * @example
 * ```ts
 * app.use(mediaKoaMiddleware(logos, { nameFor: (key) => db.companyByLogo(key) }));
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for bad options or a resolver whose storage the route cannot serve.
 */
export function mediaKoaMiddleware(logos: LogoResolver, options: MediaRouteOptions = {}): MediaKoaMiddleware {
  const route = createMediaRoute(logos, options, 'mediaKoaMiddleware()');
  return async (ctx, next) => {
    const answer = await route({ method: ctx.method, target: ctx.url, headers: ctx.headers });
    if (answer === undefined) return next();
    ctx.status = answer.status;
    // Koa turns a missing body into 204 and sets its own Content-Type and Content-Length for a
    // body: set the body first (an empty one for HEAD), then the route's headers over Koa's.
    ctx.body = answer.body ?? (EMPTY.has(answer.status) ? null : '');
    ctx.set(answer.headers);
    return undefined;
  };
}
