/**
 * What `redisShared()` keeps in Redis and sends over its channel, and how replies are read: pure
 * functions, no I/O. Every key starts with the tier's prefix:
 *
 * - `{prefix}gen`: the generation, raised by `invalidate()` without a key (every answer written
 *   under an older one is ignored, so forgetting everything costs one INCR, not a SCAN);
 * - `{prefix}a:{key}`: a shared answer, `"{gen} 1 {version}"` (present) or `"{gen} 0"` (missing),
 *   expiring with the window it was found for (`ttl` or `missTtl`): values, never faults;
 * - `{prefix}l:{key}`: the lock of one key's check (a random token), so that one replica asks the
 *   storage while the others wait for its answer; it expires after the resolver's `timeout`.
 *
 * The channel `{prefix}invalidate` carries invalidations only, never answers:
 * `{"v":1,"from":"<replica>","key":"<storage key>"}` or `{"v":1,"from":"<replica>","all":true}`.
 */
import { keyProblem } from '../keys.js';
import { isVersion } from '../url-version.js';
import type { Found } from './types.js';

/** The Redis keys and channel of one prefix. */
export interface RedisNames {
  readonly generation: string;
  readonly channel: string;
  answer(key: string): string;
  lock(key: string): string;
}

/** The key names under `prefix`. */
export function redisNames(prefix: string): RedisNames {
  return {
    generation: `${prefix}gen`,
    channel: `${prefix}invalidate`,
    answer: (key) => `${prefix}a:${key}`,
    lock: (key) => `${prefix}l:${key}`,
  };
}

/**
 * Reads the shared answer or, when there is none under the current generation, takes the lock.
 * KEYS: answer, generation, lock. ARGV: token, lock ms.
 * Returns `{1, answer, ms left}` (an answer), `{2, generation}` (the lock is ours: ask the storage)
 * or `{3, generation}` (another replica holds it: wait for its answer).
 */
export const LOOKUP_SCRIPT = `
local gen = redis.call('GET', KEYS[2]) or '0'
local answer = redis.call('GET', KEYS[1])
if answer and string.sub(answer, 1, #gen + 1) == gen .. ' ' then
  return {1, answer, redis.call('PTTL', KEYS[1])}
end
if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, gen}
end
return {3, gen}
`;

/**
 * Stores the lock holder's answer and frees the lock — only while the lock is still its own and
 * the generation unchanged: an invalidation deletes the lock (or raises the generation) while a
 * check runs, and the answer that check brings back late must not outlive it.
 * KEYS: answer, generation, lock. ARGV: token, generation, value ('' for none: a fault), ms.
 */
export const SETTLE_SCRIPT = `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[3])
if ARGV[3] ~= '' and (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
  return 1
end
return 0
`;

/** What the lookup found. */
export type Lookup = { readonly kind: 'answer'; readonly found: Found } | { readonly kind: 'lock' | 'wait'; readonly generation: string };

/** A reply's string, whether the client hands strings or Buffers (a `typeMapping`). */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function integer(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number(text(value));
  return Number.isInteger(number) ? number : undefined;
}

/** The stored form of an answer under `generation`. */
export function answerValue(generation: string, found: Found): string {
  return `${generation} ${found.exists ? '1' : '0'}${found.exists && found.version !== undefined ? ` ${found.version}` : ''}`;
}

/** A stored answer read back, or `undefined` when it is not one this package wrote. */
export function parseAnswer(value: string, msLeft: number | undefined): Found | undefined {
  const [, state, version, extra] = value.split(' ');
  if ((state !== '0' && state !== '1') || extra !== undefined) return undefined;
  const freshFor = msLeft !== undefined && msLeft >= 0 ? { freshFor: msLeft } : {};
  if (state === '0') return version === undefined ? { exists: false, ...freshFor } : undefined;
  if (version !== undefined && !isVersion(version)) return undefined;
  return { exists: true, ...(version === undefined ? {} : { version }), ...freshFor };
}

/**
 * The lookup script's reply, or `undefined` for anything else (a client with an unusual reply
 * mapping, another program writing under the prefix): then the tier is not trusted for this check.
 */
export function parseLookup(reply: unknown): Lookup | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [kind, value, ms] = reply as unknown[];
  const tag = integer(kind);
  const string = text(value);
  if (string === undefined) return undefined;
  if (tag === 1) {
    const found = parseAnswer(string, integer(ms));
    return found === undefined ? undefined : { kind: 'answer', found };
  }
  if (tag === 2 || tag === 3) return /^\d{1,20}$/.test(string) ? { kind: tag === 2 ? 'lock' : 'wait', generation: string } : undefined;
  return undefined;
}

/** An invalidation as sent on the channel. */
export function invalidationMessage(from: string, key: string | undefined): string {
  return JSON.stringify(key === undefined ? { v: 1, from, all: true } : { v: 1, from, key });
}

/** The longest message read: a key is at most 1,024 bytes; anything much longer is not ours. */
const MAX_MESSAGE_LENGTH = 4096;

/** An invalidation read from the channel: one key, everything, or why it was refused. */
export type Invalidation = { readonly from: string; readonly key: string | undefined } | { readonly malformed: string };

/** Reads a message from the channel. Never throws; cost bounded by {@link MAX_MESSAGE_LENGTH}. */
export function parseInvalidation(message: unknown): Invalidation {
  const raw = text(message);
  if (raw === undefined) return { malformed: 'not a string' };
  if (raw.length > MAX_MESSAGE_LENGTH) return { malformed: `longer than ${MAX_MESSAGE_LENGTH} characters` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { malformed: 'not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { malformed: 'not a JSON object' };
  const { v, from, key, all } = parsed as Record<string, unknown>;
  if (v !== 1) return { malformed: 'not version 1 ("v": 1)' };
  if (typeof from !== 'string' || from === '' || from.length > 64) return { malformed: '"from" is not a replica id' };
  if (all === true && key === undefined) return { from, key: undefined };
  if (typeof key !== 'string' || all !== undefined) return { malformed: 'neither "key" (a string) nor "all": true' };
  if (keyProblem(key) !== undefined) return { malformed: '"key" is not a safe storage key' };
  return { from, key };
}
