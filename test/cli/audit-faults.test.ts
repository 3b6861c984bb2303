/**
 * The fault brake: a storage that fails every check (hung, refusing connections, failing) stops
 * the audit after --max-faults checks in a row, with exit 3 — instead of waiting out one timeout
 * per record for hours. Real servers on 127.0.0.1; what is counted is the checks the server saw,
 * never the time taken.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_FAULTS } from '../../src/cli/audit-args.js';
import { hangingServer, refusedOrigin, startServer } from '../storage/servers.js';
import { runCli } from './run-cli.js';

const records = (count: number, icon = (i: number) => `logos/${i}.png`) => Array.from({ length: count }, (_, i) => JSON.stringify({ id: i + 1, icon: icon(i) })).join('\n');

interface Report {
  summary: { checked: number; fault: number; present: number };
  problems: Array<{ line: number; reason: string }>;
  brake: string | null;
}

test('a hung origin: --max-faults checks in a row fail, the audit stops with exit 3 and starts no further check', async () => {
  const server = await hangingServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-faults-'));
  try {
    const sqlOut = path.join(dir, 'repair.sql');
    const concurrency = 4;
    const run = await runCli(
      ['audit', '--json', '--http', `${server.origin}/media/`, '--timeout', '100', '--concurrency', String(concurrency), '--max-faults', '10', '--sql-update', 'companies', '--file-column', 'icon', '--sql-out', sqlOut, '-'],
      records(200),
    );
    assert.is(run.code, 3, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.match(report.brake ?? '', /^storage unreachable: 10 checks in a row failed \(the last on line 10: .*no answer within 100 ms/);
    assert.equal([report.summary.checked, report.summary.fault], [10, 10], 'the checks that ended after the brake are not reported');
    assert.match(run.stderr, /stopped: storage unreachable: 10 checks in a row failed .*No repair output was written\. Check the storage \(and --timeout\); --max-faults 10 set this brake \(0: never stop\)\./);
    assert.not.ok(existsSync(sqlOut), 'no repair output');
    // The server saw the first 10 checks and at most the ones running beside them (a round started
    // while the tenth was being reported), never the other ~190.
    const seen = server.requests.length;
    assert.ok(seen >= 10 && seen <= 10 + 2 * concurrency, `${seen} checks reached the server`);
    // Nothing is started after the audit returned (the running checks were aborted, the queue dropped).
    await sleep(500);
    assert.is(server.requests.length, seen, 'no check after the audit ended');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
});

test('the default --max-faults stops a hung origin too; 0 never stops', async () => {
  const server = await hangingServer();
  try {
    const run = await runCli(['audit', '--json', '--http', `${server.origin}/media/`, '--timeout', '50', '-'], records(300));
    assert.is(run.code, 3, run.stderr);
    assert.is((JSON.parse(run.stdout) as Report).summary.fault, DEFAULT_MAX_FAULTS);
    assert.ok(server.requests.length <= DEFAULT_MAX_FAULTS + 2 * 32, `${server.requests.length} checks with the default --concurrency 32`);
    // The second run asks under another prefix: the first run's aborted checks may still reach the
    // server after it returned (a request already on the wire), and must not be counted as its.
    const never = await runCli(['audit', '--json', '--http', `${server.origin}/never/`, '--timeout', '50', '--concurrency', '16', '--max-faults', '0', '-'], records(40));
    assert.is(never.code, 1, never.stderr);
    const report = JSON.parse(never.stdout) as Report;
    assert.equal([report.summary.checked, report.summary.fault, report.brake], [40, 40, null]);
    assert.is(server.requests.filter((request) => request.includes(' /never/')).length, 40);
  } finally {
    await server.close();
  }
});

test('a refused port (faults at once) stops the audit as well; bad --max-faults values are bad usage', async () => {
  const origin = await refusedOrigin();
  const run = await runCli(['audit', '--http', `${origin}/media/`, '--max-faults', '5', '-'], records(1000));
  assert.is(run.code, 3, run.stderr);
  assert.match(run.stderr, /stopped: storage unreachable: 5 checks in a row failed \(the last on line 5: /);
  assert.match(run.stdout, /^checked 5 · present 0 · missing 0 · unsafe 0 · fault 5 /m);
  for (const value of ['-1', 'x', '1.5']) {
    const bad = await runCli(['audit', '--http', `${origin}/media/`, '--max-faults', value, '-'], records(1));
    assert.is(bad.code, 2, value);
    assert.match(bad.stderr, /--max-faults must be a whole number from 0/, value);
  }
});

test('only faults in a row count: an answer in between resets the count, and records without a check do not', async () => {
  // Answers logos/ok-*.png at once, hangs on everything else.
  const server = await startServer((request, response, decoded) => {
    if (decoded.startsWith('/media/logos/ok-')) response.writeHead(200, { 'Content-Length': '3' }).end();
  });
  try {
    // Two hung checks, one answered, two hung … and records with no file or an unsafe one between.
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) {
      const icon = i % 3 === 2 ? `logos/ok-${i}.png` : `logos/hung-${i}.png`;
      lines.push(JSON.stringify({ id: i, icon }), JSON.stringify({ id: `n${i}` }), JSON.stringify({ id: `u${i}`, icon: '../etc/passwd' }));
    }
    const run = await runCli(['audit', '--json', '--http', `${server.origin}/media/`, '--timeout', '50', '--concurrency', '8', '--max-faults', '3', '-'], lines.join('\n'));
    assert.is(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.is(report.brake, null);
    assert.equal([report.summary.fault, report.summary.present], [20, 10]);
    // Three hung in a row (the records between them without a check) do stop it.
    const inRow = ['logos/ok-a.png', 'logos/hung-1.png', 'logos/hung-2.png', 'logos/hung-3.png', 'logos/ok-b.png'].flatMap((icon, i) => [JSON.stringify({ id: i, icon }), JSON.stringify({ id: `n${i}` })]);
    const stopped = await runCli(['audit', '--json', '--http', `${server.origin}/media/`, '--timeout', '50', '--max-faults', '3', '-'], inRow.join('\n'));
    assert.is(stopped.code, 3, stopped.stderr);
    assert.match((JSON.parse(stopped.stdout) as Report).brake ?? '', /^storage unreachable: 3 checks in a row failed \(the last on line 7:/);
  } finally {
    await server.close();
  }
});

test.run();
