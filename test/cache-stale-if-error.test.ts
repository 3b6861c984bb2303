/**
 * Stale-if-error (issue 8 §5, RFC 5861): a logo known present stays a logo while the storage has a
 * bad minute, for `cache.staleIfError` at most, reported once; "missing" replaces it at once.
 * A real HTTP storage on 127.0.0.1 that starts failing after its first answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, httpStorage, uiAvatars, type LogoFallbackError, type LogoResolverOptions } from '../src/index.js';
import { mediaServer, until, type MediaServer } from './cache-servers.js';

const AVATAR = 'https://ui-avatars.com/api/?name=AC&background=1e3a8a&color=ffffff';

function resolver(media: MediaServer, options: LogoResolverOptions = {}) {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({
    storage: httpStorage({ baseUrl: media.baseUrl }),
    avatar: uiAvatars({ background: '#1e3a8a' }),
    onError: (error) => errors.push(error),
    ...options,
  });
  return { logos, errors };
}

/** Renders once the way an async page does, then once the way a sync page does; both must agree. */
async function render(logos: ReturnType<typeof resolver>['logos'], media: MediaServer): Promise<string> {
  const async = await logos.fileUrlAsync('acme.png', 'Acme Corp');
  const sync = logos.fileUrl('acme.png', 'Acme Corp');
  await until(() => media.inFlight === 0, 5_000);
  assert.is(sync, async, 'sync and async renders agree');
  return async;
}

test('a storage that fails after the first answer: the logo stays within staleIfError, reported once, then the avatar', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    const { logos, errors } = resolver(media, { cache: { ttl: 60, missTtl: 40, staleIfError: 2_000 } });
    const url = `${media.baseUrl}acme.png`;
    assert.is(await render(logos, media), url);
    media.status = 503;
    const seen: string[] = [];
    // Longer than onError's window (1 s), well inside ttl + staleIfError (2,060 ms).
    const end = Date.now() + 1_300;
    while (Date.now() < end) {
      seen.push(await render(logos, media));
      await sleep(30);
    }
    assert.ok(seen.every((answer) => answer === url), 'the logo stayed a logo');
    assert.ok(media.checks() >= 4, `it was re-checked after each missTtl (${media.checks()} checks)`);
    const faults = errors.filter((error) => error.code === 'STORAGE_FAILED');
    assert.is(faults.length, 1, `reported once: ${errors.map((e) => e.message).join('\n')}`);
    await sleep(900); // past ttl + staleIfError
    await logos.fileUrlAsync('acme.png', 'Acme Corp'); // the re-check that finds it past the window
    assert.is(await render(logos, media), AVATAR, 'a bounded window: then the avatar');
    media.status = undefined;
    await sleep(60);
    assert.is(await render(logos, media), url, 'and the logo once the storage recovers');
  } finally {
    await media.close();
  }
});

test('"missing" while serving stale replaces the logo at once', async () => {
  const media = await mediaServer();
  try {
    media.files.add('acme.png');
    const { logos } = resolver(media, { cache: { ttl: 40, missTtl: 30, staleIfError: 60_000 } });
    assert.is(await render(logos, media), `${media.baseUrl}acme.png`);
    media.status = 500;
    await sleep(60);
    assert.is(await render(logos, media), `${media.baseUrl}acme.png`);
    media.status = undefined;
    media.files.delete('acme.png');
    await sleep(50);
    logos.fileUrl('acme.png', 'Acme Corp'); // starts the re-check (past missTtl)
    await until(() => media.inFlight === 0, 5_000);
    await sleep(10);
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
    const { logos, errors } = resolver(media, { timeout: 50, cache: { ttl: 40, missTtl: 30, hardTimeout: 100, staleIfError: 60_000 } });
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
    const { logos } = resolver(media, { cache: { ttl: 40, missTtl: 30, staleIfError: 0 } });
    assert.is(await render(logos, media), `${media.baseUrl}acme.png`);
    media.status = 500;
    await sleep(60);
    logos.fileUrl('acme.png', 'Acme Corp'); // stale-while-revalidate: served once more, and re-checked
    await until(() => media.inFlight === 0, 5_000);
    await sleep(10);
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
    const { logos } = resolver(media, { cache: { staleIfError: 60_000 } });
    assert.is(await logos.fileUrlAsync('acme.png', 'Acme Corp'), AVATAR);
    assert.is(logos.fileUrl('acme.png', 'Acme Corp'), AVATAR);
  } finally {
    await media.close();
  }
});

test.run();
