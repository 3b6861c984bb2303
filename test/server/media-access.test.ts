/**
 * The media route's permission hook (`allow`) and its X-Accel-Redirect option over a real socket:
 * a denied key is the fallback with the placeholder (never nameFor, never the storage), a hook that
 * throws, hangs or piles up is a reported fault, and bad values are refused at start-up.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, initialsAvatar, LogoFallbackError, type Storage } from '../../src/index.js';
import { mediaFetchHandler, mediaHandler, NAME_LOOKUPS_IN_FLIGHT } from '../../src/server/index.js';
import { recording } from '../helpers/media.js';
import { ACME, refuseOption as refuse, routeServer } from './media-helpers.js';

const ROUTE_AVATAR = initialsAvatar({ route: '/avatars/' });

test('allow: true serves, false (or anything not true) is the fallback with the placeholder — nameFor and the storage are never asked', async () => {
  const named: string[] = [];
  const seen: Array<{ key: string; cookie: unknown; method: string; target: string }> = [];
  const answers: Record<string, unknown> = { 'acme.png': true, 'globex-logo.png': false, 'evil.svg': 'yes', 'page.html': 1, 'fake.png': {} };
  const s = await routeServer(
    {
      nameFor: (key) => (named.push(key), 'Acme Corp'),
      allow: async (key, { request }) => {
        seen.push({ key, cookie: request.headers.cookie, method: request.method, target: request.target });
        return answers[key.split('/').pop() as string] ?? false;
      },
    },
    {},
    recording,
  );
  try {
    const ok = await s.request('/media/base/company/icon/acme.png?v=1', { headers: { cookie: 'session=abc' } });
    assert.is(ok.status, 200);
    assert.ok(ok.body.equals(ACME));
    assert.equal(seen[0], { key: 'base/company/icon/acme.png', cookie: 'session=abc', method: 'GET', target: '/media/base/company/icon/acme.png?v=1' });
    const calls = (s.storage as Storage & { calls: string[] }).calls;
    const before = calls.length;
    for (const target of ['/media/base/company/icon/globex-logo.png', '/media/uploads/evil.svg', '/media/uploads/page.html', '/media/uploads/fake.png', '/media/not/there.png']) {
      for (const method of ['GET', 'HEAD']) {
        const reply = await s.request(target, { method });
        assert.is(reply.status, 307, target);
        assert.is(reply.headers['x-logo-fallback'], 'denied', target);
        assert.is(reply.headers.location, ROUTE_AVATAR({ name: 'C' }), 'the placeholder: a name would tell whose file it is');
        assert.is(reply.headers['cache-control'], 'no-store');
      }
    }
    assert.equal(named, [], 'nameFor is never asked about a denied key');
    assert.is(calls.length, before, 'the storage is never asked about a denied key');
    // Unsafe paths never reach the hook.
    const count = seen.length;
    assert.is((await s.request('/media/%2e%2e/secret.txt')).headers['x-logo-fallback'], 'unsafe');
    assert.is((await s.request('/media/.env')).headers['x-logo-fallback'], 'unsafe');
    assert.is(seen.length, count);
  } finally {
    await s.close();
  }
});

test('allow: a throw, a rejection, a hostile value or a hang is a reported fault, never a yes; the hung check is aborted', async () => {
  const signals: AbortSignal[] = [];
  const hooks: Record<string, (signal: AbortSignal) => unknown> = {
    'throws.png': () => {
      throw new Error('session store down');
    },
    'rejects.png': () => Promise.reject(new Error('connection reset')),
    'hangs.png': (signal) => (signals.push(signal), new Promise(() => undefined)),
    'proxy.png': () =>
      new Proxy({}, {
        get() {
          throw new Error('trap');
        },
      }),
  };
  const s = await routeServer({ allowTimeout: 50, allow: (key, { signal }) => hooks[key.split('/').pop() as string]?.(signal) ?? true });
  try {
    // A Proxy whose traps throw fails when it is awaited (its `then` is read): a fault too.
    for (const file of ['throws.png', 'rejects.png', 'hangs.png', 'proxy.png']) {
      const reply = await s.request(`/media/base/company/icon/${file}`);
      assert.is(reply.status, 307, file);
      assert.is(reply.headers['x-logo-fallback'], 'fault', file);
    }
    assert.ok(s.reports.some((e) => /allow\(.*trap/.test(e.message)));
    assert.ok(s.reports.some((e) => (e as LogoFallbackError).code === 'INVALID_RECORD' && /allow\(.*session store down/.test(e.message)));
    assert.ok(s.reports.some((e) => /connection reset/.test(e.message)));
    assert.ok(s.reports.some((e) => (e as LogoFallbackError).code === 'TIMEOUT' && /within 50 ms \(allowTimeout\)/.test(e.message)));
    assert.ok(signals[0]?.aborted, 'the hung check was told to stop');
    assert.is((await s.request('/media/base/company/icon/acme.png')).status, 200);
  } finally {
    await s.close();
  }
});

test(`allow: at most ${NAME_LOOKUPS_IN_FLIGHT} checks in flight; past that a fault at once`, async () => {
  let calls = 0;
  const release: Array<() => void> = [];
  const s = await routeServer({ allowTimeout: 60_000, allow: () => (calls++, new Promise<boolean>((resolve) => release.push(() => resolve(true)))) });
  try {
    const held = Array.from({ length: NAME_LOOKUPS_IN_FLIGHT }, () => s.request('/media/base/company/icon/acme.png'));
    while (calls < NAME_LOOKUPS_IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 10));
    const extra = await s.request('/media/base/company/icon/acme.png');
    assert.is(extra.headers['x-logo-fallback'], 'fault');
    assert.is(calls, NAME_LOOKUPS_IN_FLIGHT);
    assert.ok(s.reports.some((e) => (e as LogoFallbackError).code === 'TIMEOUT' && /allow\(\) calls are still running/.test(e.message)));
    for (const done of release) done();
    for (const reply of await Promise.all(held)) assert.is(reply.status, 200);
  } finally {
    for (const done of release) done();
    await s.close();
  }
});

test('the fetch handler asks allow with the request\'s headers too', async () => {
  const s = await routeServer();
  try {
    const logos = createLogoResolver({ storage: fsStorage({ root: s.root, baseUrl: '/media/' }) });
    const media = mediaFetchHandler(logos, { allow: (_key, { request }) => request.headers.authorization === 'Bearer ok' });
    const denied = await media(new Request('http://localhost/media/base/company/icon/acme.png'));
    assert.is(denied.status, 307);
    assert.is(denied.headers.get('x-logo-fallback'), 'denied');
    const allowed = await media(new Request('http://localhost/media/base/company/icon/acme.png', { headers: { authorization: 'Bearer ok' } }));
    assert.is(allowed.status, 200);
    assert.ok(Buffer.from(await allowed.arrayBuffer()).equals(ACME));
  } finally {
    await s.close();
  }
});

test('allow, allowTimeout and accelRedirect: bad values are refused at start-up with a LogoFallbackError', () => {
  const logos = createLogoResolver({ storage: fsStorage({ root: '/nonexistent', baseUrl: '/media/' }) });
  refuse(() => mediaHandler(logos, { allow: true as never }), /"allow" must be a function/);
  refuse(() => mediaHandler(logos, { allowTimeout: 0 }), /"allowTimeout"/);
  refuse(() => mediaHandler(logos, { allowTimeout: Number.NaN }), /"allowTimeout"/);
  for (const bad of ['_protected_media/', '/_protected_media', '/', '//', '/a b/', '/a\r\nX: y/', '/../etc/', '/a/./b/', 42, null]) {
    refuse(() => mediaHandler(logos, { accelRedirect: bad as never }), /"accelRedirect" must be a path/);
  }
  refuse(() => mediaHandler(logos, { accelRedirect: '/media/internal/' }), /overlap/);
  refuse(() => mediaHandler(logos, { prefix: '/files/media/', accelRedirect: '/files/' }), /overlap/);
  const remote: Storage = { name: 'cdn', baseUrl: 'https://cdn.example/', exists: async () => true, url: (key) => `https://cdn.example/${key}` };
  refuse(() => mediaHandler(createLogoResolver({ storage: remote }), { accelRedirect: '/_protected_media/' }), /needs a storage with a local root/);
  assert.type(mediaHandler(logos, { accelRedirect: '/_protected_media/', allow: () => true, allowTimeout: 1000 }), 'function');
});

test.run();
