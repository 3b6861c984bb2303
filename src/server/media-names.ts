/**
 * The app's `nameFor(key)` hook, bounded: it may be async, throw, hang or return anything; the
 * route waits at most `nameTimeout` ms, runs at most {@link NAME_LOOKUPS_IN_FLIGHT} at once, and
 * always ends with a name (`''` for the placeholder).
 */
import { LogoFallbackError, describeError, describeValue } from '../errors.js';
import type { LogoResolver } from '../resolver-types.js';
import { NAME_LOOKUPS_IN_FLIGHT, type MediaNameLookup } from './media-options.js';

/** The display name for a key, `''` when there is none; never rejects. */
export type NameOf = (key: string | undefined) => Promise<string>;

/**
 * Bounds the app's `nameFor`: at most `timeout` ms per call (then `signal` aborts), at most
 * {@link NAME_LOOKUPS_IN_FLIGHT} calls unsettled at once. Failures go to the resolver's `onError`.
 */
export function createNameLookup(logos: LogoResolver, nameFor: MediaNameLookup | undefined, timeout: number, owner: string): NameOf {
  // Slots are freed when a lookup settles, not when the route stops waiting: a database that hangs
  // holds its slots, so hung lookups cannot pile up beyond the bound.
  let inFlight = 0;

  function report(error: LogoFallbackError): void {
    logos.reportError(error);
  }

  return async (key) => {
    if (nameFor === undefined || key === undefined) return '';
    if (inFlight >= NAME_LOOKUPS_IN_FLIGHT) {
      report(new LogoFallbackError('TIMEOUT', `${owner}: ${NAME_LOOKUPS_IN_FLIGHT} nameFor() lookups are still running; the placeholder is shown`, { key }));
      return '';
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    inFlight++;
    let settled: Promise<unknown>;
    try {
      settled = Promise.resolve(nameFor(key, { signal: controller.signal }));
    } catch (cause) {
      settled = Promise.reject(cause);
    }
    const done = settled.finally(() => inFlight--);
    const late = Symbol('late');
    const deadline = new Promise<typeof late>((resolve) => {
      timer = setTimeout(resolve, timeout, late);
    });
    try {
      const value = await Promise.race([done, deadline]);
      if (value === late) {
        controller.abort(new LogoFallbackError('TIMEOUT', `${owner}: nameFor() took longer than ${timeout} ms`));
        done.catch(() => undefined); // its late failure is nobody's business now
        report(new LogoFallbackError('TIMEOUT', `${owner}: nameFor(${describeValue(key)}) did not answer within ${timeout} ms (nameTimeout); the placeholder is shown`, { key }));
        return '';
      }
      // A string or number is the name itself; a record is read through the resolver's fields (never throws).
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : logos.name(value);
    } catch (cause) {
      report(new LogoFallbackError('INVALID_RECORD', `${owner}: nameFor(${describeValue(key)}) failed: ${describeError(cause)}; the placeholder is shown`, { key, cause }));
      return '';
    } finally {
      clearTimeout(timer);
    }
  };
}
