/**
 * The README's "Audit broken references" console sessions, run as printed: every `$` line through
 * bash (with `npx logo-fallback` meaning this project's command), and what the terminal shows —
 * stdout and stderr — compared with the lines after it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('## Audit broken references'), readme.indexOf('\n## ', readme.indexOf('## Audit broken references') + 3));
const sessions = [...section.matchAll(/```console\n([\s\S]*?)```/g)].map((match) => match[1] as string);

/** Splits a session into commands and the output each shows. */
function steps(session: string): Array<{ command: string; output: string }> {
  const out: Array<{ command: string; output: string }> = [];
  for (const line of session.split('\n').slice(0, -1)) {
    if (line.startsWith('$ ')) out.push({ command: line.slice(2), output: '' });
    else if (out.length > 0) (out.at(-1) as { output: string }).output += `${line}\n`;
  }
  return out;
}

test('the section has console sessions to check', () => {
  assert.ok(sessions.length >= 3, `${sessions.length} sessions`);
});

test('every console session in "Audit broken references" prints what the README says', () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-readme-'));
  const madeEmpty = !existsSync('/tmp/empty');
  try {
    symlinkSync(path.resolve('fixtures'), path.join(cwd, 'fixtures'));
    const npx = `npx() { if [ "$1" = logo-fallback ]; then shift; ${path.resolve('node_modules/.bin/tsx')} ${path.resolve('src/cli/index.ts')} "$@"; else command npx "$@"; fi; }`;
    for (const session of sessions) {
      let script = `${npx}\n`;
      let expected = '';
      // One marker per command: what each printed is compared with what the README shows under it.
      for (const [i, step] of steps(session).entries()) {
        // The marker keeps the command's status for a following `echo $?`.
        script += `${step.command}\n__status=$?; printf '\\n@@%s@@\\n' ${i} >&2; (exit $__status)\n`;
        expected += `${step.output}\n@@${i}@@\n`;
      }
      const run = spawnSync('bash', ['-c', `exec 2>&1\n${script}`], { cwd, encoding: 'utf8' });
      assert.is(run.stdout, expected, session.split('\n')[0]);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    if (madeEmpty) rmSync('/tmp/empty', { recursive: true, force: true });
  }
});

test.run();
