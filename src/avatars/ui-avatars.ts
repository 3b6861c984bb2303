/**
 * The seed's fallback: a ui-avatars.com URL (or a self-hosted instance's). Only the initials are
 * sent, never the full name — but they still reach a third party; prefer `initialsAvatar()`.
 */
import { LogoFallbackError } from '../errors.js';
import { encodeSegment } from '../keys.js';
import { booleanOption, normalizeBaseUrl, numberOption, optionKeys, readOptions, showValue } from '../options.js';
import { bestTextColor, colorsFor } from './colors.js';
import { initials } from './initials.js';
import { readSubject } from './subject.js';
import type { AvatarProvider } from './types.js';

/** Options of {@link uiAvatars}; each maps to a ui-avatars.com query parameter. */
export interface UiAvatarsOptions {
  /**
   * The API endpoint, for a self-hosted instance.
   * @default 'https://ui-avatars.com/api/'
   */
  baseUrl?: string;
  /**
   * `'horilla'` reproduces the seed's look: `size=34`, `bold=true`, `font-size=0.4`,
   * `background=random`. Options given next to it win.
   */
  preset?: 'horilla';
  /** `size`: pixels, 16–512. A size asked for by the template wins, clamped to 16–512. @default ui-avatars' 64 */
  size?: number;
  /** `font-size`: a fraction of the size, 0.1–1. @default ui-avatars' own */
  fontSize?: number;
  /** How many initials (1–3). @default the initials rules: two, one for Han, Kana and Hangul names */
  length?: number;
  /** `rounded`: a circle instead of a square. @default false */
  rounded?: boolean;
  /** `bold`. @default false */
  bold?: boolean;
  /**
   * `background`: a hex colour, or `'random'` (ui-avatars picks one per request — not stable).
   * @default a colour derived from the name, the same on every request
   */
  background?: string;
  /** `color`: the text colour, hex. @default black or white, whichever contrasts more */
  color?: string;
  /** Upper-case the initials. @default true */
  uppercase?: boolean;
  /** `format`: `'svg'` or `'png'`. @default chosen by ui-avatars from the `Accept` header */
  format?: 'svg' | 'png';
  /** The name drawn when a name gives no initials (empty, emoji only, not a string …). @default 'C' */
  placeholder?: string;
}

const KNOWN = optionKeys<UiAvatarsOptions>()([
  'baseUrl', 'preset', 'size', 'fontSize', 'length', 'rounded', 'bold', 'background', 'color', 'uppercase', 'format', 'placeholder',
]);
const HORILLA_PRESET: UiAvatarsOptions = { size: 34, bold: true, fontSize: 0.4, background: 'random' };
const HEX = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function hexOption(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? HEX.exec(value) : null;
  if (!match) {
    throw new LogoFallbackError('INVALID_OPTION', `uiAvatars(): "${option}" must be a hex colour such as "#1e3a8a", got ${JSON.stringify(value)}`);
  }
  return match[1]?.toLowerCase();
}

/**
 * ui-avatars keeps the first `length` (default 2) CODE POINTS of the name it is sent and upper-cases
 * it with PHP's `mb_strtoupper` (LasseRafn/php-initials, `Initials::generateInitials`). So that it
 * draws exactly the initials computed here: no U+200C (it would count as a letter and push the
 * second initial out: cursive initials are sent joined), `length` set to their code points when
 * that is not 2 (`ชิน` is three, `प्रग्रु` seven), and `uppercase=false` when its upper-casing
 * would change them (`hp` asked for in lower case, `ß`).
 */
function sentInitials(letters: string): string {
  const sent = letters.replaceAll('\u200c', '');
  let points = 0;
  for (const _ of sent) points++;
  return `${encodeSegment(sent)}${points > 2 ? `&length=${points}` : ''}${sent.toUpperCase() === sent ? '' : '&uppercase=false'}`;
}

/**
 * An avatar provider that builds ui-avatars.com URLs, compatible with the seed. Never throws at
 * render time: a subject that is not an object, or whose name gives no initials, gets the
 * placeholder's initials.
 *
 * @example
 * ```ts
 * uiAvatars()({ name: 'Acme Corp' });
 * // 'https://ui-avatars.com/api/?name=AC&background=…&color=…'
 * uiAvatars({ preset: 'horilla' })({ name: 'Acme Corp' });
 * // 'https://ui-avatars.com/api/?name=AC&size=34&font-size=0.4&bold=true&background=random'
 * ```
 * @throws {LogoFallbackError} `INVALID_OPTION` for a bad option or a key {@link UiAvatarsOptions}
 * does not have (`sise`, say: the message names the known keys).
 */
export function uiAvatars(options: UiAvatarsOptions = {}): AvatarProvider {
  const owner = 'uiAvatars()';
  const given = readOptions<UiAvatarsOptions>(options, KNOWN, 'the options', owner);
  if (given.preset !== undefined && given.preset !== 'horilla') {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "preset" must be "horilla", got ${showValue(given.preset)}`);
  }
  const merged: Partial<UiAvatarsOptions> = given.preset === 'horilla' ? { ...HORILLA_PRESET, ...given } : given;
  const baseUrl = normalizeBaseUrl(merged.baseUrl ?? 'https://ui-avatars.com/api/', 'baseUrl', owner);
  const size = merged.size === undefined ? undefined : numberOption(merged.size, 'size', owner, { min: 16, max: 512, fallback: 64, integer: true });
  const fontSize = merged.fontSize === undefined ? undefined : numberOption(merged.fontSize, 'fontSize', owner, { min: 0.1, max: 1, fallback: 0.5 });
  // Unset, the initials rules decide (one character for Han, Kana and Hangul names).
  const length = merged.length === undefined ? undefined : numberOption(merged.length, 'length', owner, { min: 1, max: 3, fallback: 2, integer: true });
  const random = merged.background === 'random';
  const background = random ? undefined : hexOption(merged.background, 'background');
  const color = hexOption(merged.color, 'color');
  if (merged.format !== undefined && merged.format !== 'svg' && merged.format !== 'png') {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "format" must be "svg" or "png", got ${showValue(merged.format)}`);
  }
  const uppercase = booleanOption(merged.uppercase, 'uppercase', owner, true);
  const rounded = booleanOption(merged.rounded, 'rounded', owner, false);
  const bold = booleanOption(merged.bold, 'bold', owner, false);
  const initialsOptions = length === undefined ? { uppercase } : { length, uppercase };
  const placeholder = merged.placeholder ?? 'C';
  const placeholderInitials = typeof placeholder === 'string' ? initials(placeholder, initialsOptions) : '';
  if (placeholderInitials === '') {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "placeholder" must be a name with at least one letter or digit, got ${showValue(placeholder)}`);
  }

  // Everything after the name is fixed per provider, except the size and a name-derived colour.
  const fixed = [
    fontSize === undefined ? '' : `&font-size=${fontSize}`,
    rounded ? '&rounded=true' : '',
    bold ? '&bold=true' : '',
  ].join('');
  const tail = merged.format === undefined ? '' : `&format=${merged.format}`;

  return (subject) => {
    const read = readSubject(subject);
    let letters = initials(read.name, initialsOptions);
    let colorName = read.name;
    if (letters === '') {
      letters = placeholderInitials;
      colorName = placeholder;
    }
    // ui-avatars itself draws sizes below 16 at 16: never send one (nor above 512).
    const px = read.size === undefined ? size : Math.max(16, Math.min(512, read.size));
    let colours = '&background=random';
    if (!random) {
      const bg = background ?? colorsFor(colorName).background.slice(1);
      colours = `&background=${bg}&color=${color ?? bestTextColor(`#${bg}`).slice(1)}`;
    }
    return `${baseUrl}?name=${sentInitials(letters)}${px === undefined ? '' : `&size=${px}`}${fixed}${colours}${tail}`;
  };
}
