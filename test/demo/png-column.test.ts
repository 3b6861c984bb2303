/**
 * The demo's e-mail column: what an e-mail would get for each company — the logo's own URL, else
 * the avatar route's PNG (`/avatars/…png`, served by avatarHandler({ png: true }) in the app). And
 * without the optional `@resvg/resvg-js`: the demo starts, serves SVG there and says why.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SIDEBAR_ENGINES } from '../../fixtures/render.js';
import { solidPng } from './images.js';
import { rows } from './page-cells.js';
import { startTempDemo } from './start-temp.js';
import { startDemoIn, treeWithout } from './tree-without.js';

const AVATAR_PNG = /^\/avatars\/[^/?]+\.png\?size=(\d+)&shape=square&bg=[0-9a-f]{6}$/;

/** Fetches a PNG from the demo: 200, image/png, a year of immutable caching; decoded. */
async function png(base: string, url: string): Promise<PNG> {
  const response = await fetch(new URL(url, base));
  assert.is(response.status, 200, url);
  assert.is(response.headers.get('content-type'), 'image/png', url);
  return PNG.sync.read(Buffer.from(await response.arrayBuffer()));
}

/** How many distinct RGBA values a decoded image holds (a drawn avatar: the background, the letters, their edges). */
function colours(image: PNG): number {
  const seen = new Set<number>();
  for (let i = 0; i < image.data.length; i += 4) seen.add(image.data.readUInt32BE(i));
  return seen.size;
}

test('the e-mail column: the logo where the file exists, else the route\'s PNG, which decodes at the size its URL asks for', async () => {
  const demo = await startTempDemo();
  try {
    const html = await (await fetch(demo.url)).text();
    assert.match(html, /<th scope="col">E-mail \(PNG\)<\/th>/);
    assert.not.match(html, /PNG avatars are off/);
    const emails = new Map(rows(html).map((row) => [row.id, row.email]));
    assert.equal([...emails.keys()], [1, 2, 3, 4]);
    assert.is(emails.get(1), '/media/base/company/icon/acme.png', 'a logo that exists is its own URL');
    const acme = await png(demo.url, '/media/base/company/icon/acme.png');
    assert.ok(acme.width > 0);
    for (const id of [2, 3, 4]) {
      const url = emails.get(id) ?? '';
      const size = Number(AVATAR_PNG.exec(url)?.[1]);
      assert.is(size, 68, `company ${id}: a PNG avatar URL of the route: ${url}`);
      const image = await png(demo.url, url);
      assert.equal([image.width, image.height], [size, size], `company ${id}: decoded at ${size} px`);
      assert.ok(colours(image) > 2, `company ${id}: initials drawn on the background`);
      const cached = await fetch(new URL(url, demo.url));
      assert.match(cached.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
      await cached.body?.cancel();
    }
    // Other sizes of the same URLs: the route's bounds are the app's, 16–512 px; outside them a 400, nothing drawn.
    const globex = emails.get(2) ?? '';
    for (const size of [16, 200, 512]) {
      const image = await png(demo.url, globex.replace('size=68', `size=${size}`));
      assert.equal([image.width, image.height], [size, size], `size=${size}`);
    }
    for (const size of ['513', '4096', '0', '-1']) {
      const refused = await fetch(new URL(globex.replace('size=68', `size=${size}`), demo.url));
      assert.is(refused.status, 400, `size=${size}`);
      await refused.body?.cancel();
    }
    for (const other of ['/avatars/base/company/icon/acme.png', '/avatars/GL.gif', '/avatars/']) {
      const response = await fetch(new URL(other, demo.url));
      assert.is(response.status, 404, `${other}: nothing but avatars under the route`);
      await response.body?.cancel();
    }
  } finally {
    await demo.stop();
  }
});

test('an upload shows in the e-mail column at once: the new logo\'s URL, the file itself', async () => {
  const demo = await startTempDemo();
  try {
    const emailOf = async (id: number): Promise<string | undefined> => rows(await (await fetch(demo.url)).text()).find((row) => row.id === id)?.email;
    assert.match((await emailOf(2)) ?? '', AVATAR_PNG, 'the file is missing: an avatar');
    const form = new FormData();
    form.set('logo', new File([solidPng(40, [200, 30, 30])], 'globex.png', { type: 'image/png' }));
    const response = await fetch(new URL('/companies/2/logo', demo.url), { method: 'POST', body: form, redirect: 'manual' });
    assert.is(response.status, 303);
    const uploaded = (await emailOf(2)) ?? '';
    assert.match(uploaded, /^\/media\/base\/company\/icon\/[0-9a-f-]{36}\.png$/);
    const image = await png(demo.url, uploaded);
    assert.equal([image.width, image.height], [40, 40], 'the uploaded picture itself');
  } finally {
    await demo.stop();
  }
});

/**
 * Installed without the rasteriser, or with it but without its binary for this platform (what
 * `npm install --omit=optional` leaves: @resvg/resvg-js, no @resvg/resvg-js-linux-x64-gnu).
 * resvg-js is then copied into the tree, so that it looks for its binary there.
 */
const ABSENCES: Array<[what: string, missing: string[], copied: string[], cause: RegExp]> = [
  ['@resvg/resvg-js', ['@resvg/resvg-js'], [], /Cannot find module '@resvg\/resvg-js'/],
  [
    '@resvg/resvg-js\'s platform binary',
    readdirSync('node_modules/@resvg').filter((name) => name !== 'resvg-js').map((name) => `@resvg/${name}`),
    ['@resvg/resvg-js'],
    /Cannot find module '@resvg\/resvg-js-[a-z0-9-]+'/,
  ],
];

for (const [what, missing, copied, cause] of ABSENCES) {
  test(`without ${what} the demo starts, shows SVG in the e-mail column and says why; the six engines are unaffected`, async () => {
    assert.ok(missing.length > 0, `something to leave out for ${what}`);
    const tree = treeWithout(missing, copied);
    let demo: Awaited<ReturnType<typeof startDemoIn>> | undefined;
    try {
      mkdirSync(path.join(tree.dir, '.demo'));
      demo = await startDemoIn(tree.dir, { DATA_DIR: path.join(tree.dir, '.demo/data'), MEDIA_ROOT: path.join(tree.dir, '.demo/media') });
      await demo.waitForOutput(/the e-mail column shows SVG avatars: .*PNG avatars need the optional dependency @resvg\/resvg-js.*npm install @resvg\/resvg-js/);
      assert.match(demo.output(), cause, 'the log names what could not be loaded');
      const html = await (await fetch(demo.url)).text();
      assert.match(html, /<th scope="col">E-mail \(SVG: PNG is off\)<\/th>/);
      assert.match(html, /<p class="notice notice--warn" role="note">The e-mail column shows SVG avatars: PNG avatars are off on this server\.\s+\[logo-fallback\] avatarHandler\(\): PNG avatars need the optional dependency @resvg\/resvg-js[^<]*Install it with &quot;npm install @resvg\/resvg-js&quot;/);
      const all = rows(html);
      assert.is(all.length, 4);
      for (const row of all) {
        assert.equal(row.engines.map(([engine]) => engine), [...SIDEBAR_ENGINES]);
        for (const [engine, cell] of row.engines) assert.is(cell, row.engines[0]?.[1], `company ${row.id}: ${engine}`);
      }
      assert.is(all[0]?.email, '/media/base/company/icon/acme.png');
      for (const row of all.slice(1)) {
        const url = row.email ?? '';
        assert.match(url, /^\/avatars\/[^/?]+\.svg\?size=68&shape=square&bg=[0-9a-f]{6}$/, `company ${row.id}`);
        const svg = await fetch(new URL(url, demo.url));
        assert.is(svg.status, 200, url);
        assert.is(svg.headers.get('content-type'), 'image/svg+xml');
        assert.match(await svg.text(), /^<svg [^>]*width="68" height="68"/);
        const noPng = await fetch(new URL(url.replace('.svg?', '.png?'), demo.url));
        assert.is(noPng.status, 404, 'no PNG route without the rasteriser');
        await noPng.body?.cancel();
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${demo?.output() ?? ''}`, { cause: error });
    } finally {
      await demo?.stop();
      tree.remove();
    }
  });
}

test.run();
