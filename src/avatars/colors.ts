/**
 * Deterministic avatar colours: a background chosen from a palette by a stable hash of the name,
 * and black or white text, whichever contrasts more (WCAG 2.x).
 * (First version; issue #3 adds palette repair and pinned values.)
 */

/** The default palette: every entry reaches at least 4.5:1 against its best text colour. */
export const DEFAULT_PALETTE: readonly string[] = [
  '#1e3a8a', '#1d4ed8', '#0f766e', '#047857', '#166534', '#3f6212', '#a16207', '#b45309',
  '#c2410c', '#b91c1c', '#be123c', '#9d174d', '#86198f', '#6b21a8', '#5b21b6', '#3730a3',
  '#334155', '#44403c',
];

/** FNV-1a over UTF-16 units: stable across processes, platforms and versions. */
export function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
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
  const hex = background.length === 4 ? `#${[...background.slice(1)].map((c) => c + c).join('')}` : background;
  return contrast(hex, '#ffffff') >= contrast(hex, '#000000') ? '#ffffff' : '#000000';
}

/** The background and text colour for a name. */
export function colorsFor(name: string, palette: readonly string[] = DEFAULT_PALETTE): { background: string; text: string } {
  const background = palette[hashName(name.normalize('NFC').toLowerCase()) % palette.length] ?? '#334155';
  return { background, text: bestTextColor(background) };
}
