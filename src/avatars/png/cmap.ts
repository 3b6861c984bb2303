/**
 * Which characters a font file has glyphs for: its `cmap` table (OpenType spec, "cmap — Character
 * to Glyph Index Mapping Table"), formats 4 and 12, from TrueType, OpenType/CFF and collection
 * (`ttcf`) files. Only the table directory and the cmap are read, never the whole file (a CJK
 * collection is 20 MB). test/avatars/png-fonts.test.ts checks it against fontkit on every font.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Looks up a code point: its glyph id, 0 when the font has none. */
export type GlyphLookup = (codePoint: number) => number;

function read(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const got = readSync(fd, buffer, 0, length, offset);
  if (got !== length) throw new Error('truncated font file');
  return buffer;
}

function format4(table: Buffer): GlyphLookup {
  const segments = table.readUInt16BE(6) / 2;
  const ends = 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (code) => {
    if (code > 0xffff) return 0;
    let low = 0;
    let high = segments - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (table.readUInt16BE(ends + mid * 2) < code) low = mid + 1;
      else high = mid - 1;
    }
    if (low >= segments) return 0;
    const start = table.readUInt16BE(starts + low * 2);
    if (code < start) return 0;
    const delta = table.readUInt16BE(deltas + low * 2);
    const rangeOffset = table.readUInt16BE(rangeOffsets + low * 2);
    if (rangeOffset === 0) return (code + delta) & 0xffff;
    const at = rangeOffsets + low * 2 + rangeOffset + (code - start) * 2;
    if (at + 2 > table.length) return 0;
    const glyph = table.readUInt16BE(at);
    return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
  };
}

function format12(table: Buffer): GlyphLookup {
  const groups = table.readUInt32BE(12);
  return (code) => {
    let low = 0;
    let high = groups - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = 16 + mid * 12;
      if (table.readUInt32BE(at + 4) < code) low = mid + 1;
      else if (table.readUInt32BE(at) > code) high = mid - 1;
      else return table.readUInt32BE(at + 8) + (code - table.readUInt32BE(at));
    }
    return 0;
  };
}

/** The cmap of the font at `offset` (a face's table directory) in an open file. */
function faceLookup(fd: number, offset: number): GlyphLookup | undefined {
  const tables = read(fd, offset + 4, 2).readUInt16BE(0);
  const directory = read(fd, offset + 12, tables * 16);
  for (let i = 0; i < tables; i++) {
    if (directory.toString('latin1', i * 16, i * 16 + 4) !== 'cmap') continue;
    const cmapOffset = directory.readUInt32BE(i * 16 + 8);
    const cmap = read(fd, cmapOffset, directory.readUInt32BE(i * 16 + 12));
    const count = cmap.readUInt16BE(2);
    let best: GlyphLookup | undefined;
    let bestRank = 0;
    for (let j = 0; j < count; j++) {
      const platform = cmap.readUInt16BE(4 + j * 8);
      const encoding = cmap.readUInt16BE(6 + j * 8);
      const sub = cmap.subarray(cmap.readUInt32BE(8 + j * 8));
      const format = sub.readUInt16BE(0);
      // Full Unicode (format 12) beats the BMP (format 4); Windows or Unicode platforms only.
      const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
      if (!unicode) continue;
      if (format === 12 && bestRank < 2) [best, bestRank] = [format12(sub.subarray(0, sub.readUInt32BE(4))), 2];
      else if (format === 4 && bestRank < 1) [best, bestRank] = [format4(sub.subarray(0, sub.readUInt16BE(2))), 1];
    }
    return best;
  }
  return undefined;
}

/**
 * The glyph lookups of a font file, one per face (a collection has several). `undefined` when the
 * file is not a font this reader knows (WOFF, Type 1, a broken file).
 */
export function readCmaps(path: string): GlyphLookup[] | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const tag = read(fd, 0, 4).toString('latin1');
    if (tag === 'ttcf') {
      const faces = read(fd, 8, 4).readUInt32BE(0);
      const offsets = read(fd, 12, Math.min(faces, 64) * 4);
      const lookups: GlyphLookup[] = [];
      for (let i = 0; i < offsets.length / 4; i++) {
        const lookup = faceLookup(fd, offsets.readUInt32BE(i * 4));
        if (lookup) lookups.push(lookup);
      }
      return lookups;
    }
    if (tag !== 'OTTO' && tag !== '\u0000\u0001\u0000\u0000' && tag !== 'true') return undefined;
    const lookup = faceLookup(fd, 0);
    return lookup ? [lookup] : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
