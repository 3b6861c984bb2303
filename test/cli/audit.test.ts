import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { audit, type AuditProblem } from '../../src/cli/audit.js';
import { perKeyChecker } from '../../src/cli/checks.js';
import type { InputItem } from '../../src/cli/read-records.js';
import { LogoFallbackError } from '../../src/errors.js';
import type { Storage } from '../../src/index.js';
import { problemsOf, runCli } from './run-cli.js';

const root = 'fixtures/media';
const records = 'fixtures/records';

// The broken references in fixtures/records/companies.*, by id: exactly these, nothing else.
const BROKEN: Array<[string, string]> = [
  ['3', 'missing'], // a key whose file is not there
  ['5', 'missing'], // a /media/ URL of ours whose file is not there
  ['6', 'unsafe'], // ../ traversal
  ['8', 'unsafe'], // javascript:
  ['10', 'unsafe'], // %2e%2e traversal
  ['11', 'missing'],
];
const SUMMARY = { checked: 11, present: 3, missing: 3, unsafe: 3, fault: 0, malformed: 0, noFile: 1, external: 1 };

for (const file of ['companies.csv', 'companies.ndjson', 'companies.json']) {
  test(`audit of ${file} lists exactly the broken references`, async () => {
    const run = await runCli(['audit', '--root', root, '--json', path.join(records, file)]);
    assert.is(run.code, 1, run.stderr);
    assert.equal(problemsOf(run).map(([, id, kind]) => [id, kind]), BROKEN);
    assert.equal(JSON.parse(run.stdout).summary, SUMMARY);
  });
}

test('the three formats agree line for line with their files', async () => {
  const ndjson = problemsOf(await runCli(['audit', '--root', root, '--json', `${records}/companies.ndjson`]));
  const lines = readFileSync(`${records}/companies.ndjson`, 'utf8').split('\n');
  for (const [line, id] of ndjson) assert.ok(lines[line - 1]?.includes(`"id": ${id},`), `line ${line} holds id ${id}`);
  const json = problemsOf(await runCli(['audit', '--root', root, '--json', `${records}/companies.json`]));
  const jsonLines = readFileSync(`${records}/companies.json`, 'utf8').split('\n');
  for (const [line, id] of json) assert.ok(jsonLines[line]?.includes(`"id": ${id},`), `the record on line ${line} has id ${id}`);
});

test('the table lists one row per problem and ends with the summary', async () => {
  const run = await runCli(['audit', '--root', root, `${records}/companies.csv`]);
  assert.is(run.code, 1);
  const lines = run.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^LINE\s+ID\s+NAME\s+REFERENCE\s+REASON$/);
  assert.is(lines.filter((line) => /^\d+\s/.test(line)).length, BROKEN.length);
  assert.is(lines.at(-1), 'checked 11 · present 3 · missing 3 · unsafe 3 · fault 0 · malformed 0 · no file 1 · external 1');
  assert.match(run.stdout, /\n4\s+3\s+Initech\s+base\/company\/icon\/initech\.png\s+missing\n/);
});

test('stdin: NDJSON, a JSON array and CSV are told apart by their first character', async () => {
  for (const file of ['companies.ndjson', 'companies.json', 'companies.csv']) {
    const run = await runCli(['audit', '--root', root, '--json', '-'], readFileSync(`${records}/${file}`, 'utf8'));
    assert.is(run.code, 1, `${file}: ${run.stderr}`);
    assert.equal(problemsOf(run).map(([, id, kind]) => [id, kind]), BROKEN, file);
  }
});

test('malformed lines are reported with their line number, counted, and reading goes on', async () => {
  const ndjson = await runCli(['audit', '--root', root, '--json', `${records}/malformed.ndjson`]);
  assert.is(ndjson.code, 1);
  assert.equal(problemsOf(ndjson), [
    [2, null, 'malformed'],
    [3, '3', 'missing'],
    [4, null, 'malformed'],
  ]);
  assert.equal(JSON.parse(ndjson.stdout).summary.present, 2, 'the records after the bad lines were read');
  const csv = await runCli(['audit', '--root', root, '--json', `${records}/malformed.csv`]);
  assert.equal(problemsOf(csv), [
    [3, null, 'malformed'],
    [4, '3', 'missing'],
  ]);
  const json = await runCli(['audit', '--root', root, '--json', '-'], '[\n{"id":1,"icon":"x.png"},\n{"id":2,"icon":"y.png},\n{"id":3,"icon":"base/company/icon/acme.png"}\n');
  assert.equal(problemsOf(json), [
    [2, '1', 'missing'],
    [3, null, 'malformed'],
    [4, null, 'malformed'], // the array is not closed
  ]);
  assert.is(JSON.parse(json.stdout).summary.present, 1);
});

test('nothing to list: exit 0', async () => {
  const run = await runCli(['audit', '--root', root, '-'], 'id,company,icon\n1,Acme,base/company/icon/acme.png\n2,Nobody,\n');
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, 'checked 2 · present 1 · missing 0 · unsafe 0 · fault 0 · malformed 0 · no file 1 · external 0\n');
});

test('bad usage and unreadable input: exit 2 with a one-line reason', async () => {
  const cases: Array<[string[], string, RegExp]> = [
    [['audit'], '', /name the records to audit/],
    [['audit', '--frobnicate', 'x.csv'], '', /Unknown option '--frobnicate'\.$/m],
    [['audit', '--format', 'xml', 'x'], '', /--format must be one of json, ndjson, csv/],
    [['audit', '--concurrency', '0', 'x'], '', /--concurrency must be a whole number/],
    [['audit', '--http', 'http://127.0.0.1:1/', '--root', 'media', 'x'], '', /cannot be combined/],
    [['audit', '--root', 'no/such/dir', `${records}/companies.csv`], '', /--root no\/such\/dir: no such directory/],
    [['audit', '--root', root, 'no/such/file.csv'], '', /cannot read no\/such\/file\.csv: no such file/],
    [['audit', '--root', root, records], '', /it is a directory/],
    [['audit', '--root', root, `${root}/base/company/icon/acme.png`], '', /is not UTF-8 text/],
    [['audit', '--root', root, '-'], 'id,icon\n1,\u0000\u0001\u0002', /binary data \(a NUL byte/],
    [['audit', '--root', root, '--format', 'json', '-'], '{"id": 1}', /the JSON is one object, not an array of records: name the array that holds them with --json-path/],
    [['audit', '--root', root, '--format', 'json', '-'], 'true', /expected a JSON array starting with "\[" on line 1/],
    [['audit', '--root', root, '-'], 'a,b\n1,2\n', /has no icon or logo column \(read with the delimiter ","\); name the column with --file-field, or the delimiter with --delimiter/],
    [['frobnicate'], '', /unknown command "frobnicate"/],
  ];
  for (const [argv, stdin, reason] of cases) {
    const run = await runCli(argv, stdin);
    assert.is(run.code, 2, `${argv.join(' ')}: ${run.stdout}`);
    assert.is(run.stderr.split('\n').length, 2, `one line: ${run.stderr}`);
    assert.match(run.stderr, reason);
    assert.ok(run.stderr.startsWith('logo-fallback: '));
    assert.is(run.stdout, '', 'nothing on stdout');
  }
});

test('--help and --version answer on stdout with exit 0', async () => {
  const help = await runCli(['audit', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--file-field/);
  const version = await runCli(['--version']);
  assert.is(version.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
});

test('field flags pick other columns, repeated or comma-separated', async () => {
  const csv = 'pk,title,picture\n7,Acme,base/company/icon/acme.png\n8,Gone,base/company/icon/gone.png\n';
  const run = await runCli(['audit', '--root', root, '--json', '--id-field', 'pk', '--name-field', 'x,title', '--file-field', 'nope', '--file-field', 'picture', '-'], csv);
  assert.equal(JSON.parse(run.stdout).problems, [{ id: '8', name: 'Gone', reference: 'base/company/icon/gone.png', line: 3, reason: 'missing' }]);
});

test('--base-url: URLs of ours under another base are checked by their key', async () => {
  const input = '{"id":1,"icon":"/files/base/company/icon/acme.png"}\n{"id":2,"icon":"/files/base/company/icon/gone.png"}\n{"id":3,"icon":"/media/x.png"}\n';
  const run = await runCli(['audit', '--root', root, '--base-url', '/files/', '--json', '-'], input);
  assert.equal(problemsOf(run), [[2, '2', 'missing']]);
  assert.is(JSON.parse(run.stdout).summary.external, 1, '/media/ is not ours any more: external');
});

test('names with terminal escapes are printed escaped in the table', async () => {
  const run = await runCli(['audit', '--root', root, '-'], '{"id":1,"company":"\\u001b[2J\\u001b[31mEvil","icon":"gone.png"}\n');
  assert.not.match(run.stdout, /\u001b/);
  assert.match(run.stdout, /\\u001b\[2J\\u001b\[31mEvil/);
});

function snapshot(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      const info = statSync(full);
      hash.update(`${full} ${info.size} ${info.mtimeMs}\n`);
      if (entry.isDirectory()) walk(full);
      else hash.update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

test('it only reads: the storage and the input are unchanged', async () => {
  const before = [snapshot(root), snapshot(records)];
  for (const file of readdirSync(records)) await runCli(['audit', '--root', root, path.join(records, file)]);
  assert.equal([snapshot(root), snapshot(records)], before);
});

async function* items(count: number): AsyncGenerator<InputItem[]> {
  for (let line = 1; line <= count; line++) yield [{ line, record: { id: line, icon: `k${line % 7}.png` } }];
}

test('faults and refusals from the storage are listed as such; at most `concurrency` checks at once', async () => {
  let running = 0;
  let peak = 0;
  const storage: Storage = {
    name: 'test',
    baseUrl: '/media/',
    async exists(key) {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      if (key === 'k1.png') throw new LogoFallbackError('STORAGE_FAILED', 'test storage: permission denied');
      if (key === 'k2.png') throw new LogoFallbackError('INVALID_KEY', 'test storage: refused key');
      if (key === 'k3.png') return new Promise(() => undefined); // never answers
      return key !== 'k4.png';
    },
    url: (key) => `/media/${key}`,
  };
  const problems: AuditProblem[] = [];
  const checker = perKeyChecker(storage, { concurrency: 4, timeout: 50 });
  const { summary } = await audit(items(70), { checker, contexts: [{ baseUrl: '/media/' }], idField: 'id', nameFields: ['company'], fileFields: ['icon'], onProblem: (p) => problems.push(p) });
  assert.ok(peak <= 4, `peak ${peak}`);
  assert.equal(summary, { checked: 70, present: 30, missing: 10, unsafe: 10, fault: 20, malformed: 0, noFile: 0, external: 0 });
  assert.equal(
    problems.map((p) => p.line),
    [...problems.map((p) => p.line)].sort((a, b) => a - b),
    'listed in input order',
  );
  assert.match(problems.find((p) => p.id === '1')?.reason ?? '', /^fault: test storage: permission denied$/);
  assert.match(problems.find((p) => p.id === '3')?.reason ?? '', /^fault: no answer within 50 ms$/);
  assert.match(problems.find((p) => p.id === '2')?.reason ?? '', /^unsafe: /);
});

test.run();
