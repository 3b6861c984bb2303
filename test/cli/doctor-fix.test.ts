/**
 * The doctor's fix for a folder or file the app cannot write follows the cause: an owner other than
 * the running user → `chown`; owner bits without read, write or search → `chmod`; both → both.
 * Each case runs the CLI as uid/gid 65534 (`setpriv`) over real folders with real owners and modes,
 * then applies the printed fix as root and runs the doctor again: the fix must make it pass.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { shellQuote, writeFix } from '../../src/cli/doctor-advice.js';
import { NOBODY, doctorAsNobody, find, sentinels, tree } from './doctor-helpers.js';

/** The doctor's writable check for the media root (and the data directory when given), as nobody. */
function writable(media: string, data?: string): { media: string; data: string | undefined } {
  const run = doctorAsNobody(['--media-root', media, ...(data === undefined ? [] : ['--data-dir', data]), '--json']);
  assert.ok(run.report, run.stderr);
  return { media: find(run.report, 'media', 'writable').message, data: data === undefined ? undefined : find(run.report, 'data', 'writable').message };
}

/** The command after `Fix: `, run as root (as an operator would), before the parenthesised reason. */
function applyFix(message: string): void {
  const command = /Fix: (.*?) \(/.exec(message)?.[1];
  assert.ok(command, `no Fix in: ${message}`);
  execFileSync('sh', ['-c', command]);
}

test('a folder of the right owner with mode 0500: chmod u+rwx, no chown; the fix makes it pass', () => {
  const t = tree();
  try {
    const icons = path.join(t.media, 'base/company/icon');
    chmodSync(icons, 0o500);
    const message = writable(t.media).media;
    assert.ok(message.includes(`${icons} (create: EACCES; owner uid 65534, mode 500)`), message);
    assert.ok(message.includes(`Fix: chmod u+rwx ${icons} (`), message);
    assert.not.ok(message.includes('chown'), message);
    applyFix(message);
    assert.match(writable(t.media).media, /can create, read and delete files in all 4 folders/);
    assert.equal(sentinels(t.base), []);
  } finally {
    t.cleanup();
  }
});

test('other modes short of rwx for the owner: 0300 (no read: cannot list), 0600 (no search), 0100', () => {
  for (const mode of [0o300, 0o600, 0o100, 0o400]) {
    const t = tree();
    try {
      const company = path.join(t.media, 'base/company');
      chmodSync(company, mode);
      const message = writable(t.media).media;
      assert.ok(message.includes(`Fix: chmod u+rwx ${company} (`), `${mode.toString(8)}: ${message}`);
      assert.not.ok(message.includes('chown'), message);
      // The folder below it fails only because it cannot be reached: no unexplained failure for it.
      assert.not.ok(message.includes('Neither owner nor mode'), `${mode.toString(8)}: ${message}`);
      applyFix(message);
      assert.match(writable(t.media).media, /can create, read and delete files in all 4 folders/, mode.toString(8));
    } finally {
      t.cleanup();
    }
  }
});

test('a root-owned folder: chown when its mode is fine for an owner (755, 700), chown and chmod when not (500, 555)', () => {
  for (const [mode, chmod] of [[0o755, false], [0o700, false], [0o500, true], [0o555, true]] as const) {
    const t = tree();
    try {
      const icons = path.join(t.media, 'base/company/icon');
      chownSync(icons, 0, 0);
      chmodSync(icons, mode);
      const message = writable(t.media).media;
      const expected = chmod ? `Fix: chown -R ${NOBODY}:${NOBODY} ${t.media} && chmod u+rwx ${icons} (` : `Fix: chown -R ${NOBODY}:${NOBODY} ${t.media} (`;
      assert.ok(message.includes(expected), `${mode.toString(8)}: ${message}`);
      applyFix(message);
      assert.match(writable(t.media).media, /can create, read and delete files in all 4 folders/, `${mode.toString(8)} after the fix`);
    } finally {
      t.cleanup();
    }
  }
});

test('data files: read-only for their right owner → chmod u+rw; root-owned → chown; many folders → one recursive chmod', () => {
  const t = tree();
  try {
    const database = path.join(t.data, 'demo.sqlite');
    chmodSync(database, 0o444);
    let message = writable(t.media, t.data).data ?? '';
    assert.ok(message.includes(`cannot write 1 file: ${database} (owner uid 65534, mode 444)`), message);
    assert.ok(message.includes(`Fix: chmod u+rw ${database} (`), message);
    applyFix(message);
    assert.match(writable(t.media, t.data).data ?? '', /can create, read and delete files/);

    chownSync(database, 0, 0);
    chmodSync(database, 0o600);
    message = writable(t.media, t.data).data ?? '';
    assert.ok(message.includes(`Fix: chown -R ${NOBODY}:${NOBODY} ${t.data} (`), message);
    assert.not.ok(message.includes('chmod'), message);

    for (let i = 0; i < 7; i++) {
      const folder = path.join(t.media, `year-${i}`);
      mkdirSync(folder);
      chownSync(folder, NOBODY, NOBODY);
      chmodSync(folder, 0o555);
    }
    message = writable(t.media).media;
    assert.ok(message.includes(`Fix: chmod -R u+rwX ${t.media} (`), message);
    applyFix(message);
    assert.match(writable(t.media).media, /can create, read and delete files in all 11 folders/);
  } finally {
    t.cleanup();
  }
});

test('a path with a space or a quote is quoted in the command, and the command works as printed', () => {
  const t = tree();
  try {
    const odd = path.join(t.media, "Acme's logos");
    mkdirSync(odd);
    chownSync(odd, NOBODY, NOBODY);
    chmodSync(odd, 0o500);
    const message = writable(t.media).media;
    assert.ok(message.includes(`Fix: chmod u+rwx ${shellQuote(odd)} (`), message);
    assert.is(shellQuote(odd), `'${t.media}/Acme'\\''s logos'`);
    applyFix(message);
    assert.match(writable(t.media).media, /can create, read and delete files in all 5 folders/);
  } finally {
    t.cleanup();
  }
});

test('writeFix: what neither owner nor mode explains is said so; a full or read-only filesystem is named', () => {
  const user = { uid: 1000, gid: 1000 };
  const ok = { uid: 1000, gid: 1000, mode: '755' };
  assert.match(writeFix('/m', [{ folder: '/m/a', step: 'create', error: 'EPERM', owner: ok }], [], user), /^Neither owner nor mode explains \/m\/a: look for an ACL \(getfacl\), an immutable attribute \(lsattr\)/);
  assert.match(writeFix('/m', [{ folder: '/m', step: 'create', error: 'EROFS', owner: ok }], [], user), /read-only: mount it read-write/);
  assert.match(writeFix('/m', [{ folder: '/m', step: 'write', error: 'ENOSPC', owner: ok }], [], user), /The filesystem is full, or the quota used up/);
  assert.match(writeFix('/m', [{ folder: '/m', step: 'read', error: 'EIO', owner: ok }], [], user), /See the errors above \(EIO\)/);
  // A folder that cannot be stat'ed below one that failed is that one's; alone, it is unexplained.
  const parent = { folder: '/m/a', step: 'create', error: 'EACCES', owner: { ...ok, mode: '600' } } as const;
  const child = { folder: '/m/a/b', step: 'list', error: 'EACCES' } as const;
  assert.is(writeFix('/m', [parent, child], [], user), 'Fix: chmod u+rwx /m/a (without read, write (and, for a folder, search) permission for their owner)');
  assert.match(writeFix('/m', [child], [], user), /^Neither owner nor mode explains \/m\/a\/b/);
  assert.is(
    writeFix('/m', [{ folder: '/m/a', step: 'create', error: 'EACCES', owner: { uid: 0, gid: 0, mode: '500' } }], [], user),
    'Fix: chown -R 1000:1000 /m && chmod u+rwx /m/a (owned by another user than uid 1000, and without read, write (and, for a folder, search) permission for their owner)',
  );
});

test.run();
