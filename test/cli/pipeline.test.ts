import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// The README's pipeline, for real: sqlite3 prints CSV, the audit reads it from stdin.
const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;

test('sqlite3 … | logo-fallback audit --format csv - (as in the README)', () => {
  if (!hasSqlite) {
    if (process.env.REQUIRE_E2E === '1') assert.unreachable('sqlite3 is not installed, and REQUIRE_E2E=1');
    console.log('  SKIPPED: the sqlite3 pipeline (sqlite3 is not installed: apt-get install sqlite3)');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-sqlite-'));
  try {
    const file = path.join(dir, 'app.db');
    const db = new Database(file);
    db.exec('create table base_company (id integer primary key, company text, icon text)');
    const insert = db.prepare('insert into base_company (company, icon) values (?, ?)');
    insert.run('Acme Corp', 'base/company/icon/acme.png');
    insert.run('Globex, "GmbH"', 'base/company/icon/globex-gone.png');
    insert.run('Initech', null);
    db.close();
    const command = `sqlite3 -csv -header "${file}" "select id, company, icon from base_company" | node --import tsx src/cli/index.ts audit --root fixtures/media --format csv -`;
    const run = spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8' });
    assert.is(run.status, 1, run.stderr);
    assert.match(run.stdout, /^LINE\s+ID\s+NAME\s+REFERENCE\s+REASON\n3\s+2\s+Globex, "GmbH"\s+base\/company\/icon\/globex-gone\.png\s+missing\n/);
    assert.match(run.stdout, /checked 3 · present 1 · missing 1 · unsafe 0 · fault 0 · malformed 0 · no file 1 · external 0\n$/);

    // A fresh database: sqlite3 prints nothing at all for an empty table, not even the header. Nothing
    // read is exit 2 (a failed export prints nothing too), unless --allow-empty says it is expected.
    const fresh = new Database(file);
    fresh.exec('delete from base_company');
    fresh.close();
    const empty = spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8' });
    assert.is(empty.status, 2, empty.stderr);
    assert.match(empty.stderr, /^logo-fallback: no records read from stdin: it is empty \(0 bytes\)\. .*pass --allow-empty/);
    const allowed = spawnSync('bash', ['-o', 'pipefail', '-c', command.replace('audit ', 'audit --allow-empty ')], { encoding: 'utf8' });
    assert.is(allowed.status, 0, allowed.stderr);
    assert.is(allowed.stdout, 'checked 0 · present 0 · missing 0 · unsafe 0 · fault 0 · malformed 0 · no file 0 · external 0\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
