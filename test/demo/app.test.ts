import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readConfig } from '../../examples/demo/config.js';
import { JPEG_HEAD, solidPng } from './images.js';
import { rawRequest } from '../server/media-helpers.js';
import { startTempDemo, type TempDemo } from './start-temp.js';

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(`${path.relative(dir, full)} ${statSync(full).size}`);
    }
  };
  walk(dir);
  return out.sort();
}

async function upload(demo: TempDemo, id: number, bytes: Buffer, name: string, type = '', headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.set('logo', new File([bytes], name, type === '' ? {} : { type }));
  return fetch(new URL(`/companies/${id}/logo`, demo.url), { method: 'POST', body: form, redirect: 'manual', headers });
}

const logoOf = (html: string, id: number): string | undefined =>
  new RegExp(`<tr data-company-id="${id}">[\\s\\S]*?<td class="engine" data-engine="nunjucks">[\\s\\S]*?src="([^"]*)"`).exec(html)?.[1];

test('the page: four fixture companies, six engines printing identical HTML, hostile name escaped', async () => {
  const demo = await startTempDemo();
  try {
    assert.ok(demo.seeded);
    const response = await fetch(demo.url);
    assert.is(response.status, 200);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await response.text();
    for (const name of ['Acme Corp', 'Globex GmbH', 'Initech']) assert.ok(html.includes(name), name);
    assert.not.ok(html.includes('<script>'), 'no raw script tag from the hostile name');
    assert.ok(html.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons'));
    assert.is((html.match(/identical HTML ✓/g) ?? []).length, 4);
    assert.is(logoOf(html, 1), '/media/base/company/icon/acme.png');
    for (const id of [2, 3, 4]) assert.match(logoOf(html, id) ?? '', /^data:image\/svg\+xml,/, `company ${id} gets an avatar`);
    for (const label of ['logo present', 'file missing', 'no icon', 'unsafe reference', 'hostile name']) assert.ok(html.includes(label), label);
    assert.match(html, /Rendered with <strong>Nunjucks<\/strong>/);
    assert.not.match(html, /src="(https?:)?\/\//, 'local avatars by default: no image from another host');
  } finally {
    await demo.stop();
  }
});

test('ENGINE picks the app sidebar\'s engine; ?avatars=ui-avatars switches the provider', async () => {
  const demo = await startTempDemo({ ENGINE: 'liquid' });
  try {
    const html = await (await fetch(demo.url)).text();
    assert.match(html, /Rendered with <strong>LiquidJS<\/strong>/);
    const remote = await (await fetch(new URL('/?avatars=ui-avatars', demo.url))).text();
    assert.match(logoOf(remote, 2) ?? '', /^https:\/\/ui-avatars\.com\/api\/\?name=/);
  } finally {
    await demo.stop();
  }
});

test('media: a logo is served with its type, nosniff and a sandbox; anything else is the avatar route, never a 404', async () => {
  const demo = await startTempDemo();
  try {
    const logo = await fetch(new URL('/media/base/company/icon/acme.png', demo.url));
    assert.is(logo.status, 200);
    assert.is(logo.headers.get('content-type'), 'image/png');
    assert.is(logo.headers.get('x-content-type-options'), 'nosniff');
    assert.is(logo.headers.get('cache-control'), 'public, max-age=604800');
    assert.match(logo.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.equal(Buffer.from(await logo.arrayBuffer()), readFileSync('fixtures/media/base/company/icon/acme.png'));
    writeFileSync(path.join(demo.mediaRoot, 'page.html'), '<script>alert(1)</script>');
    symlinkSync('/etc/passwd', path.join(demo.mediaRoot, 'base/company/icon/passwd.png'));
    for (const [url, reason, initials] of [
      ['/media/base/company/icon/globex-logo.png', 'denied', 'C'], // in the volume, but no company's logo: not published
      ['/media/page.html', 'denied', 'C'],
      ['/media/base/company/icon/passwd.png', 'denied', 'C'],
      ['/media/base/company/icon/lost.png', 'denied', 'C'], // nobody's logo, and not there either: the same answer
      ['/media/base/company/icon/globex-missing.png', 'missing', 'GL'], // Globex GmbH's logo, whose file is missing
      ['/media/base/company/icon/..%2f..%2f..%2fetc/passwd', 'unsafe', 'C'],
      ['/media/%2e%2e/%2e%2e/package.json', 'unsafe', 'C'],
      ['/media/.env', 'unsafe', 'C'],
    ] as const) {
      // Raw request targets: fetch() would resolve the `%2e%2e` segments itself.
      const answer = await rawRequest(Number(new URL(demo.url).port), url);
      assert.is(answer.status, 307, url);
      assert.is(answer.headers['x-logo-fallback'], reason, url);
      assert.is(answer.headers['cache-control'], 'no-store', url);
      const location = String(answer.headers.location);
      assert.match(location, new RegExp(`^/avatars/${initials}\\.svg\\?`), url);
      const avatar = await fetch(new URL(location, demo.url));
      assert.is(avatar.status, 200, `${url} → ${location}`);
      assert.is(avatar.headers.get('content-type'), 'image/svg+xml');
      assert.match(await avatar.text(), new RegExp(`>${initials}</text>`));
    }
    assert.is((await fetch(new URL('/media/base/company/icon/acme.png', demo.url), { method: 'POST' })).status, 405);
  } finally {
    await demo.stop();
  }
});

test('behind nginx (MEDIA_ACCEL_PREFIX): the app answers X-Accel-Redirect after its check; a lost logo is still the avatar', async () => {
  const demo = await startTempDemo({ MEDIA_ACCEL_PREFIX: '/_protected_media/' });
  try {
    const logo = await fetch(new URL('/media/base/company/icon/acme.png', demo.url));
    assert.is(logo.status, 200);
    assert.is(logo.headers.get('x-accel-redirect'), '/_protected_media/base/company/icon/acme.png');
    assert.is(logo.headers.get('content-type'), 'image/png');
    assert.is((await logo.arrayBuffer()).byteLength, 0, 'nginx sends the file');
    const unpublished = await fetch(new URL('/media/base/company/icon/globex-logo.png', demo.url), { redirect: 'manual' });
    assert.is(unpublished.status, 307);
    assert.is(unpublished.headers.get('x-accel-redirect'), null);
    const lost = await fetch(new URL('/media/base/company/icon/globex-missing.png', demo.url), { redirect: 'manual' });
    assert.is(lost.headers.get('x-logo-fallback'), 'missing');
    assert.match(lost.headers.get('location') ?? '', /^\/avatars\/GL\.svg\?/);
  } finally {
    await demo.stop();
  }
});

test('an upload replaces the logo at once (the resolver cache is invalidated), under a generated name', async () => {
  const demo = await startTempDemo();
  try {
    assert.match(logoOf(await (await fetch(demo.url)).text(), 2) ?? '', /^data:/, 'the missing file is now cached as missing');
    const response = await upload(demo, 2, solidPng(48, [10, 120, 200]), 'globex.png', 'image/png');
    assert.is(response.status, 303);
    assert.is(response.headers.get('location'), '/?company=2&uploaded=1');
    const html = await (await fetch(new URL('/?company=2&uploaded=1', demo.url))).text();
    const url = logoOf(html, 2) ?? '';
    assert.match(url, /^\/media\/base\/company\/icon\/[0-9a-f-]{36}\.png$/);
    assert.match(html, /The logo of Globex GmbH is updated/);
    const served = await fetch(new URL(url, demo.url));
    assert.is(served.status, 200);
    assert.equal(Buffer.from(await served.arrayBuffer()), solidPng(48, [10, 120, 200]));
    const again = await upload(demo, 2, solidPng(20, [1, 2, 3]), 'other.png');
    assert.is(again.status, 303);
    const next = logoOf(await (await fetch(demo.url)).text(), 2);
    assert.ok(next !== url && next?.startsWith('/media/'), 'a second upload gets a new name');
    // JPEG and WebP as Chromium encodes them pass the structure check too.
    for (const [file, type, extension] of [['solid-8.jpg', 'image/jpeg', 'jpg'], ['solid-8.webp', 'image/webp', 'webp']] as const) {
      assert.is((await upload(demo, 2, readFileSync(`fixtures/uploads/${file}`), file, type)).status, 303, file);
      assert.match(logoOf(await (await fetch(demo.url)).text(), 2) ?? '', new RegExp(`^/media/base/company/icon/[0-9a-f-]{36}\\.${extension}$`), file);
    }
  } finally {
    await demo.stop();
  }
});

test('bad uploads: a clear 4xx, nothing stored, the previous logo kept', async () => {
  const demo = await startTempDemo();
  try {
    const before = files(demo.mediaRoot);
    const page = async (): Promise<string | undefined> => logoOf(await (await fetch(demo.url)).text(), 1);
    const previous = await page();
    const big = Buffer.concat([solidPng(8, [0, 0, 0]), Buffer.alloc(5 * 1024 * 1024)]);
    const cases: Array<[Buffer, string, string, number, RegExp]> = [
      [Buffer.alloc(0), 'empty.png', 'image/png', 400, /The file is empty/],
      [big, 'big.png', 'image/png', 413, /larger than 5 MB/],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.svg', 'image/svg+xml', 415, /SVG/],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.png', 'image/png', 415, /SVG/],
      [Buffer.from('<!doctype html><script>alert(1)</script>'), 'logo.png', 'image/png', 415, /markup/],
      [Buffer.from('GIF89a\u0001\u0000\u0001\u0000'), 'logo.gif', 'image/gif', 415, /not a PNG, JPEG or WebP/],
      [Buffer.from('just some text'), 'logo.webp', 'image/webp', 415, /not a PNG, JPEG or WebP/],
      [JPEG_HEAD, 'logo.png', 'image/png', 415, /claims to be PNG but its content is JPEG/],
      [solidPng(4, [0, 0, 0]), 'logo.jpg', '', 415, /claims to be JPEG but its content is PNG/],
      // A polyglot: the PNG signature, then a script — the magic bytes pass, a browser draws nothing.
      [Buffer.concat([solidPng(4, [0, 0, 0]).subarray(0, 8), Buffer.from('<script>alert(1)</script>')]), 'logo.png', 'image/png', 415, /starts like a PNG image but is not one a browser can draw/],
      [solidPng(16, [0, 0, 0]).subarray(0, 60), 'cut.png', 'image/png', 415, /not one a browser can draw: .*cut off/],
    ];
    for (const [bytes, name, type, status, message] of cases) {
      const response = await upload(demo, 1, bytes, name, type);
      assert.is(response.status, status, name);
      const html = await response.text();
      assert.match(html, message, name);
      assert.match(html, /role="alert">Acme Corp: .*The previous logo is kept\./);
    }
    const noFile = await fetch(new URL('/companies/1/logo', demo.url), { method: 'POST', body: new FormData() });
    assert.is(noFile.status, 400);
    const notMultipart = await fetch(new URL('/companies/1/logo', demo.url), { method: 'POST', body: 'logo=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.is(notMultipart.status, 400);
    assert.is((await upload(demo, 99, solidPng(4, [0, 0, 0]), 'x.png')).status, 404);
    assert.is((await upload(demo, 1, solidPng(4, [0, 0, 0]), 'x.png', 'image/png', { origin: 'https://evil.example' })).status, 403);
    assert.is((await upload(demo, 1, solidPng(4, [0, 0, 0]), 'x.png', 'image/png', { origin: 'null' })).status, 403, 'an opaque origin');
    assert.equal(files(demo.mediaRoot), before, 'nothing stored');
    assert.is(await page(), previous, 'the previous logo is kept');
  } finally {
    await demo.stop();
  }
});

test('/healthz answers 200 with the database, media and data checked, and says where the media lives', async () => {
  const demo = await startTempDemo();
  try {
    const response = await fetch(new URL('/healthz', demo.url));
    assert.is(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal({ ...body, mediaMount: undefined }, { status: 'ok', database: true, mediaWritable: true, dataWritable: true, mediaMount: undefined, problems: [] });
    assert.type(body.mediaMount, 'string');
  } finally {
    await demo.stop();
  }
});

test('a restart keeps companies and uploads; an empty media root is not re-seeded (lost stays lost)', async () => {
  const first = await startTempDemo();
  const { base, dataDir } = first;
  await upload(first, 3, solidPng(16, [200, 0, 0]), 'initech.png');
  const uploaded = logoOf(await (await fetch(first.url)).text(), 3);
  await first.close();
  const second = await startTempDemo({}, { base, dataDir, mediaRoot: path.join(base, 'media') });
  try {
    assert.not.ok(second.seeded);
    assert.is(logoOf(await (await fetch(second.url)).text(), 3), uploaded);
  } finally {
    await second.close();
  }
  const third = await startTempDemo({}, { base, dataDir, mediaRoot: path.join(base, 'empty-media') });
  try {
    assert.not.ok(third.seeded);
    const html = await (await fetch(third.url)).text();
    for (const id of [1, 3]) assert.match(logoOf(html, id) ?? '', /^data:image\/svg\+xml,/, `company ${id}: avatar, not a broken image`);
    assert.is(readdirSync(third.mediaRoot).length, 0);
  } finally {
    await third.stop();
  }
});

test('settings are checked at start-up, naming the variable', () => {
  assert.throws(() => readConfig({ ENGINE: 'jinja' }), /ENGINE must be one of nunjucks, handlebars, liquid, ejs, pug, eta, got "jinja"/);
  assert.throws(() => readConfig({ PORT: 'eighty' }), /PORT must be a port number/);
  assert.throws(() => readConfig({ AVATARS: 'gravatar' }), /AVATARS must be one of local, ui-avatars/);
  assert.throws(() => readConfig({ MEDIA_ACCEL_PREFIX: 'internal' }), /MEDIA_ACCEL_PREFIX must be a path/);
  assert.is(readConfig({}).port, 3000);
});

test.run();
