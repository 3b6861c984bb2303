/**
 * A memo for pure results on the hot path (a reference's parse, an avatar URL, an escaped filter
 * result): a `Map` that starts over when it holds `max` entries.
 *
 * Why not lru-cache here: its `get` does recency and staleness bookkeeping that costs about five
 * `Map` lookups, and a filter call makes several of these lookups. For a pure result, eviction
 * order does not matter — a miss only recomputes the same value. The existence cache, whose
 * entries expire and are fetched, stays on lru-cache (src/cache.ts).
 */
import { createHash } from 'node:crypto';

/** A `Map` of pure results that starts over when it holds `max` entries (see above for why). */
export class Memo<K, V> {
  readonly #max: number;
  #entries = new Map<K, V>();

  /** @param max how many entries to hold before starting over (at least 1). */
  constructor(max: number) {
    this.#max = Math.max(1, Math.trunc(max));
  }

  /** The remembered value, if any. */
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Remembers a value; when full, forgets everything first (cheaper than tracking recency). */
  set(key: K, value: V): void {
    if (this.#entries.size >= this.#max) this.#entries = new Map();
    this.#entries.set(key, value);
  }
}

/** Texts longer than this are memoised by a digest: a memo of `max` entries then holds at most `max` short keys. */
const MAX_MEMO_KEY = 256;

/**
 * The key to memoise a text under: the text itself when short, else `\0` and its SHA-256 (a fresh
 * short string — a slice of a long text would keep the whole text alive in V8). Long texts cost a
 * hash per lookup, bounded by their (already bounded) length.
 */
export function memoKey(text: string): string {
  return text.length <= MAX_MEMO_KEY ? text : `\u0000${createHash('sha256').update(text).digest('base64')}`;
}
