/**
 * The avatar route for Node's `http` server, Express and Connect: `(req, res, next?)`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAvatarResponder, type AvatarRouteOptions } from './avatar-response.js';

/** A Node `http` / Connect / Express handler. */
export type AvatarHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Serves `GET <route><initials>.svg?size=&shape=&bg=` (the URLs `initialsAvatar({ route })` emits)
 * with a strong `ETag`, `304` on `If-None-Match`, a year of immutable caching, `nosniff` and a
 * Content-Security-Policy without scripts. Bad parameters get `400` with a plain message (a size
 * out of 16–512 is clamped); other paths under the route `404`. Requests outside the route go to
 * `next`, or get `404` without one.
 *
 * @example
 * ```ts
 * app.use(avatarHandler());                                   // Express / Connect
 * http.createServer(avatarHandler({ route: '/avatars/' }));   // plain Node
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for bad options.
 */
export function avatarHandler(options: AvatarRouteOptions = {}): AvatarHandler {
  const respond = createAvatarResponder(options, 'avatarHandler()');
  return (req, res, next) => {
    let answer;
    try {
      answer = respond(req.method ?? 'GET', req.url ?? '/', req.headers['if-none-match']);
    } catch (error) {
      // Nothing in a request should get here; if it does, it is the app's error handler's turn.
      if (next) next(error);
      else if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
      return;
    }
    if (answer === undefined) {
      if (next) {
        next();
        return;
      }
      answer = { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: 'Not Found\n' };
    }
    res.writeHead(answer.status, answer.headers);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };
}
