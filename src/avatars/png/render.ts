/**
 * PNG avatars: the very SVG `drawAvatar()` makes, rasterised by resvg (`@resvg/resvg-js`, an
 * optional dependency with prebuilt binaries in npm packages: no system toolchain) in a worker
 * thread (rasterizer.ts says why), with fonts chosen per initial so that every glyph is a real one
 * — or, where no font has it, the placeholder's letters. Rendered PNGs are memoised in an LRU
 * bounded by count and bytes.
 */
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import { LogoFallbackError } from '../../errors.js';
import { drawAvatar, type AvatarDrawing, type AvatarStyle } from '../draw.js';
import { eachGrapheme } from '../graphemes.js';
import { createFontSet, type FontSetOptions } from './fonts.js';
import { sharedRasterizer, type Rasterizer } from './rasterizer.js';

/** What this package uses of `@resvg/resvg-js`. */
export interface ResvgModule {
  Resvg: new (svg: string, options?: object) => { render(): { asPng(): Buffer } };
}

/** Loads the rasteriser in this thread, to fail at construction when it is missing; tests inject one that fails. */
export type RasterizerLoader = () => ResvgModule;

const requireHere = createRequire(import.meta.url);
/** `@resvg/resvg-js` is CommonJS: `require` loads it synchronously, at construction. */
export const loadResvg: RasterizerLoader = () => requireHere('@resvg/resvg-js') as ResvgModule;

/** The PNG sizes the package draws, in pixels; `maxSize` options lower the cap. */
export const PNG_MIN_SIZE = 16;
export const PNG_MAX_SIZE = 512;
/** The default PNG size in pixels. */
export const PNG_DEFAULT_SIZE = 128;

/** Options of {@link createPngRenderer}. */
export interface PngRendererOptions extends FontSetOptions {
  /** How many PNGs the memo keeps. @default 1024 */
  cacheEntries?: number;
  /** How many bytes of PNG the memo keeps. @default 16 MiB */
  cacheBytes?: number;
  /** Checks that the rasteriser loads; the default requires `@resvg/resvg-js`. */
  load?: RasterizerLoader;
  /** Where the drawing happens. @default the process's one worker ({@link sharedRasterizer}) */
  rasterizer?: Rasterizer;
}

/** Draws avatars as PNG bytes. */
export interface PngRenderer {
  /**
   * The PNG of a drawing (its size already checked to be within 16–512). Initials some glyph of
   * which no font has are drawn as `placeholder` (initials the fonts are known to cover).
   */
  render(drawing: AvatarDrawing, style: AvatarStyle, placeholder: string): Buffer;
  /** Whether every glyph of `initials` has a font. */
  covers(initials: string): boolean;
}

/**
 * Makes a PNG renderer, loading the rasteriser now.
 * @throws {LogoFallbackError} `MISSING_DEPENDENCY` when `@resvg/resvg-js` cannot be loaded (it is an
 * optional dependency: `npm install @resvg/resvg-js`); `INVALID_OPTION` for a `fontFiles` entry that is not a font.
 */
export function createPngRenderer(options: PngRendererOptions, owner: string): PngRenderer {
  try {
    const resvg = (options.load ?? loadResvg)();
    if (typeof resvg?.Resvg !== 'function') throw new Error('it has no Resvg class');
  } catch (cause) {
    throw new LogoFallbackError(
      'MISSING_DEPENDENCY',
      `${owner}: PNG avatars need the optional dependency @resvg/resvg-js, which could not be loaded (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}). Install it with "npm install @resvg/resvg-js", or draw SVG avatars (the default).`,
      { cause },
    );
  }
  const fonts = createFontSet(options, (file) => {
    throw new LogoFallbackError('INVALID_OPTION', `${owner}: "fontFiles" must name TrueType or OpenType font files; ${JSON.stringify(file)} is not one`);
  });
  const rasterizer = options.rasterizer ?? sharedRasterizer();
  const memo = new LRUCache<string, Buffer>({
    max: options.cacheEntries ?? 1024,
    maxSize: options.cacheBytes ?? 16 * 1024 * 1024,
    sizeCalculation: (png) => Math.max(1, png.length),
  });

  /** The font files for every grapheme of `initials`, or `undefined` when one has none. */
  function fontFiles(initials: string): string[] | undefined {
    const files: string[] = [];
    let missing = false;
    eachGrapheme(initials.replaceAll('\u200c', ''), (grapheme) => {
      const file = fonts.fontFor(grapheme);
      if (file === undefined) missing = true;
      else if (!files.includes(file)) files.push(file);
      return missing;
    });
    return missing ? undefined : files;
  }

  return {
    covers: (initials) => fontFiles(initials) !== undefined,
    render(drawing, style, placeholder) {
      const key = `${drawing.initials}\u0000${drawing.colors.background}${drawing.colors.text}\u0000${drawing.size}\u0000${drawing.shape}`;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      let files = fontFiles(drawing.initials);
      let shown = drawing;
      if (files === undefined) {
        shown = { ...drawing, initials: placeholder };
        files = fontFiles(placeholder) ?? [];
      }
      const svg = drawAvatar({ ...shown, label: undefined }, style);
      // Only the fonts the initials need: resvg-js 2.6 parses the font files on every render (it
      // has no font database to keep), and that is most of a render's cost.
      const png = rasterizer.rasterize(svg, drawing.size, files);
      memo.set(key, png);
      return png;
    },
  };
}
