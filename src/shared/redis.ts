/**
 * `logo-fallback/redis`: several replicas of an app share their existence answers through Redis (or
 * Valkey), make one storage check per key for the whole fleet, and hear each other's invalidations.
 *
 * The local cache stays in front: a warm render never waits on Redis. A check the local cache
 * cannot answer reads the shared answer; when there is none, one replica takes a short lock (it
 * expires after the resolver's `timeout`) and asks the storage while the others wait for its answer
 * — for half their `timeout`, then they ask for themselves, with the other half left for that. Redis is never a single point of failure: every command has a budget, a fault
 * bypasses Redis for a cool-down, and renders go on with the local cache and the storage.
 */
import { randomUUID } from 'node:crypto';
import { LogoFallbackError, describeError } from '../errors.js';
import { checkKnownKeys, msOption, showValue } from '../options.js';
import { createRedisBus, type RedisBus, type RedisSubscriberClient } from './redis-bus.js';
import { createRedisLink, outageReporter, type RedisCommandClient, type RedisLink } from './redis-link.js';
import { LOOKUP_SCRIPT, SETTLE_SCRIPT, answerValue, parseLookup, redisNames, type Lookup } from './redis-protocol.js';
import type { Found, SharedTier, SharedTierConnection, SharedTierContext, StorageCheck } from './types.js';

export type { RedisCommandClient } from './redis-link.js';
export type { RedisSubscriberClient, MessageListener } from './redis-bus.js';
export type { Found, SharedTier, SharedTierConnection, SharedTierContext, StorageCheck } from './types.js';

/** Options of {@link redisShared}. */
export interface RedisSharedOptions {
  /**
   * A node-redis client (`createClient()` from `redis`, v4 or later) for commands, connected by the
   * application (`await client.connect()`): the tier never opens, closes or configures a connection.
   */
  client: RedisCommandClient;
  /**
   * A second connection for the invalidation bus, as Redis pub/sub requires: `client.duplicate()`,
   * connected by the application. Must not be `client` itself.
   */
  subscriber: RedisSubscriberClient;
  /**
   * Starts every Redis key and the channel. Replicas that share answers use the same prefix;
   * apps, or storages of one app, that must not share (another bucket, another root) use another.
   * 1–200 characters. @default 'logo-fallback:'
   */
  prefix?: string;
  /**
   * How long a check waits for one Redis command, ms (1–60,000): then Redis counts as down for this
   * check, which goes on to the storage. A Redis round trip takes well under a millisecond on a
   * LAN; the default leaves room for a GC pause or a busy host and stays far below the resolver's
   * `timeout`. @default 50
   */
  budget?: number;
  /**
   * How long Redis is left alone after a fault (refused, over budget, out of memory), ms
   * (1–600,000): renders use the local cache and the storage meanwhile, then the next check tries
   * Redis again (a circuit breaker). Invalidations that could not be sent are sent then.
   * @default 1_000
   */
  cooldown?: number;
}

/** What {@link redisShared} returns: the resolver's `shared` option, and a way to let go of the connections. */
export interface RedisShared extends SharedTier {
  /**
   * Stops using Redis for every resolver connected to this tier: unsubscribes from the channel and
   * stops listening to the clients' events. The connections stay open: they are the application's
   * to close (after this). Never rejects, and waits for Redis at most `budget` (a Redis that is down
   * never confirms the unsubscription).
   */
  close(): Promise<void>;
}

const OWNER = 'redisShared()';
const KNOWN = ['client', 'subscriber', 'prefix', 'budget', 'cooldown'] as const;
/** Polls of a replica waiting for the lock holder's answer: 2, 4, 8, 16, 25, 25, … ms. */
const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 25;

function invalid(message: string): LogoFallbackError {
  return new LogoFallbackError('INVALID_OPTION', `${OWNER}: ${message}`);
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return value !== null && typeof value === 'object' && methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
}

function checkOptions(options: RedisSharedOptions): Required<RedisSharedOptions> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalid(`the options must be an object, got ${showValue(options)}`);
  checkKnownKeys(options, KNOWN, 'the options', OWNER);
  const { client, subscriber } = options;
  if (client === undefined || subscriber === undefined) {
    throw new LogoFallbackError('MISSING_OPTION', `${OWNER}: "client" and "subscriber" are required: two connected node-redis clients, e.g. client = createClient({ url }) and subscriber = client.duplicate()`);
  }
  if (!hasMethods(client, ['sendCommand', 'on', 'off'])) throw invalid(`"client" must be a node-redis client (createClient() from "redis"), got ${showValue(client)}`);
  if (!hasMethods(subscriber, ['subscribe', 'unsubscribe', 'on', 'off'])) {
    throw invalid(`"subscriber" must be a node-redis client for pub/sub (client.duplicate()), got ${showValue(subscriber)}`);
  }
  if ((client as unknown) === subscriber) throw invalid('"subscriber" must be a connection of its own (client.duplicate()): a subscribed connection cannot send other commands');
  const prefix = options.prefix ?? 'logo-fallback:';
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 200) throw invalid(`"prefix" must be a string of 1 to 200 characters, got ${showValue(prefix)}`);
  return {
    client,
    subscriber,
    prefix,
    budget: msOption(options.budget, 'budget', OWNER, { min: 1, max: 60_000, fallback: 50 }),
    cooldown: msOption(options.cooldown, 'cooldown', OWNER, { min: 1, max: 600_000, fallback: 1_000 }),
  };
}

/**
 * A shared tier over Redis: the resolver's `shared` option.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createLogoResolver } from 'logo-fallback';
 * import { redisShared } from 'logo-fallback/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL });
 * const subscriber = client.duplicate();
 * await Promise.all([client.connect(), subscriber.connect()]);
 * const logos = createLogoResolver({ shared: redisShared({ client, subscriber }) });
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` without `client` or `subscriber`; `INVALID_OPTION`
 * for anything else that is not as documented (an unknown key, a value out of its range) — at
 * construction, never later.
 */
export function redisShared(options: RedisSharedOptions): RedisShared {
  let settings: Required<RedisSharedOptions>;
  try {
    settings = checkOptions(options);
  } catch (error) {
    if (error instanceof LogoFallbackError) throw error;
    throw invalid(`the options could not be read: ${describeError(error)}`);
  }
  const { client, subscriber, prefix, budget, cooldown } = settings;
  const names = redisNames(prefix);
  const label = `redis (prefix ${JSON.stringify(prefix)})`;
  const connections = new Set<{ link: RedisLink; bus: RedisBus }>();
  let closed = false;

  function connect(context: SharedTierContext): SharedTierConnection {
    const id = randomUUID();
    const lockMs = String(Math.max(1, Math.ceil(context.timeout)));
    const reportOutage = outageReporter(context, label, cooldown);
    let bus: RedisBus | undefined;
    const link = createRedisLink(client, { budget, cooldown, reportOutage }, () => bus?.flush());
    bus = createRedisBus(link, subscriber, { names, id, label, cooldown, budget, reportOutage }, context);
    connections.add({ link, bus });

    /** Frees the lock and, for an answer that is not a fault, shares it. In the background: nobody waits for it. */
    function settle(key: string, token: string, generation: string, found: Found | undefined): void {
      const window = found === undefined ? 0 : found.exists ? context.ttl : context.missTtl;
      const value = found === undefined || window === 0 ? '' : answerValue(generation, found);
      const args = [names.answer(key), names.generation, names.lock(key), token, generation, value, String(Math.max(1, Math.ceil(window)))];
      link.send(['EVAL', SETTLE_SCRIPT, '3', ...args]).catch(() => undefined);
    }

    /** This replica holds the lock: it asks the storage, and shares what it found. */
    async function ask(key: string, signal: AbortSignal, fromStorage: StorageCheck, token: string, generation: string): Promise<Found> {
      let found: Found;
      try {
        found = await fromStorage(key, signal);
      } catch (error) {
        settle(key, token, generation, undefined); // a fault is never shared: the others ask for themselves
        throw error;
      }
      settle(key, token, generation, found);
      return found;
    }

    async function check(key: string, signal: AbortSignal, fromStorage: StorageCheck): Promise<Found> {
      if (closed || !link.usable()) return fromStorage(key, signal);
      const token = randomUUID();
      // Half the render's timeout for the lock holder's answer, half for a check of its own after that.
      const until = Date.now() + context.timeout / 2;
      for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
        let lookup: Lookup | undefined;
        try {
          lookup = parseLookup(await link.send(['EVAL', LOOKUP_SCRIPT, '3', names.answer(key), names.generation, names.lock(key), token, lockMs]));
        } catch {
          return fromStorage(key, signal); // recorded by the link
        }
        if (lookup === undefined) {
          link.fault(new Error(`an unexpected reply to the lookup of ${JSON.stringify(key)} (another program writing under the prefix?)`));
          return fromStorage(key, signal);
        }
        if (lookup.kind === 'answer') return lookup.found;
        if (lookup.kind === 'lock') return ask(key, signal, fromStorage, token, lookup.generation);
        // Another replica is asking the storage: its answer, or its lock expiring, comes soon.
        if (signal.aborted || Date.now() + delay >= until || !link.usable()) return fromStorage(key, signal);
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }

    return {
      check,
      invalidate(key) {
        if (!closed) bus?.publish(key);
      },
    };
  }

  return {
    name: 'redis',
    connect,
    async close() {
      closed = true;
      const all = [...connections];
      connections.clear();
      for (const { link } of all) link.close();
      await Promise.all(all.map(({ bus }) => bus.close()));
    },
  };
}
