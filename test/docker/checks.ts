/**
 * The container test's bookkeeping: named checks that pass or fail (a failed check does not stop
 * the step), steps that stop at the first exception, one log file, and the one-line verdict
 * `N passed, N failed`.
 */
import { appendFileSync } from 'node:fs';

export class Checks {
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];

  constructor(private readonly logFile: string) {}

  /** A line on the console and in the log. */
  log(line: string): void {
    console.log(line);
    appendFileSync(this.logFile, `${line}\n`);
  }

  /** Records one check; `detail` is printed when it fails. Returns `condition`. */
  ok(name: string, condition: boolean, detail = ''): boolean {
    if (condition) {
      this.passed++;
      this.log(`  ok   ${name}`);
    } else {
      this.failed++;
      this.failures.push(name);
      this.log(`  FAIL ${name}${detail === '' ? '' : `\n       ${detail.slice(0, 3000).replace(/\n/g, '\n       ')}`}`);
    }
    return condition;
  }

  /** `actual === expected`, with both shown when not. */
  is<T>(name: string, actual: T, expected: T): boolean {
    return this.ok(name, actual === expected, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }

  /** Runs a step; an exception fails it (one failed check) and is reported; returns whether it ran through. */
  async step(title: string, work: () => Promise<void>): Promise<boolean> {
    const started = Date.now();
    this.log(`\n=== ${title}`);
    try {
      await work();
      this.log(`    (${Math.round((Date.now() - started) / 1000)} s)`);
      return true;
    } catch (error) {
      this.ok(`${title}: ran to the end`, false, error instanceof Error ? (error.stack ?? error.message) : String(error));
      return false;
    }
  }

  /** Counts a step that could not run because an earlier one failed. */
  notRun(title: string): void {
    this.log(`\n=== ${title}`);
    this.ok(`${title}: not run (an earlier step failed)`, false);
  }

  /** `N passed, N failed`. */
  verdict(): string {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}
