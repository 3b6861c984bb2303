/**
 * A coarse clock for the warm path (src/answers.ts), lru-cache's `ttlResolution` idea: reading
 * `Date.now()` costs about 40 ns, as much as the rest of a warm filter call, so the time is read
 * once per synchronous run and reused until the run ends (or a 1 ms timer fires within it).
 *
 * What that means for windows: every call in one synchronous run — one template render — sees the
 * moment the run first asked, so an answer that expires in the middle of a render is served until
 * the render ends. The next run reads the clock again: windows are exact to the millisecond
 * between runs, also on a mocked clock (node:test MockTimers: `tick()` fires the 1 ms timer within
 * a run, `setTime()` is seen by the next run, and a replaced `Date` — `enable()`, `reset()` — at
 * once). Everything that decides what to store (src/cache.ts) reads `Date.now()` itself; this
 * clock only decides whether a remembered answer is still good.
 */

let cached = 0;
/** The `Date` it was read from: a reading is reused only while that is still the global clock. */
let source: DateConstructor | undefined;

function forget(): void {
  cached = 0;
}

/** Reads the clock, and arranges for the reading to be forgotten when the run ends. */
function read(): number {
  source = Date;
  cached = Date.now();
  // A microtask runs when the current synchronous run ends, whatever the timers are; a 1 ms timer
  // also fires within a run when something moves time by timers (a mocked clock's `tick()`); it
  // never keeps the process alive. Both looked up per call, not captured: mocks replace globals.
  queueMicrotask(forget);
  const timer: { unref?: () => unknown } = setTimeout(forget, 1);
  timer.unref?.();
  return cached;
}

/** `Date.now()` as of the start of the current synchronous run (see the module's comment), ms. */
export function coarseNow(): number {
  return cached !== 0 && Date === source ? cached : read();
}
