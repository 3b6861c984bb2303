/**
 * runner/reach.ts: a checkout inside a mktemp(1) folder (mode 0700) is reachable by uid 65534 for
 * the run — search only, never listing — and every folder gets its own mode back afterwards.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { letNobodyReach } from './reach.js';

/** Runs `argv` as uid/gid 65534; true when it exits 0. */
function asNobody(...argv: string[]): boolean {
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv]).status === 0;
}

test('folders above a checkout that others cannot search get o+x for the run, and their modes back after', () => {
  assert.is(process.getuid?.(), 0, 'the tests run as root');
  const base = mkdtempSync(join(tmpdir(), 'logo-fallback-reach-'));
  const middle = join(base, 'middle');
  const checkout = join(middle, 'x');
  try {
    chmodSync(base, 0o700);
    mkdirSync(checkout, { recursive: true });
    chmodSync(middle, 0o750);
    chmodSync(checkout, 0o755);
    writeFileSync(join(checkout, 'package.json'), '{}', { mode: 0o644 });
    const file = join(checkout, 'package.json');
    assert.not.ok(asNobody('cat', file), 'before: nobody cannot reach the checkout');

    const giveBack = letNobodyReach(checkout);
    assert.is(statSync(base).mode & 0o7777, 0o701);
    assert.is(statSync(middle).mode & 0o7777, 0o751);
    assert.is(statSync(checkout).mode & 0o7777, 0o755, 'the checkout itself is left alone');
    assert.ok(asNobody('cat', file), 'during the run: nobody reads the checkout');
    assert.not.ok(asNobody('ls', base), 'search only: nobody still cannot list the folder');

    giveBack();
    giveBack(); // a second call (the exit handler) changes nothing
    assert.is(statSync(base).mode & 0o7777, 0o700);
    assert.is(statSync(middle).mode & 0o7777, 0o750);
    assert.not.ok(asNobody('cat', file), 'after: as before');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a checkout others can already reach changes nothing', () => {
  const base = mkdtempSync(join(tmpdir(), 'logo-fallback-reach-'));
  try {
    chmodSync(base, 0o755);
    const before = statSync(base).mode;
    letNobodyReach(join(base, 'x'))();
    assert.is(statSync(base).mode, before);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
