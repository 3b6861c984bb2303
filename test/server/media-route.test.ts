/**
 * The media route over a real socket with the local disk: what it serves and how, what it falls
 * back on and how, the nameFor hook's bounds, and the options refused at start-up.
 */
import { renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, initialsAvatar, LogoFallbackError, type Storage } from '../../src/index.js';
import { mediaHandler, NAME_LOOKUPS_IN_FLIGHT } from '../../src/server/index.js';
import { recording } from '../helpers/media.js';
import { ACME, FILES, GLOBEX, SECRET, refuseOption as refuse, routeServer } from './media-helpers.js';

const ROUTE_AVATAR = initialsAvatar({ route: '/avatars/' });
const SVG_DATA = 'data:image/svg+xml,';

const setup = routeServer;

test('serves the real file: bytes, image type, validators, nosniff and a sandbox CSP; the query is ignored', async () => {
  const s = await setup();
  try {
    const cases: Array<[string, Buffer]> = [
      ['/media/base/company/icon/acme.png', ACME],
      ['/media/base/company/icon/globex-logo.png?v=2&x=../../secret.txt', GLOBEX],
      ['/media/base/company/icon/o%27brien%20%281%29.png', ACME],
      ["/media/base/company/icon/o'brien%20(1).png#frag", ACME],
      [`/media/base/company/icon/${encodeURIComponent('株式会社')}.png`, GLOBEX],
      ['/media/base/company/icon/%C3%A9vian%2520eau.png', ACME],
      ['/media/uploads/link-in.png', ACME],
    ];
    for (const [target, bytes] of cases) {
      const reply = await s.request(target);
      assert.is(reply.status, 200, target);
      assert.ok(reply.body.equals(bytes), target);
      assert.is(reply.headers['content-type'], 'image/png', target);
      assert.is(reply.headers['content-length'], String(bytes.length));
      assert.is(reply.headers['x-content-type-options'], 'nosniff');
      assert.is(reply.headers['content-security-policy'], "default-src 'none'; sandbox");
      assert.is(reply.headers['cache-control'], 'public, max-age=3600');
      assert.is(reply.headers['content-disposition'], undefined);
      assert.is(reply.headers['x-logo-fallback'], undefined);
      assert.match(String(reply.headers.etag), /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
      assert.ok(Number.isFinite(Date.parse(String(reply.headers['last-modified']))));
    }
  } finally {
    await s.close();
  }
});

test('304 on If-None-Match and If-Modified-Since, 206 for a Range, 416, 412, If-Range, HEAD', async () => {
  const s = await setup({ cacheControl: 'private, max-age=60' });
  try {
    const url = '/media/base/company/icon/globex-logo.png';
    const first = await s.request(url);
    const etag = String(first.headers.etag);
    assert.is(first.headers['cache-control'], 'private, max-age=60');
    for (const headers of [{ 'If-None-Match': etag }, { 'If-None-Match': `"x", ${etag}` }, { 'If-Modified-Since': String(first.headers['last-modified']) }]) {
      const cached = await s.request(url, { headers });
      assert.is(cached.status, 304, JSON.stringify(headers));
      assert.is(cached.body.length, 0);
      assert.is(cached.headers.etag, etag);
      assert.is(cached.headers['x-content-type-options'], 'nosniff');
    }
    assert.is((await s.request(url, { headers: { 'If-None-Match': '"other"' } })).status, 200);

    const part = await s.request(url, { headers: { Range: 'bytes=10-19' } });
    assert.is(part.status, 206);
    assert.ok(part.body.equals(GLOBEX.subarray(10, 20)));
    assert.is(part.headers['content-range'], `bytes 10-19/${GLOBEX.length}`);
    assert.is(part.headers['content-type'], 'image/png');
    const tail = await s.request(url, { headers: { Range: 'bytes=-7' } });
    assert.is(tail.status, 206);
    assert.ok(tail.body.equals(GLOBEX.subarray(GLOBEX.length - 7)));
    const unsatisfiable = await s.request(url, { headers: { Range: `bytes=${GLOBEX.length + 5}-` } });
    assert.is(unsatisfiable.status, 416);
    assert.is(unsatisfiable.headers['content-range'], `bytes */${GLOBEX.length}`);
    assert.is(unsatisfiable.headers['x-content-type-options'], 'nosniff');
    const stale = await s.request(url, { headers: { Range: 'bytes=0-3', 'If-Range': '"stale"' } });
    assert.is(stale.status, 200, 'If-Range that does not match: the whole file');
    assert.ok(stale.body.equals(GLOBEX));
    assert.is((await s.request(url, { headers: { 'If-Match': '"nope"' } })).status, 412);

    const head = await s.request(url, { method: 'HEAD' });
    assert.is(head.status, 200);
    assert.is(head.body.length, 0);
    assert.is(head.headers['content-length'], String(GLOBEX.length));
    assert.is(head.headers.etag, etag);
  } finally {
    await s.close();
  }
});

test('uploads are never served as HTML or SVG: anything but a raster image type is an octet-stream attachment', async () => {
  const s = await setup();
  try {
    for (const key of ['uploads/evil.svg', 'uploads/page.html', 'uploads/page.HTM', 'uploads/report.pdf', 'uploads/noext']) {
      const reply = await s.request(`/media/${key}`);
      assert.is(reply.status, 200, key);
      assert.is(reply.headers['content-type'], 'application/octet-stream', key);
      assert.is(reply.headers['content-disposition'], 'attachment', key);
      assert.is(reply.headers['x-content-type-options'], 'nosniff', key);
      assert.is(reply.headers['content-security-policy'], "default-src 'none'; sandbox", key);
      assert.ok(reply.body.equals(FILES[key] as Buffer), key);
    }
    // Named .png, holding HTML: served as what its name says, and nosniff forbids a browser to guess otherwise.
    const fake = await s.request('/media/uploads/fake.png');
    assert.is(fake.headers['content-type'], 'image/png');
    assert.is(fake.headers['x-content-type-options'], 'nosniff');
  } finally {
    await s.close();
  }
});

test('a miss: 307 to the avatar route, no-store, X-Logo-Fallback; following it draws the avatar; never a 200 at the file URL', async () => {
  const s = await setup();
  try {
    for (const [target, reason] of [
      ['/media/base/company/icon/lost.png', 'missing'],
      ['/media/base/company/icon/lost%20logo.png?size=34', 'missing'],
      ['/media/base/empty.png', 'missing'],
      ['/media/base/company', 'missing'],
      ['/media/base/company/', 'unsafe'],
      ['/media/', 'unsafe'],
      ['/media/%2e%2e/secret.txt', 'unsafe'],
    ] as const) {
      const reply = await s.request(target);
      assert.is(reply.status, 307, target);
      assert.is(reply.headers.location, ROUTE_AVATAR({ name: 'C' }), target);
      assert.is(reply.headers['cache-control'], 'no-store', target);
      assert.is(reply.headers['x-logo-fallback'], reason, target);
      assert.is(reply.headers['x-content-type-options'], 'nosniff');
      const avatar = await s.request(String(reply.headers.location));
      assert.is(avatar.status, 200);
      assert.is(avatar.headers['content-type'], 'image/svg+xml');
      const head = await s.request(target, { method: 'HEAD' });
      assert.is(head.status, 307);
      assert.is(head.body.length, 0);
      assert.is(head.headers.location, reply.headers.location);
    }
  } finally {
    await s.close();
  }
});

test('dot files and directories are never served, and the storage is never asked about them', async () => {
  const s = await setup({}, {}, (storage) => recording(storage));
  try {
    for (const key of ['.env', 'base/.git/config', 'base/company/.hidden.png', '.well-known/x.png', 'base/company/icon/..png/x']) {
      const reply = await s.request(`/media/${key}`);
      assert.is(reply.status, 307, key);
      assert.is(reply.headers['x-logo-fallback'], 'unsafe', key);
      assert.not.ok(reply.body.includes('hunter2'));
    }
    assert.equal((s.storage as Storage & { calls: string[] }).calls, []);
    const index = await s.request('/media/base/company/');
    assert.is(index.status, 307, 'no index.html for a directory');
    assert.not.ok(index.body.includes('<h1>'));
  } finally {
    await s.close();
  }
});

test('symlinks out of the root are not served, whatever the cache knew; a file gone since is a miss and the resolver forgets it', async () => {
  const s = await setup();
  try {
    for (const target of ['/media/uploads/link-out.png', '/media/uploads/dir-out/secret.txt', '/media/uploads/dir-out/secret.png']) {
      const reply = await s.request(target);
      assert.is(reply.status, 307, target);
      assert.ok(['unsafe', 'fault'].includes(String(reply.headers['x-logo-fallback'])), target);
      assert.not.ok(reply.body.includes(SECRET), target);
    }
    // Known present (cached for ttl), then swapped for a symlink out of the root: checked again, not sent.
    const key = 'base/company/icon/globex-logo.png';
    assert.is((await s.request(`/media/${key}`)).status, 200);
    const file = path.join(s.root, key);
    renameSync(file, `${file}.bak`);
    symlinkSync(path.join(s.base, 'secret.png'), file);
    const swapped = await s.request(`/media/${key}`);
    assert.is(swapped.status, 307);
    assert.not.ok(swapped.body.includes(SECRET));
    unlinkSync(file);
    // Known present, then deleted: a miss at once, and the filters' next render shows the avatar.
    assert.is((await s.request('/media/base/company/icon/acme.png')).status, 200);
    assert.is(await s.logos.fileUrlAsync('base/company/icon/acme.png'), '/media/base/company/icon/acme.png');
    unlinkSync(path.join(s.root, 'base/company/icon/acme.png'));
    const gone = await s.request('/media/base/company/icon/acme.png');
    assert.is(gone.status, 307);
    assert.is(gone.headers['x-logo-fallback'], 'missing');
    assert.is(s.logos.fileUrl('base/company/icon/acme.png', 'Acme'), s.logos.avatar('Acme'));
  } finally {
    await s.close();
  }
});

test('a fault (the root gone, a storage whose stat fails) is a 307 with X-Logo-Fallback: fault, and reported', async () => {
  const s = await setup();
  try {
    rmSync(s.root, { recursive: true });
    const reply = await s.request('/media/base/company/icon/acme.png');
    assert.is(reply.status, 307);
    assert.is(reply.headers['x-logo-fallback'], 'fault');
    assert.ok(s.reports.some((error) => (error as LogoFallbackError).code === 'ROOT_MISSING'));
  } finally {
    await s.close();
  }
  const failing = await setup({}, {}, (storage) => ({ ...storage, stat: () => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })) }));
  try {
    const reply = await failing.request('/media/base/company/icon/acme.png');
    assert.is(reply.status, 307);
    assert.is(reply.headers['x-logo-fallback'], 'fault');
    assert.ok(failing.reports.some((error) => /EIO/.test(error.message)), failing.reports.map((e) => e.message).join('\n'));
  } finally {
    await failing.close();
  }
});

test('nameFor: a name, a record, sync or async; a throw, a rejection, a hostile value or a hang end in the placeholder, bounded and reported', async () => {
  const signals: AbortSignal[] = [];
  const names: Record<string, () => unknown> = {
    'acme.png': () => 'Acme Corp',
    'globex.png': async () => ({ company: 'Globex Industries', icon: 'x' }),
    'map.png': async () => new Map([['company', 'Initech Systems']]),
    'throws.png': () => {
      throw new Error('database down');
    },
    'rejects.png': () => Promise.reject(new Error('connection reset')),
    'proxy.png': () =>
      new Proxy({}, {
        get() {
          throw new Error('trap');
        },
      }),
    'null.png': () => null,
    'number.png': () => 42,
  };
  const s = await setup({
    nameTimeout: 50,
    nameFor: (key, { signal }) => {
      const file = key.split('/').pop() as string;
      if (file === 'hangs.png') {
        signals.push(signal);
        return new Promise(() => undefined);
      }
      return names[file]?.();
    },
  });
  try {
    const location = async (file: string) => {
      const reply = await s.request(`/media/lost/${file}`);
      assert.is(reply.status, 307, file);
      return reply.headers.location;
    };
    assert.is(await location('acme.png'), ROUTE_AVATAR({ name: 'Acme Corp' }));
    assert.is(await location('globex.png'), ROUTE_AVATAR({ name: 'Globex Industries' }));
    assert.is(await location('map.png'), ROUTE_AVATAR({ name: 'Initech Systems' }));
    assert.is(await location('number.png'), ROUTE_AVATAR({ name: '42' }));
    for (const file of ['throws.png', 'rejects.png', 'proxy.png', 'null.png', 'hangs.png', 'unknown.png']) {
      assert.is(await location(file), ROUTE_AVATAR({ name: 'C' }), file);
    }
    assert.ok(s.reports.some((e) => /database down/.test(e.message) && (e as LogoFallbackError).code === 'INVALID_RECORD'));
    assert.ok(s.reports.some((e) => /connection reset/.test(e.message)));
    assert.ok(s.reports.some((e) => (e as LogoFallbackError).code === 'TIMEOUT' && /within 50 ms/.test(e.message)));
    assert.is(signals.length, 1);
    assert.ok(signals[0]?.aborted, 'the hung lookup was told to stop');
    // The request for a file that exists never asks for a name.
    assert.is((await s.request('/media/base/company/icon/acme.png')).status, 200);
  } finally {
    await s.close();
  }
});

test(`nameFor: at most ${NAME_LOOKUPS_IN_FLIGHT} lookups in flight; past that the placeholder at once`, async () => {
  let calls = 0;
  let holding = true;
  const release: Array<() => void> = [];
  const s = await setup({
    nameTimeout: 60_000,
    nameFor: () => {
      calls++;
      return holding ? new Promise<string>((resolve) => release.push(() => resolve('Held Name'))) : 'Free Name';
    },
  });
  try {
    const held = Array.from({ length: NAME_LOOKUPS_IN_FLIGHT }, (_, i) => s.request(`/media/lost/${i}.png`));
    while (calls < NAME_LOOKUPS_IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 10));
    const extra = await s.request('/media/lost/extra.png');
    assert.is(extra.status, 307);
    assert.is(extra.headers.location, ROUTE_AVATAR({ name: 'C' }));
    assert.is(calls, NAME_LOOKUPS_IN_FLIGHT, 'the extra request did not call nameFor');
    assert.ok(s.reports.some((e) => (e as LogoFallbackError).code === 'TIMEOUT' && /still running/.test(e.message)));
    holding = false;
    for (const done of release) done();
    for (const reply of await Promise.all(held)) assert.is(reply.headers.location, ROUTE_AVATAR({ name: 'Held Name' }));
    assert.is((await s.request('/media/lost/after.png')).headers.location, ROUTE_AVATAR({ name: 'Free Name' }), 'slots are free again');
    assert.is(calls, NAME_LOOKUPS_IN_FLIGHT + 1);
  } finally {
    holding = false;
    for (const done of release) done();
    await s.close();
  }
});

test("fallback: 'status' answers 404 with the avatar itself as the body, no-store, X-Logo-Fallback", async () => {
  const style = { shape: 'circle' as const, size: 40, fontWeight: 700 as const };
  const s = await setup({ fallback: 'status', avatar: style, nameFor: () => 'Acme Corp' });
  try {
    const reply = await s.request('/media/base/company/icon/lost.png');
    assert.is(reply.status, 404);
    assert.is(reply.headers['content-type'], 'image/svg+xml');
    assert.is(reply.headers['cache-control'], 'no-store');
    assert.is(reply.headers['x-logo-fallback'], 'missing');
    assert.is(reply.headers['content-security-policy'], "default-src 'none'; sandbox");
    assert.is(reply.headers.location, undefined);
    assert.is(reply.body.toString(), decodeURIComponent(initialsAvatar(style)({ name: 'Acme Corp' }).slice(SVG_DATA.length)));
    assert.is(reply.headers['content-length'], String(reply.body.length));
    const unsafe = await s.request('/media/%2e%2e/x.png');
    assert.is(unsafe.status, 404);
    assert.is(unsafe.headers['x-logo-fallback'], 'unsafe');
    const head = await s.request('/media/base/company/icon/lost.png', { method: 'HEAD' });
    assert.is(head.status, 404);
    assert.is(head.body.length, 0);
    assert.is((await s.request('/media/base/company/icon/acme.png')).status, 200);
  } finally {
    await s.close();
  }
});

test("avatar: { format: 'png' }: the redirect leads to the route's .png URL; fallback: 'status' sends the PNG itself", async () => {
  const redirect = await setup({ avatar: { format: 'png', size: 48 }, nameFor: () => 'Acme Corp' });
  try {
    const reply = await redirect.request('/media/lost.png');
    assert.is(reply.headers.location, initialsAvatar({ format: 'png', size: 48, route: '/avatars/' })({ name: 'Acme Corp' }));
    assert.match(String(reply.headers.location), /^\/avatars\/AC\.png\?size=48&/);
  } finally {
    await redirect.close();
  }
  const status = await setup({ fallback: 'status', avatar: { format: 'png', size: 48 } });
  try {
    const reply = await status.request('/media/lost.png');
    assert.is(reply.status, 404);
    assert.is(reply.headers['content-type'], 'image/png');
    assert.ok(reply.body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG signature');
    assert.is(reply.body.readUInt32BE(16), 48, 'its width');
    assert.is(reply.headers['x-logo-fallback'], 'missing');
  } finally {
    await status.close();
  }
});

test('other methods get 405 with Allow; paths outside the prefix go to next(); a custom prefix and avatar route', async () => {
  const s = await setup({ prefix: '/uploads', avatarRoute: '/static/avatars' });
  try {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND']) {
      const reply = await s.request('/uploads/base/company/icon/acme.png', { method });
      assert.is(reply.status, 405, method);
      assert.is(reply.headers.allow, 'GET, HEAD');
    }
    for (const target of ['/', '/media/base/company/icon/acme.png', '/uploadsbase/x.png', '/uploads', '/UPLOADS/base/company/icon/acme.png']) {
      assert.is((await s.request(target)).body.toString(), 'the app', target);
    }
    assert.ok((await s.request('/uploads/base/company/icon/acme.png')).body.equals(ACME));
    const lost = await s.request('/uploads/lost.png');
    assert.is(lost.headers.location, initialsAvatar({ route: '/static/avatars/' })({ name: 'C' }));
  } finally {
    await s.close();
  }
});

test('bad options and resolvers are refused at start-up with a LogoFallbackError', () => {
  const logos = createLogoResolver({ storage: fsStorage({ root: '/nonexistent', baseUrl: '/media/' }) });
  refuse(() => mediaHandler(null as never), /createLogoResolver/);
  refuse(() => mediaHandler({} as never), /createLogoResolver/);
  refuse(() => mediaHandler(logos, { prefx: '/media/' } as never), /unknown key "prefx"/);
  refuse(() => mediaHandler(logos, { prefix: 'media' }), /"prefix"/);
  refuse(() => mediaHandler(logos, { prefix: 'https://cdn.example/media/' }), /"prefix" must be a path/);
  refuse(() => mediaHandler(logos, { avatarRoute: '/media/avatars/' }), /lies under "prefix"/);
  refuse(() => mediaHandler(logos, { fallback: '404' as never }), /"fallback"/);
  refuse(() => mediaHandler(logos, { nameTimeout: -1 }), /"nameTimeout"/);
  refuse(() => mediaHandler(logos, { nameTimeout: Infinity }), /"nameTimeout"/);
  refuse(() => mediaHandler(logos, { nameFor: 'name' as never }), /"nameFor"/);
  refuse(() => mediaHandler(logos, { cacheControl: 'public\r\nSet-Cookie: a=b' }), /"cacheControl"/);
  refuse(() => mediaHandler(logos, { avatar: { route: '/x/' } as never }), /avatarRoute/);
  refuse(() => mediaHandler(logos, { avatar: { shape: 'hexagon' as never } }), /shape/);
  const remoteAtPrefix: Storage = { name: 'cdn', baseUrl: '/media/', exists: async () => true, url: (key) => `/media/${key}` };
  refuse(() => mediaHandler(createLogoResolver({ storage: remoteAtPrefix })), /under "prefix"/);
  const localWithoutStat: Storage = { name: 'disk', root: '/srv/media', baseUrl: '/media/', exists: async () => true, url: (key) => `/media/${key}` };
  refuse(() => mediaHandler(createLogoResolver({ storage: localWithoutStat })), /no stat\(\)/);
});

test.run();
