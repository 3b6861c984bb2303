/**
 * The media route in each framework, each really started on 127.0.0.1 with the avatar route and
 * a route of the app's own: Node http, Connect, Express, Fastify, Koa, Hono, and a bare
 * fetch-style server. One scenario for all: the file (HEAD, 304, Range), a lost file's 307 —
 * followed to the avatar —, an upload that is not an image, a hostile path, 405, the app's route.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import connect from 'connect';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, initialsAvatar, type LogoResolver } from '../../src/index.js';
import { avatarFetchHandler, avatarHandler, mediaFastifyPlugin, mediaFetchHandler, mediaHandler, mediaKoaMiddleware, type MediaRouteOptions } from '../../src/server/index.js';
import { ACME, FILES, SECRET, mediaRoot, rawRequest, serve } from './media-helpers.js';

const OPTIONS: MediaRouteOptions = { nameFor: async (key) => (key.endsWith('lost.png') ? 'Lost Harbour' : undefined) };
const APP = 'the app';

interface Running {
  port: number;
  close(): Promise<void>;
}

/** Each framework's app: the media route, the avatar route, and GET /hello of the app's own. */
const FRAMEWORKS: Record<string, (logos: LogoResolver) => Promise<Running>> = {
  'node:http': async (logos) => {
    const media = mediaHandler(logos, OPTIONS);
    const avatars = avatarHandler();
    return serve((req, res) => media(req, res, () => avatars(req, res, () => res.writeHead(200).end(APP))));
  },
  Connect: async (logos) => {
    const app = connect();
    app.use(mediaHandler(logos, OPTIONS));
    app.use(avatarHandler());
    app.use('/hello', (_req: http.IncomingMessage, res: http.ServerResponse) => res.end(APP));
    return serve(http.createServer(app));
  },
  Express: async (logos) => {
    const app = express();
    app.use('/media', mediaHandler(logos, OPTIONS)); // mounted on a path: the prefix is still the whole path
    app.use(avatarHandler());
    app.get('/hello', (_req, res) => {
      res.send(APP);
    });
    return serve(http.createServer(app));
  },
  Fastify: async (logos) => {
    const app = Fastify();
    const avatars = avatarFetchHandler();
    await app.register(mediaFastifyPlugin(logos, OPTIONS));
    app.get('/avatars/*', async (request, reply) => {
      const response = avatars(new Request(`http://localhost${request.raw.url ?? '/'}`));
      return reply.code(response.status).headers(Object.fromEntries(response.headers)).send(Buffer.from(await response.arrayBuffer()));
    });
    app.get('/hello', async () => APP);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  },
  Koa: async (logos) => {
    const app = new Koa();
    const avatars = avatarHandler();
    app.use(mediaKoaMiddleware(logos, OPTIONS));
    app.use(async (ctx, next) => {
      if (ctx.path === '/hello') ctx.body = APP;
      else if (ctx.path.startsWith('/avatars/')) {
        ctx.respond = false; // the avatar route writes the Node response itself
        avatars(ctx.req, ctx.res);
      } else await next();
    });
    return serve(http.createServer(app.callback()));
  },
  Hono: async (logos) => {
    const app = new Hono();
    const media = mediaFetchHandler(logos, OPTIONS);
    const avatars = avatarFetchHandler();
    app.all('/media/*', (c) => media(c.req.raw));
    app.get('/avatars/*', (c) => avatars(c.req.raw));
    app.get('/hello', (c) => c.text(APP));
    return serve(createAdaptorServer({ fetch: app.fetch }) as http.Server);
  },
  'fetch-style': async (logos) => {
    const media = mediaFetchHandler(logos, OPTIONS);
    const avatars = avatarFetchHandler();
    const fetch = async (request: Request): Promise<Response> => {
      const { pathname } = new URL(request.url);
      if (pathname.startsWith('/avatars/')) return avatars(request);
      if (pathname === '/hello') return new Response(APP);
      return media(request);
    };
    return serve(createAdaptorServer({ fetch }) as http.Server);
  },
};

for (const [name, start] of Object.entries(FRAMEWORKS)) {
  test(`${name}: the file, 304, Range, HEAD; a lost file's 307 to the avatar; no HTML upload, no traversal; 405; the app's own routes`, async () => {
    const media = mediaRoot();
    let running: Running | undefined;
    try {
      const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), onError: () => undefined });
      running = await start(logos);
      const get = (target: string, init: { method?: string; headers?: Record<string, string> } = {}) => rawRequest((running as Running).port, target, init);

      const file = await get('/media/base/company/icon/acme.png?v=3');
      assert.is(file.status, 200);
      assert.ok(file.body.equals(ACME));
      assert.is(file.headers['content-type'], 'image/png');
      assert.is(file.headers['content-length'], String(ACME.length));
      assert.is(file.headers['x-content-type-options'], 'nosniff');
      assert.is(file.headers['content-security-policy'], "default-src 'none'; sandbox");
      const etag = String(file.headers.etag);
      assert.match(etag, /^W\/"/);
      const head = await get('/media/base/company/icon/acme.png', { method: 'HEAD' });
      assert.is(head.status, 200);
      assert.is(head.body.length, 0);
      assert.is(head.headers['content-length'], String(ACME.length));
      const cached = await get('/media/base/company/icon/acme.png', { headers: { 'If-None-Match': etag } });
      assert.is(cached.status, 304);
      assert.is(cached.body.length, 0);
      const part = await get('/media/base/company/icon/acme.png', { headers: { Range: 'bytes=0-9' } });
      assert.is(part.status, 206);
      assert.ok(part.body.equals(ACME.subarray(0, 10)));

      const lost = await get('/media/base/company/icon/lost.png');
      assert.is(lost.status, 307);
      assert.is(lost.headers.location, initialsAvatar({ route: '/avatars/' })({ name: 'Lost Harbour' }));
      assert.is(lost.headers['cache-control'], 'no-store');
      assert.is(lost.headers['x-logo-fallback'], 'missing');
      const avatar = await get(String(lost.headers.location));
      assert.is(avatar.status, 200);
      assert.is(avatar.headers['content-type'], 'image/svg+xml');
      assert.match(avatar.body.toString(), />LH<\/text>/);
      const lostHead = await get('/media/base/company/icon/lost.png', { method: 'HEAD' });
      assert.is(lostHead.status, 307);
      assert.is(lostHead.body.length, 0);

      const svg = await get('/media/uploads/evil.svg');
      assert.is(svg.status, 200);
      assert.is(svg.headers['content-type'], 'application/octet-stream');
      assert.is(svg.headers['content-disposition'], 'attachment');
      assert.ok(svg.body.equals(FILES['uploads/evil.svg'] as Buffer));

      for (const target of ['/media/%2e%2e/secret.txt', '/media/..%2fsecret.txt', '/media/uploads/link-out.png', '/media/.env']) {
        const hostile = await get(target);
        assert.ok(hostile.status < 500 && hostile.status !== 200, `${target}: ${hostile.status}`);
        assert.not.ok(hostile.body.includes(SECRET));
        assert.not.ok(hostile.body.includes('hunter2'));
      }
      const post = await get('/media/base/company/icon/acme.png', { method: 'POST' });
      assert.is(post.status, 405);
      assert.is(post.headers.allow, 'GET, HEAD');
      assert.is((await get('/hello')).body.toString(), APP);
    } finally {
      await running?.close();
      media.cleanup();
    }
  });
}

test.run();
