/** Assertions uvu 0.5 does not have. */
import * as assert from 'uvu/assert';

/** Asserts that `run()` rejects (or throws) with an error for which `check` returns true. */
export async function rejects(run: () => unknown, check: (error: unknown) => boolean, message?: string): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(check(error), message ?? `unexpected error: ${String(error)}`);
    return;
  }
  assert.unreachable(message ?? 'expected a rejection');
}
