/**
 * The demo's upload check (examples/demo/image-check.ts): a file that starts like a PNG, JPEG or
 * WebP but is not a whole image — a polyglot, a cut-off or corrupt file, a decompression bomb — is
 * refused; real images (made here, or by Chromium: fixtures/uploads/) pass.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sniffImage } from '../../examples/demo/image-type.js';
import { whyNotWholeImage } from '../../examples/demo/image-check.js';
import { pngChunk as chunk, solidPng } from './images.js';

const JPEG = readFileSync('fixtures/uploads/solid-8.jpg');
const WEBP = readFileSync('fixtures/uploads/solid-8.webp');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Checks `bytes` as the upload does: the type from the magic bytes, then the structure. */
const why = (bytes: Buffer): string | undefined => {
  const type = sniffImage(bytes);
  assert.ok(type, 'the magic bytes pass: it is the structure that must be judged');
  return whyNotWholeImage(bytes, type);
};

test('real images pass: PNGs of several sizes, a JPEG and a WebP drawn by Chromium', () => {
  for (const size of [1, 4, 48, 300]) assert.is(why(solidPng(size, [10, 20, 30])), undefined, `${size} px PNG`);
  assert.is(why(JPEG), undefined, 'JPEG');
  assert.is(why(WEBP), undefined, 'WebP');
});

test('a polyglot — the magic bytes, then markup or text — is refused, in each format', () => {
  const script = Buffer.from('<script>alert(1)</script>');
  assert.match(why(Buffer.concat([PNG_SIGNATURE, script])) ?? '', /cut off|IHDR|past the end/);
  assert.ok(why(Buffer.concat([JPEG.subarray(0, 3), script])));
  assert.ok(why(Buffer.concat([Buffer.from('RIFF\u0020\u0000\u0000\u0000WEBP', 'latin1'), script])));
  assert.ok(why(Buffer.concat([Buffer.from('RIFF\u0024\u0000\u0000\u0000WEBPVP8 ', 'latin1'), Buffer.alloc(4), script])));
});

test('a file cut off anywhere is refused (every cut of each real image)', () => {
  for (const [name, image] of [['PNG', solidPng(16, [200, 0, 0])], ['JPEG', JPEG], ['WebP', WEBP]] as const) {
    fc.assert(
      fc.property(fc.integer({ min: 12, max: image.length - 1 }), (cut) => {
        assert.ok(why(image.subarray(0, cut)), `${name} cut at ${cut} of ${image.length} passed`);
      }),
      { numRuns: 200 },
    );
  }
});

test('a PNG with any one byte changed after its signature is refused (CRC-32 per chunk)', () => {
  const image = solidPng(8, [1, 2, 3]);
  fc.assert(
    fc.property(fc.integer({ min: 8, max: image.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
      const changed = Buffer.from(image);
      changed[at] = (changed[at] as number) ^ flip;
      assert.ok(whyNotWholeImage(changed, 'image/png'), `byte ${at} ^ ${flip} passed`);
    }),
    { numRuns: 300 },
  );
});

test('a PNG that claims more pixels than its data holds, or an out-of-range size, is refused without inflating a bomb', () => {
  const header = (width: number, height: number): Buffer => {
    const data = Buffer.alloc(13);
    data.writeUInt32BE(width, 0);
    data.writeUInt32BE(height, 4);
    data.set([8, 2, 0, 0, 0], 8);
    return chunk('IHDR', data);
  };
  const tiny = chunk('IDAT', deflateSync(Buffer.alloc(4 * 13)));
  const end = chunk('IEND', Buffer.alloc(0));
  assert.match(why(Buffer.concat([PNG_SIGNATURE, header(4000, 4000), tiny, end])) ?? '', /shorter than its size says/);
  assert.match(why(Buffer.concat([PNG_SIGNATURE, header(100_000, 100_000), tiny, end])) ?? '', /out of range/);
  assert.match(why(Buffer.concat([PNG_SIGNATURE, header(0, 4), tiny, end])) ?? '', /out of range/);
  // 16,384² RGB is 805 MB of pixels: over the 64 MiB bound, refused rather than inflated.
  const bomb = chunk('IDAT', deflateSync(Buffer.alloc(80 * 1024 * 1024)));
  assert.match(why(Buffer.concat([PNG_SIGNATURE, header(16_384, 16_384), bomb, end])) ?? '', /over 64 MiB|shorter/);
  assert.match(why(Buffer.concat([PNG_SIGNATURE, header(4, 4), end])) ?? '', /no image data/);
});

test.run();
