/**
 * Whether an upload is a whole image a browser can draw, not just a file that starts like one. The
 * magic bytes (image-type.ts) say what a file claims to be; a polyglot — a PNG signature followed
 * by `<script>…`, a JPEG cut off half-way — passes them and then draws a broken image on every page.
 * These checks walk each format's structure, as its decoder does first:
 * - PNG (ISO/IEC 15948, RFC 2083): every chunk's length and CRC-32, IHDR first with a size in
 *   range, IDAT data that inflates (within a bound: a small file that claims 100,000 × 100,000
 *   pixels is a decompression bomb) to at least what IHDR promises, IEND last;
 * - JPEG (ITU T.81, JFIF): the marker segments up to the scan, a frame header (SOFn) with a size,
 *   and the end-of-image marker after the entropy-coded data;
 * - WebP (RFC 9649): the RIFF size, and a VP8, VP8L or VP8X chunk whose header holds its signature
 *   and a size.
 * Decoding every pixel would need a codec per format; a structural walk catches what uploads go
 * wrong with (polyglots, truncation, corruption) at a cost bounded by the file's size.
 */
import { inflateSync } from 'node:zlib';
import type { AcceptedType } from './image-type.js';

/** Largest width or height accepted, px (browsers cap canvases near this). */
export const MAX_IMAGE_SIDE = 16_384;
/** Largest decompressed PNG image data inflated, bytes: 64 MiB. */
const MAX_INFLATED = 64 * 1024 * 1024;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG chunks use it (ISO 3309; Node 20 has no zlib.crc32). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const sizeOk = (width: number, height: number): boolean => width >= 1 && height >= 1 && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE;

/** Bits per pixel of a PNG colour type and bit depth, or undefined for a combination PNG does not have. */
function pngBitsPerPixel(colourType: number, depth: number): number | undefined {
  const channels: Record<number, { n: number; depths: number[] }> = {
    0: { n: 1, depths: [1, 2, 4, 8, 16] },
    2: { n: 3, depths: [8, 16] },
    3: { n: 1, depths: [1, 2, 4, 8] },
    4: { n: 2, depths: [8, 16] },
    6: { n: 4, depths: [8, 16] },
  };
  const type = channels[colourType];
  return type?.depths.includes(depth) ? type.n * depth : undefined;
}

function checkPng(bytes: Buffer): string | undefined {
  let offset = 8;
  let expected = 0;
  const data: Buffer[] = [];
  let first = true;
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (length > bytes.length - offset - 12) return `its ${JSON.stringify(type)} chunk runs past the end of the file: cut off`;
    const body = bytes.subarray(offset + 4, offset + 8 + length);
    if (crc32(body) !== bytes.readUInt32BE(offset + 8 + length)) return `its ${JSON.stringify(type)} chunk is corrupt (CRC mismatch)`;
    const chunk = body.subarray(4);
    if (first) {
      if (type !== 'IHDR' || length !== 13) return 'it does not start with an image header (IHDR)';
      const [width, height] = [chunk.readUInt32BE(0), chunk.readUInt32BE(4)];
      const bits = pngBitsPerPixel(chunk[9] as number, chunk[8] as number);
      if (!sizeOk(width, height)) return `its size, ${width} × ${height} px, is out of range (1–${MAX_IMAGE_SIDE} px a side)`;
      if (bits === undefined || chunk[10] !== 0 || chunk[11] !== 0 || (chunk[12] as number) > 1) return 'its image header (IHDR) is invalid';
      // Interlaced images hold a little more; the non-interlaced size is a floor for both.
      expected = height * (1 + Math.ceil((width * bits) / 8));
      first = false;
    } else if (type === 'IDAT') {
      data.push(chunk);
    } else if (type === 'IEND') {
      if (data.length === 0) return 'it has no image data (IDAT)';
      let inflated: Buffer;
      try {
        inflated = inflateSync(Buffer.concat(data), { maxOutputLength: MAX_INFLATED });
      } catch {
        return 'its image data does not decompress (cut off, corrupt, or over 64 MiB of pixels)';
      }
      if (inflated.length < expected) return 'its image data is shorter than its size says (cut off)';
      return undefined;
    }
    offset += 12 + length;
  }
  return 'it ends before its end chunk (IEND): cut off';
}

/** SOFn markers that carry a frame header (not DHT C4, JPG C8, DAC CC). */
const isFrameHeader = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function checkJpeg(bytes: Buffer): string | undefined {
  let offset = 2; // after SOI
  let frame = false;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return 'its marker segments are broken (not a JPEG past its first bytes)';
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) return 'its marker segments are broken (not a JPEG past its first bytes)';
    if (marker < 0xc0) return 'its marker segments are broken (not a JPEG past its first bytes)';
    const length = bytes.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length) return 'a segment runs past the end of the file: cut off';
    if (isFrameHeader(marker)) {
      if (length < 8) return 'its frame header is invalid';
      const [height, width] = [bytes.readUInt16BE(offset + 5), bytes.readUInt16BE(offset + 7)];
      if (!sizeOk(width, height)) return `its size, ${width} × ${height} px, is out of range (1–${MAX_IMAGE_SIDE} px a side)`;
      frame = true;
    }
    if (marker === 0xda) {
      if (!frame) return 'its scan comes before any frame header';
      // The entropy-coded data runs to EOI (FF D9); within it FF is always followed by 00 or RSTn.
      const end = bytes.lastIndexOf(Buffer.from([0xff, 0xd9]));
      return end > offset + 2 + length ? undefined : 'it ends before its end-of-image marker: cut off';
    }
    offset += 2 + length;
  }
  return 'it ends before its image data: cut off';
}

function checkWebp(bytes: Buffer): string | undefined {
  const riffSize = bytes.readUInt32LE(4);
  if (riffSize + 8 > bytes.length || riffSize < 4 + 8) return 'its RIFF size says it is longer than the file: cut off';
  let offset = 12;
  let canvas = false;
  while (offset + 8 <= riffSize + 8) {
    const type = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = bytes.subarray(offset + 8, offset + 8 + size);
    if (body.length < size) return `its ${JSON.stringify(type)} chunk runs past the end of the file: cut off`;
    if (type === 'VP8 ') {
      if (size < 10 || body[3] !== 0x9d || body[4] !== 0x01 || body[5] !== 0x2a) return 'its VP8 frame header is invalid';
      return sizeOk(body.readUInt16LE(6) & 0x3fff, body.readUInt16LE(8) & 0x3fff) ? undefined : 'its size is out of range';
    }
    if (type === 'VP8L') {
      if (size < 5 || body[0] !== 0x2f) return 'its VP8L header is invalid';
      const bits = body.readUInt32LE(1);
      return sizeOk((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1) ? undefined : 'its size is out of range';
    }
    if (type === 'VP8X') {
      if (size < 10) return 'its VP8X header is invalid';
      if (!sizeOk(body.readUIntLE(4, 3) + 1, body.readUIntLE(7, 3) + 1)) return 'its size is out of range';
      canvas = true;
    }
    if (type === 'ANMF' && canvas) return undefined; // an animation: its frames hold the bitstreams
    offset += 8 + size + (size % 2); // chunks are padded to an even size
  }
  return 'it has no image data (VP8, VP8L or animation frames)';
}

/**
 * Why `bytes`, whose magic bytes say `type`, are not a whole image a browser draws — or undefined
 * when they are. Never throws; the cost is bounded by the file's size (and 64 MiB of inflated PNG).
 */
export function whyNotWholeImage(bytes: Buffer, type: AcceptedType): string | undefined {
  try {
    if (type === 'image/png') return checkPng(bytes);
    if (type === 'image/jpeg') return checkJpeg(bytes);
    return checkWebp(bytes);
  } catch {
    // A read past the end (RangeError) where a length field lied.
    return 'it ends in the middle of a header: cut off';
  }
}
