/**
 * Hostile requests against the media route over a real socket, as raw request targets: traversal
 * in every encoding, encoded slashes, NUL, over-long paths, symlinks out of the root — and a
 * fast-check property over request paths: never a 5xx, never a byte from outside the root, never
 * a 200 that is not the real file the path names.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage } from '../../src/index.js';
import { mediaFetchHandler, mediaHandler } from '../../src/server/index.js';
import { SECRET, mediaRoot, serve, type Reply } from './media-helpers.js';

const HOSTILE = [
  '/media/../secret.txt',
  '/media/../../../../etc/passwd',
  '/media/..%2fsecret.txt',
  '/media/..%2Fsecret.txt',
  '/media/%2e%2e/secret.txt',
  '/media/%2E%2E/secret.png',
  '/media/.%2e/secret.txt',
  '/media/%252e%252e/secret.txt',
  '/media/%25252e%25252e%25252fsecret.txt',
  '/media/..%5csecret.txt',
  '/media/..%255csecret.txt',
  '/media/%5c..%5csecret.txt',
  '/media/base/..%2f..%2fsecret.txt',
  '/media/base%2fcompany%2ficon%2facme.png',
  '/media/base%252fcompany%252ficon%252facme.png',
  '/media/%2fetc%2fpasswd',
  '/media//etc/passwd',
  '/media///secret.txt',
  '/media/base/company/icon/acme.png%00.txt',
  '/media/base/company/icon/acme.png%2500',
  '/media/%00',
  '/media/%C0%AE%C0%AE/secret.txt',
  '/media/%EF%BC%8E%EF%BC%8E/secret.txt',
  '/media/%E0%A4.png',
  '/media/%.png',
  '/media/%zz/secret.txt',
  '/media/%c2%85/x.png',
  '/media/%e2%80%ae/gnp.txt',
  '/media/uploads/link-out.png',
  '/media/uploads/dir-out/secret.txt',
  '/media/uploads/dir-out/media/base/company/icon/acme.png',
  '/media/base/company/icon/acme.png/',
  '/media/base/company/icon/acme.png/..',
  '/media/base/company/icon/acme.png/.',
  `/media/${'a/'.repeat(4000)}x.png`,
  `/media/${'x'.repeat(1100)}.png`,
  `/media/${'%2e%2e/'.repeat(2000)}secret.txt`,
  '/media/secret.txt',
  '/media/.env',
  '/media/%2eenv',
];

/**
 * The bytes a 200 may carry for a target: the file its path names, as the OS resolves it (symlinks
 * included), when that is a file inside the root's real path; else none (no 200 is right).
 */
function expectedFile(root: string, target: string): Buffer | undefined {
  const pathname = target.split(/[?#]/)[0] ?? '';
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice('/media/'.length));
  } catch {
    return undefined;
  }
  if (key.includes('\0')) return undefined;
  const realRoot = realpathSync(root);
  try {
    const real = realpathSync(path.join(root, key));
    return real.startsWith(`${realRoot}/`) && statSync(real).isFile() ? readFileSync(real) : undefined;
  } catch {
    return undefined;
  }
}

function check(root: string, target: string, reply: Reply, method = 'GET'): void {
  assert.ok(reply.status < 500, `${target}: ${reply.status}`);
  assert.not.ok(reply.body.includes(SECRET), `${target}: sent the secret`);
  assert.not.ok(reply.body.includes('hunter2'), `${target}: sent a dot file`);
  assert.not.ok(reply.body.includes('root:x:0:0'), `${target}: sent /etc/passwd`);
  if (reply.status === 200 || reply.status === 206) {
    const file = expectedFile(root, target);
    const sent = method === 'HEAD' ? Number(reply.headers['content-length']) : reply.body;
    assert.ok(file !== undefined && (typeof sent === 'number' ? sent === file.length && reply.body.length === 0 : sent.equals(file)), `${method} ${target}: a ${reply.status} that is not the real file`);
  }
  if (reply.status === 307) {
    assert.match(String(reply.headers.location), /^\/avatars\/[^/]+\.svg\?/, target);
    assert.ok(['missing', 'unsafe', 'fault'].includes(String(reply.headers['x-logo-fallback'])), target);
    assert.is(reply.headers['cache-control'], 'no-store');
  }
}

async function setup() {
  const media = mediaRoot();
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), onError: () => undefined });
  const route = mediaHandler(logos);
  const server = await serve((req, res) => route(req, res, () => res.writeHead(404).end('the app')));
  return { ...media, logos, server, fetchHandler: mediaFetchHandler(logos) };
}

test('hostile request targets: never a 5xx, never a byte from outside the root, a 200 only for the real file', async () => {
  const s = await setup();
  try {
    // The secret really is beside the root, and the route does serve files: the checks can fail.
    assert.ok(readFileSync(path.join(s.base, 'secret.txt')).equals(SECRET));
    assert.is((await s.server.request('/media/uploads/link-in.png')).status, 200);
    for (const target of HOSTILE) {
      for (const method of ['GET', 'HEAD']) {
        const reply = await s.server.request(target, { method });
        check(s.root, target, reply, method);
        assert.ok([307, 400, 404, 414, 431].includes(reply.status) || expectedFile(s.root, target) !== undefined, `${method} ${target}: ${reply.status}`);
      }
      // The fetch handler sees the URL as the WHATWG parser normalised it: the same guarantees.
      let request: Request | undefined;
      try {
        request = new Request(`http://127.0.0.1${target}`);
      } catch {
        request = undefined;
      }
      if (request !== undefined) {
        const response = await s.fetchHandler(request);
        check(s.root, new URL(request.url).pathname, { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
      }
    }
  } finally {
    await s.server.close();
    s.cleanup();
  }
});

const SEGMENTS = [
  '..', '.', '%2e%2e', '%2E%2e', '.%2e', '%252e%252e', '%2f', '%2F', '..%2f', '%5c', '..%5c', '%00', '%25', '%', '%zz', '%c0%ae',
  'base', 'company', 'icon', 'acme.png', 'globex-logo.png', 'uploads', 'link-out.png', 'link-in.png', 'dir-out', 'secret.txt',
  'secret.png', 'media', '.env', '.git', 'config', 'evil.svg', 'empty.png', '', 'o%27brien%20%281%29.png', '%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE.png',
];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('.', '/', '%', '2', 'e', 'f', '5', 'c', 'a'), maxLength: 10 }) },
);
const target = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 8 }), fc.constantFrom('', '?x=1', '?../../secret.txt', '#x', '?%00')).map(([segments, tail]) => `/media/${segments.join('/')}${tail}`);

test('property: any request path under the prefix — no 5xx, nothing from outside the root, a 200 only for the real file', async () => {
  const s = await setup();
  try {
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom('GET', 'HEAD'), async (path_, method) => {
        const reply = await s.server.request(path_, { method });
        check(s.root, path_, reply, method);
      }),
      { numRuns: 400 },
    );
  } finally {
    await s.server.close();
    s.cleanup();
  }
});

test.run();
