/**
 * The kit's nginx.conf in front of the app, both real processes on 127.0.0.1 (nginx from Debian,
 * the conf's ports and paths rewritten as in the story test): each security header once, the
 * upload limits of nginx and the app agreeing, and no file from outside the media root even while
 * a symlink is swapped in between the app's check and nginx's open.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_LOGO_BYTES, MAX_UPLOAD_BODY_BYTES } from '../../examples/demo/upload.js';
import { solidPng } from '../demo/images.js';
import { hammer, SECRET, SWAPPER, withSwapper } from '../demo/swap.js';
import { http, logoForm } from './http.js';
import { nginxBinary, startApp, startNginx, type Running } from './processes.js';

const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'permissions-policy', 'content-security-policy'];

interface Stack {
  url: string;
  base: string;
  media: string;
  stop(): Promise<void>;
}

async function stack(): Promise<Stack | undefined> {
  if (nginxBinary() === undefined) {
    if (process.env.REQUIRE_E2E === '1') assert.unreachable('nginx is not installed, and REQUIRE_E2E=1');
    console.log('  SKIPPED: nginx is not installed (apt-get install nginx)');
    return undefined;
  }
  const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-nginx-'));
  chmodSync(base, 0o755); // nginx's workers run unprivileged: they must reach the media
  const media = path.join(base, 'media');
  const processes: Running[] = [];
  const stop = async (): Promise<void> => {
    for (const process of processes.reverse()) await process.stop();
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const app = await startApp({ DATA_DIR: path.join(base, 'data'), MEDIA_ROOT: media, MEDIA_ACCEL_PREFIX: '/_protected_media/' });
    processes.push(app);
    const nginx = await startNginx({ prefix: path.join(base, 'nginx'), appUrl: app.url, mediaRoot: media, kitConf: 'examples/deploy/nginx.conf', staticDir: path.resolve('examples/demo/public') });
    processes.push(nginx);
    return { url: nginx.url, base, media, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A PNG (valid signature and header) padded to exactly `size` bytes: the app judges type by content, size by bytes. */
function pngOfSize(size: number): Buffer {
  const png = solidPng(4, [0, 0, 0]);
  return Buffer.concat([png, Buffer.alloc(size - png.length)]);
}

test('through nginx, every security header appears exactly once: pages, JSON, static files, media, errors', async () => {
  const s = await stack();
  if (s === undefined) return;
  try {
    for (const url of ['/', '/healthz', '/static/demo.css', '/media/base/company/icon/acme.png', '/media/nothing.png', '/nope']) {
      const answer = await http(s.url + url);
      for (const header of SECURITY_HEADERS) {
        const count = answer.header(header).length;
        assert.ok(count <= 1, `${url}: ${header} appears ${count} times`);
      }
      for (const header of ['x-content-type-options', 'x-frame-options', 'referrer-policy']) assert.is(answer.header(header).length, 1, `${url}: ${header}`);
    }
  } finally {
    await s.stop();
  }
});

test('through nginx, the upload limits agree: the app\'s largest logo passes, one byte more gets the app\'s message, far more nginx\'s page in the same words', async () => {
  const s = await stack();
  if (s === undefined) return;
  try {
    const post = async (file: Buffer): Promise<{ status: number; body: string }> => {
      const { body, headers } = logoForm(file, 'logo.png');
      const answer = await http(`${s.url}/companies/1/logo`, { method: 'POST', headers, body });
      return { status: answer.status, body: answer.body.toString() };
    };
    const largest = logoForm(pngOfSize(MAX_LOGO_BYTES), 'logo.png').body.length;
    assert.ok(largest <= MAX_UPLOAD_BODY_BYTES, 'the test\'s form fits the app\'s envelope');
    assert.is((await post(pngOfSize(MAX_LOGO_BYTES))).status, 303, 'exactly 5 MiB: accepted');
    const over = await post(pngOfSize(MAX_LOGO_BYTES + 1));
    assert.is(over.status, 413);
    assert.match(over.body, /role="alert">Acme Corp: The file is larger than 5 MB\. The previous logo is kept\./, 'the app\'s page, not nginx\'s');
    const far = await post(Buffer.alloc(8 * 1024 * 1024));
    assert.is(far.status, 413);
    assert.match(far.body, /The file is larger than 5 MB\. The previous logo is kept\./, 'nginx\'s own refusal, in the app\'s words');
    assert.not.match(far.body, /<center>nginx/);
  } finally {
    await s.stop();
  }
});

test('through nginx, a symlink swapped in after the app\'s check never sends a file from outside the root (disable_symlinks)', async () => {
  const s = await stack();
  if (s === undefined) return;
  try {
    const secret = path.join(s.base, 'secret.png');
    writeFileSync(secret, SECRET);
    chmodSync(secret, 0o644);
    const target = path.join(s.media, 'base/company/icon/acme.png');
    const real = readFileSync(target);
    const spare = path.join(s.base, 'spare');
    mkdirSync(spare);
    copyFileSync(target, path.join(spare, 'acme-real.png'));
    symlinkSync(secret, path.join(spare, 'acme-link.png'));
    const counts = await withSwapper(SWAPPER, [target, path.join(spare, 'acme-real.png'), path.join(spare, 'acme-link.png')], () => hammer(s.url, '/media/base/company/icon/acme.png', real));
    assert.is(counts.leaked, 0, `nginx sent the file outside the root ${counts.leaked} times`);
    assert.ok(counts.real > 0, `the real logo was sent between swaps: ${JSON.stringify({ ...counts, other: counts.other.length })}`);
    for (const other of counts.other) assert.match(other, /^(403|404) /, 'a refused symlink is 403 or 404, never the file');
  } finally {
    await s.stop();
  }
});

test.run();
