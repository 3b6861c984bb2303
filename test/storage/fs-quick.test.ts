/**
 * The fs driver's short ways (issue 11 §1, issue 8 §2 "cold first render"): the synchronous check
 * that answers from one `lstatSync` once a key's directory is verified, the entry point for keys
 * that passed the key rules already, and the synchronous walk behind `list()`. Each must give
 * exactly what the general check and the async listing give, on every kind of entry.
 */
import { execFileSync } from 'node:child_process';
import fs, { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fsStorage, httpStorage, LogoFallbackError, type Storage, type StorageEntry } from '../../src/index.js';
import { fsInternals } from '../../src/storage/fs.js';
import { SLICE } from '../../src/storage/fs-list.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-fs-quick-'));
const root = path.join(base, 'media');
const outside = path.join(base, 'outside');
mkdirSync(path.join(root, 'logos', 'nested'), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(outside, 'secret.png'), 'secret');
writeFileSync(path.join(root, 'logos', 'a.png'), 'png');
writeFileSync(path.join(root, 'logos', 'empty.png'), '');
writeFileSync(path.join(root, 'top.png'), 'png');
writeFileSync(path.join(root, 'logos', 'nested', 'deep.png'), 'png');
symlinkSync(path.join(root, 'logos', 'a.png'), path.join(root, 'logos', 'inside-link.png'));
symlinkSync(path.join(root, 'logos', 'empty.png'), path.join(root, 'logos', 'link-to-empty.png'));
symlinkSync(path.join(root, 'logos', 'nested'), path.join(root, 'logos', 'link-to-dir.png'));
symlinkSync(path.join(base, 'nowhere.png'), path.join(root, 'logos', 'dangling.png'));
symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'logos', 'escape.png'));
symlinkSync(outside, path.join(root, 'linked-out'));
execFileSync('mkfifo', [path.join(root, 'logos', 'fifo.png')]);

const KEYS = [
  'logos/a.png',
  'logos/empty.png',
  'logos/nested',
  'logos/nested/deep.png',
  'logos/inside-link.png',
  'logos/link-to-empty.png',
  'logos/link-to-dir.png',
  'logos/dangling.png',
  'logos/escape.png',
  'logos/fifo.png',
  'logos/missing.png',
  'logos/a.png/below.png',
  'linked-out/secret.png',
  'nothing/a.png',
  'top.png',
  'gone.png',
];

/** An answer, or the code of the error thrown, so that answers and refusals compare alike. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return error instanceof LogoFallbackError ? error.code : `threw ${String(error)}`;
  }
}

async function outcomeAsync(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    return error instanceof LogoFallbackError ? error.code : `threw ${String(error)}`;
  }
}

test('existsSync answers as the general check on every kind of entry, before and after its directory is verified', async () => {
  const expected: Record<string, unknown> = {};
  for (const key of KEYS) expected[key] = await outcomeAsync(async () => (await fsStorage({ root }).stat(key)) !== undefined);
  assert.equal(
    expected,
    {
      'logos/a.png': true,
      'logos/empty.png': false,
      'logos/nested': false,
      'logos/nested/deep.png': true,
      'logos/inside-link.png': true,
      'logos/link-to-empty.png': false,
      'logos/link-to-dir.png': false,
      'logos/dangling.png': false,
      'logos/escape.png': 'INVALID_KEY',
      'logos/fifo.png': false,
      'logos/missing.png': false,
      'logos/a.png/below.png': false,
      'linked-out/secret.png': 'INVALID_KEY',
      'nothing/a.png': false,
      'top.png': true,
      'gone.png': false,
    },
    'the general check',
  );
  // A new storage per order: the first key of a directory verifies it, the ones after it take the short way.
  for (const order of [KEYS, [...KEYS].reverse()]) {
    const storage = fsStorage({ root });
    const internals = fsInternals(storage);
    for (const key of order) {
      assert.is(outcome(() => storage.existsSync(key)), expected[key], `existsSync(${key})`);
      assert.is(outcome(() => storage.existsSync(key)), expected[key], `existsSync(${key}), again`);
      assert.is(outcome(() => internals?.existsValidSync(key)), expected[key], `existsValidSync(${key})`);
    }
  }
});

test('the public existsSync still refuses what the key rules refuse; the internal entry point is only for fsStorage() itself', () => {
  const storage = fsStorage({ root });
  storage.existsSync('logos/a.png'); // its directory verified: the short way is open
  for (const key of ['logos/../top.png', 'logos//a.png', 'logos/%2e%2e/top.png', '/etc/passwd', '']) {
    assert.is(outcome(() => storage.existsSync(key)), 'INVALID_KEY', key);
  }
  assert.type(fsInternals(storage)?.existsValidSync, 'function');
  assert.is(fsInternals({ ...storage }), undefined, 'a copy validates through its own methods');
  assert.is(fsInternals(httpStorage({ baseUrl: 'http://127.0.0.1:9/media/' })), undefined);
});

async function listed(entries: AsyncIterable<StorageEntry> | Iterable<StorageEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of entries) out.push(JSON.stringify([entry.key, entry.size ?? null]));
  return out.sort();
}

test('the synchronous walk gives the entries list() gives, with and without sizes, for every prefix', async () => {
  const storage: Storage & Required<Pick<Storage, 'list'>> = fsStorage({ root });
  const internals = fsInternals(storage);
  for (const prefix of ['', 'logos/', 'logos/a', 'logos/nested/', 'linked-out/', 'nothing/']) {
    for (const stat of [false, true]) {
      const viaList = await listed(storage.list(prefix, undefined, { stat }));
      assert.equal(await listed(internals?.listSync(prefix, { stat }) ?? []), viaList, `${prefix} ${stat}`);
    }
  }
  assert.equal(await listed(storage.list('logos/', undefined, { stat: true })), [
    '["logos/a.png",3]',
    '["logos/empty.png",0]',
    '["logos/inside-link.png",3]',
    '["logos/link-to-dir.png/deep.png",3]',
    '["logos/link-to-empty.png",0]',
    '["logos/nested/deep.png",3]',
  ]);
});

// More directory entries than three slices of the walk.
const many = path.join(base, 'many');
const total = SLICE * 3;
mkdirSync(path.join(many, 'logos'), { recursive: true });
for (let i = 0; i < total; i++) writeFileSync(path.join(many, 'logos', `${i}.png`), 'png');

test('a long listing lets the event loop run: a timer set when it starts fires before it ends', async () => {
  for (const stat of [false, true]) {
    let seen = 0;
    let seenWhenTimerFired: number | undefined;
    const timer = setTimeout(() => (seenWhenTimerFired = seen), 0);
    try {
      for await (const entry of fsStorage({ root: many }).list('', undefined, { stat })) if (entry.key.endsWith('.png')) seen++;
    } finally {
      clearTimeout(timer);
    }
    assert.is(seen, total);
    assert.ok(seenWhenTimerFired !== undefined && seenWhenTimerFired < total, `the timer fired after ${seenWhenTimerFired} of ${total} entries (stat: ${stat})`);
  }
});

test('an abort stops a long listing within a slice, as a fault', async () => {
  const controller = new AbortController();
  let seen = 0;
  let error: unknown;
  setTimeout(() => controller.abort(), 0);
  try {
    for await (const _ of fsStorage({ root: many }).list('', controller.signal)) seen++;
  } catch (thrown) {
    error = thrown;
  }
  assert.instance(error, LogoFallbackError);
  assert.is((error as LogoFallbackError).code, 'STORAGE_FAILED');
  assert.ok(seen < total, `${seen} entries before the abort was seen`);
});

test('a site with logos in many directories resolves the root once per trust window, not once per directory', () => {
  const spread = path.join(base, 'spread');
  for (let d = 0; d < 20; d++) {
    mkdirSync(path.join(spread, 'logos', `${2000 + d}`), { recursive: true });
    writeFileSync(path.join(spread, 'logos', `${2000 + d}`, 'a.png'), 'png');
  }
  symlinkSync(outside, path.join(spread, 'logos', 'out'));
  const native = fs.realpathSync.native;
  const resolved: string[] = [];
  fs.realpathSync.native = ((target: string) => (resolved.push(target), native(target))) as typeof native;
  try {
    const storage = fsStorage({ root: spread });
    for (let d = 0; d < 20; d++) assert.is(storage.existsSync(`logos/${2000 + d}/a.png`), true);
    assert.is(outcome(() => storage.existsSync('logos/out/secret.png')), 'INVALID_KEY', 'still contained');
    assert.is(resolved.filter((target) => target === spread).length, 1, resolved.join(', '));
    assert.is(resolved.length, 22, 'the root once, and each directory once');
  } finally {
    fs.realpathSync.native = native;
  }
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
