/**
 * The warm path (issue 8 §2, "an honest floor"): a call whose answer is known costs reading the
 * record's two fields, finding the answer by its reference string and comparing one number — no
 * parse, no existence-cache lookup, no avatar key to build, nothing allocated.
 *
 * The resolver's full path answers first and then remembers here what it answered for a reference:
 * the existence entry it answered from (the {@link Follower} the cache zeroes the moment it drops
 * or replaces the entry) and the logo's final URL; for a missing logo, the avatar of the last name,
 * size and format asked. Whatever this cannot answer exactly as the full path would — an entry past
 * its window (stale-while-revalidate and stale-if-error start re-checks there), an unsafe reference
 * (reported each window), a presigned URL (asked for every time), a `Map`, `URL` or array, a getter
 * or Proxy trap that throws (which the full path then reports) — it leaves to the full path.
 *
 * Finding an answer: a `Map` by reference, and before it the order answers were last asked in — a
 * page asks for its list in the same order on every render, so the next answer is usually the one
 * after the last, found by comparing one string instead of hashing it (the `Map`'s table and keys
 * are memory a render does not otherwise touch, and on a small page that is most of the cost).
 * The cache's least-recently-used order is kept by noting each answer used once
 * ({@link ExistenceCache.touch}), not by an LRU lookup per call.
 *
 * Answers are {@link Printable}s: one object per URL or avatar, on which each adapter keeps the
 * value it printed it as, so that an adapter's warm call adds one field read.
 */
import type { Avatars } from './avatar-memo.js';
import type { ExistenceCache, Follower } from './cache.js';
import { coarseNow } from './clock.js';
import { Memo } from './memo.js';
import { versionedUrl } from './url-version.js';

/**
 * A resolver's answer text, with the values adapters printed it as, by their slot: the first three
 * adapters' in fields of the object a warm call has already read, any others' in `more`.
 */
export interface Printable {
  readonly text: string;
  p0: unknown;
  p1: unknown;
  p2: unknown;
  more: unknown[] | undefined;
}

/** How many adapters' printed values a {@link Printable} keeps in its own fields. */
export const PRINTED_FIELDS = 3;

/** A new {@link Printable}. */
export const printable = (text: string): Printable => ({ text, p0: undefined, p1: undefined, p2: undefined, more: undefined });

/** Whether an answer is a warm one (a promise has no `text`): checked on every warm call, so without `instanceof`. */
export const isPrintable = (answer: Printable | string | Promise<string>): answer is Printable =>
  typeof answer === 'object' && typeof (answer as Partial<Printable>).text === 'string';

/** The text of an answer, whichever path gave it. */
export const textOf = (answer: Printable | string | Promise<string>): string | Promise<string> => (isPrintable(answer) ? answer.text : answer);

/**
 * What adapters use of a genuine resolver (found by {@link warmPathOf}; for anything else they
 * take the public methods): its calls, answering a warm call with its {@link Printable}.
 */
export interface WarmPath {
  /** `settleLogo(record, options)` (`wait`) or `logo(record, options)`, a warm answer as its Printable. Never throws. */
  logo(record: unknown, options: unknown, wait: boolean): Printable | string | Promise<string>;
  /** `settleFileUrl(file, name, options)` (`wait`) or `fileUrl(…)`, as {@link WarmPath.logo}. Never throws. */
  file(file: unknown, name: unknown, options: unknown, wait: boolean): Printable | string | Promise<string>;
  /** A new slot of {@link Printable}, for one adapter's printed values. */
  slot(): number;
}

/** The warm path, as the resolver uses it. */
export interface WarmAnswers {
  /** `logo(record, options)`'s answer when it is known, else `undefined` (then the full path answers). Never throws. */
  logo(record: unknown, options: unknown): Printable | undefined;
  /** `fileUrl(file, name, options)`'s answer when it is known, else `undefined`. Never throws. */
  file(file: unknown, name: unknown, options: unknown): Printable | undefined;
  /**
   * What a read threw in the last call, which then answered `undefined` — taken once: the full
   * path reads again and reports it if its own reads do not throw.
   */
  takeThrown(): { error: unknown } | undefined;
  /** A new slot of {@link Printable}. */
  slot(): number;
  /** After the full path answered `reference` (a storage key, `fixedUrl` its URL when the storage has a fixed `baseUrl`) from the cache. */
  remember(reference: string, key: string, fixedUrl: string | undefined): void;
  /** After the full path answered `reference` with an external URL, which never changes. */
  rememberExternal(reference: string, url: string): void;
}

/**
 * What the warm path knows of a reference: the {@link Follower} of the existence entry it was
 * answered from (one per entry, shared by the references naming its key), and, for a logo, itself
 * the {@link Printable} of its URL — so that a warm call reads this one object.
 */
interface Answer extends Follower, Printable {
  /** The reference it was first remembered for. */
  readonly reference: string;
  /** `text` is the logo's URL; else the answer is the avatar. */
  readonly present: boolean;
  /** Where it was last asked in {@link createWarmAnswers}'s order of asking, or -1. */
  position: number;
  /** The avatar last asked for, and what it was asked with. */
  avatar: Printable | undefined;
  name: unknown;
  size: unknown;
  format: unknown;
}

/** A new answer; `key` is undefined for an external URL, which the cache holds nothing of. */
const answerOf = (reference: string, key: string | undefined, until: number, url: string | undefined): Answer => ({
  key: key ?? '',
  until,
  used: key === undefined, // so never touched

  reference,
  present: url !== undefined,
  position: -1,
  text: url ?? '',
  p0: undefined,
  p1: undefined,
  p2: undefined,
  more: undefined,
  avatar: undefined,
  name: undefined,
  size: undefined,
  format: undefined,
});

/** Longer references take the full path: the parse memo keys them by a digest, which costs a hash per call. */
const MAX_REMEMBERED = 256;

const WARM = Symbol('logo-fallback.warmPath');

/** Gives a resolver its warm path, where adapters find it — not enumerable, so `{ ...logos, logo }` does not copy it. */
export function attachWarmPath<T extends object>(resolver: T, warm: WarmPath): T {
  return Object.defineProperty(resolver, WARM, { value: warm, enumerable: false });
}

/** A resolver's warm path, or `undefined` for anything else (a wrapper, a stand-in). Never throws. */
export function warmPathOf(resolver: unknown): WarmPath | undefined {
  try {
    const warm = (resolver as { [WARM]?: unknown } | null | undefined)?.[WARM];
    return typeof warm === 'object' && warm !== null ? (warm as WarmPath) : undefined;
  } catch {
    return undefined;
  }
}

/** Settings of the warm path, from the resolver's options. */
export interface WarmSettings {
  readonly nameFields: readonly string[];
  readonly fileFields: readonly string[];
  /** How many references to remember (`cache.max`). */
  readonly max: number;
  /** The resolver's `version`: a present logo's URL carries its file's version. */
  readonly versioned: boolean;
}

/** Builds the warm path of one resolver. */
export function createWarmAnswers(cache: ExistenceCache, avatars: Avatars, settings: WarmSettings): WarmAnswers {
  const { nameFields, fileFields, versioned, max } = settings;
  const answers = new Memo<string, Answer>(max);
  let slots = 0;
  // The order answers were last asked in (at most `max` of them), and where the next is expected.
  const order: Answer[] = [];
  let next = 0;
  let thrown: { error: unknown } | undefined;

  // The hot path is split in small functions, each cold case in one of its own, so that the whole
  // of a warm call fits the engine's inlining budget (TurboFan inlines about 900 bytes of bytecode
  // into a caller): a call that is not inlined costs as much as the rest of the lookup.

  /** The answer remembered for `reference` while it holds, else `undefined`. */
  function find(reference: string): Answer | undefined {
    const expected = order[next];
    if (expected !== undefined && expected.reference === reference && coarseNow() < expected.until) {
      next++;
      if (!expected.used) cache.touch(expected);
      return expected;
    }
    return lookUp(reference);
  }

  /** {@link find} when the reference is not the one expected next: the Map, and the order noted again. */
  function lookUp(reference: string): Answer | undefined {
    const known = answers.get(reference);
    if (known === undefined || !(coarseNow() < known.until)) return undefined;
    if (!known.used) cache.touch(known);
    // Go on from where it was last asked, or note it here.
    if (known.position >= 0 && order[known.position] === known) next = known.position + 1;
    else {
      const at = next < max ? next : 0;
      order[at] = known;
      known.position = at;
      next = at + 1;
    }
    return known;
  }

  // Two readers, not one shared: each property read then only ever sees its own field names.
  const fileOf = (record: object): unknown => {
    for (let i = 0; i < fileFields.length; i++) {
      const value = (record as Record<string, unknown>)[fileFields[i] as string];
      if (value !== undefined && value !== null && value !== '') return value;
    }
    return undefined;
  };
  const nameOf = (record: object): unknown => {
    for (let i = 0; i < nameFields.length; i++) {
      const value = (record as Record<string, unknown>)[nameFields[i] as string];
      if (value !== undefined && value !== null && value !== '') return value;
    }
    return undefined;
  };

  function answer(reference: string, name: unknown, options: unknown): Printable | undefined {
    const known = find(reference);
    if (known === undefined) return undefined;
    if (options === undefined) {
      if (known.present) return known;
      if (known.name === name && known.size === undefined && known.format === undefined && known.avatar !== undefined) return known.avatar;
    }
    return answerAsked(known, name, options);
  }

  /** {@link answer} with call options, or an avatar not asked just so before. */
  function answerAsked(known: Answer, name: unknown, options: unknown): Printable | undefined {
    let size: unknown;
    let format: unknown;
    if (typeof options === 'object' && options !== null) {
      // Read as the full path reads them (a throwing getter ends in the full path, which reports it).
      size = (options as { size?: unknown }).size;
      format = (options as { format?: unknown }).format;
    } else if (typeof options === 'function') return undefined;
    if (known.present) return known;
    if (known.avatar !== undefined && known.name === name && known.size === size && known.format === format) return known.avatar;
    const avatar = avatars.printable(name, size, format);
    known.avatar = avatar;
    known.name = name;
    known.size = size;
    known.format = format;
    return avatar;
  }

  /**
   * The reference a file value carries, read as records.ts `fileReference` reads it: a string, or
   * a Django-style file field's `name` (else `url`). A `URL`, a `Map` or an array: the full path.
   */
  const referenceOf = (file: unknown): string | undefined => (typeof file === 'string' ? file : fieldReference(file));
  function fieldReference(file: unknown): string | undefined {
    if (typeof file !== 'object' || file === null || Array.isArray(file) || file instanceof Map || file instanceof URL) return undefined;
    const { name } = file as { name?: unknown };
    if (name !== undefined && name !== null && name !== '') return typeof name === 'string' ? name : undefined;
    const { url } = file as { url?: unknown };
    return typeof url === 'string' && url !== '' ? url : undefined;
  }

  return {
    logo(record, options) {
      if (typeof record !== 'object' || record === null) return undefined;
      try {
        // A Map's fields are its entries, and an array is no record: the full path reads those.
        if (Array.isArray(record) || record instanceof Map) return undefined;
        const reference = referenceOf(fileOf(record));
        return reference === undefined ? undefined : answer(reference, nameOf(record), options);
      } catch (error) {
        thrown = { error };
        return undefined;
      }
    },
    file(file, name, options) {
      try {
        const reference = referenceOf(file);
        return reference === undefined ? undefined : answer(reference, name, options);
      } catch (error) {
        thrown = { error };
        return undefined;
      }
    },
    takeThrown() {
      const taken = thrown;
      thrown = undefined;
      return taken;
    },
    slot: () => slots++,
    remember(reference, key, fixedUrl) {
      if (reference.length > MAX_REMEMBERED) return;
      const live = cache.live(key);
      // A storage without a fixed baseUrl (presigned URLs, which expire) is asked for every URL.
      if (live === undefined || (live.served === 'present' && fixedUrl === undefined)) return;
      let known = live.follower as Answer | undefined;
      if (known === undefined) {
        const url = live.served === 'present' && fixedUrl !== undefined ? (versioned ? versionedUrl(fixedUrl, live.version) : fixedUrl) : undefined;
        live.follower = known = answerOf(reference, key, live.until, url);
      }
      if (answers.get(reference) !== known) answers.set(reference, known);
    },
    rememberExternal(reference, url) {
      // An external URL never changes: its answer never expires.
      if (reference.length <= MAX_REMEMBERED && answers.get(reference)?.present !== true) answers.set(reference, answerOf(reference, undefined, Infinity, url));
    },
  };
}
