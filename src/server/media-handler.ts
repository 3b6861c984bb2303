/**
 * The media route for Node's `http` server, Connect and Express: `(req, res, next?)`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { LogoResolver } from '../resolver-types.js';
import type { MediaRouteOptions } from './media-options.js';
import { createMediaRoute, type MediaAnswer } from './media-route.js';

/** A Node `http` / Connect / Express handler. */
export type MediaHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

const NOT_FOUND = 'Not Found\n';

/** Writes a route's answer to a Node response; a file stream is piped, and destroyed if the client goes away. */
export function writeAnswer(res: ServerResponse, answer: MediaAnswer): void {
  res.writeHead(answer.status, answer.headers);
  const { body } = answer;
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body);
    return;
  }
  // A read error half-way cannot change the status any more: the connection is cut, so that the
  // client sees a truncated body, never a complete-looking wrong one.
  pipeline(body, res).catch(() => res.destroy());
}

/**
 * Serves `GET`/`HEAD <prefix><key>`: the file when the resolver finds it (streamed from a local
 * storage with `@fastify/send`: ETag, Last-Modified, `304`, Range; a remote storage's URL by
 * `302`), else a `307` to the avatar route with `Cache-Control: no-store` and
 * `X-Logo-Fallback: missing | unsafe | fault | denied` (or a `404` with the avatar as its body,
 * with `fallback: 'status'`). A local file is opened once and checked inside the root before a
 * byte is sent (on Linux through `/proc/self/fd`, so a symlink swapped in meanwhile changes
 * nothing); with `accelRedirect`, nginx sends it (`X-Accel-Redirect`). `allow` is the app's
 * permission check: a denied key gets the placeholder's avatar. Only raster image types are served inline; anything else (SVG, HTML) as
 * an `application/octet-stream` attachment; always `X-Content-Type-Options: nosniff` and
 * `Content-Security-Policy: default-src 'none'; sandbox`. Other methods get `405`. Requests
 * outside `prefix` go to `next`, or get `404` without one. It matches the whole request path
 * (Express's and Connect's `originalUrl`), so `app.use(mediaHandler(logos))` and
 * `app.use('/media', mediaHandler(logos))` are the same.
 *
 * @example
 * ```ts
 * app.use(mediaHandler(logos, { nameFor: (key) => db.companyByLogo(key) }));   // Express / Connect
 * app.use(mediaHandler(logos, { allow: (key) => db.isPublished(key), accelRedirect: '/_protected_media/' }));   // behind nginx
 * app.use(avatarHandler());                                                     // where it redirects
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for bad options or a resolver whose storage the route cannot serve.
 */
export function mediaHandler(logos: LogoResolver, options: MediaRouteOptions = {}): MediaHandler {
  const route = createMediaRoute(logos, options, 'mediaHandler()');
  return (req, res, next) => {
    // Express and Connect strip a mount path from req.url and keep the whole one in originalUrl:
    // the prefix is a public path, so it is matched against the whole one.
    const target = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
    route({ method: req.method ?? 'GET', target: typeof target === 'string' ? target : (req.url ?? '/'), headers: req.headers }).then(
      (answer) => {
        if (answer !== undefined) return writeAnswer(res, answer);
        if (next) return next();
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': String(NOT_FOUND.length) });
        res.end(req.method === 'HEAD' ? undefined : NOT_FOUND);
      },
      // The route never rejects; writing may throw on a response already ended by someone else.
      (error: unknown) => (next ? next(error) : res.destroy()),
    );
  };
}
