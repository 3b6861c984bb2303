/**
 * The documented defaults, pinned by behaviour (issue 9 §2): `ttl` 30_000, `missTtl` 5_000,
 * `timeout` 300, `hardTimeout` 10_000, `max` 10_000, `staleIfError` 300_000, `concurrency` 32.
 * Each is observed one millisecond before and at its value, on Node's mocked clock and timers
 * (node:test MockTimers) — waiting 30 s or 5 min of real time per run would prove nothing more.
 */
import { mock } from 'node:test';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, uiAvatars, type LogoResolver, type Storage } from '../src/index.js';
import { recording, tempMedia } from './helpers/media.js';

const media = tempMedia({ 'acme.png': 'png' });
const AVATAR = 'https://ui-avatars.com/api/?name=AC&background=1e3a8a&color=ffffff';
const avatar = uiAvatars({ background: '#1e3a8a' });
/** Lets promises and real I/O callbacks run (setImmediate is not mocked). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function withClock(run: () => Promise<void> | void): () => Promise<void> {
  return async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_700_000_000_000 });
    try {
      await run();
    } finally {
      mock.timers.reset();
    }
  };
}

/** A storage whose async answer the test sets, and that records each check and its signal. */
function controlled(answer: () => Promise<boolean>): Storage & { calls: number; signals: AbortSignal[] } {
  const storage = {
    name: 'controlled',
    baseUrl: '/m/',
    calls: 0,
    signals: [] as AbortSignal[],
    exists(_key: string, signal?: AbortSignal) {
      storage.calls++;
      if (signal !== undefined) storage.signals.push(signal);
      return answer();
    },
    url: (key: string) => `/m/${key}`,
  };
  return storage;
}

test(
  'ttl: "present" is fresh for 30,000 ms',
  withClock(async () => {
    // The re-check is async: answer it from the disk synchronously, so that it ends within this
    // test (a timer of a mocked clock that ends after the clock is reset would clear another's).
    const fs = fsStorage({ root: media.root });
    const storage = recording({ ...fs, exists: async (key) => fs.existsSync?.(key) === true });
    const logos = createLogoResolver({ storage, avatar });
    assert.is(logos.fileUrl('acme.png', 'Acme Corp'), '/media/acme.png');
    mock.timers.tick(29_999);
    logos.fileUrl('acme.png', 'Acme Corp');
    await flush();
    assert.is(storage.calls.length, 1, 'fresh at 29,999 ms');
    mock.timers.tick(1);
    assert.is(logos.fileUrl('acme.png', 'Acme Corp'), '/media/acme.png', 'served while re-checked (stale-while-revalidate)');
    await flush();
    assert.is(storage.calls.length, 2, 're-checked at 30,000 ms');
  }),
);

test(
  'missTtl: "missing" is kept for 5,000 ms',
  withClock(() => {
    const storage = recording(fsStorage({ root: media.root }));
    const logos = createLogoResolver({ storage, avatar });
    assert.is(logos.fileUrl('gone.png', 'Acme Corp'), AVATAR);
    mock.timers.tick(4_999);
    logos.fileUrl('gone.png', 'Acme Corp');
    assert.is(storage.calls.length, 1, 'kept at 4,999 ms');
    mock.timers.tick(1);
    logos.fileUrl('gone.png', 'Acme Corp');
    assert.is(storage.calls.length, 2, 'asked again at 5,000 ms');
  }),
);

test(
  'timeout: a render waits 300 ms for a check; hardTimeout: the check is aborted at 10,000 ms',
  withClock(async () => {
    const storage = controlled(() => new Promise<boolean>(() => undefined));
    const logos = createLogoResolver({ storage, avatar, onError: () => undefined });
    let answer: string | undefined;
    void logos.fileUrlAsync('a.png', 'Acme Corp').then((url) => (answer = url));
    await flush();
    mock.timers.tick(299);
    await flush();
    assert.is(answer, undefined, 'still waiting at 299 ms');
    mock.timers.tick(1);
    await flush();
    assert.is(answer, AVATAR, 'the avatar at 300 ms');
    mock.timers.tick(10_000 - 300 - 1);
    assert.is(storage.signals[0]?.aborted, false, 'running at 9,999 ms');
    mock.timers.tick(1);
    assert.is(storage.signals[0]?.aborted, true, 'aborted at 10,000 ms');
  }),
);

test(
  'staleIfError: a logo known present is served for 300,000 ms past its ttl while re-checks fail',
  withClock(async () => {
    let failing = false;
    const storage = controlled(async () => {
      if (failing) throw new Error('503');
      return true;
    });
    const logos = createLogoResolver({ storage, avatar, onError: () => undefined });
    assert.is(await logos.fileUrlAsync('a.png', 'Acme Corp'), '/m/a.png');
    failing = true;
    let now = 0; // ms since the logo was last seen present
    const renderAt = async (at: number): Promise<string> => {
      mock.timers.tick(at - now);
      now = at;
      logos.fileUrl('a.png', 'Acme Corp'); // starts the re-check when one is due
      await flush();
      return logos.fileUrl('a.png', 'Acme Corp');
    };
    for (let at = 30_000; at < 330_000; at += 5_001) assert.is(await renderAt(at), '/m/a.png', `served at ${at} ms`);
    assert.is(await renderAt(329_999), '/m/a.png', 'served at ttl + staleIfError - 1');
    assert.ok(storage.calls > 50, `re-checked all along (${storage.calls} checks)`);
    assert.is(await renderAt(330_000), AVATAR, 'the avatar at ttl + staleIfError');
  }),
);

test(
  'max: 10,000 keys are kept, the 10,001st evicts the least recently used',
  withClock(() => {
    const storage = recording(fsStorage({ root: media.root }));
    const logos: LogoResolver = createLogoResolver({ storage, avatar });
    for (let i = 0; i < 10_000; i++) logos.fileUrl(`k/${i}.png`);
    logos.fileUrl('k/0.png');
    assert.is(storage.calls.length, 10_000, '10,000 keys fit');
    logos.fileUrl('k/10000.png'); // evicts k/1.png, the least recently used
    logos.fileUrl('k/0.png');
    assert.is(storage.calls.length, 10_001);
    logos.fileUrl('k/1.png');
    assert.is(storage.calls.length, 10_002);
    assert.is(logos.memoSize, 10_000);
  }),
);

test(
  'concurrency: 32 checks at once',
  withClock(async () => {
    const storage = controlled(() => new Promise<boolean>(() => undefined));
    const logos = createLogoResolver({ storage, avatar, onError: () => undefined });
    for (let i = 0; i < 40; i++) logos.fileUrl(`c/${i}.png`);
    await flush();
    assert.is(storage.calls, 32);
  }),
);

test.after(() => media.cleanup());
test.run();
