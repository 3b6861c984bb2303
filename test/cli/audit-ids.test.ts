/**
 * Ids read exactly: a JSON number id that a double cannot carry (beyond 2^53, a fraction or an
 * exponent, 1e400) is read again from its digits; the report shows it as written, and a repair names
 * a row only by a whole number in plain digits — never the double's neighbour, never "Infinity".
 * The SQL runs in SQLite against a table that holds the neighbours the old reading hit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_ID_DIGITS, numberIdLiteral, recordId, wholeNumber } from '../../src/cli/record-id.js';
import { runCli } from './run-cli.js';

const root = 'fixtures/media';
const GONE = 'base/company/icon/gone.png';

interface Report {
  problems: Array<{ id: string | null; line: number; reason: string }>;
}

/** [the id as the export wrote it, the row the SQL must change (or null: none), rows it must not]. */
const CASES: Array<[string, string | null, string[]]> = [
  ['9007199254740993', '9007199254740993', ['9007199254740992', '9007199254740994']],
  ['-9007199254740995', '-9007199254740995', ['-9007199254740996', '-9007199254740994']],
  ['9223372036854775807', '9223372036854775807', ['9223372036854775806']],
  ['1.0', '1', []], // pandas writes integer ids of a column with gaps so
  ['2e1', '20', []],
  ['3.000E+0', '3', []],
  ['7.0000000000000001', null, ['7']],
  ['1.5', null, ['1']],
  ['1e400', null, []],
  ['-1e400', null, []],
  ['123456789012345678901234567890123456789012345678901234567890123456', null, []], // 66 digits
];

function database(file: string): Database.Database {
  const db = new Database(file);
  db.exec('CREATE TABLE companies (id INTEGER PRIMARY KEY, icon TEXT)');
  const insert = db.prepare('INSERT INTO companies VALUES (?, ?)');
  const ids = new Set<string>(['1', '7', '20', '3', '9007199254740992', '9007199254740993', '9007199254740994', '-9007199254740994', '-9007199254740995', '-9007199254740996', '9223372036854775806', '9223372036854775807']);
  for (const id of ids) insert.run(BigInt(id), GONE);
  db.defaultSafeIntegers(true);
  return db;
}

function nulled(db: Database.Database): string[] {
  return (db.prepare('SELECT id FROM companies WHERE icon IS NULL ORDER BY id').raw().all() as Array<[bigint]>).map(([id]) => String(id));
}

test('JSON number ids: the report shows them as written, the SQL names exactly their rows, in NDJSON, a JSON array and --json-path', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-ids-'));
  try {
    const lines = CASES.map(([id]) => `{"id": ${id}, "company": "C", "icon": "${GONE}"}`);
    const inputs: Array<[string, string[]]> = [
      [lines.join('\n'), []],
      [`[\n${lines.join(',\n')}\n]`, []],
      [`{"data": [\n${lines.join(',\n')}\n]}`, ['--json-path', 'data']],
    ];
    for (const [text, flags] of inputs) {
      const label = flags.join(' ') || text[0];
      const sqlOut = path.join(dir, 'repair.sql');
      const restore = path.join(dir, 'restore.txt');
      const run = await runCli(['audit', '--root', root, '--json', '--max-missing', '1', '--sql-update', 'companies', '--file-column', 'icon', '--dialect', 'sqlite', '--sql-out', sqlOut, '--restore-list', restore, ...flags, '-'], text);
      assert.is(run.code, 1, `${label}: ${run.stderr}`);
      const report = JSON.parse(run.stdout) as Report;
      assert.equal(report.problems.map((p) => p.id), CASES.map(([id]) => id), `${label}: every id as written`);
      for (const [i, [id, row]] of CASES.entries()) {
        const reason = report.problems[i]?.reason ?? '';
        if (row !== null) assert.is(reason, 'missing', `${label} ${id}`);
        else assert.match(reason, new RegExp(`^missing: (the id ${id.replace(/[.+]/g, '\\$&')} (is not a whole number|has \\d+ digits, more than an id column holds \\(65, MySQL's DECIMAL\\))), so no repair names this row: quote ids in the export$`), `${label} ${id}`);
      }
      const sql = readFileSync(sqlOut, 'utf8');
      assert.not.match(sql, /Infinity|9007199254740992|NaN|e\+?\d/i, `${label}: no double's reading in the SQL`);
      assert.match(run.stderr, /5 missing references whose id is not a whole number read exactly are not in the SQL \(the report says why\)/, label);
      const db = database(path.join(dir, `${CASES.length}-${inputs.indexOf(inputs.find(([t]) => t === text) as [string, string[]])}.db`));
      try {
        db.exec(sql);
        const expected = CASES.flatMap(([, row]) => (row === null ? [] : [row])).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        assert.equal(nulled(db), expected, `${label}: exactly the rows named`);
      } finally {
        db.close();
      }
      // The restore list names files, not rows: every missing key, once, whatever the id.
      assert.is(readFileSync(restore, 'utf8'), `${GONE}\n`, label);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV ids are strings, taken as written; the table shows a 64-bit id whole', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-ids-'));
  try {
    const csv = path.join(dir, 'companies.csv');
    writeFileSync(csv, `id,company,icon\n9007199254740993,A,${GONE}\n00123,B,${GONE}\n1e400,C,${GONE}\n`);
    const run = await runCli(['audit', '--root', root, '--max-missing', '1', '--sql-update', 'companies', '--file-column', 'icon', '--sql-out', path.join(dir, 'repair.sql'), csv]);
    assert.is(run.code, 1, run.stderr);
    assert.match(readFileSync(path.join(dir, 'repair.sql'), 'utf8'), /WHERE "id" IN \('9007199254740993', '00123', '1e400'\)/);
    const table = await runCli(['audit', '--root', root, '--max-missing', '1', '-'], `{"id": -9223372036854775808, "icon": "${GONE}"}\n{"id": 9007199254740993, "icon": "${GONE}"}`);
    assert.match(table.stdout, /\n1\s+-9223372036854775808\s+-\s+base/);
    assert.match(table.stdout, /\n2\s+9007199254740993\s+-\s+base/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: any JSON number literal as an id is shown as written, and repaired only by its exact whole value', () => {
  const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
  const literal = fc
    .tuple(fc.boolean(), fc.oneof(fc.constant('0'), fc.tuple(fc.integer({ min: 1, max: 9 }), digits(0, 30)).map(([d, rest]) => `${d}${rest}`)), fc.option(digits(1, 20)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 80 }))))
    .map(([negative, whole, fraction, exponent]) => `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : `${exponent[0]}${exponent[1]}${exponent[2]}`}`);
  fc.assert(
    fc.property(literal, fc.string({ maxLength: 20 }), (text, icon) => {
      const record = `{"icon": ${JSON.stringify(icon)}, "id": ${text}}`;
      const value = (JSON.parse(record) as { id: number }).id;
      const id = recordId(value, numberIdLiteral(record, 'id', value));
      // What the literal is worth, exactly: mantissa × 10^exponent, as a fraction of BigInts.
      const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text) as RegExpExecArray;
      const exponent = Number(match[4] ?? 0) - (match[3] ?? '').length;
      const mantissa = BigInt(`${match[1]}${match[2]}${match[3] ?? ''}`);
      const whole = exponent >= 0 ? mantissa * 10n ** BigInt(exponent) : mantissa % 10n ** BigInt(-exponent) === 0n ? mantissa / 10n ** BigInt(-exponent) : undefined;
      if (id === null) return false;
      // Shown as written, unless a double carries it exactly (then its shortest form, the same number).
      if (id.text !== text && !(Number.isSafeInteger(value) && id.text === String(value) && BigInt(id.text) === whole)) return false;
      if (whole === undefined || String(whole).replace('-', '').length > MAX_ID_DIGITS) return id.repair === undefined && id.problem !== undefined;
      return id.repair === String(whole);
    }),
    { verbose: true },
  );
});

test('wholeNumber: the rule, case by case', () => {
  const cases: Array<[string, string | RegExp]> = [
    ['0', '0'],
    ['-0', '0'],
    ['0.000e5', '0'],
    ['0012', '12'],
    ['1.50e2', '150'],
    ['1500e-2', '15'],
    ['-42E+3', '-42000'],
    ['1e64', `1${'0'.repeat(64)}`],
    ['1e65', /has 66 digits/],
    ['1e999999999999', /has 1,000,000,000,000 digits/],
    ['1e-400', /not a whole number/],
    ['1.0000000000000001', /not a whole number/],
    ['Infinity', /not a JSON number/],
  ];
  for (const [literal, expected] of cases) {
    const result = wholeNumber(literal);
    if (typeof expected === 'string') assert.equal(result, { digits: expected }, literal);
    else assert.match('problem' in result ? result.problem : `digits ${result.digits}`, expected, literal);
  }
});

test.run();
