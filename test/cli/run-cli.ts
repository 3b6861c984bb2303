/** Runs the `logo-fallback` command in-process with captured output and a given stdin. */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/index.js';

/** What a run printed and its exit status. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `logo-fallback <argv>`; `stdin` is fed when given (for `-`). */
export async function runCli(argv: string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  });
  return { code, stdout, stderr };
}

/** The problems of a `--json` run, as `[line, id, reason kind]`. */
export function problemsOf(run: CliRun): Array<[number, string | null, string]> {
  const report = JSON.parse(run.stdout) as { problems: Array<{ line: number; id: string | null; reason: string }> };
  return report.problems.map((p) => [p.line, p.id, p.reason.split(':')[0] as string]);
}
