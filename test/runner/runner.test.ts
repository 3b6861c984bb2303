/**
 * The runner itself: it runs the fixture suites in test/runner/fixtures/ (named *.fixture.ts, so
 * that the real run skips them) in a child process and must fail the run for every kind of fault
 * that uvu 0.5.6 alone lets through or hangs on.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

interface Summary {
  files: number;
  total: number;
  passed: number;
  skipped: number;
  problems: string[];
  ok: boolean;
}

const repo = fileURLToPath(new URL('../..', import.meta.url));
const runner = suite<{ dir: string }>('test runner', { dir: '' });

runner.before(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'logo-fallback-runner-'));
});
runner.after(async (context) => {
  await rm(context.dir, { recursive: true, force: true });
});

/** Runs the runner over the fixtures matching `pattern`; resolves with its exit code, output and summary. */
async function runFixtures(dir: string, pattern: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; summary: Summary }> {
  const summaryFile = join(dir, `${pattern.replace(/\W+/g, '_')}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/runner/run.ts', pattern], {
    cwd: repo,
    env: { ...process.env, TEST_DIR: 'test/runner/fixtures', TEST_FILE_SUFFIX: '.fixture.ts', TEST_SUMMARY: summaryFile, TEST_ALLOW_SKIP: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  // The runner must end by itself, also with a leaked server; if it did not, fail here, not hang.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    return { code, stdout, summary: JSON.parse(await readFile(summaryFile, 'utf8')) as Summary };
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
  }
}

/** Whether `pid` is gone or a zombie (killed, not reaped yet: PID 1 in a container may never reap it). */
async function ended(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => 'State:\tgone');
    if (/^State:\s+(?:Z|X|gone)/m.test(status)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function hasProblem(summary: Summary, file: string, words: RegExp): boolean {
  return summary.problems.some((problem) => problem.includes(`fixtures/${file}`) && words.test(problem));
}

runner('a passing suite passes: exit 0, Passed = Total', async ({ dir }) => {
  const { code, summary } = await runFixtures(dir, '^passing');
  assert.is(code, 0, JSON.stringify(summary.problems));
  assert.equal({ files: summary.files, total: summary.total, passed: summary.passed, ok: summary.ok }, { files: 1, total: 2, passed: 2, ok: true });
});

runner('each kind of fault fails the run and is named, and the run still ends', async ({ dir }) => {
  const { code, stdout, summary } = await runFixtures(dir, '^(?!hangs|passing)');
  assert.is(code, 1);
  assert.is(summary.ok, false);
  const expected: Array<[string, RegExp]> = [
    ['before-throws.fixture.ts', /before hook threw .*s3rver did not start/],
    ['after-throws.fixture.ts', /teardown failed/],
    ['before-each-throws.fixture.ts', /before\.each hook threw .*before\.each failed/],
    ['fails.fixture.ts', /1 of 1 test\(s\) failed/],
    ['no-run.fixture.ts', /queued no suite/],
    ['only.fixture.ts', /not run \(\.skip or \.only\)/],
    ['leaks-server.fixture.ts', /a server .*opened at test\/runner\/fixtures\/leaks-server\.fixture\.ts:\d+/],
    ['leaks-child.fixture.ts', /a child process \(sleep 600\), opened at test\/runner\/fixtures\/leaks-child\.fixture\.ts:\d+/],
  ];
  for (const [file, words] of expected) assert.ok(hasProblem(summary, file, words), `${file}: ${words} not in\n${summary.problems.join('\n')}`);
  // The leaked child was stopped, not orphaned.
  const pid = Number(/fixture child pid (\d+)/.exec(stdout)?.[1]);
  assert.ok(pid > 0, 'the child fixture printed its pid');
  assert.ok(await ended(pid), `the leaked child process ${pid} is still running`);
});

runner('only .only makes it pass with TEST_ALLOW_SKIP=1', async ({ dir }) => {
  const { code, summary } = await runFixtures(dir, '^only', { TEST_ALLOW_SKIP: '1' });
  assert.is(code, 0, JSON.stringify(summary.problems));
  assert.is(summary.skipped, 1);
});

runner('a test that never settles stops the run at TEST_SUITE_TIMEOUT_S, with exit 1', async ({ dir }) => {
  const { code, summary } = await runFixtures(dir, '^hangs', { TEST_SUITE_TIMEOUT_S: '1' });
  assert.is(code, 1);
  assert.ok(hasProblem(summary, 'hangs.fixture.ts', /did not finish within 1 s/), summary.problems.join('\n'));
});

runner('no matching file is a failure, not an empty green run', async ({ dir }) => {
  const { code, summary } = await runFixtures(dir, '^no-such-fixture');
  assert.is(code, 1);
  assert.match(summary.problems.join('\n'), /no \.fixture\.ts file/);
});

runner.run();
