/**
 * Per call, the avatar route's PNG instead of its SVG or a data: URL (issue 14 item 5):
 * `logos.logo(record, { format: 'png' })`, `fileUrl(file, name, { format: 'png' })`, served for
 * real by `avatarHandler({ png: true })` on 127.0.0.1; and the render-time error code of a failing
 * avatar provider (`AVATAR_FAILED`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, initialsAvatar, uiAvatars, type AvatarSubject, type LogoFallbackError, type LogoResolverOptions } from '../src/index.js';
import { avatarHandler } from '../src/server/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'base/company/icon/acme.png': 'png' });
const PRESENT = '/media/base/company/icon/acme.png';
const acme = { company: 'Acme Corp', icon: 'base/company/icon/acme.png' };
const globex = { company: 'Globex Corporation', icon: 'base/company/icon/globex.png' };

function resolver(options: LogoResolverOptions) {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), onError: (e) => errors.push(e), ...options });
  return { logos, errors };
}

async function get(origin: string, path: string): Promise<{ status: number; type: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${origin}${path}`, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

test('format: "png" per call gives the route\'s .png URL, which the real route serves as a PNG of that size', async () => {
  const server = http.createServer(avatarHandler({ png: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { logos, errors } = resolver({ avatar: initialsAvatar({ route: '/avatars/' }) });
    const svg = logos.logo(globex);
    const png = logos.logo(globex, { format: 'png' });
    assert.match(svg, /^\/avatars\/GL\.svg\?size=64&shape=square&bg=[0-9a-f]{6}$/);
    assert.is(png, svg.replace('.svg?', '.png?'), 'the same avatar, as the route\'s PNG');
    // The memo keeps the formats apart, in every order and with sizes.
    assert.is(logos.logo(globex), svg);
    assert.is(logos.logo(globex, { format: 'svg' }), svg);
    assert.is(logos.fileUrl(globex.icon, globex.company, { format: 'png' }), png);
    assert.is(logos.fileUrl(globex.icon, globex.company, { format: 'png', size: 40 }), png.replace('size=64', 'size=40'));
    assert.is(logos.fileUrl(globex.icon, globex.company, { size: 40 }), svg.replace('size=64', 'size=40'));
    assert.is(await logos.logoAsync(globex, { format: 'png' }), png);
    assert.is(await logos.fileUrlAsync(globex.icon, globex.company, { format: 'png' }), png);
    assert.is(logos.avatar('Initech', { format: 'png' }), logos.avatar('Initech').replace('.svg?', '.png?'));
    assert.is(logos.logo(null, { format: 'png' }), logos.avatar(undefined, { format: 'png' }), 'the placeholder too');
    // A logo that exists is the logo, whatever format is asked for.
    assert.is(logos.logo(acme, { format: 'png' }), PRESENT);
    assert.equal(errors, []);

    for (const [url, size] of [[png, 64], [logos.fileUrl(globex.icon, globex.company, { format: 'png', size: 40 }), 40]] as const) {
      const reply = await get(origin, url);
      assert.is(reply.status, 200, url);
      assert.is(reply.type, 'image/png');
      const decoded = PNG.sync.read(reply.body);
      assert.is(decoded.width, size);
      assert.is(decoded.height, size);
    }
    const reply = await get(origin, svg);
    assert.is(reply.type, 'image/svg+xml');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a PNG route provider asked for "svg" per call gives its .svg URL; other values and hostile options are ignored', () => {
  const { logos, errors } = resolver({ avatar: initialsAvatar({ route: '/avatars/', format: 'png' }) });
  const png = logos.logo(globex);
  assert.match(png, /^\/avatars\/GL\.png\?size=128&/);
  assert.is(logos.logo(globex, { format: 'svg' }), png.replace('.png?', '.svg?'));
  for (const format of ['PNG', 'jpeg', '', null, 42, { toString: () => 'png' }]) {
    assert.is(logos.logo(globex, { format } as never), png, String(format));
  }
  assert.equal(errors, []);
  // The provider itself, called directly (its own memo keeps the formats apart, in either order).
  const provider = initialsAvatar({ route: '/avatars/', format: 'png' });
  const direct = [provider({ name: 'Globex' }), provider({ name: 'Globex', format: 'svg' }), provider({ name: 'Globex', format: 'png' }), provider({ name: 'Globex', format: 'svg', size: 128 })];
  assert.equal(direct.map((url) => url.slice(0, url.indexOf('?'))), ['/avatars/GL.png', '/avatars/GL.svg', '/avatars/GL.png', '/avatars/GL.svg']);
  const throwing = { size: 40, get format(): 'png' { throw new Error('format getter'); } };
  assert.is(logos.logo(globex, throwing), png.replace('size=128', 'size=40'), 'the size still counts; the format is the provider\'s');
  assert.is(errors.length, 1);
  assert.is(errors[0]?.code, 'INVALID_RECORD');
  assert.match(errors[0]?.message ?? '', /options\.format/);
});

test('a provider that cannot serve the format ignores it; a custom provider is handed it, only when asked', () => {
  // data: URLs: e-mail clients block them whatever their format, so the provider keeps its own.
  const data = resolver({ avatar: initialsAvatar() });
  assert.is(data.logos.logo(globex, { format: 'png' }), data.logos.logo(globex));
  assert.match(data.logos.logo(globex, { format: 'png' }), /^data:image\/svg\+xml,/);
  const ui = resolver({ avatar: uiAvatars() });
  assert.is(ui.logos.logo(globex, { format: 'png' }), ui.logos.logo(globex));
  assert.equal([...data.errors, ...ui.errors], []);

  const seen: AvatarSubject[] = [];
  const custom = resolver({
    avatar: (subject) => {
      seen.push({ ...subject });
      return `/a/${subject.format ?? 'default'}.img`;
    },
  });
  assert.is(custom.logos.logo(globex), '/a/default.img');
  assert.is(custom.logos.logo(globex, { format: 'png' }), '/a/png.img');
  assert.is(custom.logos.logo(globex, { format: 'svg', size: 20 }), '/a/svg.img');
  assert.is(custom.logos.logo(globex, { format: 'png' }), '/a/png.img', 'memoised per format');
  // The first call is the construction's try of the placeholder (a factory passed uncalled fails there).
  assert.equal(seen, [{ name: 'C' }, { name: 'Globex Corporation' }, { name: 'Globex Corporation', format: 'png' }, { name: 'Globex Corporation', size: 20, format: 'svg' }]);
});

test('an avatar provider failing during a render: AVATAR_FAILED, a safe empty SVG, never a throw', async () => {
  for (const [bad, pattern] of [
    [() => 'javascript:"x"', /the avatar provider failed for "Acme": it returned "javascript:\\"x\\"", not a safe avatar URL/],
    [() => { throw new Error('boom'); }, /the avatar provider failed for "Acme": boom/],
    [() => 42 as unknown as string, /it returned 42/],
  ] as const) {
    // It draws the placeholder (tried at construction), and fails for names.
    const { logos, errors } = resolver({ avatar: (subject) => (subject.name === 'C' ? '/a/C.svg' : bad()) });
    assert.match(logos.avatar('Acme'), /^data:image\/svg\+xml,[^"'<>\s]+$/);
    assert.match(await logos.logoAsync({ company: 'Acme', icon: 'gone.png' }, { format: 'png' }), /^data:image\/svg\+xml,/);
    assert.is(errors.length, 1);
    assert.is(errors[0]?.code, 'AVATAR_FAILED');
    assert.match(errors[0]?.message ?? '', pattern);
  }
});

test.run();
