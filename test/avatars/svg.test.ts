import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodedSvg } from '../../src/avatars/data-url.js';
import { drawAvatar, resolveStyle } from '../../src/avatars/draw.js';
import { colorsFor, contrast, initials, initialsAvatar, isAttributeSafe, LogoFallbackError, svgDataUrl, type InitialsAvatarOptions } from '../../src/index.js';
import { find, parseXml, svgOfDataUrl, textOf, type XmlElement } from './xml.js';

/** What the issue forbids in a returned URL, checked on its own besides isAttributeSafe(). */
const UNSAFE = /["'<>`\\\s]/;

function draw(name: unknown, options: InitialsAvatarOptions = {}, size?: number): { url: string; svg: string; root: XmlElement } {
  const url = initialsAvatar(options)(size === undefined ? { name: name as string } : { name: name as string, size });
  const svg = svgOfDataUrl(url);
  return { url, svg, root: parseXml(svg) };
}

test('the XML check itself refuses what is not well-formed', () => {
  for (const bad of ['<svg>', '<svg></g>', '<svg a="1" a="2"/>', '<svg a=1/>', '<svg>&nbsp;</svg>', '<svg>a < b</svg>', '<svg/><svg/>', '<svg a="<"/>', '<svg>\u0001</svg>', '<svg>\ud800</svg>']) {
    assert.throws(() => parseXml(bad), undefined, bad);
  }
  assert.is(textOf(parseXml('<a x="&quot;&#39;">1<b>&amp;2</b></a>')), '1&2');
});

test('a percent-encoded, attribute-safe data: URL of a small, well-formed SVG', () => {
  const { url, svg, root } = draw('Hewlett-Packard');
  assert.ok(url.startsWith('data:image/svg+xml,%3Csvg%20'), 'percent-encoded, not base64');
  assert.not.match(url, /;base64,/);
  assert.ok(isAttributeSafe(url));
  assert.not.match(url, UNSAFE);
  assert.not.match(url, /[#&]/);
  assert.not.match(url, /%(?![0-9A-F]{2})/);
  assert.ok(svg.length < 600, `${svg.length} bytes`);
  assert.is(root.name, 'svg');
  assert.is(root.attributes.xmlns, 'http://www.w3.org/2000/svg');
  assert.is(root.attributes.width, '64');
  assert.is(root.attributes.height, '64');
  assert.is(root.attributes['aria-hidden'], 'true');
  assert.is(root.attributes.role, undefined);
  assert.is(textOf(root), 'HP');
  const colors = colorsFor('Hewlett-Packard');
  assert.is(find(root, 'rect')?.attributes.fill, colors.background);
  assert.is(find(root, 'text')?.attributes.fill, colors.text);
  assert.not.match(svg, /opacity|blend|<script|<style|href/, 'plain text: no blend modes, no opacity, nothing active');
});

test('typical names stay under 600 bytes of SVG; labels are cut', () => {
  for (const name of ['Acme Corp', '株式会社トヨタ', 'محمد علي', 'Société Générale', 'Nguyễn Văn An']) {
    assert.ok(draw(name).svg.length < 600, name);
    assert.ok(draw(name, { label: true, shape: 'circle' }).svg.length < 600, name);
  }
  const { root } = draw('A'.repeat(100_000), { label: true });
  assert.ok((root.attributes['aria-label'] ?? '').length <= 256);
});

test('label: role="img" and the name as aria-label, escaped', () => {
  const name = 'Ben & Jerry\'s "<Ice>" Cream';
  const { url, root } = draw(name, { label: true });
  assert.is(root.attributes.role, 'img');
  assert.is(root.attributes['aria-label'], name);
  assert.is(root.attributes['aria-hidden'], undefined);
  assert.not.match(url, UNSAFE);
});

test('shapes, sizes, fonts and a fixed text colour', () => {
  assert.is(find(draw('Acme', { shape: 'square' }).root, 'rect')?.attributes.rx, undefined);
  assert.is(find(draw('Acme', { shape: 'rounded' }).root, 'rect')?.attributes.rx, '16');
  assert.is(find(draw('Acme', { shape: 'circle' }).root, 'circle')?.attributes.r, '50');
  assert.is(draw('Acme', { size: 34 }).root.attributes.width, '34');
  assert.is(draw('Acme', { size: 34 }, 128).root.attributes.width, '128', 'the template\'s size wins');
  assert.is(draw('Acme', {}, 4).root.attributes.width, '16', 'clamped');
  assert.is(draw('Acme', {}, 4096).root.attributes.width, '512', 'clamped');
  const text = find(draw('Acme', { fontFamily: "'Inter', sans-serif", fontWeight: 'bold' }).root, 'text');
  assert.is(text?.attributes['font-family'], "'Inter', sans-serif");
  assert.is(text?.attributes['font-weight'], 'bold');
  const white = draw('Acme', { textColor: '#fff', palette: ['#ffff00'] }).root;
  const fill = find(white, 'rect')?.attributes.fill ?? '';
  assert.is(find(white, 'text')?.attributes.fill, '#ffffff');
  assert.ok(contrast(fill, '#ffffff') >= 4.5, `yellow repaired to ${fill}`);
  assert.ok(contrast(find(draw('Acme', { minContrast: 7, palette: ['#1d4ed8', '#c2410c'] }).root, 'rect')?.attributes.fill ?? '', '#ffffff') >= 7);
});

test('length, uppercase and the placeholder', () => {
  assert.is(textOf(draw('José de la Cruz', { length: 3 }).root), 'JDC');
  assert.is(textOf(draw('hewlett packard', { uppercase: false }).root), 'hp');
  assert.is(textOf(draw('😀').root), 'C');
  assert.is(textOf(draw('', { placeholder: 'Unknown Company' }).root), 'UC');
  assert.is(textOf(draw(null).root), 'C');
});

test('called directly with anything, initialsAvatar() never throws: the placeholder\'s avatar', () => {
  for (const options of [{}, { route: '/avatars/' }, { shape: 'circle' as const, size: 34 }, { label: true }]) {
    const provider = initialsAvatar(options);
    const placeholder = provider({ name: '' });
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const trap = () => {
      throw new Error('trap');
    };
    const throwing = new Proxy({}, { get: trap, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    const getter = {
      get name(): string {
        throw new Error('getter');
      },
    };
    const subjects = [null, undefined, 0, 'Acme', [], ['Acme'], revoked, throwing, getter, { name: null }, { name: ['A', 'B'] }, { name: throwing }, { name: revoked }, { name: Symbol('x') }, { name: '   ' }];
    subjects.forEach((subject, index) => {
      const url = provider(subject as never);
      assert.is(url, placeholder, `subject #${index}`);
      assert.ok(isAttributeSafe(url));
    });
    const sizeGetter = {
      name: 'Acme',
      get size(): number {
        throw new Error('getter');
      },
    };
    assert.is(provider(sizeGetter), provider({ name: 'Acme' }), 'a throwing size getter: the provider\'s own size');
  }
});

test('hostile names: a 1 MB name and thousands of marks draw as their bounded prefix does, memoised', () => {
  const provider = initialsAvatar({ label: true });
  for (const [hostile, short] of [
    [`Acme Corp ${'z'.repeat(1_000_000)}`, `Acme Corp ${'z'.repeat(246)}`],
    [`a${'\u0301'.repeat(10_000)}`, `a${'\u0301'.repeat(255)}`],
    ['👩\u200d'.repeat(50_000), '👩\u200d'.repeat(85) + '👩'],
  ] as const) {
    assert.is(provider({ name: hostile }), provider({ name: short }));
    assert.ok(svgOfDataUrl(provider({ name: hostile })).length < 2000);
  }
});

test('route: URLs of the avatar route, carrying the initials and the colour, never the name', () => {
  const provider = initialsAvatar({ route: '/avatars/', shape: 'circle' });
  const url = provider({ name: 'Hewlett-Packard Enterprise' });
  assert.is(url, `/avatars/HE.svg?size=64&shape=circle&bg=${colorsFor('Hewlett-Packard Enterprise').background.slice(1)}`);
  assert.is(provider({ name: '株式会社トヨタ', size: 34 }), `/avatars/%E3%83%88.svg?size=34&shape=circle&bg=${colorsFor('株式会社トヨタ').background.slice(1)}`);
  assert.match(initialsAvatar({ route: 'https://cdn.example.com/a', textColor: '#000' })({ name: 'Acme' }), /^https:\/\/cdn\.example\.com\/a\/AC\.svg\?size=64&shape=square&bg=[0-9a-f]{6}&fg=000000$/);
  for (const name of ['"><script>', 'محمد علي', '\ud800', '']) assert.ok(isAttributeSafe(provider({ name })), name);
});

test('bad options throw INVALID_OPTION at construction, naming the option', () => {
  const bad: [InitialsAvatarOptions, string][] = [
    [{ size: 8 }, 'size'],
    [{ size: 64.5 }, 'size'],
    [{ shape: 'hexagon' as never }, 'shape'],
    [{ palette: [] }, 'palette'],
    [{ palette: ['#1e3a8a', 'red'] }, 'palette[1]'],
    [{ palette: 'blue' as never }, 'palette'],
    [{ fontFamily: 'x"onload="alert(1)' }, 'fontFamily'],
    [{ fontFamily: '' }, 'fontFamily'],
    [{ fontWeight: 1200 }, 'fontWeight'],
    [{ textColor: 'white' }, 'textColor'],
    [{ textColor: '#808080', minContrast: 7 }, 'textColor'],
    [{ minContrast: 3 }, 'minContrast'],
    [{ length: 4 }, 'length'],
    [{ placeholder: '!!!' }, 'placeholder'],
    [{ route: 'javascript:alert(1)' }, 'route'],
    [{ route: '/avatars/?x' }, 'route'],
  ];
  for (const [options, name] of bad) {
    try {
      initialsAvatar(options);
      assert.unreachable(`${JSON.stringify(options)} was accepted`);
    } catch (error) {
      assert.instance(error, LogoFallbackError);
      assert.is((error as LogoFallbackError).code, 'INVALID_OPTION');
      assert.ok((error as Error).message.includes(`"${name}"`), (error as Error).message);
    }
  }
  assert.throws(() => initialsAvatar(null as never), (error: unknown) => error instanceof LogoFallbackError);
});

test('the same name gives the same URL; the memo is bounded and changes nothing', () => {
  const provider = initialsAvatar();
  const first = provider({ name: 'Acme Corp' });
  for (let i = 0; i < 3000; i++) provider({ name: `Company ${i}` });
  assert.is(provider({ name: 'Acme Corp' }), first);
  assert.is(initialsAvatar()({ name: 'Acme Corp' }), first, 'and across providers');
});

test('the data: URL encodes exactly the SVG the route draws', () => {
  const style = resolveStyle({}, 'test');
  fc.assert(
    fc.property(fc.constantFrom('AC', 'ト', 'م\u200cع', 'e\u0301', '3'), fc.integer({ min: 16, max: 512 }), fc.constantFrom('square', 'rounded', 'circle' as const), fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), (letters, size, shape, label) => {
      const drawing = { initials: letters, size, shape, colors: { background: '#1d4ed8', text: '#ffffff' }, label };
      assert.is(`data:image/svg+xml,${drawAvatar(drawing, style, encodedSvg)}`, svgDataUrl(drawAvatar(drawing, style)));
    }),
    { numRuns: 500 },
  );
});

test('property: any value as a name gives a valid, attribute-safe avatar', () => {
  const name = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: fc.constantFrom('\u0000', '\u001f', '\u007f', '\u2028', '\ufeff', '\ud800', '\udfff', '<', '>', '&', '"', "'", '`', '\\', '%', '#', ' ', 'A', 'ト') }),
    fc.constantFrom('<svg onload=alert(1)>', ']]>', '&amp;', '%00', '\ud83d', 'x'.repeat(20_000)),
    fc.anything(),
  );
  const providers = [initialsAvatar(), initialsAvatar({ label: true, shape: 'circle', length: 3 }), initialsAvatar({ label: true, uppercase: false })];
  fc.assert(
    fc.property(name, fc.option(fc.integer(), { nil: undefined }), fc.nat(2), (value, size, which) => {
      const url = (providers[which] as (typeof providers)[number])(size === undefined ? { name: value as string } : { name: value as string, size });
      assert.ok(isAttributeSafe(url));
      assert.not.match(url, UNSAFE);
      const root = parseXml(svgOfDataUrl(url));
      const text = textOf(find(root, 'text') as XmlElement);
      assert.ok(text === 'C' || text === initials(value, which === 1 ? { length: 3 } : which === 2 ? { uppercase: false } : {}), `${JSON.stringify(value)} → ${text}`);
    }),
    { numRuns: 1500 },
  );
});

test.run();
