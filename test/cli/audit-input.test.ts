/**
 * Inputs as users hand them over (issue 11 §5, issue 9 §2): Excel's CSV dialects, a JSON object
 * instead of an array, oversize and broken records, empty input — each reported with the right
 * line, and reading goes on.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_RECORD_LENGTH } from '../../src/cli/splitters.js';
import { problemsOf, runCli } from './run-cli.js';

const root = 'fixtures/media';
const ACME = 'base/company/icon/acme.png';
const audit = (stdin: string, ...flags: string[]) => runCli(['audit', '--root', root, '--json', '--max-missing', '1', ...flags, '-'], stdin);

test('CSV: the delimiter is detected from the header (; | tab), as Excel writes it', async () => {
  for (const delimiter of [';', '|', '\t', ',']) {
    const csv = [['id', 'company', 'icon'], ['1', 'Acme Inc', ACME], ['2', 'Gone', 'base/company/icon/gone.png']].map((row) => row.join(delimiter)).join('\r\n');
    const run = await audit(`${csv}\r\n`);
    assert.is(run.code, 1, `${JSON.stringify(delimiter)}: ${run.stderr}`);
    assert.equal(JSON.parse(run.stdout).problems, [{ id: '2', name: 'Gone', reference: 'base/company/icon/gone.png', line: 3, reason: 'missing' }], JSON.stringify(delimiter));
  }
});

test('CSV: a "sep=" first line sets the delimiter and keeps the line numbers; --delimiter overrides detection', async () => {
  const sep = await audit(`sep=;\nid;company;icon\n1;"Acme; Ltd";${ACME}\n2;Gone;gone.png\n`);
  assert.equal(problemsOf(sep), [[4, '2', 'missing']]);
  // A header with as many commas as semicolons: detection says ",", the flag says ";".
  const csv = `id;company,name,alias;icon\n1;Acme,Acme Ltd,A;${ACME}\n2;Gone,Gone Ltd,G;gone.png\n`;
  assert.equal(problemsOf(await audit(csv, '--delimiter', ';')), [[3, '2', 'missing']]);
  const detected = await audit(csv);
  assert.is(detected.code, 2);
  assert.match(detected.stderr, /has no icon or logo column \(read with the delimiter ","\); name the column with --file-field, or the delimiter with --delimiter/);
  assert.equal(problemsOf(await audit(`id\tcompany\ticon\n1\tGone\tgone.png\n`, '--delimiter', 'tab')), [[2, '1', 'missing']]);
  const bad = await runCli(['audit', '--root', root, '--delimiter', ';;', '-'], '');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--delimiter must be one character/);
});

test('a JSON object instead of an array: exit 2 with the reason, or its array read with --json-path', async () => {
  const document = { total: 2, companies: [{ id: 1, icon: 'gone.png' }, { id: 2, icon: ACME }] };
  const pretty = JSON.stringify(document, null, 2);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-json-'));
  try {
    writeFileSync(path.join(dir, 'companies.json'), pretty);
    writeFileSync(path.join(dir, 'one-line.json'), JSON.stringify(document));
    for (const [argv, stdin] of [[['-'], pretty], [['-'], JSON.stringify(document)], [[path.join(dir, 'companies.json')], ''], [[path.join(dir, 'one-line.json')], '']] as const) {
      const run = await runCli(['audit', '--root', root, ...argv], stdin);
      assert.is(run.code, 2, `${argv[0]}: a false all-clear (${run.stdout})`);
      assert.match(run.stderr, /--json-path/, run.stderr);
    }
    const named = await runCli(['audit', '--root', root, '--json', '--max-missing', '1', '--json-path', 'companies', path.join(dir, 'companies.json')]);
    assert.equal(problemsOf(named), [[4, '1', 'missing']]);
    assert.is(JSON.parse(named.stdout).summary.present, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // A nested path, past decoys: strings holding brackets and a same-named property deeper down.
  const nested = '{"meta": {"note": "[not] {this}", "companies": "no"},\n "data": {"companies": [\n {"id": 7, "icon": "gone.png"}\n]}}';
  assert.equal(problemsOf(await audit(nested, '--json-path', 'data.companies')), [[3, '7', 'missing']]);
  const notArray = await audit(nested, '--json-path', 'meta.companies');
  assert.is(notArray.code, 2);
  assert.match(notArray.stderr, /--json-path meta\.companies is not an array/);
  const absent = await audit(nested, '--json-path', 'data.firms');
  assert.is(absent.code, 2);
  assert.match(absent.stderr, /has no array at --json-path data\.firms/);
  // The hint names the object's own array.
  assert.match((await runCli(['audit', '--root', root, '--format', 'json', '-'], '{"firms": [{"id": 1}]}')).stderr, /--json-path firms/);
});

test('NDJSON records that lack every file field are not a clean audit: exit 2 naming the fields', async () => {
  const run = await runCli(['audit', '--root', root, '-'], '{"id": 1, "picture": "gone.png"}\n{"id": 2, "picture": "x.png"}\n');
  assert.is(run.code, 2);
  assert.match(run.stderr, /no record has a field named icon or logo: name the field with --file-field/);
  // One record with the field, even empty, is enough: the others simply have no logo.
  assert.is((await runCli(['audit', '--root', root, '-'], '{"id": 1, "icon": null}\n{"id": 2}\n')).code, 0);
});

test('an oversize record is reported on its own line, and the records after it are read (NDJSON, JSON, CSV)', async () => {
  const big = 'x'.repeat(MAX_RECORD_LENGTH + 10);
  const ndjson = `{"id": 1, "icon": "${ACME}"}\n\n{"id": 2, "icon": "${big}"}\n{"id": 3, "icon": "gone.png"}\n`;
  assert.equal(problemsOf(await audit(ndjson)), [[3, null, 'malformed'], [4, '3', 'missing']]);
  const json = `[\n{"id": 1, "icon": "${ACME}"},\n\n{"id": 2,\n "icon": "${big}"},\n{"id": 3, "icon": "gone.png"}\n]`;
  assert.equal(problemsOf(await audit(json)), [[4, null, 'malformed'], [6, '3', 'missing']]);
  const csv = `id,icon\n1,${ACME}\n\n2,${big}\n3,gone.png\n`;
  const run = await audit(csv);
  assert.equal(problemsOf(run), [[4, null, 'malformed'], [5, '3', 'missing']]);
  assert.match(JSON.parse(run.stdout).problems[0].reason, /^malformed: invalid CSV: the record is larger than 1,048,576 characters$/);
});

test('an unterminated quote is reported where its record starts, with the lines it swallowed, which are read again', async () => {
  const lines = ['id,company,icon', `1,Acme,${ACME}`, '2,"Broken,gone-2.png', '3,Initech,gone-3.png', `4,"Multi\nline",gone-4.png`, `5,Acme,${ACME}`];
  const run = await audit(`${lines.join('\n')}\n`);
  assert.equal(problemsOf(run), [
    [3, null, 'malformed'],
    [4, '3', 'missing'],
    [5, '4', 'missing'], // a quoted field over two lines is fine
  ]);
  // The quote on line 5 would close line 3's field, but it opens one of its own: line 3's never closed.
  assert.match(JSON.parse(run.stdout).problems[0].reason, /^malformed: invalid CSV: a quoted field is not closed \(the quote on line 5 that would close it is followed by "M"\): it swallowed the 2 lines after it, read again as records$/);
  // Nothing closes it: it swallows to the end.
  const open = await audit(`id,company,icon\n1,"Open,a.png\n2,B,gone-2.png\n3,C,gone-3.png\n`);
  assert.equal(problemsOf(open), [[2, null, 'malformed'], [3, '2', 'missing'], [4, '3', 'missing']]);
  assert.match(JSON.parse(open.stdout).problems[0].reason, /a quoted field is never closed: it swallowed the 2 lines after it, read again as records$/);
  // The quote opened on the second line of a record that started well.
  const later = await audit(`id,company,icon\n7,"two\nlines",gone.png\n8,ok,"open\n9,x,gone-9.png\n`);
  assert.equal(problemsOf(later), [[2, '7', 'missing'], [4, null, 'malformed'], [5, '9', 'missing']]);
});

test('an unterminated quote that outgrows the record limit is cut there, and what it swallowed is read again', async () => {
  const filler = Array.from({ length: 20_000 }, (_, i) => `${i + 10},Filler ${i},gone-${i}.png`).join('\n');
  const csv = `id,company,icon\n1,"Open quote,x.png\n${'y'.repeat(MAX_RECORD_LENGTH)}\n${filler}\n`;
  const run = await audit(csv);
  const problems = problemsOf(run);
  assert.equal(problems[0], [2, null, 'malformed']);
  assert.match(JSON.parse(run.stdout).problems[0].reason, /quoted field is not closed within 1,048,576 characters: it swallowed the \d+ lines after it, read again as records/);
  assert.is(JSON.parse(run.stdout).summary.missing, 20_000, 'every record after the broken one is read');
});

test('no records read is exit 2, not a clean audit (a failed export looks the same) — unless --allow-empty', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-empty-'));
  try {
    // Files (the format from the extension) and stdin (sniffed or named with --format).
    const files: Array<[string, string, RegExp]> = [
      ['export.json', '', /it is empty \(0 bytes\)/],
      ['export.csv', '', /it is empty \(0 bytes\)/],
      ['header.csv', 'id;company;icon\r\n', /no records \(a header row at most\)/],
      ['sep.csv', 'sep=;\n', /no records \(a header row at most\)/],
      ['blank.ndjson', '\n\n   \n\t\n', /only white space/],
      ['array.json', '[\n]\n', /an empty list of records/],
    ];
    const inputs: Array<[string[], string, RegExp]> = files.map(([name, text, why]) => {
      writeFileSync(path.join(dir, name), text);
      return [[path.join(dir, name)], '', why];
    });
    inputs.push([['--format', 'csv', '-'], 'id,company,icon\n', /no records read from stdin: it holds no records \(a header row at most\)/]);
    inputs.push([['--json-path', 'data.companies', '-'], '{"data": {"companies": []}}', /an empty list of records/]);
    inputs.push([['-'], '   ', /no records read from stdin: it holds only white space/]);
    for (const [args, stdin, why] of inputs) {
      const label = `${args.join(' ')} ${JSON.stringify(stdin)}`;
      const table = await runCli(['audit', '--root', root, ...args], stdin);
      assert.is(table.code, 2, `${label}: ${table.stderr}`);
      assert.match(table.stderr, why, label);
      assert.match(table.stderr, /^logo-fallback: no records read from .*pass --allow-empty if an empty table is expected\n$/, label);
      const json = await runCli(['audit', '--root', root, '--json', ...args], stdin);
      assert.is(json.code, 2, label);
      const report = JSON.parse(json.stdout) as { summary: { checked: number }; error: string | null; brake: null };
      assert.is(report.summary.checked, 0, label);
      assert.match(report.error ?? '', why, label);
      const allowed = await runCli(['audit', '--root', root, '--allow-empty', ...args], stdin);
      assert.is(allowed.code, 0, `${label} --allow-empty: ${allowed.stderr}`);
      assert.is(allowed.stdout, 'checked 0 · present 0 · missing 0 · unsafe 0 · fault 0 · malformed 0 · no file 0 · external 0\n', label);
      assert.is(allowed.stderr, '', label);
      assert.is(JSON.parse((await runCli(['audit', '--root', root, '--json', '--allow-empty', ...args], stdin)).stdout).error, null, label);
    }
    // No repair output for an empty input: the SQL file is not written.
    const sqlOut = path.join(dir, 'repair.sql');
    const repair = await runCli(['audit', '--root', root, '--sql-update', 'base_company', '--file-column', 'icon', '--sql-out', sqlOut, path.join(dir, 'export.json')]);
    assert.is(repair.code, 2);
    assert.not.ok(existsSync(sqlOut), 'no repair.sql for an empty input');
    // One malformed line is something read: exit 1, as before (below), not "empty".
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only malformed lines listed: exit 1, not 0', async () => {
  for (const [stdin, label] of [['{"id": 1, "icon": \n', 'NDJSON'], ['id,icon\n1,a,b\n', 'CSV'], ['[{"id": 1,}]', 'JSON']]) {
    const run = await runCli(['audit', '--root', root, '-'], stdin as string);
    assert.is(run.code, 1, `${label}: ${run.stdout}`);
    assert.match(run.stdout, /malformed 1/);
  }
});

test.run();
