/**
 * export-companies prints the demo's rows as NDJSON for `logo-fallback audit -` and
 * `doctor --records -` (the app container has no sqlite3): read-only, and exit 2 without a database.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { companies } from '../../fixtures/companies.js';
import { runCli } from '../cli/run-cli.js';
import { startTempDemo } from './start-temp.js';

const exportCompanies = (dataDir: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'examples/demo/export-companies.ts'], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir } });

test('the rows as NDJSON, which the audit and the doctor read from stdin', async () => {
  const demo = await startTempDemo();
  try {
    const run = exportCompanies(demo.dataDir);
    assert.is(run.status, 0, run.stderr);
    const rows = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    assert.equal(rows, companies.map(({ id, company, icon }) => ({ id, company, icon })));
    const audit = await runCli(['audit', '--root', demo.mediaRoot, '--json', '-'], run.stdout);
    assert.is(audit.code, 1);
    assert.equal(
      (JSON.parse(audit.stdout) as { problems: Array<{ id: string; reason: string }> }).problems.map((p) => [p.id, p.reason.split(':')[0]]),
      [['2', 'missing'], ['4', 'unsafe']],
    );
    const doctor = await runCli(['doctor', '--media-root', demo.mediaRoot, '--records', '-', '--json'], run.stdout);
    const references = (JSON.parse(doctor.stdout) as { checks: Array<{ check: string; message: string }> }).checks.find((c) => c.check === 'references');
    assert.match(references?.message ?? '', /^1 of 2 referenced files are present/);
  } finally {
    await demo.stop();
  }
});

test('no database: exit 2 with the reason, and nothing created', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-export-'));
  try {
    const run = exportCompanies(path.join(dir, 'data'));
    assert.is(run.status, 2);
    assert.match(run.stderr, /^export-companies: /);
    assert.not.ok(existsSync(path.join(dir, 'data')), 'read-only: no directory, no database made');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
