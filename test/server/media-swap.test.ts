/**
 * The media route opens a local file once and sends what it opened: a symlink swapped in and out
 * under the requested path in a tight loop (the logo file itself, and a folder on the way), by a
 * child process, while requests hammer it, never makes it send a byte from outside the root —
 * sending the file itself, and answering X-Accel-Redirect for nginx.
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage } from '../../src/index.js';
import { mediaHandler, type MediaRouteOptions } from '../../src/server/index.js';
import { DIR_SWAPPER, hammer, SECRET, SWAPPER, withSwapper } from '../demo/swap.js';
import { tempMedia } from '../helpers/media.js';
import { ACME, serve } from './media-helpers.js';

const KEY = 'base/company/icon/acme.png';

async function setup(options: MediaRouteOptions = {}) {
  const { root, cleanup } = tempMedia({ [KEY]: ACME });
  const base = path.dirname(root);
  const reports: Error[] = [];
  // missTtl 0: a miss (the symlink seen by a check) is not remembered, so both states of the swap reach the route.
  const logos = createLogoResolver({ storage: fsStorage({ root, baseUrl: '/media/' }), cache: { ttl: 60_000, missTtl: 0 }, onError: (error) => reports.push(error) });
  const route = mediaHandler(logos, options);
  const server = await serve((req, res) => route(req, res));
  return {
    root,
    base,
    reports,
    url: `http://127.0.0.1:${server.port}`,
    async close() {
      await server.close();
      cleanup();
    },
  };
}

for (const [label, options] of [
  ['sending the file itself', {}],
  ['answering X-Accel-Redirect', { accelRedirect: '/_protected_media/' }],
] as const) {
  test(`a symlink out of the root swapped in for the file, in a loop while requesting: never a byte of it (${label})`, async () => {
    const s = await setup(options);
    try {
      const secret = path.join(s.base, 'secret.png');
      writeFileSync(secret, SECRET);
      const target = path.join(s.root, KEY);
      const file = path.join(s.base, 'acme-real.png');
      const link = path.join(s.base, 'acme-link.png');
      copyFileSync(target, file);
      symlinkSync(secret, link);
      const counts = await withSwapper(SWAPPER, [target, file, link], () => hammer(s.url, `/media/${KEY}`, ACME));
      assert.is(counts.leaked, 0, `sent the file outside the root ${counts.leaked} times`);
      assert.equal(counts.other, []);
      assert.ok(counts.refused > 0, `the symlink was in place for some requests: ${JSON.stringify(counts)}`);
      assert.ok(counts.real > 0, `the real logo was sent between swaps: ${JSON.stringify(counts)}`);
    } finally {
      await s.close();
    }
  });
}

test('a folder on the way swapped for a symlink out of the root, in a loop while requesting: never what is there', async () => {
  const s = await setup();
  try {
    const outside = path.join(s.base, 'outside-icons');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'acme.png'), SECRET); // the same name as the logo, outside the root
    const folder = path.join(s.root, 'base/company/icon');
    const link = path.join(s.root, 'base/company/icon-link');
    symlinkSync(outside, link);
    const counts = await withSwapper(DIR_SWAPPER, [folder, folder, link], () => hammer(s.url, `/media/${KEY}`, readFileSync(path.join(folder, 'acme.png'))));
    assert.is(counts.leaked, 0, `sent the file outside the root ${counts.leaked} times`);
    assert.ok(counts.real > 0 && counts.refused > 0, `both states were hit: ${JSON.stringify(counts)}`);
  } finally {
    await s.close();
  }
});

test('X-Accel-Redirect: the key percent-encoded under the prefix, the type and security headers, no body; a miss is still the fallback', async () => {
  const { root, cleanup } = tempMedia({ [KEY]: ACME, "uploads/o'brien (1).png": ACME, 'uploads/evil.svg': Buffer.from('<svg/>') });
  const logos = createLogoResolver({ storage: fsStorage({ root, baseUrl: '/media/' }) });
  const route = mediaHandler(logos, { accelRedirect: '/_protected_media/', cacheControl: 'public, max-age=604800' });
  const server = await serve((req, res) => route(req, res));
  try {
    for (const method of ['GET', 'HEAD']) {
      const reply = await server.request(`/media/${KEY}`, { method, headers: { 'if-none-match': '"x"', range: 'bytes=0-1' } });
      assert.is(reply.status, 200, method);
      assert.is(reply.headers['x-accel-redirect'], `/_protected_media/${KEY}`);
      assert.is(reply.headers['content-type'], 'image/png');
      assert.is(reply.headers['cache-control'], 'public, max-age=604800');
      assert.is(reply.headers['x-content-type-options'], 'nosniff');
      assert.is(reply.body.length, 0, 'nginx sends the bytes');
    }
    // A symlink inside the root: nginx is sent to its target, which disable_symlinks lets through.
    symlinkSync(path.join(root, KEY), path.join(root, 'uploads/link-in.png'));
    assert.is((await server.request('/media/uploads/link-in.png')).headers['x-accel-redirect'], `/_protected_media/${KEY}`);
    const quoted = await server.request("/media/uploads/o%27brien%20%281%29.png");
    assert.is(quoted.headers['x-accel-redirect'], '/_protected_media/uploads/o%27brien%20%281%29.png');
    const svg = await server.request('/media/uploads/evil.svg');
    assert.is(svg.headers['content-type'], 'application/octet-stream');
    assert.is(svg.headers['content-disposition'], 'attachment');
    const lost = await server.request('/media/base/company/icon/lost.png');
    assert.is(lost.status, 307);
    assert.is(lost.headers['x-accel-redirect'], undefined);
    assert.is(lost.headers['x-logo-fallback'], 'missing');
  } finally {
    await server.close();
    cleanup();
  }
});

test.run();
