/**
 * The media route for fetch-style servers: `Request` → `Response` (Hono, Deno, Bun, Workers with
 * a remote storage).
 */
import { Readable } from 'node:stream';
import type { LogoResolver } from '../resolver-types.js';
import type { MediaRouteOptions } from './media-options.js';
import { createMediaRoute, type MediaAnswer } from './media-route.js';

/** A fetch-style handler. */
export type MediaFetchHandler = (request: Request) => Promise<Response>;

/** A route's answer as a `Response`; a file stream becomes a web stream that closes the file when the client goes away. */
export function toResponse(answer: MediaAnswer): Response {
  const { body } = answer;
  const webBody = body === undefined || typeof body === 'string' || body instanceof Uint8Array ? body : (Readable.toWeb(body) as ReadableStream<Uint8Array>);
  return new Response(webBody ?? null, { status: answer.status, headers: answer.headers });
}

/**
 * Serves the media route as {@link mediaHandler} does, for `Request`/`Response` servers. A request
 * outside `prefix` gets `404`, so mount it on the prefix (`app.all('/media/*', …)`).
 *
 * @example
 * ```ts
 * const media = mediaFetchHandler(logos);
 * app.all('/media/*', (c) => media(c.req.raw));   // Hono
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for bad options or a resolver whose storage the route cannot serve.
 */
export function mediaFetchHandler(logos: LogoResolver, options: MediaRouteOptions = {}): MediaFetchHandler {
  const route = createMediaRoute(logos, options, 'mediaFetchHandler()');
  return async (request) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await route({ method: request.method, target: `${url.pathname}${url.search}`, headers });
    if (answer !== undefined) return toResponse(answer);
    return new Response(request.method === 'HEAD' ? null : 'Not Found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } });
  };
}
