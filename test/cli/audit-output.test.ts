/**
 * The report as it is written (issue 11 §5): problems go out as they are found, in input order;
 * the table and the JSON document hold any number of problems; the progress line, the help and the
 * flag messages say what they should.
 */
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditSummary } from '../../src/cli/audit.js';
import { main } from '../../src/cli/index.js';
import { createProgress } from '../../src/cli/progress.js';
import { startServer } from '../storage/servers.js';
import { runCli } from './run-cli.js';

const root = 'fixtures/media';
const ACME = 'base/company/icon/acme.png';

function ndjson(count: number, icon: (i: number) => string): string {
  let text = '';
  for (let i = 1; i <= count; i++) text += `{"id":${i},"company":"Company ${i}","icon":"${icon(i)}"}\n`;
  return text;
}

test('130,000 problems: the table and the JSON document are written whole (no stack overflow, no one big string)', async () => {
  const input = ndjson(130_000, (i) => (i % 13 === 0 ? ACME : `gone/${i}.png`));
  const table = await runCli(['audit', '--root', root, '--max-missing', '1', '-'], input);
  assert.is(table.code, 1, table.stderr.slice(0, 500));
  const lines = table.stdout.split('\n');
  assert.is(lines.length, 1 + 120_000 + 1 + 1 + 1, 'header, one row per problem, blank line, summary, final newline');
  assert.match(lines[1] ?? '', /^1\s+1\s+Company 1\s+gone\/1\.png\s+missing$/);
  assert.match(lines[120_000] ?? '', /^129999\s+129999\s+Company 129999\s+gone\/129999\.png\s+missing$/);
  const json = await runCli(['audit', '--root', root, '--max-missing', '1', '--json', '-'], input);
  const report = JSON.parse(json.stdout) as { problems: Array<{ line: number }>; summary: AuditSummary; brake: null };
  assert.is(report.problems.length, 120_000);
  assert.is(report.summary.missing, 120_000);
  assert.is(report.brake, null);
  // Input order, without a sort: every line after the one before.
  assert.ok(report.problems.every((problem, i) => i === 0 || problem.line > (report.problems[i - 1] as { line: number }).line));
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('problems are written while the input is still being read (table and JSON)', async () => {
  for (const flags of [[], ['--json']]) {
    const stdin = new PassThrough();
    let stdout = '';
    const running = main(['audit', '--root', root, '--max-missing', '1', ...flags, '-'], {
      stdin,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true, isTTY: false },
    });
    stdin.write(`{"id": 1, "icon": "${ACME}"}\n{"id": 2, "icon": "gone/early.png"}\n`);
    await waitFor(() => stdout.includes('gone/early.png'), 'the first problem before the input ends');
    stdin.end(`{"id": 3, "icon": "gone/late.png"}\n`);
    assert.is(await running, 1);
    assert.ok(stdout.indexOf('gone/early.png') < stdout.indexOf('gone/late.png'));
  }
});

test('the progress line: "1 problem", and never 100% before the checks end', async () => {
  const writes: string[] = [];
  const terminal = { write: (text: string) => writes.push(text), isTTY: true };
  const progress = createProgress({ size: 1000, bytesRead: () => 1000 }, terminal);
  const summary: AuditSummary = { checked: 1, present: 0, missing: 1, unsafe: 0, fault: 0, malformed: 0, noFile: 0, external: 0 };
  progress.update(summary);
  assert.match(writes.join(''), /99%\s+1 checked, 1 problem$/);
  progress.done();
  assert.is(writes.at(-1), '\r\u001b[2K');
  assert.is(createProgress({ size: 1, bytesRead: () => 1 }, { write: () => assert.unreachable('not a terminal'), isTTY: false }).update(summary), undefined);

  // For real: a small file read at once, while its checks wait on a slow server.
  const server = await startServer((_request, response) => {
    setTimeout(() => response.writeHead(404).end(), 150);
  });
  try {
    const stderr: string[] = [];
    const code = await main(['audit', '--http', `${server.origin}/media/`, '--max-missing', '1', 'fixtures/records/companies.ndjson'], {
      stdin: new PassThrough(),
      stdout: { write: () => true },
      stderr: { write: (text: string) => stderr.push(text), isTTY: true },
    });
    assert.is(code, 1);
    assert.ok(stderr.some((text) => /\d+%/.test(text)), 'a progress line was drawn');
    assert.not.ok(stderr.some((text) => text.includes('100%')), stderr.join(''));
  } finally {
    await server.close();
  }
});

test('help audit prints the audit help; --timeout -5 and friends say what is wrong', async () => {
  const help = await runCli(['help', 'audit']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /^Usage: logo-fallback audit /);
  assert.match(help.stdout, /--sql-update/);
  const unknown = await runCli(['help', 'nope']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /no help for "nope": the commands are audit/);
  const cases: Array<[string[], RegExp]> = [
    [['--timeout', '-5'], /--timeout must be a whole number from 1 to 600000, got "-5"/],
    [['--concurrency', '-1'], /--concurrency must be a whole number from 1 to 1024, got "-1"/],
    [['--max-missing', '-0.1'], /--max-missing must be a share from 0 to 1/],
    [['--timeout'], /--timeout needs a value/],
    [['--timeout', '--json'], /--timeout needs a value/],
    [['--min-age', '5', '--orphans'], /--min-age must be an age such as 24h/],
    [['--check', 'sometimes'], /--check must be one of auto, list, head/],
    [['--check', 'head', '--prefix', 'logos/'], /--prefix limits a listing/],
    [['--prefix', '../x/'], /--prefix "\.\.\/x\/": a key prefix such as base\/company\/icon\/, but it contains a "\." or "\.\." segment/],
  ];
  for (const [flags, reason] of cases) {
    const run = await runCli(['audit', '--root', root, 'x.ndjson', ...flags]);
    assert.is(run.code, 2, flags.join(' '));
    assert.match(run.stderr, reason, run.stderr);
    assert.not.match(run.stderr, /ambiguous/);
  }
});

test('--header is sent: the server refuses every check without it', async () => {
  const server = await startServer((request, response) => {
    if (request.headers.authorization !== 'Bearer t0ken') return void response.writeHead(401).end();
    response.writeHead(request.url === `/media/${ACME}` ? 200 : 404).end();
  });
  try {
    const input = `{"id": 1, "icon": "${ACME}"}\n{"id": 2, "icon": "/media/${ACME}"}\n`;
    const withHeader = await runCli(['audit', '--http', `${server.origin}/media/`, '--header', 'Authorization: Bearer t0ken', '-'], input);
    assert.is(withHeader.code, 0, withHeader.stdout);
    assert.is(withHeader.stdout, 'checked 2 · present 2 · missing 0 · unsafe 0 · fault 0 · malformed 0 · no file 0 · external 0\n');
    const without = await runCli(['audit', '--http', `${server.origin}/media/`, '--json', '-'], input);
    assert.is(without.code, 1);
    assert.is(JSON.parse(without.stdout).summary.fault, 2, 'a refusal is a fault, never "missing"');
  } finally {
    await server.close();
  }
});

test('--http with --base-url: the app media path named is mapped onto the CDN, the default one is not', async () => {
  const server = await startServer((request, response) => {
    response.writeHead(request.url === `/cdn/${ACME}` ? 200 : 404).end();
  });
  try {
    const input = [`/uploads/${ACME}`, '/uploads/gone.png', `/media/${ACME}`, `${server.origin}/cdn/${ACME}`].map((icon, i) => JSON.stringify({ id: i + 1, icon })).join('\n');
    const run = await runCli(['audit', '--http', `${server.origin}/cdn/`, '--base-url', '/uploads/', '--max-missing', '1', '--json', '-'], input);
    const report = JSON.parse(run.stdout);
    assert.equal(report.problems.map((p: { id: string }) => p.id), ['2']);
    assert.equal([report.summary.present, report.summary.external], [2, 1], '/media/ is not the app path any more: external');
  } finally {
    await server.close();
  }
});

test.run();
