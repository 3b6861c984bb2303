/**
 * The command connection of the Redis tier, guarded so that Redis is never a single point of
 * failure: every command gets `budget` ms (then it counts as a fault, and the render goes on
 * without Redis); after a fault the tier is bypassed for `cooldown` ms (a circuit breaker: renders
 * do not queue behind a Redis that is down or paused), then the next check tries it again; an
 * outage is reported to `onError` once per window, whatever its causes; when a command succeeds
 * again, `onRecover` runs (the bus sends what it could not send meanwhile).
 */
import { LogoFallbackError, describeError } from '../errors.js';
import type { SharedTierContext } from './types.js';

/**
 * The part of a node-redis client (`createClient()` from `redis`, v4 or later) that the tier uses
 * for commands. The tier never connects, quits or configures it: that is the application's.
 */
export interface RedisCommandClient {
  /** True while the connection is up (node-redis: connected and ready). */
  readonly isReady: boolean;
  /** Sends one command (node-redis `sendCommand`); `abortSignal` drops it while it is still queued. */
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  /** Listens to the client's events: `'ready'`, `'error'`. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Stops listening (on `close()`). */
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Settings of a link. */
export interface LinkSettings {
  readonly budget: number;
  readonly cooldown: number;
  /** Hears of every fault (and reports the outage once per window). */
  readonly reportOutage: OutageReport;
}

/** A guarded command connection. */
export interface RedisLink {
  /** Whether the tier should be asked now: connected, and not cooling down after a fault. Never throws. */
  usable(): boolean;
  /** Sends a command within the budget; a failure is recorded (cool-down, report) and rethrown. */
  send(args: string[]): Promise<unknown>;
  /** Records a fault seen outside {@link RedisLink.send} (an unexpected reply). */
  fault(error: unknown): void;
  /** Stops listening to the client's events. */
  close(): void;
}

/** Hands an outage of Redis to `onError` (see {@link outageReporter}). */
export type OutageReport = (error: unknown, connection: 'client' | 'subscriber') => void;

/**
 * Reports an outage to `onError` at most once per report window, whatever its causes and whichever
 * connection saw it: one outage is one problem, and a message per cause (refused, reset, over
 * budget, OOM) would flood `onError` while Redis is down.
 */
export function outageReporter(context: SharedTierContext, label: string, cooldown: number): OutageReport {
  let reportedAt = -Infinity;
  return (error, connection) => {
    const now = Date.now();
    if (now - reportedAt < context.reportWindow) return;
    reportedAt = now;
    const message = `${label}, ${connection} connection: ${describeError(error)}; renders use the local cache and the ${context.storage} storage, and invalidations wait, until Redis answers again (tried every ${cooldown} ms)`;
    context.report(new LogoFallbackError('SHARED_FAILED', message, { cause: error }), label);
  };
}

/** Builds the link; `onRecover` runs when a command succeeds after a fault, and when the client is ready again. */
export function createRedisLink(client: RedisCommandClient, settings: LinkSettings, onRecover: () => void): RedisLink {
  const { budget, cooldown, reportOutage } = settings;
  let downUntil = 0;
  let down = false;

  function fault(error: unknown): void {
    downUntil = Date.now() + cooldown;
    down = true;
    reportOutage(error, 'client');
  }

  function recovered(): void {
    if (!down) return;
    down = false;
    try {
      onRecover();
    } catch {
      // The bus's own failures are recorded by its sends; nothing may escape into the caller.
    }
  }

  function isReady(): boolean {
    try {
      return client.isReady === true;
    } catch {
      return false;
    }
  }

  const onReady = (): void => {
    downUntil = 0;
    recovered();
  };
  // Listening to 'error' also keeps a lost connection from crashing a process that has no listener of its own.
  const onError = (error: unknown): void => fault(error);
  client.on('ready', onReady);
  client.on('error', onError);

  return {
    usable() {
      if (!isReady()) {
        fault(new Error('the client is not connected'));
        return false;
      }
      return Date.now() >= downUntil;
    },
    send(args) {
      return new Promise<unknown>((resolve, reject) => {
        const controller = new AbortController();
        let settled = false;
        // Held by the pending command until it settles; unref'd: the connection keeps the process alive, not this.
        const timer = setTimeout(() => {
          settled = true;
          const error = new Error(`no reply within the budget (${budget} ms)`);
          controller.abort(error);
          fault(error);
          reject(error);
        }, budget);
        timer.unref();
        Promise.resolve()
          .then(() => client.sendCommand(args, { abortSignal: controller.signal }))
          .then(
            (reply) => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              recovered();
              resolve(reply);
            },
            (error: unknown) => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              fault(error);
              reject(error);
            },
          );
      });
    },
    fault,
    close() {
      client.off('ready', onReady);
      client.off('error', onError);
    },
  };
}
