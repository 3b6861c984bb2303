/**
 * The breaker's states over a real HTTP server on 127.0.0.1 — closed → open → half-open → open or
 * closed — and its option. The cooldown is measured on Node's mocked `Date` (the breaker reads it),
 * so that a loaded machine cannot make a page outlast it; the server, sockets and timers are real.
 */
import { readFile } from 'node:fs/promises';
import { mock } from 'node:test';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBreaker } from '../src/breaker.js';
import { LogoFallbackError, createLogoResolver, httpStorage } from '../src/index.js';
import { httpResolver, mediaServer, until } from './cache-servers.js';
import { companies, images, openings, renderPage, waited } from './helpers/breaker-pages.js';

const COOLDOWN = 10_000;

test('half-open: after the cooldown one render waits (the probe); over a storage still hung it re-opens, unreported, and the page goes on at once', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const media = await mediaServer();
  media.delay = 'hang';
  try {
    // Room for every hung check at once: with the default 32, the open breaker's background checks
    // fill the queue, and the probe waits in it (a wait reported without a key, which `waited` does not count).
    const { logos, errors } = httpResolver(media, { timeout: 100, concurrency: 1024, cache: { hardTimeout: 5_000, breaker: { failures: 2, cooldown: COOLDOWN } } });
    await renderPage('liquid', logos, companies('a', 10));
    assert.is(waited(errors), 2, 'two waits opened it');
    mock.timers.tick(COOLDOWN - 1);
    await renderPage('nunjucks', logos, companies('b', 10));
    assert.is(waited(errors), 2, 'still open 1 ms before the cooldown ends');
    mock.timers.tick(1);
    await renderPage('nunjucks', logos, companies('c', 10));
    assert.is(waited(errors), 3, 'half-open: exactly one render waited, the probe');
    await renderPage('liquid', logos, companies('d', 10));
    assert.is(waited(errors), 3, 'the probe timed out: open again');
    assert.is(openings(errors).length, 1, 'one outage, one report');
    // Re-opened for a whole new cooldown: its end brings the next probe, and only one.
    mock.timers.tick(COOLDOWN - 1);
    await renderPage('nunjucks', logos, companies('d2', 10));
    assert.is(waited(errors), 3, 'the new cooldown counts from the failed probe');
    mock.timers.tick(1);
    await renderPage('nunjucks', logos, companies('d3', 10));
    assert.is(waited(errors), 4, 'the next probe');
    // lookup() (a media route, a health check) does not wait either.
    assert.equal(await logos.lookup('e/0.png'), { state: 'fault', key: 'e/0.png' });
    assert.is(waited(errors), 4);
  } finally {
    mock.timers.reset();
    await media.close();
  }
});

test('recovery: a background check answered in time closes it — the next render has the logos and waits again for new files', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const media = await mediaServer();
  media.delay = 'hang';
  try {
    const { logos, errors, settled } = httpResolver(media, { timeout: 100, cache: { hardTimeout: 300, missTtl: 1_000, breaker: { cooldown: COOLDOWN } } });
    const hung = companies('hung', 10);
    await renderPage('liquid', logos, hung);
    assert.is(openings(errors).length, 1);
    await settled(); // the hung checks are aborted at hardTimeout
    media.delay = 0;
    const page = companies('back', 10);
    for (const c of [...page, ...hung]) media.files.add(c.icon);
    // Still open (no cooldown passed): the page does not wait; its checks run in the background.
    assert.equal(images(await renderPage('nunjucks', logos, page), media.baseUrl), { logos: 0, avatars: 10 });
    await settled();
    assert.equal(images(await renderPage('nunjucks', logos, page), media.baseUrl), { logos: 10, avatars: 0 }, 'the next render is right');
    // Closed by those answers: a page of files never seen waits for them and prints them at once.
    const fresh = companies('fresh', 5);
    for (const c of fresh) media.files.add(c.icon);
    assert.equal(images(await renderPage('liquid', logos, fresh), media.baseUrl), { logos: 5, avatars: 0 }, 'closed: renders wait again');
    // The hung keys' faults are kept for missTtl (1 s): once it passes they are checked again.
    mock.timers.tick(1_000);
    assert.equal(images(await renderPage('liquid', logos, hung), media.baseUrl), { logos: 10, avatars: 0 });
    assert.is(openings(errors).length, 1);
  } finally {
    mock.timers.reset();
    await media.close();
  }
});

test('half-open over a storage that came back: the probe gets the logo on the first render and closes it', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const media = await mediaServer();
  media.delay = 'hang';
  try {
    const { logos, errors, settled } = httpResolver(media, { timeout: 2_000, cache: { hardTimeout: 2_500, breaker: { failures: 1, cooldown: COOLDOWN } } });
    await renderPage('liquid', logos, companies('x', 3));
    assert.is(waited(errors), 1);
    await settled();
    media.delay = 0;
    mock.timers.tick(COOLDOWN);
    const page = companies('y', 8);
    for (const c of page) media.files.add(c.icon);
    assert.equal(images(await renderPage('nunjucks', logos, page), media.baseUrl), { logos: 8, avatars: 0 }, 'the probe and every render after it waited');
    assert.is(waited(errors), 1);
  } finally {
    mock.timers.reset();
    await media.close();
  }
});

test('while open, a logo known present is still served (stale-if-error), and a fresh one from the cache', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const media = await mediaServer();
  try {
    const known = companies('known', 2);
    for (const c of known) media.files.add(c.icon);
    const { logos, errors } = httpResolver(media, { timeout: 100, cache: { ttl: 1_000, hardTimeout: 5_000, breaker: { cooldown: COOLDOWN } } });
    assert.equal(images(await renderPage('liquid', logos, known), media.baseUrl), { logos: 2, avatars: 0 });
    media.delay = 'hang';
    await renderPage('liquid', logos, companies('new', 5));
    assert.is(openings(errors).length, 1);
    const page = [...known, ...companies('more', 5)];
    assert.equal(images(await renderPage('nunjucks', logos, page), media.baseUrl), { logos: 2, avatars: 5 }, 'fresh entries');
    mock.timers.tick(1_500); // past ttl: served stale while re-checks hang
    assert.equal(images(await renderPage('nunjucks', logos, page), media.baseUrl), { logos: 2, avatars: 5 }, 'stale-if-error');
    assert.is(waited(errors), 3);
  } finally {
    mock.timers.reset();
    await media.close();
  }
});

test('cache.breaker is checked at construction: unknown keys, ranges, types, hostile objects', () => {
  const storage = httpStorage({ baseUrl: 'http://127.0.0.1:9/media/' });
  const make = (breaker: unknown, timeout?: number) =>
    createLogoResolver({ storage, ...(timeout === undefined ? {} : { timeout }), cache: { breaker } as never, onError: () => undefined });
  const refused = (breaker: unknown, pattern: RegExp) => {
    try {
      make(breaker);
    } catch (error) {
      assert.instance(error, LogoFallbackError);
      assert.is((error as LogoFallbackError).code, 'INVALID_OPTION');
      assert.match((error as Error).message, pattern);
      return;
    }
    assert.unreachable(`accepted ${String(breaker)}`);
  };
  refused({ failure: 3 }, /"failure".*failures/);
  refused({ cooldwn: 1 }, /cooldown/);
  for (const failures of [0, -1, 1.5, 1_001, Number.NaN, Number.POSITIVE_INFINITY, '3', null]) refused({ failures }, /"cache\.breaker\.failures" must be an integer from 1 to 1000/);
  for (const cooldown of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5s']) refused({ cooldown }, /"cache\.breaker\.cooldown" must be a finite number from 1 to 2147483647/);
  for (const breaker of [true, null, 3, 'on', []]) refused(breaker, /"cache\.breaker" must be an object such as \{ failures: 3, cooldown: 5_000 \} or false/);
  refused(
    Object.defineProperty({}, 'failures', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    }),
    /getter/,
  );
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  refused(revocable.proxy, /INVALID_OPTION|revoked|could not be read|plain object/);
  for (const ok of [undefined, false, {}, { failures: 1 }, { failures: 1_000, cooldown: 1 }, { cooldown: 2 ** 31 - 1 }]) make(ok);
  make({}, 600_000); // a 10 × timeout cooldown default stays a valid timer
});

test('the probe of a half-open breaker never hangs the breaker: a check already timed out is not chosen', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const media = await mediaServer();
  media.delay = 'hang';
  try {
    const { logos, errors } = httpResolver(media, { timeout: 50, cache: { hardTimeout: 5_000, breaker: { failures: 1, cooldown: COOLDOWN } } });
    const [first] = companies('p', 1);
    await renderPage('liquid', logos, [first as object]); // waits, times out: open
    mock.timers.tick(COOLDOWN);
    // The same key's check is still running (hung), already timed out for its callers: no probe.
    await renderPage('liquid', logos, [first as object]);
    assert.is(waited(errors), 1);
    // A new key is the probe: it waits, and re-opens the breaker.
    await renderPage('liquid', logos, companies('q', 4));
    assert.is(waited(errors), 2);
    await until(() => media.checks() >= 2, 5_000, 'the checks to arrive');
  } finally {
    mock.timers.reset();
    await media.close();
  }
});

test('the defaults the README states: 3 failures, a 5 s cooldown (10 × timeout when longer), observed', async () => {
  const readme = (await readFile(new URL('../README.md', import.meta.url), 'utf8')).replace(/\s+/g, ' ');
  assert.ok(readme.includes("| `cache.breaker` | `{ failures?, cooldown? }` or `false` | `{ failures: 3, cooldown: 5_000 }` |"), 'the options row');
  assert.ok(readme.includes('for `cooldown` ms (5 s, or 10 × `timeout` when longer)'), 'the cooldown rule');
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const media = await mediaServer();
  media.delay = 'hang';
  try {
    for (const [timeout, cooldown] of [
      [50, 5_000],
      [600, 6_000],
    ] as const) {
      const { logos, errors } = httpResolver(media, { timeout, concurrency: 1024, cache: { hardTimeout: 20_000 } });
      await renderPage('liquid', logos, companies(`default-${timeout}`, 8));
      assert.is(waited(errors), 3, `timeout ${timeout}: three waits open it`);
      assert.match(openings(errors)[0]?.message ?? '', `for ${cooldown} ms`);
      mock.timers.tick(cooldown - 1);
      await renderPage('liquid', logos, companies(`default-${timeout}-b`, 4));
      assert.is(waited(errors), 3, `timeout ${timeout}: open until ${cooldown} ms`);
      mock.timers.tick(1);
      await renderPage('liquid', logos, companies(`default-${timeout}-c`, 4));
      assert.is(waited(errors), 4, `timeout ${timeout}: the probe at ${cooldown} ms`);
    }
  } finally {
    mock.timers.reset();
    await media.close();
  }
});

test('the state machine alone: one report per outage, one probe at a time, a late probe frees its place', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const reports: LogoFallbackError[] = [];
    const breaker = createBreaker('x', { failures: 2, cooldown: 1_000 }, 100, (error) => reports.push(error));
    const [a, b, c] = [{}, {}, {}];
    breaker.failed(a, undefined);
    breaker.succeeded(); // in a row: a success starts the count again
    breaker.failed(a, undefined);
    assert.ok(breaker.admits(a) && breaker.closed());
    breaker.failed(b, undefined);
    assert.ok(!breaker.admits(c) && !breaker.closed(), 'open');
    assert.is(reports.length, 1);
    assert.match(reports[0]?.message ?? '', 'x storage: 2 checks in a row got no answer within "timeout" (100 ms) or failed; renders stop waiting for it for 1000 ms');
    mock.timers.tick(1_000);
    assert.ok(breaker.admits(a), 'half-open: the first asked is the probe');
    assert.ok(breaker.admits(a), 'and stays it');
    assert.ok(!breaker.admits(b), 'one probe at a time');
    breaker.failed(b, undefined);
    assert.ok(!breaker.admits(b), 'a failure of another check decides nothing');
    breaker.inconclusive(a);
    assert.ok(breaker.admits(b), 'a probe answered late frees its place');
    breaker.failed(b, undefined);
    assert.ok(!breaker.admits(c), 'the probe failed: open again');
    breaker.failed(c, undefined);
    assert.is(reports.length, 1, 'the same outage: not reported again');
    breaker.succeeded();
    assert.ok(breaker.admits(c) && breaker.closed(), 'one success closes it');
    const never = createBreaker('x', false, 100, (error) => reports.push(error));
    for (let i = 0; i < 10; i++) never.failed(a, undefined);
    assert.ok(never.admits(b) && never.closed());
  } finally {
    mock.timers.reset();
  }
});

test.run();
