/**
 * A page over a hung storage must not wait one `timeout` per company: the storage's circuit breaker
 * (src/breaker.ts) lets renders wait for `cache.breaker.failures` checks in a row, then answers the
 * rest of the page at once. Real engines (Nunjucks `{ async: true }`, LiquidJS `parseAndRender()`)
 * against real HTTP servers on 127.0.0.1 that never answer, or answer slowly but in time.
 *
 * Nothing here reads a clock: what is counted is how many renders waited a full `timeout` (the
 * cache's TIMEOUT report for a key, one per wait) and how often the breaker opened.
 */
import Handlebars from 'handlebars';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { httpResolver, mediaServer, until } from './cache-servers.js';
import { companies, images, openings, renderPage, waited, type Engine } from './helpers/breaker-pages.js';

const ENGINES: Engine[] = ['nunjucks', 'liquid'];

test('a hung storage: a page of 40 companies waits for `failures` checks, not 40 — every engine, any threshold', async () => {
  const media = await mediaServer();
  media.delay = 'hang';
  try {
    for (const engine of ENGINES) {
      for (const failures of [1, 3, 5]) {
        const { logos, errors } = httpResolver(media, { timeout: 100, cache: { hardTimeout: 5_000, breaker: { failures, cooldown: 600_000 } } });
        const html = await renderPage(engine, logos, companies(`${engine}-${failures}`, 40));
        assert.equal(images(html, media.baseUrl), { logos: 0, avatars: 40 }, `${engine}: a whole page of avatars`);
        assert.ok(html.endsWith('|end'), `${engine}: the page is whole`);
        assert.is(waited(errors), failures, `${engine}, failures ${failures}: renders that waited a full timeout`);
        const opened = openings(errors);
        assert.is(opened.length, 1, `${engine}: the opening is reported once`);
        assert.match(opened[0]?.message ?? '', `http storage: ${failures} checks in a row got no answer within "timeout" (100 ms)`);
        assert.match(opened[0]?.message ?? '', 'for 600000 ms');
        // The next page of the same storage does not wait at all while the breaker is open.
        await renderPage(engine, logos, companies(`${engine}-${failures}-next`, 40));
        assert.is(waited(errors), failures, `${engine}: the next page waited for nothing`);
        assert.is(openings(errors).length, 1, `${engine}: still one report`);
      }
    }
    // Checks still went to the storage in the background (to fill the cache), through the queue.
    assert.ok(media.checks() > 3 * 5, `background checks were started (${media.checks()})`);
    assert.ok(media.maxInFlight <= 6 * 32, `bounded by the queue per resolver (${media.maxInFlight} at once)`);
  } finally {
    await media.close();
  }
});

test('Handlebars: prefetch() before the sync render waits for its checks while the breaker is closed, not while it is open', async () => {
  const media = await mediaServer();
  media.delay = 'hold';
  try {
    for (const breaker of [{ cooldown: 600_000 }, false] as const) {
      const label = breaker === false ? 'off' : 'on';
      const { logos, errors } = httpResolver(media, { timeout: 50, cache: { hardTimeout: 10_000, breaker } });
      const render = registerHandlebars(Handlebars.create(), logos).compile('{{#each cs}}<img src="{{get_company_logo this}}">{{/each}}|end');
      // Three renders wait in vain (their requests are held): that opens the breaker, if there is one.
      await renderPage('liquid', logos, companies(`hb-${label}-hung`, 3));
      assert.is(openings(errors).length, breaker === false ? 0 : 1);
      const page = companies(`hb-${label}`, 5);
      for (const c of page) media.files.add(c.icon);
      let returned = false;
      const prefetched = logos.prefetch(page).then(() => (returned = true));
      const arrived = () => media.held.filter((request) => request.key.startsWith(`hb-${label}/`)).length;
      await until(() => arrived() === 5, 5_000, `${label}: the prefetch checks to arrive`);
      await new Promise((resolve) => setTimeout(resolve, 20)); // a macrotask for prefetch() to return, if it does
      assert.is(returned, breaker !== false, `breaker ${label}: prefetch returned before the storage answered?`);
      for (const request of media.held.splice(0)) request.release();
      await prefetched;
      await until(() => media.inFlight === 0, 5_000, 'the answers');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(images(render({ cs: page }), media.baseUrl), { logos: 5, avatars: 0 }, `breaker ${label}: the checks filled the cache`);
    }
  } finally {
    await media.close();
  }
});

test('breaker: false — the same page waits once per company (what the breaker saves)', async () => {
  const media = await mediaServer();
  media.delay = 'hang';
  try {
    for (const engine of ENGINES) {
      const { logos, errors } = httpResolver(media, { timeout: 50, cache: { hardTimeout: 5_000, breaker: false } });
      const html = await renderPage(engine, logos, companies(`${engine}-off`, 12));
      assert.equal(images(html, media.baseUrl), { logos: 0, avatars: 12 });
      assert.is(waited(errors), 12, `${engine}: every company waited`);
      assert.is(openings(errors).length, 0);
    }
  } finally {
    await media.close();
  }
});

test('a slow but healthy storage (every answer within timeout) never opens it: every logo, on the first render', async () => {
  const media = await mediaServer();
  media.delay = 100;
  try {
    for (const engine of ENGINES) {
      const cs = companies(`${engine}-slow`, 15);
      for (const c of cs) media.files.add(c.icon);
      const { logos, errors } = httpResolver(media, { timeout: 5_000, cache: { breaker: { failures: 1 } } });
      const html = await renderPage(engine, logos, cs);
      assert.equal(images(html, media.baseUrl), { logos: 15, avatars: 0 }, `${engine}: every logo`);
      assert.is(waited(errors), 0);
      assert.equal(openings(errors), [], `${engine}: never opened`);
    }
  } finally {
    await media.close();
  }
});

test('a burst deeper than the queue: renders stop waiting in the queue, which is not the storage failing — the breaker stays closed', async () => {
  const media = await mediaServer();
  media.delay = 25;
  try {
    const cs = companies('burst', 100);
    for (const c of cs) media.files.add(c.icon);
    // One check at a time, 25 ms each (40 times within timeout): most of the 100 pages give up in the queue (after 1 s).
    const { logos, errors, settled } = httpResolver(media, { timeout: 1_000, concurrency: 1, cache: { breaker: { failures: 1 } } });
    await Promise.all(cs.map((c) => renderPage('liquid', logos, [c])));
    assert.ok(errors.some((error) => error.code === 'TIMEOUT' && /more checks than "concurrency"/.test(error.message)), 'waits ran out in the queue');
    assert.is(waited(errors), 0, 'no started check ran past its timeout');
    assert.equal(openings(errors), []);
    await settled();
    // Closed: a page of new keys waits for them and prints their logos on its first render.
    const fresh = companies('after-burst', 3);
    for (const c of fresh) media.files.add(c.icon);
    assert.equal(images(await renderPage('nunjucks', logos, fresh), media.baseUrl), { logos: 3, avatars: 0 });
    assert.equal(images(await renderPage('liquid', logos, cs), media.baseUrl), { logos: 100, avatars: 0 }, 'the queue filled the cache');
  } finally {
    await media.close();
  }
});

test('late answers: renders that stop waiting for them open it; nobody waiting (sync renders, prefetch) counts neither way', async () => {
  const media = await mediaServer();
  media.delay = 300;
  try {
    const { logos, errors, settled } = httpResolver(media, { timeout: 100, cache: { breaker: { failures: 3, cooldown: 600_000 } } });
    const background = companies('late-bg', 6);
    for (const c of background) media.files.add(c.icon);
    for (const c of background.slice(0, 3)) logos.logo(c); // sync: the avatar, and a background check each
    await logos.prefetch(background.slice(3));
    await settled();
    assert.is(waited(errors), 0, 'nobody waited');
    assert.equal(openings(errors), [], 'six late answers nobody waited for did not open it');
    assert.equal(images(await renderPage('liquid', logos, background), media.baseUrl), { logos: 6, avatars: 0 }, 'and they were stored');
    const waits = companies('late-wait', 6);
    for (const c of waits) media.files.add(c.icon);
    assert.equal(images(await renderPage('nunjucks', logos, waits), media.baseUrl), { logos: 0, avatars: 6 });
    assert.is(waited(errors), 3, 'three renders waited in vain, then the breaker opened');
    assert.is(openings(errors).length, 1);
    await settled();
    assert.equal(images(await renderPage('nunjucks', logos, waits), media.baseUrl), { logos: 6, avatars: 0 }, 'the next render has them');
  } finally {
    await media.close();
  }
});

test.run();
