/**
 * `--sql-update --dialect postgres`, run by a real PostgreSQL through psql: a throw-away cluster in
 * a temporary directory, owned by nobody, reachable only through its Unix socket there. The same
 * statements must change exactly the broken rows with `standard_conforming_strings` on and off.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempMedia } from '../helpers/media.js';
import { runCli } from './run-cli.js';

const bin = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((version) => `/usr/lib/postgresql/${version}/bin`).find((dir) => existsSync(`${dir}/postgres`)) : undefined;
const hasPsql = spawnSync('psql', ['--version']).status === 0;
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

interface Cluster {
  psql(sql: string, options?: string): string;
  stop(): Promise<void>;
}

async function startCluster(dir: string): Promise<Cluster> {
  chownSync(dir, 65534, 65534);
  const data = path.join(dir, 'data');
  const init = spawnSync('setpriv', [...NOBODY, `${bin}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  // No TCP at all: the socket lives in the temporary directory.
  const server: ChildProcess = spawn('setpriv', [...NOBODY, `${bin}/postgres`, '-D', data, '-k', dir, '-c', 'listen_addresses=', '-c', 'fsync=off', '-p', '5432'], { stdio: 'ignore' });
  const psql = (sql: string, options = ''): string => {
    const run = spawnSync('psql', ['-h', dir, '-U', 'postgres', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: sql, encoding: 'utf8', env: { ...process.env, PGOPTIONS: options } });
    if (run.status !== 0) throw new Error(`psql failed (${run.status}): ${run.stderr}`);
    return run.stdout;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (server.exitCode !== null) return resolve();
      server.once('exit', () => resolve());
      server.kill('SIGINT'); // PostgreSQL's "fast shutdown"
    });
  for (let attempt = 0; ; attempt++) {
    try {
      psql('SELECT 1');
      return { psql, stop };
    } catch (error) {
      if (attempt > 100 || server.exitCode !== null) {
        await stop();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const TABLE = 'Co"mp\'s; DROP TABLE keep; --';
const ROWS: Array<[string, string | null, boolean]> = [
  ["1' OR '1'='1", 'logos/acme.png', false],
  ['2\\\'); DROP TABLE keep; --', 'logos/gone-2.png', true],
  ['ünï ✓ 3', '/media/logos/gone-3.png', true],
  ['back\\slash\\', "logos/o'brien\\.png", false], // the reference has a backslash: unsafe, listed but not repaired
  ['$$ 5 $$', 'logos/gone-5.png', true],
  ['6', null, false],
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-pg-'));
let started: Promise<Cluster> | undefined;
/** One cluster for the file's tests, started by the first that needs it (a failed start fails that test). */
const cluster = (): Promise<Cluster> => (started ??= startCluster(dir));

test.after(async () => {
  await started?.then((running) => running.stop(), () => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** Whether PostgreSQL is here; says why not (or fails under REQUIRE_E2E=1). */
function available(what: string): boolean {
  if (bin !== undefined && hasPsql) return true;
  if (process.env.REQUIRE_E2E === '1') assert.unreachable('PostgreSQL is not installed, and REQUIRE_E2E=1');
  console.log(`  SKIPPED: ${what} (PostgreSQL is not installed: apt-get install postgresql)`);
  return false;
}

test('--dialect postgres: psql runs the SQL, with standard_conforming_strings on and off, and exactly the broken rows change', async () => {
  if (!available('the PostgreSQL run')) return;
  const media = tempMedia({ 'logos/acme.png': 'png' });
  try {
    const db = await cluster();
    const input = ROWS.map(([id, icon]) => JSON.stringify({ 'Id"x': id, 'Icon\'s': icon })).join('\n');
    const run = await runCli(['audit', '--root', media.root, '--max-missing', '1', '--id-field', 'Id"x', '--file-field', "Icon's", '--sql-update', `public.${TABLE}`, '-'], input);
    assert.is(run.code, 1, run.stderr);
    const sql = run.stdout;
    writeFileSync(path.join(dir, 'repair.sql'), sql);
    assert.match(sql, /E'2\\\\''\); DROP TABLE keep; --'/, 'a backslash makes an escape string');
    for (const options of ['', '-c standard_conforming_strings=off']) {
      const setup = [
        'DROP TABLE IF EXISTS keep; CREATE TABLE keep (x int);',
        `DROP TABLE IF EXISTS public."${TABLE.replaceAll('"', '""')}";`,
        `CREATE TABLE public."${TABLE.replaceAll('"', '""')}" ("Id""x" text PRIMARY KEY, "Icon's" text);`,
        ...ROWS.map(([id, icon]) => `INSERT INTO public."${TABLE.replaceAll('"', '""')}" VALUES (${dollar(id)}, ${icon === null ? 'NULL' : dollar(icon)});`),
      ].join('\n');
      db.psql(setup);
      db.psql(sql, options);
      const rows = db.psql(`SELECT json_agg(json_build_array("Id""x", "Icon's") ORDER BY "Id""x") FROM public."${TABLE.replaceAll('"', '""')}"`);
      const after = new Map(JSON.parse(rows) as Array<[string, string | null]>);
      for (const [id, icon, broken] of ROWS) assert.is(after.get(id), broken ? null : icon, `${options || 'standard'}: row ${JSON.stringify(id)}`);
      assert.is(db.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'keep'").trim(), '1', 'nothing was dropped');
    }
  } finally {
    media.cleanup();
  }
});

/** The README's nightly cron script, as printed there. */
function cronScript(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### Nightly, from cron'));
  const script = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (script === undefined) throw new Error('README: no bash block under "Nightly, from cron"');
  return script;
}

test("the README's nightly cron script: repairs the broken rows, and leaves the table alone when the volume is missing", async () => {
  if (!available("the README's cron script")) return;
  const db = await cluster();
  const work = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-cron-'));
  const media = tempMedia({ 'base/company/icon/acme.png': 'png', 'base/company/icon/globex.png': 'png' });
  const empty = tempMedia({});
  try {
    // `npx logo-fallback` finds this project's command, as it would in an app that installed it.
    mkdirSync(path.join(work, 'node_modules/.bin'), { recursive: true });
    writeFileSync(path.join(work, 'package.json'), '{"name": "app", "private": true}');
    const bin = path.join(work, 'node_modules/.bin/logo-fallback');
    writeFileSync(bin, `#!/bin/sh\nexec ${path.resolve('node_modules/.bin/tsx')} ${path.resolve('src/cli/index.ts')} "$@"\n`);
    chmodSync(bin, 0o755);
    writeFileSync(path.join(work, 'logo-audit'), cronScript());
    chmodSync(path.join(work, 'logo-audit'), 0o755);
    const reset = () =>
      db.psql(`DROP TABLE IF EXISTS base_company;
        CREATE TABLE base_company (id serial PRIMARY KEY, company text, icon text);
        INSERT INTO base_company (company, icon) VALUES ('Acme', 'base/company/icon/acme.png'), ('Gone', 'base/company/icon/gone.png'),
          ('Globex', '/media/base/company/icon/globex.png'), ('Nobody', NULL);`);
    const icons = () => db.psql('SELECT icon FROM base_company ORDER BY id').split('\n').slice(0, 4);
    const run = (mediaRoot: string) =>
      spawnSync(path.join(work, 'logo-audit'), { cwd: work, encoding: 'utf8', env: { ...process.env, DATABASE_URL: `postgresql://postgres@/postgres?host=${dir}`, MEDIA_ROOT: mediaRoot } });

    reset();
    const repaired = run(media.root);
    assert.is(repaired.status, 0, repaired.stderr);
    assert.equal(icons(), ['base/company/icon/acme.png', '', '/media/base/company/icon/globex.png', ''], 'only the broken row lost its icon');

    reset();
    const stopped = run(empty.root);
    assert.is(stopped.status, 3, stopped.stderr);
    assert.match(stopped.stderr, /stopped: 3 checked references are missing and the storage holds no file at all/);
    assert.equal(icons(), ['base/company/icon/acme.png', 'base/company/icon/gone.png', '/media/base/company/icon/globex.png', ''], 'nothing changed');

    // An export with no records (psql prints the header alone) is not "all good": exit 2.
    db.psql('DELETE FROM base_company');
    const none = run(media.root);
    assert.is(none.status, 2, none.stderr);
    assert.match(none.stderr, /no records read from stdin: it holds no records \(a header row at most\)/);
  } finally {
    media.cleanup();
    empty.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

/** A dollar-quoted literal for the test's own setup (never what the audit prints). */
function dollar(value: string): string {
  let tag = 't';
  while (value.includes(`$${tag}$`)) tag += 't';
  return `$${tag}$${value}$${tag}$`;
}

test.run();
