import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as fontkit from 'fontkit';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCmaps } from '../../src/avatars/png/cmap.js';
import { shippedFontFiles } from '../../src/avatars/png/fonts.js';
import { createPngRenderer } from '../../src/avatars/png/render.js';
import { resolveStyle } from '../../src/avatars/draw.js';
import { colorsFor, initials, initialsAvatar, LogoFallbackError } from '../../src/index.js';
import { avatarFetchHandler } from '../../src/server/index.js';
import { readmeRows } from './readme-table.js';

const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const GOLDEN = new URL('./golden/AC-128-circle.png', import.meta.url);
const shipped = shippedFontFiles();
const faces = shipped.map((file) => fontkit.openSync(file));

/** Whether some shipped font has every glyph of the text, as fontkit (not our cmap reader) sees it. */
const fontkitCovers = (text: string): boolean =>
  [...text.replaceAll('\u200c', '')].every((char) => IGNORABLE.test(char) || faces.some((face) => face.hasGlyphForCodePoint(char.codePointAt(0) as number)));

function decode(dataUrlOrBytes: string | Uint8Array): PNG {
  const bytes = typeof dataUrlOrBytes === 'string' ? Buffer.from(dataUrlOrBytes.slice('data:image/png;base64,'.length), 'base64') : Buffer.from(dataUrlOrBytes);
  return PNG.sync.read(bytes);
}

const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** Opaque pixels nearer the text colour than the background's, and how many lie outside the shape. */
function foreground(png: PNG, text: string, background: string, shape: 'circle' | 'square'): { count: number; outside: number; cornerAlpha: number } {
  const [r, g, b] = rgb(text);
  const [br, bg, bb] = rgb(background);
  let count = 0;
  let outside = 0;
  const half = png.width / 2;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const at = (y * png.width + x) * 4;
      const [pr, pg, pb] = [png.data[at] as number, png.data[at + 1] as number, png.data[at + 2] as number];
      const toText = Math.abs(pr - r) + Math.abs(pg - g) + Math.abs(pb - b);
      const toBackground = Math.abs(pr - br) + Math.abs(pg - bg) + Math.abs(pb - bb);
      if (toText >= toBackground || (png.data[at + 3] as number) < 128) continue;
      count++;
      const inside = shape === 'square' || Math.hypot(x + 0.5 - half, y + 0.5 - half) <= half;
      if (!inside) outside++;
    }
  }
  return { count, outside, cornerAlpha: png.data[3] as number };
}

test('the cmap reader agrees with fontkit on every shipped font', () => {
  assert.ok(shipped.length >= 7, shipped.join());
  shipped.forEach((file, index) => {
    const lookups = readCmaps(file);
    assert.ok(lookups && lookups.length === 1, file);
    const face = faces[index] as fontkit.Font;
    const probe = [...face.characterSet.slice(0, 4000), 0x41, 0x5d0, 0xe01, 0x30c8, 0xac00, 0x20000, 0x10ffff, 0xfffd];
    for (const code of probe) assert.is((lookups[0] as (c: number) => number)(code) !== 0, face.hasGlyphForCodePoint(code), `${file} U+${code.toString(16)}`);
  });
  assert.is(readCmaps(new URL('../../package.json', import.meta.url).pathname), undefined, 'not a font');
  assert.is(readCmaps('/nonexistent.ttf'), undefined);
});

test('every row of the README initials table has real glyphs in the shipped fonts, or draws the placeholder', () => {
  const renderer = createPngRenderer({ systemFonts: false }, 'test');
  const uncovered: string[] = [];
  for (const { name, options } of readmeRows()) {
    const letters = initials(name, options);
    if (letters === '') continue;
    assert.is(renderer.covers(letters), fontkitCovers(letters), `${name} → ${letters}: our font choice and fontkit agree`);
    if (!fontkitCovers(letters)) uncovered.push(letters);
  }
  assert.equal(uncovered, ['𠀀明'], 'only the CJK Extension B row lacks a shipped glyph');
  // … and that row is drawn as the placeholder, never as a .notdef box.
  const style = resolveStyle({}, 'test');
  const colors = { background: '#1d4ed8', text: '#ffffff' };
  const placeholder = renderer.render({ initials: 'C', size: 64, shape: 'square', colors }, style, 'C');
  assert.equal(renderer.render({ initials: '𠀀明', size: 64, shape: 'square', colors }, style, 'C'), placeholder);
});

test('each row\'s PNG decodes to its size with foreground pixels inside the circle or square', () => {
  for (const shape of ['circle', 'square'] as const) {
    for (const size of [16, 64, 128]) {
      const provider = initialsAvatar({ format: 'png', shape, size, systemFonts: false });
      for (const { name, options } of readmeRows()) {
        if (Object.keys(options).length > 0) continue;
        const png = decode(provider({ name }));
        assert.is(png.width, size, name);
        assert.is(png.height, size, name);
        const colors = colorsFor(initials(name) === '' ? 'C' : name);
        const seen = foreground(png, colors.text, colors.background, shape);
        assert.ok(seen.count > size * size * 0.02, `${name} ${shape} ${size}: ${seen.count} text pixels`);
        assert.is(seen.outside, 0, `${name}: text stays inside the ${shape}`);
        assert.is(seen.cornerAlpha, shape === 'circle' ? 0 : 255, 'a circle leaves its corners transparent');
      }
    }
  }
});

test('the route serves PNG and SVG for every row of the table', () => {
  const handler = avatarFetchHandler({ png: { systemFonts: false } });
  for (const format of ['svg', 'png'] as const) {
    const provider = initialsAvatar({ format, route: '/avatars/' });
    for (const { name, options } of readmeRows()) {
      const url = provider({ name, ...(Object.keys(options).length ? {} : {}) });
      const response = handler(new Request(`http://localhost${url}`));
      assert.is(response.status, 200, url);
      assert.is(response.headers.get('content-type'), format === 'png' ? 'image/png' : 'image/svg+xml');
      assert.is(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(response.headers.get('etag') ?? '', /^"[0-9a-z]+-[0-9a-z]+"$/);
    }
  }
});

test('PNG sizes: 16 to maxSize, else 400 before anything is drawn; default 128', async () => {
  const handler = avatarFetchHandler({ png: { maxSize: 256, systemFonts: false } });
  const status = (path: string) => handler(new Request(`http://localhost${path}`)).status;
  for (const size of ['0', '8', '15', '257', '512', '513', '99999999999999999999', '-1', '1e3', '']) assert.is(status(`/avatars/AC.png?size=${size}`), 400, size);
  for (const size of ['16', '64', '256']) assert.is(status(`/avatars/AC.png?size=${size}`), 200, size);
  const png = decode(new Uint8Array(await handler(new Request('http://localhost/avatars/AC.png')).arrayBuffer()));
  assert.is(png.width, 128);
  assert.is(avatarFetchHandler()(new Request('http://localhost/avatars/AC.png')).status, 404, 'PNG off by default');
  fc.assert(
    fc.property(fc.oneof(fc.integer().map(String), fc.string()), (size) => {
      const answer = status(`/avatars/AC.png?size=${encodeURIComponent(size)}`);
      assert.ok(answer === 200 || answer === 400, `${size}: ${answer}`);
      if (answer === 200 && size !== '') assert.ok(Number(size) >= 16 && Number(size) <= 256);
    }),
    { numRuns: 300 },
  );
  // The provider's maxSize lowers the cap of template sizes.
  assert.is(decode(initialsAvatar({ format: 'png', maxSize: 48, systemFonts: false })({ name: 'Acme', size: 400 })).width, 48);
  assert.throws(() => initialsAvatar({ format: 'png', maxSize: 600 }), /maxSize/);
  assert.throws(() => avatarFetchHandler({ png: { maxSize: 8 } }), /maxSize/);
});

test('rendered PNGs are memoised and ETags stable; 304 on If-None-Match', () => {
  const renderer = createPngRenderer({ systemFonts: false, cacheEntries: 2 }, 'test');
  const style = resolveStyle({}, 'test');
  const drawing = (initials: string) => ({ initials, size: 32, shape: 'square' as const, colors: { background: '#1d4ed8', text: '#ffffff' } });
  const first = renderer.render(drawing('AB'), style, 'C');
  assert.ok(renderer.render(drawing('AB'), style, 'C') === first, 'a memo hit returns the same bytes');
  renderer.render(drawing('CD'), style, 'C');
  renderer.render(drawing('EF'), style, 'C');
  assert.ok(renderer.render(drawing('AB'), style, 'C') !== first, 'bounded: evicted after two others');
  assert.equal(renderer.render(drawing('AB'), style, 'C'), first, 'and drawn again to the same bytes');
  const handler = avatarFetchHandler({ png: { systemFonts: false } });
  const etag = handler(new Request('http://localhost/avatars/AC.png?size=64')).headers.get('etag') as string;
  assert.is(handler(new Request('http://localhost/avatars/AC.png?size=64')).headers.get('etag'), etag);
  assert.is(handler(new Request('http://localhost/avatars/AC.png?size=64', { headers: { 'If-None-Match': etag } })).status, 304);
  assert.is.not(handler(new Request('http://localhost/avatars/AC.png?size=65')).headers.get('etag'), etag);
});

test('deterministic: the golden file, and the same bytes from a second process', () => {
  const draw = () => Buffer.from(initialsAvatar({ format: 'png', shape: 'circle', systemFonts: false })({ name: 'Acme Corp' }).slice('data:image/png;base64,'.length), 'base64');
  const bytes = draw();
  if (!existsSync(GOLDEN) && process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, bytes);
  assert.ok(bytes.equals(readFileSync(GOLDEN)), 'the bytes of test/avatars/golden/AC-128-circle.png (UPDATE_GOLDEN=1 with the file removed makes it anew)');
  const script = "import { initialsAvatar } from './src/index.ts'; process.stdout.write(initialsAvatar({ format: 'png', shape: 'circle', systemFonts: false })({ name: 'Acme Corp' }));";
  const other = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../../', import.meta.url), encoding: 'utf8' });
  assert.ok(Buffer.from(other.slice('data:image/png;base64,'.length), 'base64').equals(bytes), 'another process draws the same bytes');
});

test('without @resvg/resvg-js: a clear LogoFallbackError at start-up, and SVG keeps working', () => {
  assert.throws(
    () => createPngRenderer({ load: () => { throw new Error("Cannot find module '@resvg/resvg-js'"); } }, 'initialsAvatar()'),
    (error: unknown) => error instanceof LogoFallbackError && error.code === 'MISSING_DEPENDENCY' && /npm install @resvg\/resvg-js/.test(error.message) && /Cannot find module/.test(error.message),
  );
  assert.throws(() => createPngRenderer({ load: () => ({}) as never }, 'x'), /@resvg\/resvg-js/);
  // The whole package in a process where the module cannot be resolved.
  const script = `
    import { initialsAvatar, LogoFallbackError } from './src/index.ts';
    import { avatarHandler } from './src/server/index.ts';
    const out = {};
    try { initialsAvatar({ format: 'png' }); out.provider = 'no error'; } catch (e) { out.provider = e instanceof LogoFallbackError ? e.code + ': ' + e.message : String(e); }
    try { avatarHandler({ png: true }); out.route = 'no error'; } catch (e) { out.route = e instanceof LogoFallbackError ? e.code + ': ' + e.message : String(e); }
    out.svg = initialsAvatar()({ name: 'Acme Corp' }).slice(0, 19);
    out.pngRoute = initialsAvatar({ format: 'png', route: '/avatars/' })({ name: 'Acme Corp' });
    out.svgRoute = typeof avatarHandler();
    process.stdout.write(JSON.stringify(out));`;
  const hide = new URL('./hide-resvg.cjs', import.meta.url).pathname;
  const out = JSON.parse(execFileSync(process.execPath, ['--require', hide, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../../', import.meta.url), encoding: 'utf8' })) as Record<string, string>;
  assert.match(out.provider ?? '', /^MISSING_DEPENDENCY: .*initialsAvatar\(\): PNG avatars need the optional dependency @resvg\/resvg-js/);
  assert.match(out.route ?? '', /^MISSING_DEPENDENCY: .*avatarHandler\(\): PNG avatars need/);
  assert.is(out.svg, 'data:image/svg+xml,');
  assert.match(out.pngRoute ?? '', /^\/avatars\/AC\.png\?size=128&shape=square&bg=/, 'route URLs need no rasteriser here');
  assert.is(out.svgRoute, 'function');
});

test.run();
