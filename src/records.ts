/**
 * Reading what a template hands us: records (plain objects, class instances with getters, `Map`s),
 * file values (strings, Django-style `{ name, url }` file fields, `URL`s) and display names.
 */
import { MAX_NAME_LENGTH, initials } from './avatars/initials.js';

/** Something went wrong reading a field (a throwing getter, a hostile proxy). */
export type FieldReadFailure = (field: string, error: unknown) => void;

/** Whether a value can carry fields: an object or a function, not `null`, not an array. */
export function isRecord(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && !Array.isArray(value);
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * The first present value among `fields` of a record: own or inherited properties (getters of
 * class instances included) or `Map` entries. A field whose getter throws counts as absent.
 */
export function readField(record: object, fields: readonly string[], onFailure?: FieldReadFailure): unknown {
  const isMap = record instanceof Map;
  for (const field of fields) {
    let value: unknown;
    try {
      value = isMap ? (record as Map<string, unknown>).get(field) : (record as Record<string, unknown>)[field];
    } catch (error) {
      onFailure?.(field, error);
      continue;
    }
    if (isPresent(value)) return value;
  }
  return undefined;
}

/**
 * The storage reference carried by a file value: a string as it is; a `URL` as its `href`; a
 * Django-style file field by its `name` (the key), else its `url`. Anything else: `undefined`.
 */
export function fileReference(value: unknown, onFailure?: FieldReadFailure): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (value instanceof URL) return value.href;
  if (!isRecord(value)) return undefined;
  const inner = readField(value, ['name', 'url'], onFailure);
  return typeof inner === 'string' && inner !== '' ? inner : undefined;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A display name from a value: a string (cut to {@link MAX_NAME_LENGTH} before any other work,
 * trimmed, lone surrogates replaced by U+FFFD) or a finite number. Anything else, or an empty
 * name, gives `undefined`.
 */
export function displayName(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value.length > MAX_NAME_LENGTH ? value.slice(0, MAX_NAME_LENGTH) : value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') text = String(value);
  else return undefined;
  text = text.trim().replace(LONE_SURROGATE, '\ufffd');
  return text === '' ? undefined : text;
}

/** Whether a name gives initials at all (a name of emoji or punctuation does not). */
export function hasInitials(name: string): boolean {
  return initials(name) !== '';
}
