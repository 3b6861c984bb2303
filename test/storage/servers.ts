/**
 * Real servers on 127.0.0.1 for the storage tests: a file server that records what it is asked,
 * servers that fail in each way a storage fails, a port nobody listens on, and s3rver.
 */
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';
import S3Object from 's3rver/lib/models/object.js';
import { encodeKey } from '../../src/keys.js';

/** A running server: its origin, what it saw, and how to stop it. */
export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every request as `METHOD /decoded/path`, in order. */
  requests: string[];
  /** How many TCP connections the server has accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse, decodedPath: string) => void;

function decodePath(url: string | undefined): string {
  const raw = (url ?? '/').split('?')[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Starts a node:http server on 127.0.0.1, port 0, that records every request before `handle` answers. */
export async function startServer(handle: Handler): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const decoded = decodePath(request.url);
    requests.push(`${request.method} ${decoded}`);
    handle(request, response, decoded);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Serves `files` (keys → bytes) under `prefix` (`/media/`): 200 for HEAD and GET of a file; for a
 * directory (a path some key is below), a 301 to the path with a slash, as nginx and Apache answer;
 * 404 otherwise. `options.noHead` answers HEAD with 405 (some object stores and proxies do).
 */
export function fileServer(files: ReadonlyMap<string, Buffer>, prefix = '/media/', options: { noHead?: boolean } = {}): Promise<TestServer> {
  return startServer((request, response, decoded) => {
    const body = decoded.startsWith(prefix) ? files.get(decoded.slice(prefix.length)) : undefined;
    if (request.method === 'HEAD' && options.noHead === true) {
      response.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    if (body === undefined) {
      const below = `${decoded.slice(prefix.length)}/`;
      const directory = decoded.startsWith(prefix) && [...files.keys()].some((key) => key.startsWith(below));
      // With a length, as nginx, Apache and S3 send one: Node's client cannot reuse a connection
      // after a HEAD answer that has neither Content-Length nor Transfer-Encoding.
      response.writeHead(directory ? 301 : 404, { 'Content-Length': '0', ...(directory ? { Location: `${(request.url ?? '').split('?')[0]}/` } : {}) }).end();
      return;
    }
    if (request.method === 'GET' && request.headers.range === 'bytes=0-0' && body.length === 0) {
      // No byte 0 in an empty file: nginx and Apache answer 416 with the size.
      response.writeHead(416, { 'Content-Range': 'bytes */0', 'Content-Length': '0' }).end();
      return;
    }
    if (request.method === 'GET' && request.headers.range === 'bytes=0-0') {
      response.writeHead(206, { 'Content-Range': `bytes 0-0/${body.length}`, 'Content-Length': '1' }).end(body.subarray(0, 1));
      return;
    }
    response.writeHead(200, { 'Content-Length': String(body.length), 'Content-Type': 'image/png' });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
}

/** Answers every request with `status`. */
export function statusServer(status: number, headers: Record<string, string> = {}): Promise<TestServer> {
  return startServer((_request, response) => {
    response.writeHead(status, headers).end();
  });
}

/** Accepts every request and never answers (until closed). */
export function hangingServer(): Promise<TestServer> {
  return startServer(() => undefined);
}

/** An origin on which nothing listens: a port that was just freed. */
export async function refusedOrigin(): Promise<string> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.origin;
}

/** s3rver's built-in credentials. */
/** The three faulty origins every network driver is tried against: a 500, a hang, a refused port. */
export async function faultOrigins(): Promise<{ broken: string; hanging: string; refused: string; close: () => Promise<void> }> {
  const [broken, hanging, refused] = await Promise.all([statusServer(500), hangingServer(), refusedOrigin()]);
  return {
    broken: broken.origin,
    hanging: hanging.origin,
    refused,
    close: async () => {
      await Promise.all([broken.close(), hanging.close()]);
    },
  };
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * s3rver 3.7 encrypts its ListObjectsV2 continuation tokens with single DES, which OpenSSL 3
 * (Node ≥ 17) moved to its legacy provider: every second page would be a 500. Single DES is
 * 3DES-EDE with three equal keys, which the default provider has, so s3rver gets exactly the
 * cipher it asks for.
 */
function allowS3rverDes(): void {
  const marker = Symbol.for('logo-fallback.test.des');
  const patched = crypto as unknown as Record<string | symbol, unknown>;
  if (patched[marker] === true) return;
  patched[marker] = true;
  const asTripleDes = (algorithm: string, key: crypto.CipherKey): [string, crypto.CipherKey] =>
    algorithm.toLowerCase() === 'des' && Buffer.isBuffer(key) && key.length === 8 ? ['des-ede3-cbc', Buffer.concat([key, key, key])] : [algorithm, key];
  const { createCipheriv, createDecipheriv } = crypto;
  patched.createCipheriv = (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) => createCipheriv(...asTripleDes(algorithm, key), iv);
  patched.createDecipheriv = (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) => createDecipheriv(...asTripleDes(algorithm, key), iv);
}

/** A running s3rver with one bucket holding `files`. */
export interface TestS3 extends TestServer {
  bucket: string;
  region: string;
}

/**
 * Starts s3rver on 127.0.0.1 (port 0, a temporary directory, `resetOnClose`) with `bucket` holding
 * `files`, uploaded through its S3 API — or, with `{ via: 'store' }`, written by s3rver's own store
 * (what its PUT handler calls), which is what thousands of objects need: a PUT costs ~10 ms here.
 * `requests` records what reached it after the upload.
 */
export async function startS3(files: ReadonlyMap<string, Buffer>, bucket = 'media', { via = 'api' }: { via?: 'api' | 'store' } = {}): Promise<TestS3> {
  allowS3rverDes();
  const directory = await mkdtemp(path.join(tmpdir(), 'logo-fallback-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, resetOnClose: true, configureBuckets: [{ name: bucket }] });
  const requests: string[] = [];
  // Koa composes its middleware when the server starts: put a recorder in front of s3rver's own.
  server.middleware.unshift(async (ctx: { method: string; path: string }, next: () => Promise<void>) => {
    requests.push(`${ctx.method} ${decodePath(ctx.path)}`);
    await next();
  });
  const { port } = await server.run();
  let connections = 0;
  server.httpServer.on('connection', () => connections++);
  const origin = `http://127.0.0.1:${port}`;
  const client = new AwsClient({ ...S3RVER_CREDENTIALS, service: 's3', region: 'us-east-1', retries: 0 });
  const queue = [...files];
  const upload = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [key, body] = next;
      if (via === 'store') {
        const metadata = { 'content-type': 'image/png', 'content-length': String(body.length), 'last-modified': new Date().toUTCString() };
        await server.store.putObject(new S3Object(bucket, key, body, metadata));
        continue;
      }
      const response = await client.fetch(`${origin}/${bucket}/${encodeKey(key)}`, { method: 'PUT', body, headers: { 'Content-Type': 'image/png' } });
      if (!response.ok) throw new Error(`s3rver upload of ${key} failed: ${response.status} ${await response.text()}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, upload));
  } catch (error) {
    await server.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  requests.length = 0;
  connections = 0;
  return {
    origin,
    requests,
    connections: () => connections,
    bucket,
    region: 'us-east-1',
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
