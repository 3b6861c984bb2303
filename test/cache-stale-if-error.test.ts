/**
 * Stale-if-error (issue 8 §5, RFC 5861): a logo known present stays a logo while the storage has a
 * bad minute, for `cache.staleIfError` at most, reported once; "missing" replaces it at once.
 * A real HTTP storage on 127.0.0.1 that starts failing after its first answer.
 */
import { mock } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AVATAR_AC as AVATAR, httpResolver, mediaServer } from './cache-servers.js';

/** Renders once the way an async page does, then once the way a sync page does (both must agree), and lets a re-check finish. */
async function render({ logos, settled }: ReturnType<typeof httpResolver>): Promise<string> {
  const async = await logos.fileUrlAsync('acme.png', 'Acme Corp');
  const sync = logos.fileUrl('acme.png', 'Acme Corp');
  await settled();
  assert.is(sync, async, 'sync and async renders agree');
  return async;
}

test('a storage that fails after the first answer: the logo stays within staleIfError, reported once, then the avatar', async () => {
  // Date is Node's mocked clock (the cache's windows read it); the server and its sockets are real.
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    const r = httpResolver(media, { cache: { ttl: 60, missTtl: 40, staleIfError: 2_000 } });
    const { errors } = r;
    const url = `${media.baseUrl}acme.png`;
    assert.is(await render(r), url);
    media.status = 503;
    let now = 0;
    const renderAt = async (at: number): Promise<string> => {
      mock.timers.tick(at - now);
      now = at;
      return render(r);
    };
    // Re-checked after every missTtl, for longer than onError's window (1 s), up to ttl + staleIfError.
    for (let at = 60; at < 2_060; at += 41) assert.is(await renderAt(at), url, `the logo at ${at} ms`);
    assert.is(await renderAt(2_059), url, 'the logo at ttl + staleIfError - 1');
    assert.ok(media.checks() >= 40, `re-checked all along (${media.checks()} checks)`);
    const faults = errors.filter((error) => error.code === 'STORAGE_FAILED' && error.key === 'acme.png');
    assert.is(faults.length, 1, `reported once: ${errors.map((e) => e.message).join('\n')}`);
    // The re-checks' faults opened the storage's breaker (reported once, as the storage's outage):
    // renders answer from the cache and do not wait for the storage, so stale-if-error still serves the logo.
    assert.is(errors.filter((error) => error.code === 'STORAGE_FAILED' && error.key === undefined).length, 1);
    assert.is(await renderAt(2_060), AVATAR, 'a bounded window: then the avatar');
    media.status = undefined;
    // The breaker is still open (its cooldown has not passed): the render after recovery does not
    // wait, its check runs in the background — and, answered in time, closes the breaker.
    assert.is(await renderAt(2_101), AVATAR, 'the first render after recovery, with the breaker open');
    assert.is(await renderAt(2_102), url, 'and the logo from the next render on');
  } finally {
    mock.timers.reset();
    await media.close();
  }
});

test('"missing" while serving stale replaces the logo at once', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    const r = httpResolver(media, { cache: { ttl: 40, missTtl: 30, staleIfError: 60_000 } });
    const { logos } = r;
    assert.is(await render(r), `${media.baseUrl}acme.png`);
    media.status = 500;
    await sleep(60);
    assert.is(await render(r), `${media.baseUrl}acme.png`);
    media.status = undefined;
    media.files.delete('acme.png');
    await sleep(50);
    logos.fileUrl('acme.png', 'Acme Corp'); // starts the re-check (past missTtl)
    await r.settled();
    assert.is(logos.fileUrl('acme.png', 'Acme Corp'), AVATAR);
    assert.is(await logos.fileUrlAsync('acme.png', 'Acme Corp'), AVATAR);
  } finally {
    await media.close();
  }
});

test('a hung re-check counts as a fault: the logo stays', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    const { logos, errors } = httpResolver(media, { timeout: 50, cache: { ttl: 40, missTtl: 30, hardTimeout: 100, staleIfError: 60_000 } });
    const url = `${media.baseUrl}acme.png`;
    assert.is(await logos.fileUrlAsync('acme.png', 'Acme Corp'), url);
    media.delay = 'hang';
    await sleep(60);
    for (let i = 0; i < 6; i++) {
      assert.is(await logos.fileUrlAsync('acme.png', 'Acme Corp'), url);
      assert.is(logos.fileUrl('acme.png', 'Acme Corp'), url);
      await sleep(50);
    }
    assert.ok(media.aborted.length >= 1, 'the hung re-check was aborted');
    assert.ok(errors.some((error) => error.code === 'TIMEOUT'));
  } finally {
    await media.close();
  }
});

test('staleIfError: 0 turns it off: the first fault after ttl gives the avatar', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    const r = httpResolver(media, { cache: { ttl: 40, missTtl: 30, staleIfError: 0 } });
    const { logos } = r;
    assert.is(await render(r), `${media.baseUrl}acme.png`);
    media.status = 500;
    await sleep(60);
    logos.fileUrl('acme.png', 'Acme Corp'); // stale-while-revalidate: served once more, and re-checked
    await r.settled();
    assert.is(logos.fileUrl('acme.png', 'Acme Corp'), AVATAR);
  } finally {
    await media.close();
  }
});

test('a fault on a key never seen present is not stale-if-error: the avatar', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    media.status = 500;
    const { logos } = httpResolver(media, { cache: { staleIfError: 60_000 } });
    assert.is(await logos.fileUrlAsync('acme.png', 'Acme Corp'), AVATAR);
    assert.is(logos.fileUrl('acme.png', 'Acme Corp'), AVATAR);
  } finally {
    await media.close();
  }
});

test.run();
