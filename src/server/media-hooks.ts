/**
 * The app's hooks of the media route, bounded: `nameFor(key)` (whose logo it is) and `allow(key)`
 * (the permission check). Each may be async, throw, hang or return anything; the route waits at
 * most its timeout, runs at most {@link HOOK_CALLS_IN_FLIGHT} calls of each at once, and always
 * ends with an answer: a name (`''` for the placeholder), or allowed / denied / failed.
 */
import { LogoFallbackError, describeError, describeValue } from '../errors.js';
import type { LogoResolver } from '../resolver-types.js';
import { NAME_LOOKUPS_IN_FLIGHT, type MediaNameLookup, type MediaPermission } from './media-options.js';
import type { MediaRequest } from './media-route.js';

/** How many calls of one hook may be unsettled at once; a hung database cannot pile up more. */
export const HOOK_CALLS_IN_FLIGHT = NAME_LOOKUPS_IN_FLIGHT;

/** The display name for a key, `''` when there is none; never rejects. */
export type NameOf = (key: string | undefined) => Promise<string>;

/** Whether a key may be served: `'allowed'`, `'denied'`, or `'failed'` (the hook threw, hung, or too many are running; reported). Never rejects. */
export type AllowOf = (key: string, request: MediaRequest) => Promise<'allowed' | 'denied' | 'failed'>;

type Outcome = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'failed' };

/**
 * Calls hooks with a deadline and a bound on calls in flight. Slots are freed when a call settles,
 * not when the route stops waiting: a database that hangs holds its slots, so hung calls cannot
 * pile up beyond the bound.
 */
function bounded(logos: LogoResolver, hook: string, timeout: number, option: string, owner: string): (key: string, call: (signal: AbortSignal) => unknown, failure: string) => Promise<Outcome> {
  let inFlight = 0;
  const report = (error: LogoFallbackError): void => logos.reportError(error);
  return async (key, call, failure) => {
    if (inFlight >= HOOK_CALLS_IN_FLIGHT) {
      report(new LogoFallbackError('TIMEOUT', `${owner}: ${HOOK_CALLS_IN_FLIGHT} ${hook} calls are still running; ${failure}`, { key }));
      return { kind: 'failed' };
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    inFlight++;
    let settled: Promise<unknown>;
    try {
      settled = Promise.resolve(call(controller.signal));
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
      if (value !== late) return { kind: 'value', value };
      controller.abort(new LogoFallbackError('TIMEOUT', `${owner}: ${hook} took longer than ${timeout} ms`));
      done.catch(() => undefined); // its late failure is nobody's business now
      report(new LogoFallbackError('TIMEOUT', `${owner}: ${hook.replace('()', `(${describeValue(key)})`)} did not answer within ${timeout} ms (${option}); ${failure}`, { key }));
    } catch (cause) {
      // The hook could not read the record (nameFor) or decide (allow): INVALID_RECORD, with why.
      report(new LogoFallbackError('INVALID_RECORD', `${owner}: ${hook.replace('()', `(${describeValue(key)})`)} failed: ${describeError(cause)}; ${failure}`, { key, cause }));
    } finally {
      clearTimeout(timer);
    }
    return { kind: 'failed' };
  };
}

/**
 * Bounds the app's `nameFor`: at most `timeout` ms per call (then `signal` aborts), at most
 * {@link HOOK_CALLS_IN_FLIGHT} calls unsettled at once. Failures go to the resolver's `onError`.
 */
export function createNameLookup(logos: LogoResolver, nameFor: MediaNameLookup | undefined, timeout: number, owner: string): NameOf {
  const call = bounded(logos, 'nameFor()', timeout, 'nameTimeout', owner);
  return async (key) => {
    if (nameFor === undefined || key === undefined) return '';
    const outcome = await call(key, (signal) => nameFor(key, { signal }), 'the placeholder is shown');
    if (outcome.kind === 'failed') return '';
    const { value } = outcome;
    // A string or number is the name itself; a record is read through the resolver's fields (never throws).
    return typeof value === 'number' && Number.isFinite(value) ? String(value) : logos.name(value);
  };
}

/**
 * Bounds the app's `allow`: only `true` allows; `false` (or anything else) denies; a throw, a
 * rejection, `timeout` ms without an answer, or too many calls at once fail (reported), and a
 * failed check is never taken for a yes. Without a hook, everything is allowed.
 */
export function createPermission(logos: LogoResolver, allow: MediaPermission | undefined, timeout: number, owner: string): AllowOf {
  const call = bounded(logos, 'allow()', timeout, 'allowTimeout', owner);
  return async (key, request) => {
    if (allow === undefined) return 'allowed';
    const outcome = await call(key, (signal) => allow(key, { request, signal }), 'the file is not sent');
    if (outcome.kind === 'failed') return 'failed';
    return outcome.value === true ? 'allowed' : 'denied';
  };
}
