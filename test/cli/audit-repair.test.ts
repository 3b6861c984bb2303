/**
 * The repair outputs (issue 11 §4), run for real: the printed SQL is executed by SQLite
 * (better-sqlite3) and exactly the broken rows change, whatever the ids and column names hold;
 * the restore list names each missing key once. Neither is written when the audit stops.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MIN_SAMPLE } from '../../src/cli/brakes.js';
import { quoteTable, sqlUpdate, type Dialect } from '../../src/cli/sql.js';
import { tempMedia } from '../helpers/media.js';
import { runCli } from './run-cli.js';

const PNG = readFileSync('fixtures/media/base/company/icon/acme.png');

/** Hostile names: quotes of every dialect, a statement terminator, a comment, a backslash. */
const TABLE = 'co"mp; DROP TABLE keep; --';
const ID = 'i"d`\\';
const FILE = "ic'on \"x\"";

interface Row {
  id: string;
  file: string | null;
}

const ROWS: Row[] = [
  { id: "1' OR '1'='1", file: 'logos/acme.png' }, // present
  { id: '2"); DROP TABLE keep; --', file: 'logos/gone-2.png' }, // missing
  { id: 'ünï ✓ 3', file: '/media/logos/gone-3.png' }, // missing, stored as a URL of ours
  { id: 'back\\slash 4', file: "logos/o'brien.png" }, // missing, a quote in the reference
  { id: '5', file: null }, // no file
  { id: '6', file: 'https://cdn.example.org/6.png' }, // external
  { id: '7', file: 'logos/../../etc/passwd' }, // unsafe: listed, not repaired
  { id: '8', file: 'logos/gone-2.png' }, // missing, shares a key with 2
  { id: '1', file: 'logos/acme.png' }, // a prefix of another id: must not be touched
];
const BROKEN = new Set(["2\"); DROP TABLE keep; --", 'ünï ✓ 3', 'back\\slash 4', '8']);

function createDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.exec('CREATE TABLE keep (x integer)');
  db.exec(`CREATE TABLE ${quoteTable(TABLE, 'sqlite')} ("${ID.replaceAll('"', '""')}" text primary key, "${FILE.replaceAll('"', '""')}" text)`);
  const insert = db.prepare(`INSERT INTO ${quoteTable(TABLE, 'sqlite')} VALUES (?, ?)`);
  for (const row of ROWS) insert.run(row.id, row.file);
  return db;
}

function records(): string {
  return ROWS.map((row) => JSON.stringify({ [ID]: row.id, [FILE]: row.file })).join('\n');
}

function fileColumn(db: Database.Database): Map<string, string | null> {
  const rows = db.prepare(`SELECT * FROM ${quoteTable(TABLE, 'sqlite')}`).raw().all() as Array<[string, string | null]>;
  return new Map(rows);
}

const sqlFlags = (out: string) => ['--sql-update', TABLE, '--id-field', ID, '--file-field', FILE, '--dialect', 'sqlite', '--sql-out', out];

test('--sql-update, run by SQLite: exactly the broken rows get NULL, hostile ids and names stay quoted', async () => {
  const media = tempMedia({ 'logos/acme.png': PNG });
  const dir = path.dirname(media.root);
  try {
    const db = createDatabase(path.join(dir, 'app.db'));
    const sqlFile = path.join(dir, 'repair.sql');
    const run = await runCli(['audit', '--root', media.root, '--max-missing', '1', ...sqlFlags(sqlFile), '-'], records());
    assert.is(run.code, 1, run.stderr);
    assert.match(run.stdout, /missing 4 · unsafe 1/, 'the report still goes to stdout when the SQL goes to a file');
    const sql = readFileSync(sqlFile, 'utf8');
    assert.match(sql, /^-- logo-fallback audit --sql-update: [^\n]*\nBEGIN;\nUPDATE "co""mp; DROP TABLE keep; --" SET "ic'on ""x""" = NULL WHERE "i""d`\\" IN \(/);
    assert.ok(sql.endsWith('COMMIT;\n'));

    // Between the audit and the repair, row 8 got a new upload: it must keep it.
    db.prepare(`UPDATE ${quoteTable(TABLE, 'sqlite')} SET "${FILE.replaceAll('"', '""')}" = 'logos/new-8.png' WHERE "${ID.replaceAll('"', '""')}" = '8'`).run();
    const before = fileColumn(db);
    db.exec(sql);
    const after = fileColumn(db);
    for (const row of ROWS) {
      const expected = BROKEN.has(row.id) && row.id !== '8' ? null : before.get(row.id);
      assert.is(after.get(row.id), expected, `row ${JSON.stringify(row.id)}`);
    }
    assert.is(after.get('8'), 'logos/new-8.png', 'a row changed since the audit is left alone');
    assert.is((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'keep'").get() as { n: number }).n, 1, 'nothing was dropped');
    db.close();
  } finally {
    media.cleanup();
  }
});

test('--sql-update without --sql-out: SQL on stdout, the report on stderr', async () => {
  const media = tempMedia({ 'logos/acme.png': PNG });
  try {
    const run = await runCli(['audit', '--root', media.root, '--max-missing', '1', '--sql-update', 'companies', '--file-field', 'icon', '-'], '{"id": 3, "icon": "logos/gone.png"}\n{"id": 4, "icon": "logos/acme.png"}\n');
    assert.is(run.code, 1);
    assert.is(run.stdout, `-- logo-fallback audit --sql-update: the rows whose file is missing get NULL in their file column.\nBEGIN;\nUPDATE "companies" SET "icon" = NULL WHERE "id" IN ('3') AND "icon" IN ('logos/gone.png');\nCOMMIT;\n`);
    assert.match(run.stderr, /^LINE\s+ID\s+NAME\s+REFERENCE\s+REASON\n1\s+3\s+-\s+logos\/gone\.png\s+missing\n/);
  } finally {
    media.cleanup();
  }
});

test('quoting per dialect: MySQL backticks and backslashes, PostgreSQL E-strings for backslashes', () => {
  const collect = (dialect: Dialect) => {
    let text = '';
    const sql = sqlUpdate({ table: 'app.companies', idColumn: 'i`d', fileColumn: 'lo"go', dialect, write: (chunk) => (text += chunk) });
    sql.add("it's\\", 'a.png');
    sql.add('bad\u0000id', 'b.png');
    sql.end();
    assert.is(sql.leftOut, 1, 'an id with a NUL cannot be a literal: left out and counted');
    return text.split('\n')[2];
  };
  assert.is(collect('mysql'), "UPDATE `app`.`companies` SET `lo\"go` = NULL WHERE `i``d` IN ('it''s\\\\') AND `lo\"go` IN ('a.png');");
  assert.is(collect('postgres'), `UPDATE "app"."companies" SET "lo""go" = NULL WHERE "i\`d" IN (E'it''s\\\\') AND "lo""go" IN ('a.png');`);
  assert.is(collect('sqlite'), `UPDATE "app"."companies" SET "lo""go" = NULL WHERE "i\`d" IN ('it''s\\') AND "lo""go" IN ('a.png');`);
});

test('bad repair flags are bad usage: an identifier PostgreSQL would cut, a missing file column, a dialect', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--sql-update', 'x'.repeat(64), '--file-column', 'icon'], /--sql-update: the name "x+" is 64 bytes long, more than postgres takes \(63\)/],
    [['--sql-update', 't'], /--sql-update needs --file-column: which of icon, logo/],
    [['--sql-update', 't', '--file-column', 'icon', '--dialect', 'oracle'], /--dialect must be one of postgres, mysql, sqlite/],
    [['--sql-update', 't', '--file-column', 'ic\non'], /holds a control character/],
    [['--id-column', 'id'], /--id-column goes with --sql-update/],
    [['--sql-update', 't', '--file-column', 'icon', '--sql-out', '/no/such/dir/fix.sql'], /--sql-out \/no\/such\/dir\/fix\.sql: cannot write there \(ENOENT\)/],
  ];
  for (const [flags, reason] of cases) {
    const run = await runCli(['audit', '--root', 'fixtures/media', ...flags, '-'], '{"id": 1, "icon": "x.png"}\n');
    assert.is(run.code, 2, flags.join(' '));
    assert.match(run.stderr, reason, run.stderr);
  }
});

test('property: whatever the ids and names, the SQL changes exactly the broken rows in SQLite', () => {
  const name = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
  fc.assert(
    fc.property(name, name, name, fc.uniqueArray(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.boolean()), { selector: ([id]) => id, maxLength: 20 }), (table, idColumn, fileColumn, rows) => {
      fc.pre(idColumn !== fileColumn && !table.includes('.'));
      const db = new Database(':memory:');
      try {
        const t = quoteTable(table, 'sqlite');
        const q = (column: string) => `"${column.replaceAll('"', '""')}"`;
        db.exec(`CREATE TABLE ${t} (${q(idColumn)} text, ${q(fileColumn)} text)`);
        const insert = db.prepare(`INSERT INTO ${t} VALUES (?, ?)`);
        for (const [id, broken] of rows) insert.run(id, broken ? `gone/${id}` : `here/${id}`);
        let text = '';
        const sql = sqlUpdate({ table, idColumn, fileColumn, dialect: 'sqlite', write: (chunk) => (text += chunk) });
        for (const [id, broken] of rows) if (broken) sql.add(id, `gone/${id}`);
        sql.end();
        db.exec(text);
        const after = db.prepare(`SELECT ${q(idColumn)}, ${q(fileColumn)} FROM ${t}`).raw().all() as Array<[string, string | null]>;
        for (const [id, file] of after) {
          const broken = rows.find(([rowId]) => rowId === id)?.[1] === true;
          const writable = !/[\u0000-\u001f\u007f]/.test(id);
          assert.is(file, broken && writable ? null : `${broken ? 'gone' : 'here'}/${id}`, JSON.stringify(id));
        }
      } finally {
        db.close();
      }
    }),
    { numRuns: 150 },
  );
});

test('--restore-list: each missing key once, one per line, in input order; unsafe and faulty ones left out', async () => {
  const media = tempMedia({ 'logos/acme.png': PNG });
  const dir = path.dirname(media.root);
  try {
    const list = path.join(dir, 'restore.txt');
    const input = ['logos/b.png', '/media/logos/a b.png', 'logos/b.png', 'logos/acme.png', 'logos/../x.png', '#logos/c.png'].map((icon, i) => JSON.stringify({ id: i, icon })).join('\n');
    const run = await runCli(['audit', '--root', media.root, '--max-missing', '1', '--restore-list', list, '-'], input);
    assert.is(run.code, 1);
    assert.is(readFileSync(list, 'utf8'), 'logos/b.png\nlogos/a b.png\n#logos/c.png\n');
    const stdout = await runCli(['audit', '--root', media.root, '--max-missing', '1', '--restore-list', '-', '-'], input);
    assert.is(stdout.stdout, 'logos/b.png\nlogos/a b.png\n#logos/c.png\n');
    assert.match(stdout.stderr, /missing 4/, 'the report went to stderr');
  } finally {
    media.cleanup();
  }
});

test('the brakes: an unmounted (empty) media directory gives exit 3, and no repair output is written', async () => {
  const media = tempMedia({});
  const dir = path.dirname(media.root);
  try {
    const input = ['logos/a.png', 'logos/b.png', 'logos/c.png'].map((icon, i) => JSON.stringify({ id: i, icon })).join('\n');
    const sqlFile = path.join(dir, 'repair.sql');
    const list = path.join(dir, 'restore.txt');
    const run = await runCli(['audit', '--root', media.root, '--sql-update', 'companies', '--file-column', 'icon', '--sql-out', sqlFile, '--restore-list', list, '-'], input);
    assert.is(run.code, 3, run.stderr);
    // Fewer than MIN_SAMPLE checked references: the share says little, the empty storage says it all.
    assert.match(run.stderr, /stopped: 3 checked references are missing and the storage holds no file at all: the storage looks unmounted or empty\. No repair output was written\./);
    assert.not.ok(existsSync(sqlFile));
    assert.not.ok(existsSync(list));
    assert.equal(readdirSync(dir).sort(), ['media'], 'no temporary file left behind');
    // JSON says so too.
    const json = await runCli(['audit', '--root', media.root, '--json', '-'], input);
    assert.is(json.code, 3);
    assert.match(JSON.parse(json.stdout).brake, /looks unmounted or empty/);
    // One record is enough against an empty storage (and the grammar is singular) …
    const one = await runCli(['audit', '--root', media.root, '-'], '{"id": 1, "icon": "logos/a.png"}');
    assert.is(one.code, 3);
    assert.match(one.stderr, /stopped: 1 checked reference is missing and the storage holds no file at all/);
    // … and a sample large enough is judged by its share.
    const many = Array.from({ length: MIN_SAMPLE + 5 }, (_, i) => JSON.stringify({ id: i, icon: `logos/${i}.png` })).join('\n');
    const big = await runCli(['audit', '--root', media.root, '-'], many);
    assert.is(big.code, 3);
    assert.match(big.stderr, /stopped: 25 of 25 checked references \(100%\) are missing, more than --max-missing 0\.5/);
  } finally {
    media.cleanup();
  }
});

test('the brakes: the share is strict ("more than"), and --max-missing moves it', async () => {
  const media = tempMedia({ 'logos/a.png': PNG, 'logos/b.png': PNG });
  try {
    const input = (missing: number, present: number) =>
      [...Array.from({ length: missing }, (_, i) => `logos/gone-${i}.png`), ...Array.from({ length: present }, (_, i) => `logos/${'ab'[i % 2]}.png`)].map((icon, i) => JSON.stringify({ id: i, icon })).join('\n');
    const code = async (missing: number, present: number, ...flags: string[]) => (await runCli(['audit', '--root', media.root, ...flags, '-'], input(missing, present))).code;
    assert.is(await code(10, 10), 1, '10 of 20 is not more than half');
    assert.is(await code(11, 10), 3, '11 of 21 is');
    assert.is(await code(11, 10, '--max-missing', '60%'), 1);
    assert.is(await code(13, 7, '--max-missing', '60%'), 3);
    const strict = await runCli(['audit', '--root', media.root, '--max-missing', '0', '-'], input(1, 19));
    assert.is(strict.code, 3);
    assert.match(strict.stderr, /stopped: 1 of 20 checked references \(5%\) is missing, more than --max-missing 0:/);
    // Below MIN_SAMPLE checked references the share is not judged while the storage holds files:
    // 1 missing of 1 is one broken row, not an unmounted volume.
    assert.is(MIN_SAMPLE, 20);
    for (const [missing, present] of [[1, 0], [2, 0], [3, 2], [19, 0], [10, 9]] as const) {
      const run = await runCli(['audit', '--root', media.root, '-'], input(missing, present));
      assert.is(run.code, 1, `${missing} missing, ${present} present: ${run.stderr}`);
      assert.not.match(run.stderr, /stopped/);
    }
    assert.is(await code(20, 0), 3, '20 of 20: judged');
    assert.is(await code(1, 0, '--max-missing', '0'), 1, 'also with --max-missing 0');
    // Records that share a file count once per record, as the report lists them.
    assert.is((await runCli(['audit', '--root', media.root, '-'], input(0, 3))).code, 0);
    const bad = await runCli(['audit', '--root', media.root, '--max-missing', '1.5', '-'], input(0, 1));
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /--max-missing must be a share from 0 to 1/);
  } finally {
    media.cleanup();
  }
});

test.run();
