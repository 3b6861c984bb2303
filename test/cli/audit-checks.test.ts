/**
 * How the audit asks the storage (issue 11 §1): each file once per run, however many records share
 * it and however many files there are; at most `concurrency` at once; on local disk without a
 * promise race, an AbortController or a timer per key.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { audit, type AuditProblem } from '../../src/cli/audit.js';
import { perKeyChecker } from '../../src/cli/checks.js';
import type { InputItem } from '../../src/cli/read-records.js';
import { fsStorage, type Storage } from '../../src/index.js';
import { tempMedia } from '../helpers/media.js';
import { startServer } from '../storage/servers.js';
import { runCli } from './run-cli.js';

/** Counts calls to a storage's checks, per key. */
function counting(storage: Storage): Storage & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    ...storage,
    counts,
    exists: (key, signal) => (count(key), storage.exists(key, signal)),
    ...(storage.existsSync === undefined ? {} : { existsSync: (key: string) => (count(key), (storage.existsSync as (k: string) => boolean)(key)) }),
  };
}

async function* batches(icons: readonly string[], size = 500): AsyncGenerator<InputItem[]> {
  for (let start = 0; start < icons.length; start += size) {
    yield icons.slice(start, start + size).map((icon, i) => ({ line: start + i + 1, record: { id: start + i + 1, icon } }));
  }
}

async function run(storage: Storage, icons: readonly string[], concurrency = 8) {
  const problems: AuditProblem[] = [];
  const result = await audit(batches(icons), {
    checker: perKeyChecker(storage, { concurrency, timeout: 5000 }),
    contexts: [{ baseUrl: storage.baseUrl, root: storage.root }],
    idField: 'id',
    nameFields: ['company'],
    fileFields: ['icon'],
    onProblem: (problem) => problems.push(problem),
  });
  return { ...result, problems };
}

test('each file is checked once per run: 12,000 files each referenced twice, far apart (more than any 10,000-entry cache holds)', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 12_000; i += 3) files[`logos/${i}.png`] = 'png';
  const media = tempMedia(files);
  try {
    const storage = counting(fsStorage({ root: media.root }));
    const icons = Array.from({ length: 24_000 }, (_, i) => `logos/${i % 12_000}.png`);
    const { summary, problems } = await run(storage, icons);
    assert.is(storage.counts.size, 12_000);
    assert.ok([...storage.counts.values()].every((count) => count === 1), 'no key asked twice');
    assert.is(summary.present, 8_000);
    assert.is(problems.length, 16_000, 'every record is still reported');
  } finally {
    media.cleanup();
  }
});

test('over HTTP: one HEAD per distinct file, at most --concurrency at once, also while many records wait on one', async () => {
  let running = 0;
  let peak = 0;
  const server = await startServer((request, response) => {
    running++;
    peak = Math.max(peak, running);
    setTimeout(() => {
      running--;
      response.writeHead(/\/k[0-4]\.png$/.test(request.url ?? '') ? 404 : 200).end();
    }, 5);
  });
  try {
    const input = Array.from({ length: 600 }, (_, i) => JSON.stringify({ id: i, icon: `k${i % 60}.png` })).join('\n');
    const run = await runCli(['audit', '--http', `${server.origin}/media/`, '--concurrency', '4', '--json', '-'], input);
    assert.is(run.code, 1, run.stderr);
    assert.is(server.requests.length, 60);
    assert.ok(peak <= 4, `peak ${peak}`);
    const report = JSON.parse(run.stdout);
    assert.is(report.summary.missing, 50);
    assert.equal(report.problems.slice(0, 6).map((p: { line: number }) => p.line), [1, 2, 3, 4, 5, 61], 'input order');
  } finally {
    await server.close();
  }
});

test('on local disk, checks build no AbortController, timer or promise per key', async () => {
  const media = tempMedia({ 'logos/a.png': 'png' });
  const { AbortController: Original, setTimeout: originalTimeout, setInterval: originalInterval } = globalThis;
  let controllers = 0;
  let timers = 0;
  try {
    const storage = fsStorage({ root: media.root });
    const icons = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? 'logos/a.png' : `logos/gone-${i}.png`));
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        controllers++;
      }
    };
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => (timers++, originalTimeout(...args))) as typeof setTimeout;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => (timers++, originalInterval(...args))) as typeof setInterval;
    const { summary } = await run(storage, icons);
    globalThis.AbortController = Original;
    globalThis.setTimeout = originalTimeout;
    globalThis.setInterval = originalInterval;
    assert.is(summary.present + summary.missing, 5000);
    assert.is(controllers, 0, 'AbortControllers built');
    assert.is(timers, 0, 'timers set');
  } finally {
    Object.assign(globalThis, { AbortController: Original, setTimeout: originalTimeout, setInterval: originalInterval });
    media.cleanup();
  }
});

test('a storage without existsSync: one shared timer ends a hung check as a fault, whatever the number of keys', async () => {
  let calls = 0;
  const storage: Storage = {
    name: 'test',
    baseUrl: '/media/',
    exists: (key) => {
      calls++;
      return key === 'hang.png' ? new Promise(() => undefined) : Promise.resolve(key !== 'gone.png');
    },
    url: (key) => `/media/${key}`,
  };
  const originalTimeout = globalThis.setTimeout;
  const originalInterval = globalThis.setInterval;
  let timers = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => (timers++, originalTimeout(...args))) as typeof setTimeout;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => (timers++, originalInterval(...args))) as typeof setInterval;
  try {
    const icons = ['hang.png', ...Array.from({ length: 2000 }, (_, i) => `k${i}.png`), 'gone.png'];
    const problems: AuditProblem[] = [];
    const { summary } = await audit(batches(icons), {
      checker: perKeyChecker(storage, { concurrency: 16, timeout: 60 }),
      contexts: [{ baseUrl: '/media/' }],
      idField: 'id',
      nameFields: [],
      fileFields: ['icon'],
      onProblem: (problem) => problems.push(problem),
    });
    assert.is(calls, 2002);
    assert.equal(summary.fault, 1);
    assert.equal(problems.map((p) => [p.line, p.reason]), [[1, 'fault: no answer within 60 ms'], [2002, 'missing']]);
    assert.ok(timers <= 1, `${timers} timers`);
  } finally {
    globalThis.setTimeout = originalTimeout;
    globalThis.setInterval = originalInterval;
  }
});

test.run();
