/**
 * The kit's nginx.conf in front of the app, both real processes on 127.0.0.1 (nginx from Debian,
 * the conf's ports and paths rewritten as in the story test), in both media modes (NGINX_MEDIA:
 * accel, direct): each security header once, a miss ending in the app's fallback, the upload
 * limits of nginx and the app agreeing, and no file from outside the media root even while a
 * symlink is swapped in under the requested path.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { MAX_LOGO_BYTES, MAX_UPLOAD_BODY_BYTES } from '../../examples/demo/upload.js';
import { encodeKey } from '../../src/index.js';
import { solidPng } from '../demo/images.js';
import { hammer, SECRET, SWAPPER, withSwapper } from '../demo/swap.js';
import { http, logoForm } from './http.js';
import { MEDIA_MODES, nginxBinary, startApp, startNginx, type MediaMode, type Running } from './processes.js';

const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'permissions-policy', 'content-security-policy'];

interface Stack {
  url: string;
  base: string;
  media: string;
  app: Running;
  stop(): Promise<void>;
}

async function stack(mode: MediaMode = 'accel'): Promise<Stack | undefined> {
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
    const nginx = await startNginx({ prefix: path.join(base, 'nginx'), appUrl: app.url, mediaRoot: media, kitConf: 'examples/deploy/nginx.conf', staticDir: path.resolve('examples/demo/public'), mode });
    processes.push(nginx);
    return { url: nginx.url, base, media, app, stop };
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

for (const mode of MEDIA_MODES) test(`through nginx (${mode}), every security header appears exactly once: pages, JSON, static files, media, fallbacks, errors`, async () => {
  const s = await stack(mode);
  if (s === undefined) return;
  try {
    for (const url of ['/', '/healthz', '/static/demo.css', '/media/base/company/icon/acme.png', '/media/nothing.png', '/media/base/company/icon/globex-missing.png', '/media/.env', '/nope']) {
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

/** A GET through nginx that does not follow redirects. */
const get = (url: string): Promise<Response> => fetch(url, { redirect: 'manual' });

for (const mode of MEDIA_MODES) test(`through nginx (${mode}), a file is sent byte-identical, and whatever cannot be sent ends in the app's fallback: a 307 to an avatar that loads`, async () => {
  const s = await stack(mode);
  if (s === undefined) return;
  try {
    const acme = readFileSync(path.join(s.media, 'base/company/icon/acme.png'));
    // A name that needs escaping, served in both modes (a company's logo, so accel publishes it).
    const odd = "base/company/icon/o'brien (1).png";
    copyFileSync(path.join(s.media, 'base/company/icon/acme.png'), path.join(s.media, odd));
    const db = new Database(path.join(s.base, 'data', 'demo.sqlite'));
    db.prepare('update base_company set icon = ? where id = 3').run(odd);
    db.close();
    for (const key of ['base/company/icon/acme.png', odd]) {
      const file = await get(`${s.url}/media/${encodeKey(key)}`);
      assert.is(file.status, 200, key);
      assert.ok(Buffer.from(await file.arrayBuffer()).equals(acme), key);
      assert.is(file.headers.get('content-type'), 'image/png');
      assert.match(file.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.is(file.headers.get('cache-control'), 'max-age=604800');
    }
    writeFileSync(path.join(s.media, '.env'), 'SECRET=1\n');
    symlinkSync('/etc/passwd', path.join(s.media, 'base/company/icon/passwd.png'));
    const cases: Array<[string, string, string]> = [
      ['/media/base/company/icon/globex-missing.png', 'missing', 'GL'], // Globex GmbH's lost logo: its initials
      // Nobody's logo: the app's permission check answers misses in direct mode too.
      ['/media/base/company/icon/lost.png', 'denied', 'C'],
      ['/media/.env', 'unsafe', 'C'],
      ['/media/base/company/icon/passwd.png', 'denied', 'C'], // direct: nginx refuses the symlink, then the app
    ];
    for (const [url, reason, initials] of cases) {
      const answer = await get(s.url + url);
      const body = await answer.text();
      assert.is(answer.status, 307, `${url}: ${body.slice(0, 200)}`);
      assert.ok(answer.headers.get('x-logo-fallback') === reason || (reason === 'unsafe' && answer.headers.get('x-logo-fallback') === 'fault'), `${url}: ${answer.headers.get('x-logo-fallback')}`);
      assert.is(answer.headers.get('cache-control'), 'no-store', url);
      assert.not.match(body, /SECRET|root:x:0/, url);
      const location = answer.headers.get('location') ?? '';
      assert.match(location, new RegExp(`^/avatars/${initials}\\.svg\\?`), url);
      const avatar = await get(s.url + location);
      assert.is(avatar.status, 200, location);
      assert.is(avatar.headers.get('content-type'), 'image/svg+xml');
    }
    // In the volume but nobody's logo: accel asks the app (not published), direct sends it.
    const unpublished = await get(`${s.url}/media/base/company/icon/globex-logo.png`);
    assert.is(unpublished.status, mode === 'accel' ? 307 : 200);
    // Without the app: direct sends what the volume holds by itself; accel has nobody to ask.
    await s.app.stop();
    assert.is((await get(`${s.url}/media/base/company/icon/acme.png`)).status, mode === 'direct' ? 200 : 502);
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

for (const mode of MEDIA_MODES) test(`through nginx (${mode}), a symlink swapped in under the requested path never sends a file from outside the root (disable_symlinks)`, async () => {
  const s = await stack(mode);
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
    assert.equal(counts.other, [], 'a refused symlink ends in the fallback (307), never the file');
  } finally {
    await s.stop();
  }
});

test.run();
