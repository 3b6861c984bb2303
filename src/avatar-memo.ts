/**
 * The resolver's avatars: drawn by the provider once per name and size, then memoised — so that a
 * page of missing logos costs a map lookup per logo, whatever the names.
 */
import { MAX_NAME_LENGTH } from './avatars/initials.js';
import type { AvatarProvider } from './avatars/types.js';
import { LogoFallbackError, describeError, describeValue } from './errors.js';
import { isAttributeSafe } from './escape.js';
import { Memo, memoKey } from './memo.js';
import { displayName, hasInitials } from './records.js';
import type { Report } from './reports.js';

/** Printed when even the avatar provider fails: an empty SVG, safe anywhere. */
export const LAST_RESORT = 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E';

/** The resolver's avatars. */
export interface Avatars {
  /** The avatar for a name value (a string, a number; anything else: the placeholder) at a size (an integer 1–2048, else the provider's). */
  draw(name: unknown, size: unknown): string;
  /** {@link Avatars.draw}, or {@link LAST_RESORT} if even that throws: for the last line of defence. */
  safe(name: unknown, size: unknown): string;
}

/**
 * The memo key of a name: the name as cut for avatars ({@link MAX_NAME_LENGTH} — the initials and
 * colour depend on nothing after it), so a repeated name is a hit whatever its length, and a long
 * one is kept as a short digest. The type is part of the key: the string `'5'` and the number `5`
 * are drawn alike today, but nothing here should depend on that.
 */
function nameKey(value: unknown): string {
  if (typeof value === 'string') return `s${memoKey(value.length > MAX_NAME_LENGTH ? value.slice(0, MAX_NAME_LENGTH) : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `n${String(value)}`;
  return '-';
}

/** Builds the memoised avatars; `max` entries at most (the resolver's `cache.max`). */
export function createAvatars(provider: AvatarProvider, placeholder: string, max: number, report: Report): Avatars {
  const memo = new Memo<string, string>(max);

  function drawNew(name: string, size: number | undefined): string {
    try {
      const url: unknown = provider(size === undefined ? { name } : { name, size });
      if (typeof url !== 'string' || !isAttributeSafe(url)) throw new Error(`it returned ${describeValue(url)}`);
      return url;
    } catch (cause) {
      report(new LogoFallbackError('INVALID_OPTION', `the avatar provider failed for ${describeValue(name)}: ${describeError(cause)}`, { cause }));
      return LAST_RESORT;
    }
  }

  function draw(nameValue: unknown, size: unknown): string {
    const wanted = typeof size === 'number' && Number.isInteger(size) && size >= 1 && size <= 2048 ? size : undefined;
    const key = `${wanted ?? ''}|${nameKey(nameValue)}`;
    const memoised = memo.get(key);
    if (memoised !== undefined) return memoised;
    const name = displayName(nameValue);
    const url = drawNew(name !== undefined && hasInitials(name) ? name : placeholder, wanted);
    memo.set(key, url);
    return url;
  }

  return {
    draw,
    safe(name, size) {
      try {
        return draw(name, size);
      } catch {
        return LAST_RESORT;
      }
    },
  };
}
