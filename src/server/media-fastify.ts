/**
 * The media route as a Fastify plugin. Typed by the few members it uses, so that the package
 * does not depend on Fastify.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LogoResolver } from '../resolver-types.js';
import type { MediaRouteOptions } from './media-options.js';
import { createMediaRoute } from './media-route.js';

/** The members of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: { readonly url?: string | undefined };
}

/** The members of a Fastify reply the plugin calls. */
export interface FastifyReplyLike {
  code(status: number): unknown;
  headers(values: Record<string, string>): unknown;
  send(payload?: unknown): unknown;
  callNotFound(): void;
}

/** The member of a Fastify instance the plugin calls. */
export interface FastifyInstanceLike {
  all(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

/** A Fastify plugin: pass it to `fastify.register()`. */
export type MediaFastifyPlugin = (instance: FastifyInstanceLike, options: unknown) => Promise<void>;

/**
 * The media route of {@link mediaHandler} as a Fastify plugin: it registers `<prefix>*` for every
 * method. Register it without a `prefix` option of Fastify's (the route matches the whole path).
 *
 * @example
 * ```ts
 * await fastify.register(mediaFastifyPlugin(logos, { nameFor: (key) => db.companyByLogo(key) }));
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for bad options or a resolver whose storage the route cannot serve.
 */
export function mediaFastifyPlugin(logos: LogoResolver, options: MediaRouteOptions = {}): MediaFastifyPlugin {
  const route = createMediaRoute(logos, options, 'mediaFastifyPlugin()');
  return async (instance) => {
    instance.all(`${route.prefix}*`, async (request, reply) => {
      const answer = await route({ method: request.method, target: request.raw.url ?? '/', headers: request.headers });
      if (answer === undefined) return reply.callNotFound();
      reply.code(answer.status);
      reply.headers(answer.headers);
      return reply.send(answer.body);
    });
  };
}
