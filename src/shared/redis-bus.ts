/**
 * The invalidation bus over Redis pub/sub: `invalidate(key)` on one replica reaches every other
 * one, which forgets its local answer for the key. Messages say only what to forget, never an
 * answer. A replica ignores its own messages; malformed ones are reported and ignored. What could
 * not be sent (Redis down, over budget) is kept — bounded — and sent when Redis answers again. A
 * replica whose subscriber was cut off may have missed messages: when it is back, it forgets its
 * local "missing" answers (a file uploaded meanwhile shows at the next render).
 */
import { LogoFallbackError } from '../errors.js';
import { invalidationMessage, parseInvalidation, type RedisNames } from './redis-protocol.js';
import type { OutageReport, RedisLink } from './redis-link.js';
import type { SharedTierContext } from './types.js';

/** A pub/sub message listener, as node-redis calls it. */
export type MessageListener = (message: string, channel: string) => void;

/**
 * The part of a node-redis client that the bus uses to listen: a connection of its own, as
 * pub/sub requires (`client.duplicate()`, connected by the application).
 */
export interface RedisSubscriberClient {
  /** True while the connection is up. */
  readonly isReady: boolean;
  /** node-redis `subscribe(channel, listener)`; node-redis subscribes again by itself after a reconnect. */
  subscribe(channel: string, listener: MessageListener): Promise<unknown>;
  /** node-redis `unsubscribe(channel, listener)` (on `close()`). */
  unsubscribe(channel: string, listener: MessageListener): Promise<unknown>;
  /** Listens to the client's events: `'ready'`, `'error'`, `'reconnecting'`, `'end'`. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Stops listening (on `close()`). */
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** One replica's end of the bus. */
export interface RedisBus {
  /** Forgets the shared answer of `key` (or all of them) and tells the other replicas; kept for later if Redis is unreachable. */
  publish(key: string | undefined): void;
  /** Sends what was kept for later (when Redis answers again). */
  flush(): void;
  /** Stops listening; resolves when unsubscribed, or when that failed or took longer than the budget. */
  close(): Promise<void>;
}

/** Settings of the bus. */
export interface BusSettings {
  readonly names: RedisNames;
  /** This replica's id, so that it ignores its own messages. */
  readonly id: string;
  readonly label: string;
  /** How long to wait before trying again to send what was kept, ms. */
  readonly cooldown: number;
  /** How long `close()` waits for Redis to confirm the unsubscription, ms. */
  readonly budget: number;
  /** Hears of the subscriber's faults (and reports the outage once per window). */
  readonly reportOutage: OutageReport;
}

/** Invalidations kept while Redis is unreachable, at most; past it, one "invalidate everything" stands for them all. */
const MAX_PENDING = 1000;

/** Builds the bus and subscribes. */
export function createRedisBus(link: RedisLink, subscriber: RedisSubscriberClient, settings: BusSettings, context: SharedTierContext): RedisBus {
  const { names, id, label, cooldown, budget, reportOutage } = settings;
  const pending = new Set<string>();
  let pendingAll = false;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let subscribed = false;
  let subscribing = false;
  /** True from the start and whenever the subscriber lost its connection: messages may have been missed. */
  let cutOff = true;
  const reportSubscriber = (error: unknown): void => reportOutage(error, 'subscriber');

  function keep(key: string | undefined): void {
    if (key === undefined || pendingAll || pending.size >= Math.min(MAX_PENDING, context.max)) {
      pendingAll = true;
      pending.clear();
    } else {
      pending.add(key);
    }
    if (retry === undefined && !closed) {
      retry = setTimeout(flush, cooldown);
      retry.unref();
    }
  }

  function publish(key: string | undefined): void {
    if (!link.usable()) return keep(key);
    // One connection keeps the order: the shared answer is gone before anyone hears to check again.
    const forget = key === undefined ? ['INCR', names.generation] : ['DEL', names.answer(key), names.lock(key)];
    Promise.all([link.send(forget), link.send(['PUBLISH', names.channel, invalidationMessage(id, key)])]).catch(() => keep(key));
  }

  function flush(): void {
    clearTimeout(retry);
    retry = undefined;
    if (closed || (!pendingAll && pending.size === 0)) return;
    if (!link.usable()) {
      retry = setTimeout(flush, cooldown);
      retry.unref();
      return;
    }
    const keys = pendingAll ? undefined : [...pending];
    pendingAll = false;
    pending.clear();
    if (keys === undefined) publish(undefined);
    else for (const key of keys) publish(key);
  }

  const listener: MessageListener = (message) => {
    const invalidation = parseInvalidation(message);
    if ('malformed' in invalidation) {
      context.report(new LogoFallbackError('SHARED_FAILED', `${label}: ignored a malformed message on "${names.channel}": ${invalidation.malformed}`), `${label} bus`);
      return;
    }
    if (invalidation.from !== id) context.dropLocal(invalidation.key);
  };

  /** Listening (again): what was cached while deaf may be stale. */
  function listening(): void {
    if (!cutOff) return;
    cutOff = false;
    context.dropMissing();
  }

  function subscribe(): void {
    if (subscribing || subscribed || closed) return;
    subscribing = true;
    Promise.resolve()
      .then(() => subscriber.subscribe(names.channel, listener))
      .then(
        () => {
          subscribing = false;
          subscribed = true;
          if (closed) void subscriber.unsubscribe(names.channel, listener).catch(() => undefined);
          else listening();
        },
        (error: unknown) => {
          subscribing = false;
          reportSubscriber(error); // not connected yet: 'ready' tries again
        },
      );
  }

  const onReady = (): void => {
    // node-redis has subscribed again by itself before it says 'ready'.
    if (subscribed) listening();
    else subscribe();
  };
  const onLost = (error?: unknown): void => {
    cutOff = true;
    reportSubscriber(error ?? new Error('the connection was lost'));
  };
  const onEnd = (): void => onLost();
  subscriber.on('ready', onReady);
  subscriber.on('error', onLost);
  subscriber.on('reconnecting', onEnd);
  subscriber.on('end', onEnd);
  subscribe();

  return {
    publish(key) {
      try {
        publish(key);
      } catch {
        keep(key);
      }
    },
    flush,
    async close() {
      closed = true;
      clearTimeout(retry);
      subscriber.off('ready', onReady);
      subscriber.off('error', onLost);
      subscriber.off('reconnecting', onEnd);
      subscriber.off('end', onEnd);
      if (!subscribed) return;
      // node-redis drops the listener at once; the UNSUBSCRIBE itself waits for a connection, which
      // a Redis that is down never gives: close() must not wait for it longer than a command may.
      let timer: NodeJS.Timeout | undefined;
      const unsubscribed = Promise.resolve().then(() => subscriber.unsubscribe(names.channel, listener));
      await Promise.race([unsubscribed, new Promise((resolve) => (timer = setTimeout(resolve, budget)))]).catch(() => undefined);
      unsubscribed.catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
