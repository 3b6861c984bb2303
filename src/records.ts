/**
 * Reading what a template hands us: records (plain objects, class instances with getters, `Map`s),
 * file values (strings, Django-style `{ name, url }` file fields, `URL`s) and display names.
 */

/** The longest name the package keeps, in UTF-16 code units: display names are cut to it. */
export const MAX_NAME_LENGTH = 10_000;

/**
 * What went wrong reading the values of one call (a record's fields, a file value, a call option):
 * where, and the first error. The resolver makes one report of it per call, however many reads threw.
 */
export interface ReadFailures {
  /** Where reading threw, e.g. `record.company`, `file.name`, `options.size`, or `record` for the value itself. */
  readonly at: string[];
  /** The first error thrown. */
  first: unknown;
}

/** An empty {@link ReadFailures}. */
export function readFailures(): ReadFailures {
  return { at: [], first: undefined };
}

function fail(failures: ReadFailures | undefined, at: string, error: unknown): void {
  if (failures === undefined) return;
  if (failures.at.length === 0) failures.first = error;
  if (!failures.at.includes(at)) failures.at.push(at);
}

/**
 * Whether a value can carry fields: an object or a function, not `null`, not an array. Never
 * throws: a revoked Proxy counts as a record (reading it then fails, and is reported).
 */
export function isRecord(value: unknown): value is object {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return !Array.isArray(value);
  } catch {
    return true;
  }
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * The first present value among `fields` of a record: own or inherited properties (getters of
 * class instances included) or `Map` entries. Never throws: a field whose getter (or Proxy trap)
 * throws counts as absent and is noted in `failures` under `label.field`; a record whose type
 * cannot even be asked (a revoked Proxy) is noted under `label` and has no fields.
 */
export function readField(record: object, fields: readonly string[], failures?: ReadFailures, label = 'record'): unknown {
  let isMap: boolean;
  try {
    isMap = record instanceof Map;
  } catch (error) {
    fail(failures, label, error);
    return undefined;
  }
  for (const field of fields) {
    let value: unknown;
    try {
      value = isMap ? (record as Map<string, unknown>).get(field) : (record as Record<string, unknown>)[field];
    } catch (error) {
      fail(failures, `${label}.${field}`, error);
      continue;
    }
    if (isPresent(value)) return value;
  }
  return undefined;
}

/**
 * The storage reference carried by a file value: a string as it is; a `URL` as its `href`; a
 * Django-style file field by its `name` (the key), else its `url`. Anything else: `undefined`.
 * Never throws (failures are noted under `label`).
 */
export function fileReference(value: unknown, failures?: ReadFailures, label = 'file'): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (!isRecord(value)) return undefined;
  try {
    if (value instanceof URL) return value.href;
  } catch (error) {
    fail(failures, label, error);
    return undefined;
  }
  const inner = readField(value, ['name', 'url'], failures, label);
  return typeof inner === 'string' && inner !== '' ? inner : undefined;
}

/** One of a call's options (`size`, `format`; `prefetch()`'s `prefix`), if it can be read. Never throws (a failure is noted under `options.<name>`). */
export function readCallOption(options: unknown, name: 'size' | 'format' | 'prefix', failures?: ReadFailures): unknown {
  if (options === undefined || options === null || (typeof options !== 'object' && typeof options !== 'function')) return undefined;
  try {
    return (options as Record<string, unknown>)[name];
  } catch (error) {
    fail(failures, `options.${name}`, error);
    return undefined;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A display name from a value: a string (cut to {@link MAX_NAME_LENGTH} before any other work,
 * trimmed, lone surrogates replaced by U+FFFD) or a finite number. Anything else, or an empty
 * name, gives `undefined`. Costs a scan of up to {@link MAX_NAME_LENGTH} code units: a renderer
 * that prints the same names again uses {@link createDisplayNames}.
 */
export function displayName(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value.length > MAX_NAME_LENGTH ? value.slice(0, MAX_NAME_LENGTH) : value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') text = String(value);
  else return undefined;
  text = text.trim().replace(LONE_SURROGATE, '\ufffd');
  return text === '' ? undefined : text;
}

/** Names up to this long are worked out on every call: the scan costs less than a lookup would. */
const SHORT_NAME = 256;
/**
 * How many code units the display-name memo's keys may hold together (the names themselves, which
 * it keeps alive: 2 bytes a unit, so 8 MiB); a name longer than 1/64 of it is not memoised.
 */
const MEMO_UNITS = 4 * 1024 * 1024;

/**
 * {@link displayName}, memoised for long names (over 256 code units): a page that prints the same
 * hostile name (10,000 combining marks, a wall of ZWJ emoji) on every render pays a `Map` lookup for
 * it, not a scan of up to 10,000 code units per call (issue 8 §2). A name up to 1/64 of
 * {@link MEMO_UNITS} is keyed by itself (the engine keeps a string's hash, so looking up the same
 * string again reads none of it); a longer one by its first {@link MAX_NAME_LENGTH} code units, all
 * that its display name depends on (a hash of them per call, no regular expression). At most `max`
 * names and {@link MEMO_UNITS} code units are held; then the memo starts over.
 */
export function createDisplayNames(max: number): (value: unknown) => string | undefined {
  let memo = new Map<string, string | undefined>();
  let units = 0;
  const limit = Math.max(1, Math.trunc(max));
  return (value) => {
    if (typeof value !== 'string' || value.length <= SHORT_NAME) return displayName(value);
    const key = value.length <= MEMO_UNITS / 64 ? value : value.slice(0, MAX_NAME_LENGTH);
    const known = memo.get(key);
    if (known !== undefined || memo.has(key)) return known;
    const name = displayName(key);
    if (memo.size >= limit || units + key.length > MEMO_UNITS) {
      memo = new Map();
      units = 0;
    }
    // A slice keeps the whole string it was cut from alive; flattening it (Number() does) copies it.
    if (key !== value) Number(key);
    memo.set(key, name);
    units += key.length;
    return name;
  };
}
