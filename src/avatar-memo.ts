/**
 * The resolver's avatars: drawn by the provider once per name, size and format, then memoised — so that a
 * page of missing logos costs a map lookup per logo, whatever the names. The provider is handed the
 * display name cut for avatars (at most {@link AVATAR_NAME_LENGTH} code units), so that the memo
 * is exact for any provider, not only for the package's own.
 */
import { AVATAR_NAME_LENGTH, cutName, hasInitials } from './avatars/initials.js';
import type { AvatarFormat, AvatarProvider, AvatarSubject } from './avatars/types.js';
import { LogoFallbackError, describeError, describeValue } from './errors.js';
import { SAFE_URL_RULE, isSafeUrl } from './escape.js';
import { showValue } from './options.js';
import { Memo } from './memo.js';
import { MAX_NAME_LENGTH, displayName } from './records.js';
import type { Report } from './reports.js';
import { printable as toPrintable, type Printable } from './answers.js';

/** Printed when even the avatar provider fails: an empty SVG, safe anywhere. */
export const LAST_RESORT = 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E';

/**
 * `text` made a string of its own. A key built from a slice of a long name is a V8 cons string that
 * points at the slice, and a slice keeps the whole string it was cut from alive: a memo of such keys
 * would hold every long name ever drawn (measured: 200 keys cut from 1 MB names kept 200 MB).
 * Converting to a number flattens the string in place (a copy of its characters), dropping the slice.
 */
function flat(text: string): string {
  Number(text);
  return text;
}

const INVALID = Symbol('invalid size');
/** A size in digits, as templates pass it (`size="40"` in Handlebars and Liquid, a variable): canonical decimal only. */
const SIZE_DIGITS = /^[1-9][0-9]{0,3}$/;

/**
 * The avatar size a call asks for: an integer from 1 to 2048, given as a number or as a string of
 * its decimal digits (`"40"`; not `"040"`, `"40px"`, `" 40"` or `"4e1"`) — template engines pass
 * hash arguments and variables as strings. Absent (`undefined`, `null`, `''`): `undefined`, the
 * provider's default. Anything else: {@link INVALID}.
 */
export function avatarSize(size: unknown): number | undefined | typeof INVALID {
  if (size === undefined || size === null || size === '') return undefined;
  const value = typeof size === 'string' && SIZE_DIGITS.test(size) ? Number(size) : size;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2048 ? value : INVALID;
}

/** Whether a UTF-16 code unit is white space as `String.prototype.trim` removes it (ECMA-262 WhiteSpace and LineTerminator). */
function isTrimmed(code: number): boolean {
  return code <= 0x20
    ? code === 0x20 || (code >= 0x09 && code <= 0x0d)
    : code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/**
 * The part of a name string an avatar can depend on: leading white space stepped over (as the
 * display name trims it; at most {@link MAX_NAME_LENGTH} code units, as it reads), then
 * {@link cutName}'s {@link AVATAR_NAME_LENGTH} code units. Costs the leading white space, not
 * the name's length.
 */
function avatarCut(name: string): string {
  const end = Math.min(name.length, MAX_NAME_LENGTH);
  let start = 0;
  while (start < end && isTrimmed(name.charCodeAt(start))) start++;
  return cutName(start === 0 && end === name.length ? name : name.slice(start, end));
}

/** The resolver's avatars. */
export interface Avatars {
  /**
   * The avatar for a name value (a string, a number; anything else: the placeholder) at a size (an
   * integer 1–2048, else the provider's) in a format (`'svg'` or `'png'`, else the provider's).
   */
  draw(name: unknown, size: unknown, format?: unknown): string;
  /** {@link Avatars.draw}'s answer as the memoised {@link Printable}: one object per avatar, for the warm path. */
  printable(name: unknown, size: unknown, format?: unknown): Printable;
  /** {@link Avatars.draw}, or {@link LAST_RESORT} if even that throws: for the last line of defence. */
  safe(name: unknown, size: unknown, format?: unknown): string;
}

/** Builds the memoised avatars; `max` entries at most (the resolver's `cache.max`). */
export function createAvatars(provider: AvatarProvider, placeholder: string, max: number, report: Report): Avatars {
  const memo = new Memo<string, Printable>(max);

  function drawNew(name: string, size: number | undefined, format: AvatarFormat | undefined): string {
    try {
      const subject: AvatarSubject = { name };
      if (size !== undefined) subject.size = size;
      if (format !== undefined) subject.format = format;
      const url: unknown = provider(subject);
      if (!isSafeUrl(url, 'avatar')) throw new Error(`it returned ${describeValue(url)}, not a safe avatar URL (${SAFE_URL_RULE})`);
      return url;
    } catch (cause) {
      report(new LogoFallbackError('AVATAR_FAILED', `the avatar provider failed for ${describeValue(name)}: ${describeError(cause)}`, { cause }));
      return LAST_RESORT;
    }
  }

  /**
   * The name the provider draws: the display name of the name as cut for avatars ({@link avatarCut}:
   * initials and colour read nothing after its first {@link AVATAR_NAME_LENGTH} code units), or the
   * placeholder.
   */
  function avatarName(value: unknown): string {
    const name = displayName(typeof value === 'string' ? avatarCut(value) : value);
    return name !== undefined && hasInitials(name) ? name : placeholder;
  }

  // Unusable sizes already reported (each once; the set starts over past 64 of them).
  let refusedSizes = new Set<string>();
  /** The size asked, if usable ({@link avatarSize}); an unusable one is reported once and left out. */
  function sizeOf(size: unknown): number | undefined {
    const wanted = avatarSize(size);
    if (wanted !== INVALID) return wanted;
    const shown = typeof size === 'object' || typeof size === 'function' ? `a value of type ${typeof size}` : showValue(size);
    if (!refusedSizes.has(shown)) {
      if (refusedSizes.size >= 64) refusedSizes = new Set();
      refusedSizes.add(shown);
      report(new LogoFallbackError('INVALID_OPTION', `the avatar "size" must be an integer from 1 to 2048 (a number, or a string of its digits such as "40"), got ${shown}; the avatar is drawn at its default size`));
    }
    return undefined;
  }

  function printable(nameValue: unknown, size: unknown, format?: unknown): Printable {
    const wanted = typeof size === 'number' && Number.isInteger(size) && size >= 1 && size <= 2048 ? size : size === undefined ? undefined : sizeOf(size);
    const asked = format === 'svg' || format === 'png' ? format : undefined;
    // A string is keyed by its avatar cut (itself when short: a hit costs one lookup), anything else by
    // the name the provider will see: the key is bounded and made without any regular expression,
    // trimming, normalising or segmenting, so a repeated name is a hit whatever its length.
    const text = typeof nameValue === 'string' ? (nameValue.length <= AVATAR_NAME_LENGTH ? nameValue : avatarCut(nameValue)) : undefined;
    const key = `${wanted ?? ''}|${asked ?? ''}|${text === undefined ? `n${avatarName(nameValue)}` : `s${text}`}`;
    const memoised = memo.get(key);
    if (memoised !== undefined) return memoised;
    const drawn = toPrintable(drawNew(avatarName(text ?? nameValue), wanted, asked));
    memo.set(flat(key), drawn);
    return drawn;
  }

  const draw = (name: unknown, size: unknown, format?: unknown): string => printable(name, size, format).text;

  return {
    draw,
    printable,
    safe(name, size, format) {
      try {
        return draw(name, size, format);
      } catch {
        return LAST_RESORT;
      }
    },
  };
}
