import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from './helpers/assert.js';
import { createLogoResolver, fsStorage, LogoFallbackError } from '../src/index.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-containment-'));
const root = path.join(base, 'media');
const outside = path.join(base, 'outside');
mkdirSync(path.join(root, 'base'), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(outside, 'secret.png'), 'secret');
writeFileSync(path.join(root, 'base', 'real.png'), 'png');
symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'base', 'escape.png'));
symlinkSync(outside, path.join(root, 'linked-dir'));
symlinkSync(path.join(root, 'base', 'real.png'), path.join(root, 'base', 'inside-link.png'));
symlinkSync(path.join(base, 'nowhere.png'), path.join(root, 'base', 'dangling.png'));

// A link out from a nested directory, reached directly and through an in-root alias of its parent.
mkdirSync(path.join(root, 'inner'));
symlinkSync(outside, path.join(root, 'inner', 'out'));
symlinkSync(path.join(root, 'inner'), path.join(root, 'via'));
// Directories that will be swapped for links out after a check (see the last tests).
for (const dir of ['swap', 'moved']) {
  mkdirSync(path.join(root, dir));
  writeFileSync(path.join(root, dir, 'a.png'), 'in');
}
writeFileSync(path.join(outside, 'a.png'), 'out');

// A loop inside the root: base/loop → base (a walk must not follow it forever).
symlinkSync(path.join(root, 'base'), path.join(root, 'base', 'loop'));
// A directory link that stays inside the root.
symlinkSync(path.join(root, 'base'), path.join(root, 'alias'));

const storage = fsStorage({ root });

async function listed(prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of storage.list?.(prefix) ?? []) keys.push(entry.key);
  return keys.sort();
}

test('a symlink resolving outside the root is refused, sync and async', async () => {
  for (const key of ['base/escape.png', 'linked-dir/secret.png']) {
    await rejects(() => storage.exists(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY' && /outside the root/.test(e.message));
    assert.throws(() => storage.existsSync?.(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY');
  }
});

test('a symlink inside the root is followed; a dangling one is missing; a directory is not a file', async () => {
  assert.is(await storage.exists('base/inside-link.png'), true);
  assert.is(await storage.exists('base/dangling.png'), false);
  assert.is(await storage.exists('base'), false);
  assert.is(storage.existsSync?.('base/real.png'), true);
});

test('the driver refuses unsafe keys itself, even when called directly', async () => {
  for (const key of ['../outside/secret.png', 'base/../../outside/secret.png', '/etc/passwd', 'a\\..\\b', '']) {
    await rejects(() => storage.exists(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY');
  }
});

test('through the resolver, the escaping symlink ends in the avatar and a report', () => {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage, onError: (e) => errors.push(e) });
  assert.not.match(logos.fileUrl('base/escape.png', 'Acme'), /escape\.png/);
  assert.is(logos.fileUrl('base/real.png', 'Acme'), '/media/base/real.png');
  assert.is(errors[0]?.code, 'INVALID_KEY');
});

test('a directory link pointing out, below real or linked directories, is refused', async () => {
  for (const key of ['inner/out/secret.png', 'via/out/secret.png', 'via/out/a.png']) {
    await rejects(() => storage.exists(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY' && /outside the root/.test(e.message), key);
    assert.throws(() => storage.existsSync?.(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY', key);
    await rejects(async () => storage.stat?.(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY', key);
  }
  assert.equal(await listed('via/'), []);
});

test('a directory swapped for a link out, or moved out and linked back, is refused once its trust window passes', async () => {
  const fresh = fsStorage({ root });
  for (const key of ['swap/a.png', 'moved/a.png']) {
    assert.is(await fresh.exists(key), true, key);
    assert.is(fresh.existsSync?.(key), true, key);
  }
  // A different directory (another inode) where "swap" was …
  renameSync(path.join(root, 'swap'), path.join(base, 'swap-old'));
  symlinkSync(outside, path.join(root, 'swap'));
  // … and the same directory (same inode, new ctime) moved out of the root and linked back.
  renameSync(path.join(root, 'moved'), path.join(base, 'moved-out'));
  symlinkSync(path.join(base, 'moved-out'), path.join(root, 'moved'));
  await new Promise((resolve) => setTimeout(resolve, 1100));
  for (const key of ['swap/a.png', 'moved/a.png']) {
    await rejects(() => fresh.exists(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY', key);
    assert.throws(() => fresh.existsSync?.(key), (e: unknown) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY', key);
  }
});

test('list() stays inside the root: links out, dangling links and link cycles are not followed', async () => {
  const keys = await listed();
  assert.not.ok(keys.some((key) => key.includes('secret') || key.startsWith('linked-dir/')), keys.join(', '));
  assert.not.ok(keys.includes('base/dangling.png'));
  assert.not.ok(keys.includes('base/escape.png'));
  // Followed inside the root, once per path that exists() accepts; the cycle is cut where it closes.
  for (const key of ['base/real.png', 'base/inside-link.png', 'alias/real.png', 'alias/inside-link.png']) {
    assert.ok(keys.includes(key), key);
    assert.is(await storage.exists(key), true, key);
  }
  assert.not.ok(keys.some((key) => key.includes('loop/')), keys.join(', '));
  assert.equal(await listed('linked-dir/'), []);
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
