/**
 * Deterministic avatar colours: a background chosen from a palette by a stable hash of the
 * normalised name, and a text colour that reaches at least 4.5:1 against it (WCAG 2.x). A user
 * palette entry that does not reach the wanted ratio is darkened or lightened until it does.
 */
import { cutName, toNfc } from './initials.js';

/**
 * The default palette: 18 hues, each dark enough for white text at 4.5:1 or more. Changing it
 * changes every avatar's colour: treat that as a breaking change (test/avatars/colors.test.ts pins it).
 */
export const DEFAULT_PALETTE: readonly string[] = [
  '#1e3a8a', '#1d4ed8', '#0f766e', '#047857', '#166534', '#3f6212', '#a16207', '#b45309',
  '#c2410c', '#b91c1c', '#be123c', '#9d174d', '#86198f', '#6b21a8', '#5b21b6', '#3730a3',
  '#334155', '#44403c',
];

/** The WCAG 2.x AA ratio for normal text, the least any avatar gets. */
export const MIN_CONTRAST = 4.5;

/** A background and the text colour drawn on it, both `#rrggbb`. */
export interface AvatarColors {
  /** The background, `#rrggbb`. */
  background: string;
  /** The text colour, `#rrggbb`. */
  text: string;
}

/** FNV-1a over UTF-16 units: stable across processes, platforms and versions. */
export function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The form of a name that its colour is derived from: cut (`cutName`), NFC, lower case, single spaces, trimmed. */
export function colorKey(name: string): string {
  const key = toNfc(cutName(name)).toLowerCase();
  // Most names are single-spaced already: skip the replace (and its allocation) then.
  return UNUSUAL_SPACE.test(key) ? key.replace(SPACES, ' ').trim() : key;
}

/**
 * `hashName(colorKey(name))`, without building the key when the name is ASCII (the common case):
 * lower case, white space runs as one space, trimmed — the same bytes, so the same hash.
 */
export function colorHash(whole: string): number {
  const name = cutName(whole);
  let hash = 0x811c9dc5;
  let space = false;
  let started = false;
  for (let i = 0; i < name.length; i++) {
    let code = name.charCodeAt(i);
    if (code >= 128) return hashName(colorKey(name));
    if (code === 32 || (code >= 9 && code <= 13)) {
      space = started;
      continue;
    }
    if (space) {
      hash = Math.imul(hash ^ 32, 0x01000193);
      space = false;
    }
    if (code >= 65 && code <= 90) code |= 32;
    hash = Math.imul(hash ^ code, 0x01000193);
    started = true;
  }
  return hash >>> 0;
}

const SPACES = /\s+/g;
const UNUSUAL_SPACE = /^\s|\s$|\s\s|[^\S ]/;
const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** `#rgb`, `#rrggbb` (the `#` optional, any case) as `#rrggbb` in lower case; anything else `undefined`. */
export function parseHex(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const digits = HEX.exec(value)?.[1]?.toLowerCase();
  if (digits === undefined) return undefined;
  return `#${digits.length === 3 ? [...digits].map((c) => c + c).join('') : digits}`;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.x relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** WCAG 2.x contrast ratio of two `#rrggbb` colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `#000000` or `#ffffff`, whichever contrasts more with a `#rgb` / `#rrggbb` background. */
export function bestTextColor(background: string): string {
  const hex = parseHex(background) ?? '#000000';
  return contrast(hex, '#ffffff') >= contrast(hex, '#000000') ? '#ffffff' : '#000000';
}

function mix(hex: string, toward: number, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const part = (shift: number): string => {
    const c = (n >> shift) & 255;
    return Math.round(c + (toward - c) * amount).toString(16).padStart(2, '0');
  };
  return `#${part(16)}${part(8)}${part(0)}`;
}

/** The least mix of `background` toward black (0) or white (255) that reaches `ratio` against `text`. */
function nudge(background: string, toward: 0 | 255, text: string, ratio: number): { color: string; amount: number } | undefined {
  // Steps of 1/256 are fine enough to stay close to the asked-for hue and cheap enough at start-up.
  for (let step = 1; step <= 256; step++) {
    const color = mix(background, toward, step / 256);
    if (contrast(color, text) >= ratio) return { color, amount: step };
  }
  return undefined;
}

/** Options of {@link repairColor} and {@link createPalette}. */
export interface ContrastOptions {
  /** A fixed text colour, hex. @default black or white, whichever contrasts more */
  text?: string;
  /** The least contrast ratio, 4.5–21. @default 4.5 */
  minContrast?: number;
}

/**
 * A background and its text colour reaching `minContrast`: the background as it is when it already
 * does, else darkened or lightened (mixed toward black or white, keeping its hue) by the least
 * amount that does. Returns `undefined` when no background can reach the ratio against a fixed text colour.
 */
export function repairColor(background: string, options: ContrastOptions = {}): AvatarColors | undefined {
  const hex = parseHex(background);
  const ratio = Math.max(MIN_CONTRAST, options.minContrast ?? MIN_CONTRAST);
  if (hex === undefined) return undefined;
  const fixed = options.text === undefined ? undefined : parseHex(options.text);
  if (options.text !== undefined && fixed === undefined) return undefined;
  const text = fixed ?? bestTextColor(hex);
  if (contrast(hex, text) >= ratio) return { background: hex, text };

  // Away from the text colour is usually the way, but near black or white only the other way
  // leads anywhere (#000 under #111 text must become lighter): try both, keep the smaller change.
  const candidates = fixed
    ? [{ text: fixed, toward: 0 as const }, { text: fixed, toward: 255 as const }]
    : [{ text: '#ffffff', toward: 0 as const }, { text: '#000000', toward: 255 as const }];
  let best: { background: string; text: string; amount: number } | undefined;
  for (const candidate of candidates) {
    const found = nudge(hex, candidate.toward, candidate.text, ratio);
    if (found && (best === undefined || found.amount < best.amount)) best = { background: found.color, text: candidate.text, amount: found.amount };
  }
  return best && { background: best.background, text: best.text };
}

/**
 * A palette ready to draw with: every entry parsed and repaired by {@link repairColor}. Entries
 * that are not hex colours, or cannot reach the ratio, are reported by index through `invalid`.
 */
export function createPalette(colors: readonly string[], options: ContrastOptions = {}, invalid?: (index: number) => void): AvatarColors[] {
  const palette: AvatarColors[] = [];
  colors.forEach((color, index) => {
    const repaired = repairColor(color, options);
    if (repaired) palette.push(repaired);
    else invalid?.(index);
  });
  return palette;
}

const DEFAULT_COLORS: readonly AvatarColors[] = createPalette(DEFAULT_PALETTE);

/** Picks a palette entry for a name by the hash of its {@link colorKey}. */
export function pickColors(name: string, palette: readonly AvatarColors[] = DEFAULT_COLORS): AvatarColors {
  return palette[colorHash(name) % palette.length] ?? { background: '#334155', text: '#ffffff' };
}

/** The background and text colour for a name, from a palette of hex colours (repaired as needed). */
export function colorsFor(name: string, palette: readonly string[] = DEFAULT_PALETTE): AvatarColors {
  return palette === DEFAULT_PALETTE ? pickColors(name) : pickColors(name, createPalette(palette));
}
