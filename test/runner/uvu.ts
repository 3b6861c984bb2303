/**
 * What test files get when they `import { suite, test } from 'uvu'` under the runner (run.ts maps
 * the specifier here): uvu itself, with every hook wrapped so that a hook that throws is recorded.
 *
 * Why: uvu 0.5.6 runs `before` hooks inside a `try … finally { return … }`, so a throwing `before`
 * (a server that did not start) is swallowed — the suite prints "(0 / N)" in green and the run
 * exits 0. The runner reads the failures recorded here and fails the run, naming the hook and error.
 */
// The runner's resolve hook leaves this one import alone, so it is uvu's own module.
import * as uvu from 'uvu';
import type { Callback, Test } from 'uvu';

/** One hook that threw, as the runner reports it. */
export interface HookFailure {
  readonly suite: string;
  readonly hook: 'before' | 'after' | 'before.each' | 'after.each';
  readonly error: unknown;
}

const FAILURES = Symbol.for('logo-fallback.test-runner.hook-failures');
type Registry = { [FAILURES]?: HookFailure[] };

/** The hook failures recorded so far in this process (shared through `globalThis`). */
export function hookFailures(): HookFailure[] {
  const registry = globalThis as Registry;
  return (registry[FAILURES] ??= []);
}

function recorded<T>(register: (hook: Callback<T>) => void, hook: HookFailure['hook']): (fn: Callback<T>) => void {
  return (fn) =>
    register(async (context) => {
      try {
        await fn(context);
      } catch (error) {
        hookFailures().push({ suite: context.__suite__, hook, error });
        throw error;
      }
    });
}

function watched<T>(test: Test<T>): Test<T> {
  const { before, after } = test;
  const watchedBefore = Object.assign(recorded(before, 'before'), { each: recorded(before.each, 'before.each') });
  const watchedAfter = Object.assign(recorded(after, 'after'), { each: recorded(after.each, 'after.each') });
  test.before = watchedBefore;
  test.after = watchedAfter;
  return test;
}

/** uvu's `suite()`, its hooks recorded. */
export function suite<T = Record<string, unknown>>(title?: string, context?: T): Test<T> {
  return watched(uvu.suite(title, context));
}

/** uvu's default suite, its hooks recorded. */
export const test: Test<Record<string, unknown>> = watched(uvu.test);

export const exec = uvu.exec;
