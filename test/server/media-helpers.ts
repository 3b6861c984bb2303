/**
 * What the media route tests share: a media root with real files (and a secret beside it), a real
 * server on 127.0.0.1 that a test talks to with raw request targets, as a hostile client would.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, LogoFallbackError, type LogoResolverOptions, type Storage } from '../../src/index.js';
import { avatarHandler, mediaHandler, type MediaRouteOptions } from '../../src/server/index.js';
import { tempMedia } from '../helpers/media.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/media/base/company/icon/', import.meta.url));
/** A real PNG (acme.png of the fixtures). */
export const ACME = readFileSync(path.join(FIXTURES, 'acme.png'));
/** Another real PNG (globex-logo.png). */
export const GLOBEX = readFileSync(path.join(FIXTURES, 'globex-logo.png'));
/** What lies beside the root: a test fails if it is ever sent. */
export const SECRET = Buffer.from('SECRET: this file is outside the media root\n');

/** The files of {@link mediaRoot}, by key. */
export const FILES: Readonly<Record<string, Buffer>> = {
  'base/company/icon/acme.png': ACME,
  'base/company/icon/globex-logo.png': GLOBEX,
  "base/company/icon/o'brien (1).png": ACME,
  'base/company/icon/株式会社.png': GLOBEX,
  'base/company/icon/évian%20eau.png': ACME, // a literal "%20" in the name
  'uploads/evil.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'),
  'uploads/page.html': Buffer.from('<!doctype html><script>alert(document.cookie)</script>'),
  'uploads/page.HTM': Buffer.from('<!doctype html><script>alert(2)</script>'),
  'uploads/fake.png': Buffer.from('<!doctype html><script>alert(3)</script>'),
  'uploads/report.pdf': Buffer.from('%PDF-1.4\n%%EOF\n'),
  'uploads/noext': Buffer.from('<html><script>alert(4)</script></html>'),
  '.env': Buffer.from('DATABASE_PASSWORD=hunter2\n'),
  'base/.git/config': Buffer.from('[core]\n'),
  'base/company/.hidden.png': ACME,
  'base/empty.png': Buffer.alloc(0),
  'base/company/index.html': Buffer.from('<h1>index</h1>'),
};

/** A temporary media root holding {@link FILES}, with `secret.txt` beside it and symlinks out of it. */
export function mediaRoot(): { root: string; base: string; cleanup: () => void } {
  const { root, cleanup } = tempMedia(FILES);
  const base = path.dirname(root);
  writeFileSync(path.join(base, 'secret.txt'), SECRET);
  writeFileSync(path.join(base, 'secret.png'), SECRET);
  symlinkSync(path.join(base, 'secret.png'), path.join(root, 'uploads', 'link-out.png'));
  symlinkSync(base, path.join(root, 'uploads', 'dir-out'));
  symlinkSync(path.join(root, 'base', 'company', 'icon', 'acme.png'), path.join(root, 'uploads', 'link-in.png'));
  return { root, base, cleanup };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
}

/** Sends a raw request target (no normalising) to 127.0.0.1:port. */
export function rawRequest(port: number, target: string, init: RequestInit = {}): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A running server: a requester for raw targets, and a closer (also of idle keep-alive sockets). */
export interface Served {
  port: number;
  request(target: string, init?: RequestInit): Promise<Reply>;
  close(): Promise<void>;
}

/** Starts `server` (or a node:http server around `listener`) on 127.0.0.1, port 0. */
export async function serve(listener: http.RequestListener | http.Server): Promise<Served> {
  const server = listener instanceof http.Server ? listener : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    request: (target, init) => rawRequest(port, target, init),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `onError` that keeps what it hears. */
export function errors(): { seen: Error[]; onError: (error: Error) => void } {
  const seen: Error[] = [];
  return { seen, onError: (error) => seen.push(error) };
}

/** A media root, a resolver on it, and a server with the media route and the avatar route (and "the app" behind both). */
export async function routeServer(options: MediaRouteOptions = {}, resolverOptions: LogoResolverOptions = {}, wrap: (storage: Storage) => Storage = (s) => s) {
  const media = mediaRoot();
  const reports = errors();
  const storage = wrap(fsStorage({ root: media.root, baseUrl: '/media/' }));
  const logos = createLogoResolver({ storage, onError: reports.onError, ...resolverOptions });
  const route = mediaHandler(logos, options);
  const avatars = avatarHandler();
  let served: Served | undefined;
  try {
    served = await serve((req, res) => route(req, res, () => avatars(req, res, () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('the app'))));
  } catch (error) {
    media.cleanup();
    throw error;
  }
  const server = served;
  return {
    ...media,
    logos,
    storage,
    reports: reports.seen,
    request: server.request,
    async close() {
      await server.close();
      media.cleanup();
    },
  };
}

/** Asserts that `run` throws a `LogoFallbackError` `INVALID_OPTION` whose message matches `pattern`. */
export function refuseOption(run: () => unknown, pattern: RegExp): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, LogoFallbackError);
    assert.is((error as LogoFallbackError).code, 'INVALID_OPTION');
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`accepted: ${pattern}`);
}
