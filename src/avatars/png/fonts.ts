/**
 * The fonts PNG avatars are drawn with, and which of them has the glyphs of an initial: the app's
 * own font files first, then the subsets shipped in the package's `fonts/` folder (Noto Sans Bold:
 * Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, Lao, common CJK — see fonts/README.md),
 * then, for what those lack, the system's fonts (scanned once, on the first initial that needs
 * them). An initial no font has a glyph for is reported as uncovered, so it is never drawn as a
 * ".notdef" box.
 */
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import { readCmaps, type GlyphLookup } from './cmap.js';

interface FontFile {
  path: string;
  lookups: GlyphLookup[];
}

/** Code points a font need not have: they draw nothing (ZWNJ, ZWJ, variation selectors …). */
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const FONT_FILE = /\.(ttf|otf|ttc|otc)$/i;
/** Bounds of the system scan: folders this deep, this many files at most. */
const MAX_DEPTH = 5;
const MAX_SYSTEM_FILES = 4000;

/** The package's `fonts/` folder, from the sources (src/avatars/png) or the build (dist/src/avatars/png). */
export function shippedFontDir(): string {
  for (const up of ['../../../fonts/', '../../../../fonts/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(path.join(dir, 'OFL.txt'))) return dir;
  }
  return fileURLToPath(new URL('../../../fonts/', import.meta.url));
}

/** The shipped subsets, in the order they are tried. */
export function shippedFontFiles(): string[] {
  const dir = shippedFontDir();
  try {
    return readdirSync(dir).filter((name) => FONT_FILE.test(name)).sort().map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** Where the platform keeps fonts. */
function systemFontDirs(): string[] {
  const home = os.homedir();
  if (process.platform === 'darwin') return ['/System/Library/Fonts', '/Library/Fonts', path.join(home, 'Library/Fonts')];
  if (process.platform === 'win32') return [path.join(process.env.WINDIR ?? 'C:\\Windows', 'Fonts')];
  return ['/usr/share/fonts', '/usr/local/share/fonts', path.join(home, '.local/share/fonts'), path.join(home, '.fonts')];
}

/** Font files under the system folders: bold sans faces first (closest to the SVG's weight 600), then by path. */
function systemFontFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH || found.length >= MAX_SYSTEM_FILES) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (FONT_FILE.test(entry.name) && found.length < MAX_SYSTEM_FILES) found.push(full);
    }
  };
  for (const dir of systemFontDirs()) walk(dir, 0);
  const rank = (file: string): number => (/bold/i.test(file) ? 0 : 2) + (/sans/i.test(file) ? 0 : 1);
  return found.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function load(files: readonly string[]): FontFile[] {
  const fonts: FontFile[] = [];
  for (const file of files) {
    const lookups = readCmaps(file);
    if (lookups && lookups.length > 0) fonts.push({ path: file, lookups });
  }
  return fonts;
}

function covers(font: FontFile, text: string): boolean {
  for (const char of text) {
    if (IGNORABLE.test(char)) continue;
    const code = char.codePointAt(0) as number;
    if (!font.lookups.some((lookup) => lookup(code) !== 0)) return false;
  }
  return true;
}

/** Options of {@link createFontSet}. */
export interface FontSetOptions {
  /** Font files (TTF, OTF, TTC) tried before the shipped ones. */
  fontFiles?: readonly string[];
  /** Whether the system's fonts are tried for what the others lack. */
  systemFonts?: boolean;
}

/** Finds, per grapheme, a font file that has all its glyphs. */
export interface FontSet {
  /** The font file for a grapheme, or `undefined` when no font has every glyph of it. */
  fontFor(grapheme: string): string | undefined;
  /** The files every font choice comes from, in order (the system's only once scanned). */
  readonly files: () => readonly string[];
}

/** A font set; app files that are not fonts are left out (`unreadable` hears of them). */
export function createFontSet(options: FontSetOptions = {}, unreadable?: (file: string) => void): FontSet {
  const own = load(options.fontFiles ?? []);
  if (unreadable) for (const file of options.fontFiles ?? []) if (!own.some((font) => font.path === file)) unreadable(file);
  const shipped = load(shippedFontFiles());
  let system: FontFile[] | undefined;
  const chosen = new LRUCache<string, string | false>({ max: 4096 });
  return {
    fontFor(grapheme) {
      const memo = chosen.get(grapheme);
      if (memo !== undefined) return memo === false ? undefined : memo;
      let found = [...own, ...shipped].find((font) => covers(font, grapheme));
      if (!found && options.systemFonts !== false) {
        system ??= load(systemFontFiles());
        found = system.find((font) => covers(font, grapheme));
      }
      chosen.set(grapheme, found ? found.path : false);
      return found?.path;
    },
    files: () => [...own, ...shipped, ...(system ?? [])].map((font) => font.path),
  };
}
