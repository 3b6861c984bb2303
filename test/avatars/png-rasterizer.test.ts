import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drawAvatar, resolveStyle } from '../../src/avatars/draw.js';
import { shippedFontFiles } from '../../src/avatars/png/fonts.js';
import { createRasterizer } from '../../src/avatars/png/rasterizer.js';
import { createPngRenderer } from '../../src/avatars/png/render.js';

const style = resolveStyle({}, 'test');
const latin = shippedFontFiles().filter((file) => /NotoSans-Bold/.test(file));
const svg = (initials: string, size: number): string => drawAvatar({ initials, size, shape: 'square', colors: { background: '#1d4ed8', text: '#ffffff' } }, style);
/** Pixel bytes of one render at `size` px, the unit of a worker's budget. */
const pixels = (size: number): number => size * size * 4;

test('a worker draws at most recycleBytes of pixels, then the next one (started at half) takes over; same bytes', () => {
  const rasterizer = createRasterizer({ recycleBytes: 3 * pixels(64) });
  try {
    const first = rasterizer.rasterize(svg('AB', 64), 64, latin);
    const png = PNG.sync.read(first);
    assert.equal([png.width, png.height], [64, 64]);
    assert.is(rasterizer.workersStarted(), 1);
    rasterizer.rasterize(svg('AB', 64), 64, latin);
    assert.is(rasterizer.workersStarted(), 2, 'the successor starts once half the budget is drawn');
    const drawn = [first];
    for (let i = 2; i < 10; i++) drawn.push(rasterizer.rasterize(svg('AB', 64), 64, latin));
    // Renders 1–3 in the first worker, 4–6 in the second, 7–9 in the third, 10 in the fourth.
    assert.is(rasterizer.workersStarted(), 4);
    for (const bytes of drawn) assert.ok(bytes.equals(first), 'every worker draws the same bytes');
  } finally {
    rasterizer.close();
  }
});

test('larger pictures use the budget up sooner: it counts pixels, not renders', () => {
  const rasterizer = createRasterizer({ recycleBytes: pixels(256) });
  try {
    rasterizer.rasterize(svg('AB', 16), 16, latin);
    rasterizer.rasterize(svg('AB', 16), 16, latin);
    assert.is(rasterizer.workersStarted(), 1, 'two 16 px renders leave the budget nearly whole');
    rasterizer.rasterize(svg('AB', 256), 256, latin);
    assert.is(rasterizer.workersStarted(), 2);
    rasterizer.rasterize(svg('AB', 16), 16, latin);
    assert.is(rasterizer.workersStarted(), 2, 'the 256 px render used the first worker up; the second draws on');
  } finally {
    rasterizer.close();
  }
});

test('an idle worker is ended; the next render starts one', async () => {
  const rasterizer = createRasterizer({ idleMs: 20 });
  try {
    rasterizer.rasterize(svg('AB', 32), 32, latin);
    rasterizer.rasterize(svg('CD', 32), 32, latin);
    assert.is(rasterizer.workersStarted(), 1);
    await sleep(100); // timers never fire early: the 20 ms idle timer has fired by now
    rasterizer.rasterize(svg('AB', 32), 32, latin);
    assert.is(rasterizer.workersStarted(), 2);
  } finally {
    rasterizer.close();
  }
});

test('failures are errors that say why, and the next render works', () => {
  const rasterizer = createRasterizer();
  try {
    assert.throws(() => rasterizer.rasterize('<svg', 32, latin), (error: unknown) => error instanceof Error && /^resvg could not draw the avatar: /.test(error.message));
    assert.ok(PNG.sync.read(rasterizer.rasterize(svg('AB', 32), 32, latin)).width === 32);
  } finally {
    rasterizer.close();
  }
  const missing = createRasterizer({ module: '/nonexistent/resvg.cjs' });
  try {
    assert.throws(() => missing.rasterize(svg('AB', 32), 32, latin), /resvg could not draw the avatar: Cannot find module '\/nonexistent\/resvg\.cjs'/);
  } finally {
    missing.close();
  }
});

test('a render that hangs fails after timeoutMs, and the hung worker is replaced', () => {
  const hung = createRasterizer({ module: fileURLToPath(new URL('./hung-resvg.cjs', import.meta.url)), timeoutMs: 300 });
  try {
    assert.throws(() => hung.rasterize(svg('AB', 32), 32, latin), /the PNG worker drew nothing \(it did not answer within 300 ms\)/);
    assert.throws(() => hung.rasterize(svg('AB', 32), 32, latin), /did not answer/);
    assert.is(hung.workersStarted(), 2, 'a new worker for the second render');
  } finally {
    hung.close();
  }
});

test('the PNG memo is bounded in bytes as well as entries', () => {
  const drawing = (initials: string) => ({ initials, size: 48, shape: 'square' as const, colors: { background: '#1d4ed8', text: '#ffffff' } });
  const one = createPngRenderer({ systemFonts: false }, 'test').render(drawing('AB'), style, 'C').length;
  // Room for one PNG of this size by bytes, for a thousand by entries: only the bytes can evict.
  const renderer = createPngRenderer({ systemFonts: false, cacheEntries: 1000, cacheBytes: Math.floor(one * 1.5) }, 'test');
  const first = renderer.render(drawing('AB'), style, 'C');
  assert.ok(renderer.render(drawing('AB'), style, 'C') === first, 'a hit hands back the memoised bytes');
  renderer.render(drawing('CD'), style, 'C');
  const again = renderer.render(drawing('AB'), style, 'C');
  assert.ok(again !== first, 'evicted by the byte bound');
  assert.ok(again.equals(first), 'and drawn again to the same bytes');
});

test.run();
