/**
 * /media/ must never send a file from outside the media root, even while someone swaps a symlink
 * in and out under the requested path (a time-of-check to time-of-use race): the last component
 * (the logo file itself) and a folder on the way (base/company/icon). A child process swaps in a
 * tight loop with atomic renames while the test requests the logo again and again.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTempDemo } from './start-temp.js';
import { DIR_SWAPPER, hammer, SECRET, SWAPPER, withSwapper } from './swap.js';

for (const [label, mediaAccelPrefix] of [
  ['sending the file itself', undefined],
  ['answering X-Accel-Redirect', '/_protected_media/'],
] as const) {
  test(`a symlink swapped in for the logo file never serves a file outside the root (${label})`, async () => {
    const demo = await startTempDemo(mediaAccelPrefix === undefined ? {} : { MEDIA_ACCEL_PREFIX: mediaAccelPrefix });
    try {
      const secret = path.join(demo.base, 'secret.png');
      writeFileSync(secret, SECRET);
      const target = path.join(demo.mediaRoot, 'base/company/icon/acme.png');
      const real = readFileSync(target);
      const file = path.join(demo.base, 'acme-real.png');
      const link = path.join(demo.base, 'acme-link.png');
      copyFileSync(target, file);
      symlinkSync(secret, link);
      const counts = await withSwapper(SWAPPER, [target, file, link], () => hammer(demo.url, '/media/base/company/icon/acme.png', real));
      assert.is(counts.leaked, 0, `served the file outside the root ${counts.leaked} times`);
      assert.equal(counts.other, []);
      assert.ok(counts.refused > 0, `the symlink was in place for some requests (${JSON.stringify(counts)})`);
      assert.ok(counts.real > 0, `the real logo was served (or handed to nginx) between swaps (${JSON.stringify(counts)})`);
    } finally {
      await demo.stop();
    }
  });
}

test('a folder on the way swapped for a symlink out of the root never serves what is there', async () => {
  const demo = await startTempDemo();
  try {
    const outside = path.join(demo.base, 'outside-icons');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'acme.png'), SECRET); // same name as the logo, outside the root
    const folder = path.join(demo.mediaRoot, 'base/company/icon');
    const real = readFileSync(path.join(folder, 'acme.png'));
    const link = path.join(demo.mediaRoot, 'base/company/icon-link');
    symlinkSync(outside, link);
    const counts = await withSwapper(DIR_SWAPPER, [folder, folder, link], () => hammer(demo.url, '/media/base/company/icon/acme.png', real));
    assert.is(counts.leaked, 0, `served the file outside the root ${counts.leaked} times`);
    assert.ok(counts.real > 0 && counts.refused > 0, `both states were hit: ${JSON.stringify(counts)}`);
  } finally {
    await demo.stop();
  }
});

test('without a race: a symlink out of the root, a FIFO and a folder fall back to the avatar, never a hang; a symlink inside the root is served', async () => {
  const demo = await startTempDemo();
  try {
    const icon = path.join(demo.mediaRoot, 'base/company/icon');
    const secret = path.join(demo.base, 'secret.png');
    writeFileSync(secret, SECRET);
    // Each becomes company 1's logo in turn (the app only serves logos).
    const cases: Array<[string, () => void, string]> = [
      ['link.png', () => symlinkSync(secret, path.join(icon, 'link.png')), 'unsafe'],
      ['inside-link.png', () => symlinkSync(path.join(icon, 'acme.png'), path.join(icon, 'inside-link.png')), 'served'],
      ['fifo.png', () => spawnSync('mkfifo', [path.join(icon, 'fifo.png')]), 'missing'],
      ['folder.png', () => mkdirSync(path.join(icon, 'folder.png')), 'missing'],
    ];
    for (const [name, make, expected] of cases) {
      make();
      const db = new Database(path.join(demo.dataDir, 'demo.sqlite'));
      db.prepare('update base_company set icon = ? where id = 1').run(`base/company/icon/${name}`);
      db.close();
      const response = await fetch(new URL(`/media/base/company/icon/${name}`, demo.url), { signal: AbortSignal.timeout(5000), redirect: 'manual' });
      const body = Buffer.from(await response.arrayBuffer());
      assert.not.ok(body.includes('SECRET'), name);
      if (expected === 'served') {
        assert.is(response.status, 200, name);
        assert.ok(body.equals(readFileSync(path.join(icon, 'acme.png'))), name);
      } else {
        assert.is(response.status, 307, name);
        // A symlink out of the root: the storage refuses it (a fault of the storage, or unsafe when the route's own open refuses it).
        assert.ok((expected === 'unsafe' ? ['unsafe', 'fault'] : [expected]).includes(response.headers.get('x-logo-fallback') ?? ''), `${name}: ${response.headers.get('x-logo-fallback')}`);
        assert.match(response.headers.get('location') ?? '', /^\/avatars\/AC\.svg\?/, `${name}: Acme Corp's avatar`);
      }
    }
    rmSync(secret);
  } finally {
    await demo.stop();
  }
});

test.run();
