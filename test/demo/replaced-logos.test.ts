/**
 * A replaced logo is removed once the database points at the new one — and only then, only when no
 * other company uses it, and only inside the media root: a stored reference that points elsewhere
 * (a traversal, an absolute path, a folder symlinked out of the root, a URL) removes nothing.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LOGO_DIR, STAGING_DIR } from '../../examples/demo/upload.js';
import { solidPng } from './images.js';
import { startTempDemo, type TempDemo } from './start-temp.js';

async function upload(demo: TempDemo, id: number, bytes: Buffer): Promise<number> {
  const form = new FormData();
  form.set('logo', new File([bytes], 'logo.png', { type: 'image/png' }));
  const response = await fetch(new URL(`/companies/${id}/logo`, demo.url), { method: 'POST', body: form, redirect: 'manual' });
  await response.body?.cancel();
  return response.status;
}

function setIcon(demo: TempDemo, id: number, icon: string): void {
  const db = new Database(path.join(demo.dataDir, 'demo.sqlite'));
  db.prepare('update base_company set icon = ? where id = ?').run(icon, id);
  db.close();
}

function iconOf(demo: TempDemo, id: number): string | null {
  const db = new Database(path.join(demo.dataDir, 'demo.sqlite'), { readonly: true });
  const row = db.prepare<[number], { icon: string | null }>('select icon from base_company where id = ?').get(id);
  db.close();
  return row?.icon ?? null;
}

const logos = (demo: TempDemo): string[] => readdirSync(path.join(demo.mediaRoot, LOGO_DIR)).sort();

test('50 uploads for one company leave 1 file: each replaced logo is removed once the row points at the new one', async () => {
  const demo = await startTempDemo();
  try {
    const before = logos(demo); // the seed: acme.png, globex-logo.png
    for (let i = 0; i < 50; i++) assert.is(await upload(demo, 3, solidPng(4 + (i % 7), [i, 2 * i, 255 - i])), 303, `upload ${i}`);
    const current = iconOf(demo, 3);
    assert.ok(current?.startsWith(`${LOGO_DIR}/`));
    assert.equal(logos(demo), [...before, path.basename(current as string)].sort(), 'the seed and the current logo, no orphans');
    assert.equal(readdirSync(path.join(demo.mediaRoot, STAGING_DIR)), [], 'nothing left in staging');
    // The seeded acme.png is Acme's only reference: replacing it removes it too.
    assert.is(await upload(demo, 1, solidPng(8, [1, 1, 1])), 303);
    assert.not.ok(existsSync(path.join(demo.mediaRoot, LOGO_DIR, 'acme.png')));
    const served = await fetch(new URL(`/media/${iconOf(demo, 1)}`, demo.url));
    assert.is(served.status, 200, 'the new logo is served');
    assert.equal(demo.warnings, []);
  } finally {
    await demo.stop();
  }
});

test('a file another company still uses is kept', async () => {
  const demo = await startTempDemo();
  try {
    setIcon(demo, 2, `${LOGO_DIR}/acme.png`); // Globex shares Acme's file
    assert.is(await upload(demo, 1, solidPng(8, [9, 9, 9])), 303);
    assert.ok(existsSync(path.join(demo.mediaRoot, LOGO_DIR, 'acme.png')), 'Globex still points at it');
    assert.is(await upload(demo, 2, solidPng(8, [8, 8, 8])), 303);
    assert.not.ok(existsSync(path.join(demo.mediaRoot, LOGO_DIR, 'acme.png')), 'now nobody does');
  } finally {
    await demo.stop();
  }
});

test('references out of the root remove nothing: traversal, an absolute path, a folder symlinked out, a URL, a /media/ URL of ours', async () => {
  const demo = await startTempDemo();
  try {
    const outside = path.join(demo.base, 'outside');
    mkdirSync(outside);
    const victims: Array<[string, string]> = [];
    const keep = (file: string): string => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'must stay');
      return file;
    };
    // Company 4's seeded reference: base/company/icon/../../../etc/passwd, i.e. <root>/etc/passwd if followed.
    victims.push(['base/company/icon/../../../etc/passwd', keep(path.join(demo.mediaRoot, 'etc/passwd'))]);
    victims.push(['base/company/icon/%2e%2e/%2e%2e/%2e%2e/etc/passwd', path.join(demo.mediaRoot, 'etc/passwd')]);
    victims.push([path.join(outside, 'absolute.png'), keep(path.join(outside, 'absolute.png'))]);
    symlinkSync(outside, path.join(demo.mediaRoot, 'base/linked'));
    victims.push(['base/linked/through-link.png', keep(path.join(outside, 'through-link.png'))]);
    victims.push(['https://cdn.example/logo.png', keep(path.join(outside, 'logo.png'))]);
    for (const [reference, file] of victims) {
      setIcon(demo, 4, reference);
      assert.is(await upload(demo, 4, solidPng(4, [4, 4, 4])), 303, reference);
      assert.ok(existsSync(file), `${reference}: ${file} is still there`);
    }
    // A stored /media/ URL of ours is a key like any other: removed when replaced.
    const ours = keep(path.join(demo.mediaRoot, LOGO_DIR, 'by-url.png'));
    setIcon(demo, 4, `/media/${LOGO_DIR}/by-url.png`);
    assert.is(await upload(demo, 4, solidPng(4, [5, 5, 5])), 303);
    assert.not.ok(existsSync(ours));
  } finally {
    await demo.stop();
  }
});

test.run();
