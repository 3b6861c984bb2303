/**
 * Reports (issue 8 §6): `onError` hears of each key (or reference) and reason once per window —
 * nothing is forgotten early, nothing collapses — and past 10,000 distinct problems in one window,
 * once that there are more of the same kind (memory is bounded by count as well as by time).
 */
import { mock } from 'node:test';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, LogoFallbackError, uiAvatars, type Storage } from '../src/index.js';
import { createReporter, MAX_REPORTED } from '../src/reports.js';
import { until } from './cache-servers.js';

test('3 renders of 1,001 distinct broken references make 1,001 reports; of 12,000, the first 10,000 and one "more of the same kind"', () => {
  for (const [count, expected] of [
    [1_001, 1_001],
    [12_000, MAX_REPORTED + 1],
  ] as const) {
    const errors: LogoFallbackError[] = [];
    const logos = createLogoResolver({ avatar: uiAvatars(), onError: (error) => errors.push(error) });
    const records = Array.from({ length: count }, (_, i) => ({ company: `Co ${i}`, icon: `../secret/${i}.png` }));
    for (let render = 0; render < 3; render++) for (const record of records) logos.logo(record);
    assert.is(errors.length, expected, `${count} keys`);
    assert.ok(errors.every((error) => error.code === 'INVALID_KEY'));
    const more = errors.filter((error) => error.message.includes('more of the same kind'));
    assert.is(more.length, count > MAX_REPORTED ? 1 : 0);
    if (count > MAX_REPORTED) assert.match(more[0]?.message ?? '', /10,000 distinct problems were already reported within \d+ ms, so further INVALID_KEY problems are not reported one by one/);
  }
});

test('memory is bounded by count too: 400,000 distinct problems in one window keep at most 10,000 entries, and one overflow report per kind', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const told: LogoFallbackError[] = [];
    const report = createReporter((error) => told.push(error), 60_000);
    for (let i = 0; i < 400_000; i++) report(new LogoFallbackError('INVALID_KEY', `refused reference "../${i}.png"`), `../${i}.png`);
    assert.is(report.size, MAX_REPORTED);
    assert.is(told.length, MAX_REPORTED + 1);
    // another kind overflows on its own, once
    for (let i = 0; i < 1_000; i++) report(new LogoFallbackError('STORAGE_FAILED', `fs storage failed for "${i}.png"`), `${i}.png`);
    assert.is(told.length, MAX_REPORTED + 2);
    assert.is(told.at(-1)?.code, 'STORAGE_FAILED');
    assert.is(report.size, MAX_REPORTED);
    // what was remembered is still told once only
    report(new LogoFallbackError('INVALID_KEY', 'refused reference "../0.png"'), '../0.png');
    assert.is(told.length, MAX_REPORTED + 2);
    // the window passes: room again, and new problems are told one by one
    mock.timers.tick(60_000);
    for (let i = 0; i < 5; i++) report(new LogoFallbackError('INVALID_KEY', `refused reference "../new-${i}.png"`), `../new-${i}.png`);
    assert.is(told.length, MAX_REPORTED + 7);
    assert.is(report.size, 5);
    // a small cap holds the same way
    const few: LogoFallbackError[] = [];
    const small = createReporter((error) => few.push(error), 60_000, 3);
    for (let round = 0; round < 3; round++) for (let i = 0; i < 50; i++) small(new LogoFallbackError('TIMEOUT', `t${i}`), `k${i}`);
    assert.is(small.size, 3);
    assert.equal(few.map((error) => error.message.includes('more of the same kind')), [false, false, false, true]);
  } finally {
    mock.timers.reset();
  }
});

test('long references sharing their first 120 (or 1,000) characters are separate reports', () => {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ avatar: uiAvatars(), onError: (error) => errors.push(error) });
  for (const prefix of ['a/'.repeat(60), 'b/'.repeat(500)]) {
    for (let i = 0; i < 50; i++) for (let render = 0; render < 3; render++) logos.fileUrl(`${prefix}../${i}.png`);
  }
  assert.is(errors.length, 100);
  // The message shows a shortened reference; the report is about the whole one.
  assert.ok(errors.every((error) => error.message.length < 400), errors[0]?.message);
});

test('storage faults for 1,500 keys, re-checked in 3 rounds within the window: one report each', async () => {
  // The clock is Node's mocked one, so that a loaded machine cannot stretch the rounds past the window.
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    let checks = 0;
    // A storage that fails at once (EACCES), so that the three rounds fit in onError's 1 s window.
    const failing: Storage = {
      name: 'failing',
      baseUrl: '/m/',
      exists: async () => {
        checks++;
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
      url: (key) => `/m/${key}`,
    };
    const errors: LogoFallbackError[] = [];
    const logos = createLogoResolver({ storage: failing, avatar: uiAvatars(), cache: { missTtl: 1 }, onError: (error) => errors.push(error) });
    const files = Array.from({ length: 1_500 }, (_, i) => `f/${i}.png`);
    for (let round = 1; round <= 3; round++) {
      await logos.prefetch(files, { files: true });
      // Once the storage's breaker has opened (after 3 faults), prefetch() starts its checks and
      // does not wait for them: each round waits for its own checks to be answered.
      await until(() => checks === 1_500 * round, 10_000, `round ${round}'s checks`);
      await new Promise((resolve) => setImmediate(resolve));
      mock.timers.tick(2);
    }
    assert.is(checks, 4_500, 'checked again each round (missTtl 1 ms)');
    const faults = errors.filter((error) => error.code === 'STORAGE_FAILED' && error.key !== undefined);
    assert.is(faults.length, 1_500);
    assert.is(new Set(faults.map((error) => error.key)).size, 1_500);
    // The storage's breaker opened on the first three faults: one report of the outage, not one a round.
    const outage = errors.filter((error) => error.code === 'STORAGE_FAILED' && error.key === undefined);
    assert.is(outage.length, 1, outage.map((error) => error.message).join('\n'));
    assert.match(outage[0]?.message ?? '', /failing storage: 3 checks in a row/);
  } finally {
    mock.timers.reset();
  }
});

test('the window is max(missTtl, 1 s): within it once, after it again', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    for (const [missTtl, window] of [
      [5_000, 5_000],
      [200, 1_000],
    ] as const) {
      const errors: LogoFallbackError[] = [];
      const logos = createLogoResolver({ avatar: uiAvatars(), cache: { missTtl }, onError: (error) => errors.push(error) });
      logos.fileUrl('../x.png');
      mock.timers.tick(window - 1);
      logos.fileUrl('../x.png');
      assert.is(errors.length, 1, `within ${window} ms`);
      mock.timers.tick(1);
      logos.fileUrl('../x.png');
      assert.is(errors.length, 2, `after ${window} ms`);
    }
  } finally {
    mock.timers.reset();
  }
});

test.run();
