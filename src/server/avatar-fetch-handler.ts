/**
 * The avatar route for fetch-style servers: `Request` → `Response` (Hono, Fastify through its web
 * adapter, Cloudflare Workers, Deno, Bun).
 */
import { createAvatarResponder, type AvatarRouteOptions } from './avatar-response.js';

/** A fetch-style handler. */
export type AvatarFetchHandler = (request: Request) => Response;

/**
 * Serves the avatar route as {@link avatarHandler} does, for `Request`/`Response` servers. A
 * request outside the route gets `404`, so mount it on the route's path.
 *
 * @example
 * ```ts
 * const avatars = avatarFetchHandler();
 * app.get('/avatars/*', (c) => avatars(c.req.raw));   // Hono
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for bad options.
 */
export function avatarFetchHandler(options: AvatarRouteOptions = {}): AvatarFetchHandler {
  const respond = createAvatarResponder(options, 'avatarFetchHandler()');
  return (request) => {
    const url = new URL(request.url);
    const answer = respond(request.method, `${url.pathname}${url.search}`, request.headers.get('if-none-match')) ?? {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
      body: 'Not Found\n',
    };
    const empty = request.method === 'HEAD' || answer.status === 304;
    return new Response(empty ? null : answer.body, { status: answer.status, headers: answer.headers });
  };
}
