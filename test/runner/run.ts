/**
 * The test runner behind `npm run test:unit`: every `test/**\/*.test.ts`, run by uvu's own suite
 * runner, with the checks uvu 0.5.6 lacks. The run fails — exit code 1, and the reason printed
 * after the totals — when:
 * - a test fails (as with uvu);
 * - a hook throws: uvu swallows a throwing `before` and prints "(0 / N)" in green (runner/uvu.ts
 *   records it); generally, whenever Passed is not Total;
 * - a test file queues no suite (a `.run()` forgotten), or a suite has `.only` or `.skip` (set
 *   `TEST_ALLOW_SKIP=1` while you work on one test);
 * - a suite runs longer than `TEST_SUITE_TIMEOUT_S` (default 300 s): a test that never settles;
 * - a server or child process a test started is still open when the last suite ends: named with
 *   the line that opened it, closed, and the run exits all the same.
 * It also writes the totals and problems to test-results/unit-summary.json, which .ci/run reads.
 *
 * Usage: `node --import tsx test/runner/run.ts [regex …]` (files whose path under test/ matches
 * any of the regexes; all by default), or `npm run test:unit -- <regex>`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { inspect } from 'node:util';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { letNobodyReach } from './reach.js';
import { trackLeaks } from './leaks.js';

type SuiteResult = [errors: string | true, ran: number, skipped: number, total: number];
type Group = [file: string, ...runs: Array<() => Promise<SuiteResult>>];
declare global {
  var UVU_DEFER: number | undefined;
  var UVU_INDEX: number | undefined;
  var UVU_QUEUE: Group[] | undefined;
}

const repoDir = fileURLToPath(new URL('../..', import.meta.url));
// The runner's own test points these at its fixtures (test/runner/fixtures/*.fixture.ts).
const testDir = resolve(process.env.TEST_DIR ?? join(repoDir, 'test'));
const suffix = process.env.TEST_FILE_SUFFIX ?? '.test.ts';
const summaryFile = resolve(process.env.TEST_SUMMARY ?? join(repoDir, 'test-results', 'unit-summary.json'));
const started = process.hrtime.bigint();
const suiteTimeoutMs = Number(process.env.TEST_SUITE_TIMEOUT_S ?? 300) * 1000;
const allowSkip = process.env.TEST_ALLOW_SKIP === '1';

// Test files that import 'uvu' get runner/uvu.ts; uvu queues suites instead of running them.
register('./resolve-uvu.mjs', import.meta.url);
globalThis.UVU_DEFER = 1;
globalThis.UVU_QUEUE = [];
const { hookFailures } = await import('./uvu.js');

let currentFile = '(runner)';
const leaks = trackLeaks(() => currentFile);

// Tests that drop privileges run Node on this checkout as uid 65534 (runner/reach.ts).
const giveModesBack = letNobodyReach(repoDir);

const patterns = process.argv.slice(2).map((pattern) => new RegExp(pattern, 'i'));
const files = readdirSync(testDir, { recursive: true, encoding: 'utf8' })
  .map((name) => name.split(sep).join('/'))
  .filter((name) => name.endsWith(suffix) && !name.includes('node_modules/'))
  .filter((name) => patterns.length === 0 || patterns.some((pattern) => pattern.test(name)))
  .sort((a, b) => a.localeCompare(b));

const problems: string[] = [];
let total = 0;
let passed = 0;
let skipped = 0;
let timedOut = false;

class SuiteTimeout extends Error {}

/** `promise`, or a {@link SuiteTimeout} after `TEST_SUITE_TIMEOUT_S`. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const message = `${what} did not finish within ${suiteTimeoutMs / 1000} s (TEST_SUITE_TIMEOUT_S): a test or hook never settles; the run stops here`;
    timer = setTimeout(() => reject(new SuiteTimeout(message)), suiteTimeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const runnerFrame = /\/test\/runner\/(?:run|uvu)\.ts:|\/node_modules\/uvu\//;

/** The error with its stack, less the frames of the runner and of uvu. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return inspect(error);
  return (error.stack ?? error.message)
    .split('\n')
    .filter((line) => !runnerFrame.test(line))
    .join('\n');
}

async function runFile(index: number, file: string): Promise<void> {
  currentFile = relative(repoDir, join(testDir, file));
  globalThis.UVU_INDEX = index;
  const group: Group = [file];
  globalThis.UVU_QUEUE?.push(group);
  process.stdout.write(`\n${file}\n`);
  try {
    await within(import(pathToFileURL(join(testDir, file)).href), `importing ${currentFile}`);
  } catch (error) {
    timedOut = error instanceof SuiteTimeout;
    problems.push(timedOut ? String((error as Error).message) : `${currentFile} could not be loaded: ${describe(error)}`);
    return;
  }
  const [, ...runs] = group;
  if (runs.length === 0) problems.push(`${currentFile} queued no suite: is its .run() missing?`);
  for (const [position, run] of runs.entries()) {
    const suite = `${currentFile}, suite ${position + 1} of ${runs.length}`;
    const failedHooks = hookFailures().length;
    let result: SuiteResult;
    try {
      result = await within(run(), suite);
    } catch (error) {
      timedOut = error instanceof SuiteTimeout;
      if (timedOut) {
        problems.push(String((error as Error).message));
        return;
      }
      // An `after` hook that throws escapes uvu's runner (a `before` one does not: see below).
      problems.push(`${suite}: ${describe(error)}`);
      continue;
    }
    const [errors, ran, skips, max] = result;
    total += max;
    passed += ran;
    skipped += skips;
    if (errors !== true) {
      process.stdout.write(`\n${errors}\n`);
      problems.push(`${suite}: ${max - ran} of ${max} test(s) failed (above)`);
    }
    for (const failure of hookFailures().slice(failedHooks)) {
      problems.push(`${suite} (${JSON.stringify(failure.suite)}): its ${failure.hook} hook threw — ${describe(failure.error)}`);
    }
    if (errors === true && ran < max && hookFailures().length === failedHooks) problems.push(`${suite}: ${ran} of ${max} tests passed and none failed: a hook stopped the suite`);
    if (skips > 0 && !allowSkip) problems.push(`${suite}: ${skips} test(s) not run (.skip or .only); TEST_ALLOW_SKIP=1 allows it`);
  }
}

for (const [index, file] of files.entries()) {
  await runFile(index, file);
  if (timedOut) break;
}
currentFile = '(after the last suite)';

if (files.length === 0) problems.push(`no ${suffix} file under ${relative(repoDir, testDir)} matches ${patterns.join(' or ') || 'at all'}`);
if (passed !== total && problems.length === 0) problems.push(`Passed (${passed}) is not Total (${total})`);
for (const leak of leaks.open()) {
  problems.push(`${leak.what}, opened at ${leak.where} (while running ${leak.file}), was still open after the last suite`);
}
leaks.closeAll();

const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(`\n  Total:     ${total}\n  Passed:    ${passed}\n  Skipped:   ${skipped}\n  Files:     ${files.length}\n  Duration:  ${ms.toFixed(0)} ms\n\n`);
if (problems.length > 0) {
  process.stderr.write(`FAILED: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
}

giveModesBack();
mkdirSync(dirname(summaryFile), { recursive: true });
const summary = { files: files.length, total, passed, skipped, problems, ok: problems.length === 0 && !process.exitCode };
writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);

// Exit now: whatever a test left behind (a socket, a timer) must not keep the run from ending.
process.exit(summary.ok ? 0 : 1);
