/**
 * Who waits for which check, and whose answer is kept: deadlines shared by late callers, one check
 * for sequential callers, invalidation while a check runs. The loopback server decides "present" or
 * "missing" when a request ARRIVES and answers when the test says so, so each race really happens.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, uiAvatars, type LogoFallbackError, type Storage } from '../src/index.js';
import { AVATAR_AC as AVATAR, httpResolver, mediaServer, until } from './cache-servers.js';



test('a late caller of a running check keeps the first caller\'s deadline', async () => {
  const media = await mediaServer();
  try {
    media.files.add('a.png');
    media.delay = 'hold';
    const { logos } = httpResolver(media, { timeout: 300, cache: { hardTimeout: 5_000 } });
    const first = logos.fileUrlAsync('a.png', 'Acme Corp');
    await media.arrived(1);
    await sleep(150);
    const late = logos.fileUrlAsync('a.png', 'Acme Corp');
    assert.is(await first, AVATAR, 'the first caller waited its timeout');
    // With a deadline of its own, the late caller would still be waiting (until 150 + 300 ms) and
    // would get the logo that the server sends now.
    media.held[0]?.release();
    assert.is(await late, AVATAR, 'the late caller was answered at the first deadline');
    await until(() => media.inFlight === 0);
    assert.is(logos.fileUrl('a.png', 'Acme Corp'), `${media.baseUrl}a.png`, 'and the answer filled the cache');
    assert.is(media.checks(), 1);
  } finally {
    await media.close();
  }
});

test('sequential callers of a slow storage make one check, not one each', async () => {
  const media = await mediaServer();
  try {
    media.files.add('slow.png');
    media.delay = 'hold';
    const { logos, errors } = httpResolver(media, { timeout: 100, cache: { hardTimeout: 5_000 } });
    for (let i = 0; i < 4; i++) assert.is(await logos.fileUrlAsync('slow.png', 'Acme Corp'), AVATAR);
    for (let i = 0; i < 4; i++) assert.is(logos.fileUrl('slow.png', 'Acme Corp'), AVATAR);
    assert.is(media.checks('slow.png'), 1, 'one check while it runs');
    assert.equal(
      errors.map((error) => error.code),
      ['TIMEOUT'],
      'one report',
    );
    media.held[0]?.release();
    await until(() => media.inFlight === 0);
    assert.is(await logos.fileUrlAsync('slow.png', 'Acme Corp'), `${media.baseUrl}slow.png`);
    assert.is(media.checks('slow.png'), 1);
  } finally {
    await media.close();
  }
});

test('invalidate() while a check runs: the check\'s late answer is not cached', async () => {
  const media = await mediaServer();
  try {
    media.delay = 'hold';
    const { logos } = httpResolver(media, { timeout: 2_000 });
    // Asked before the upload: the server decides "missing" now, and answers later.
    const before = logos.fileUrlAsync('up.png', 'Acme Corp');
    await media.arrived(1);
    media.files.add('up.png');
    logos.invalidate('up.png');
    media.delay = 0;
    assert.is(await logos.fileUrlAsync('up.png', 'Acme Corp'), `${media.baseUrl}up.png`, 'a fresh check after the upload');
    media.held[0]?.release(); // the old check's "missing" arrives last
    assert.is(await before, AVATAR, 'who asked before the upload gets the answer of their check');
    await until(() => media.inFlight === 0);
    assert.is(logos.fileUrl('up.png', 'Acme Corp'), `${media.baseUrl}up.png`, 'the late "missing" did not overwrite the fresh answer');
    assert.is(media.checks('up.png'), 2);
  } finally {
    await media.close();
  }
});

test('invalidate() while a check runs, with no check after it: the late answer is dropped, the next render asks again', async () => {
  type Invalidate = (logos: { invalidate(file?: unknown): void }, url: string) => void;
  for (const invalidate of [(logos, url) => logos.invalidate({ url }), (logos) => logos.invalidate()] as Invalidate[]) {
    const media = await mediaServer();
    try {
      media.delay = 'hold';
      const { logos } = httpResolver(media, { timeout: 2_000 });
      const url = `${media.baseUrl}d.png`;
      const before = logos.fileUrlAsync(url, 'Acme Corp');
      await media.arrived(1);
      media.files.add('d.png');
      invalidate(logos, url);
      media.held[0]?.release();
      assert.is(await before, AVATAR);
      assert.is(logos.fileUrl('d.png', 'Acme Corp'), AVATAR, 'nothing is known: a background check starts');
      await media.arrived(2);
      assert.is(media.checks('d.png'), 2, 'the late "missing" was not cached');
      media.delay = 0;
      media.held[1]?.release();
      await until(() => media.inFlight === 0);
      assert.is(logos.fileUrl('d.png', 'Acme Corp'), url);
    } finally {
      await media.close();
    }
  }
});

test('a check queued when invalidate() comes has not asked yet: it stays, and its answer is kept', async () => {
  const media = await mediaServer();
  try {
    media.delay = 'hold';
    const { logos } = httpResolver(media, { timeout: 2_000, concurrency: 1 });
    const blocker = logos.fileUrlAsync('blocker.png', 'Acme Corp');
    const queued = logos.fileUrlAsync('q.png', 'Acme Corp');
    await media.arrived(1);
    media.files.add('q.png');
    logos.invalidate('q.png');
    media.delay = 0;
    media.held[0]?.release();
    assert.is(await blocker, AVATAR);
    assert.is(await queued, `${media.baseUrl}q.png`);
    assert.is(logos.fileUrl('q.png', 'Acme Corp'), `${media.baseUrl}q.png`);
    assert.is(media.checks('q.png'), 1);
  } finally {
    await media.close();
  }
});

test('hardTimeout ends a check even when the driver ignores its signal; the next window asks again', async () => {
  let calls = 0;
  const signals: AbortSignal[] = [];
  const deaf: Storage = {
    name: 'deaf',
    baseUrl: '/m/',
    exists(_key, signal) {
      calls++;
      if (signal !== undefined) signals.push(signal);
      return new Promise<boolean>(() => undefined);
    },
    url: (key) => `/m/${key}`,
  };
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: deaf, avatar: uiAvatars({ background: '#1e3a8a' }), timeout: 50, cache: { hardTimeout: 150, missTtl: 50 }, onError: (e) => errors.push(e) });
  assert.is(await logos.fileUrlAsync('x.png', 'Acme Corp'), AVATAR);
  await until(() => signals[0]?.aborted === true, 5_000, 'the hard deadline');
  await sleep(80);
  assert.is(await logos.fileUrlAsync('x.png', 'Acme Corp'), AVATAR);
  assert.is(calls, 2, 'the slot was freed and the key asked again');
  assert.ok(errors.some((error) => error.code === 'TIMEOUT' && /hardTimeout \(150 ms\)/.test(error.message)), errors.map((e) => e.message).join('\n'));
});

test.run();
