import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { companies } from '../../fixtures/companies.js';
import { ENGINES, sidebarRenderers } from '../../fixtures/render.js';
import { createLogoResolver, fsStorage, initials, uiAvatars } from '../../src/index.js';
import { find, parseXml, svgOfDataUrl, textOf } from './xml.js';

const media = new URL('../../fixtures/media/', import.meta.url).pathname;
/** The one URL an SVG may name: its XML namespace, which is never fetched. */
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

/** Every http(s) or protocol-relative URL in a page, after undoing HTML and percent encoding. */
function foreignUrls(html: string): string[] {
  const srcs = [...html.matchAll(/(?:src|href|srcset)="([^"]*)"/g)].map((m) => (m[1] as string).replaceAll('&amp;', '&'));
  const urls: string[] = [];
  for (const src of srcs) {
    const text = src.startsWith('data:') ? svgOfDataUrl(src) : src;
    for (const [url] of text.matchAll(/(?:https?:)?\/\/[^\s"'<>)]+/g)) if (url !== SVG_NAMESPACE) urls.push(url);
  }
  return urls;
}

test('the default fallback is the local avatar: a data: URL, no other host', () => {
  const logos = createLogoResolver({ storage: fsStorage({ root: media }), onError: () => {} });
  const url = logos.logo({ company: 'Globex Corporation', icon: 'base/company/icon/missing.png' });
  assert.ok(url.startsWith('data:image/svg+xml,'), url);
  const root = parseXml(svgOfDataUrl(url));
  assert.is(textOf(find(root, 'text') ?? root), initials('Globex Corporation'));
  assert.is(textOf(find(root, 'text') ?? root), 'GL');
  assert.is(textOf(find(parseXml(svgOfDataUrl(logos.avatar(undefined))), 'text') ?? root), 'C', 'the placeholder');
});

test('rendering the sidebar in every engine names no foreign URL by default', () => {
  const render = sidebarRenderers(createLogoResolver({ storage: fsStorage({ root: media, baseUrl: '/media/' }), onError: () => {} }));
  let avatars = 0;
  for (const engine of ENGINES) {
    for (const company of [...companies, undefined, { company: 'Ørsted A/S' }, { company: '株式会社トヨタ', icon: 'nope.png' }]) {
      const html = render[engine]({ company });
      assert.equal(foreignUrls(html), [], `${engine}: ${html}`);
      if (html.includes('src="data:image/svg+xml,')) avatars++;
    }
  }
  assert.ok(avatars >= ENGINES.length * 3, `avatars were drawn (${avatars})`);
});

test('ui-avatars stays one option away, and the check above would catch it', () => {
  const render = sidebarRenderers(createLogoResolver({ storage: fsStorage({ root: media }), avatar: uiAvatars(), onError: () => {} }));
  assert.equal(foreignUrls(render.nunjucks({ company: { company: 'Globex' } })).map((url) => new URL(url).host), ['ui-avatars.com']);
});

test.run();
