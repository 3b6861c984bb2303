/**
 * Every URL the package prints passes one predicate, `isSafeUrl()` (src/escape.ts): path-absolute,
 * protocol-relative or http(s) — and, for an avatar, an image `data:` URL. A storage's `url()` or an
 * avatar provider that returns anything else (`javascript:`, `vbscript:`, `data:text/html`, `file:`,
 * `blob:`, an unknown scheme, a relative path) gets the avatar (or the last-resort SVG) and one
 * report — `INVALID_KEY` for a storage, `AVATAR_FAILED` for a provider —, through the JS API, the
 * real engines, `lookup()` and the media route's redirect.
 */
import nunjucks from 'nunjucks';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, isSafeUrl, uiAvatars, type LogoFallbackError, type LogoLookup, type LogoResolver, type Storage } from '../src/index.js';
import { mediaHandler } from '../src/server/index.js';
import { tempMedia } from './helpers/media.js';
import { serve } from './server/media-helpers.js';

const media = tempMedia({ 'base/company/icon/acme.png': 'png' });
const KEY = 'base/company/icon/acme.png';
const avatar = uiAvatars({ background: '#1e3a8a' });
const AC = 'https://ui-avatars.com/api/?name=AC&background=1e3a8a&color=ffffff';
const LAST_RESORT = /^data:image\/svg\+xml,[^"'<>\s]+$/;

/** URLs a page must never get, whoever builds them: the tester's, and others of the same kind. */
const UNSAFE = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'javascript:%61lert(1)',
  'vbscript:msgbox(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'data:text/html,x',
  'file:///etc/passwd',
  'blob:https://example.com/0d7c7b4e',
  'x-evil:1',
  'java\tscript:alert(1)',
  ' javascript:alert(1)',
  '\u0000javascript:alert(1)',
  'javascript%3Aalert(1)',
  '&#106;avascript:alert(1)',
  'media/acme.png',
  'ftp://example.com/a.png',
  'https://x/"onerror',
];
/** A data: image, safe as an avatar, is not a storage's URL. */
const NOT_A_STORAGE_URL = ['data:image/png;base64,iVBORw0KGgo=', 'data:image/svg+xml,%3Csvg%2F%3E'];
const SAFE = ['/media/a.png', '//cdn.example.com/a.png', 'https://cdn.example.com/a.png', 'HTTP://cdn.example.com/a.png'];

test('isSafeUrl: path-absolute, protocol-relative and http(s); image data: URLs for avatars only', () => {
  for (const url of SAFE) {
    assert.ok(isSafeUrl(url), url);
    assert.ok(isSafeUrl(url, 'avatar'), url);
  }
  for (const url of NOT_A_STORAGE_URL) {
    assert.not.ok(isSafeUrl(url), url);
    assert.ok(isSafeUrl(url, 'avatar'), url);
  }
  assert.ok(isSafeUrl('DATA:IMAGE/PNG;base64,iVBORw0KGgo=', 'avatar'), 'scheme and media type are case-insensitive');
  for (const url of [...UNSAFE, 'data:image/svg+xml-evil,x', 'data:image/pngx,x', 'data:image/gif;base64,R0lG', '', 42, null, undefined]) {
    assert.not.ok(isSafeUrl(url), String(url));
    assert.not.ok(isSafeUrl(url, 'avatar'), String(url));
  }
});

test('property: what isSafeUrl accepts, a browser loads over http(s) (or as an image data: URL for avatars)', () => {
  const scheme = fc.constantFrom('', 'javascript:', 'JAVASCRIPT:', 'vbscript:', 'data:', 'data:image/png;', 'data:image/svg+xml,', 'data:text/html,', 'http:', 'https:', 'HtTpS:', 'file:', 'blob:', '/', '//', 'x-evil:');
  const rest = fc.oneof(fc.string(), fc.stringMatching(/^[\t\n\r a-z/:%&#;0-9.]{0,12}$/));
  fc.assert(
    fc.property(fc.tuple(fc.oneof(fc.string(), rest), scheme, rest), ([before, head, tail]) => {
      for (const url of [head + tail, before + head + tail]) {
        for (const use of ['logo', 'avatar'] as const) {
          if (!isSafeUrl(url, use)) continue;
          // As a page would resolve it, against its own (https) address; one that does not parse loads nothing.
          const base = 'https://app.example/companies/';
          if (!URL.canParse(url, base)) continue;
          const protocol = new URL(url, base).protocol;
          const allowed = use === 'avatar' ? ['http:', 'https:', 'data:'] : ['http:', 'https:'];
          assert.ok(allowed.includes(protocol), `${JSON.stringify(url)} (${use}) → ${protocol}`);
          if (protocol === 'data:') assert.match(url, /^data:image\/(svg\+xml|png)[;,]/i);
        }
      }
    }),
    { numRuns: 3000 },
  );
});

function storageWith(url: (key: string) => unknown, baseUrl?: string): Storage {
  const fs = fsStorage({ root: media.root });
  return { name: 'custom', exists: fs.exists, existsSync: fs.existsSync!, ...(baseUrl === undefined ? {} : { baseUrl }), url: url as (key: string) => string };
}

function resolverWith(storage: Storage): { logos: LogoResolver; errors: LogoFallbackError[] } {
  const errors: LogoFallbackError[] = [];
  return { logos: createLogoResolver({ storage, avatar, onError: (e) => errors.push(e) }), errors };
}

test("a storage's unsafe URL: the avatar and one INVALID_KEY report, with a fixed baseUrl and without (presigned)", async () => {
  for (const bad of [...UNSAFE, ...NOT_A_STORAGE_URL]) {
    for (const baseUrl of [undefined, '/media/']) {
      const { logos, errors } = resolverWith(storageWith(() => bad, baseUrl));
      const record = { company: 'Acme Corp', icon: KEY };
      assert.is(logos.logo(record), AC, `${bad} (${baseUrl})`);
      assert.is(await logos.logoAsync(record), AC, bad);
      assert.is(await logos.fileUrlAsync(KEY, 'Acme Corp'), AC, bad);
      assert.is(logos.logo(record), AC, `${bad}: the warm path too`);
      assert.equal(await logos.lookup(KEY), { state: 'unsafe', key: KEY }, bad);
      assert.is(errors.length, 1, `${bad}: one report (${errors.map((e) => e.message).join(' | ')})`);
      assert.is(errors[0]?.code, 'INVALID_KEY');
      assert.match(errors[0]?.message ?? '', /custom storage built an unsafe URL for "base\/company\/icon\/acme.png"/);
      assert.match(errors[0]?.message ?? '', /path-absolute/);
    }
  }
  // And what is safe is printed as it is.
  for (const good of SAFE) assert.is(resolverWith(storageWith(() => good)).logos.fileUrl(KEY), good);
});

test("through Nunjucks, Handlebars and LiquidJS, a storage's javascript: URL prints the avatar", async () => {
  for (const bad of ['javascript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html;base64,PHNjcmlwdD4=']) {
    const { logos, errors } = resolverWith(storageWith(() => bad, '/media/'));
    const c = { company: 'Acme Corp', icon: KEY };
    const env = registerNunjucks(new nunjucks.Environment(), logos);
    const hbs = registerHandlebars(Handlebars.create(), logos);
    const liquid = registerLiquid(new Liquid(), logos);
    const pages = [
      env.renderString('<img src="{{ c | get_company_logo }}">', { c }),
      hbs.compile('<img src="{{get_company_logo c}}">')({ c }),
      await liquid.parseAndRender('<img src="{{ c | get_company_logo }}">', { c }),
    ];
    for (const page of pages) {
      assert.not.ok(/script:|data:text/i.test(page), page);
      assert.match(page, /^<img src="https:\/\/ui-avatars\.com\/api\/\?name=AC&(amp;)?background/);
    }
    assert.is(errors.length, 1, bad);
  }
});

test("an avatar provider's unsafe URL: the last-resort SVG and one AVATAR_FAILED report per name", () => {
  for (const bad of UNSAFE) {
    const errors: LogoFallbackError[] = [];
    // Safe for the placeholder (checked at construction), unsafe for names.
    const provider = ({ name }: { name: string }): string => (name === 'C' ? '/avatars/C.svg' : bad);
    const logos = createLogoResolver({ storage: storageWith((key) => `/media/${key}`, '/media/'), avatar: provider, onError: (e) => errors.push(e) });
    assert.match(logos.logo({ company: 'Globex', icon: 'gone.png' }), LAST_RESORT, bad);
    assert.match(logos.avatar('Globex'), LAST_RESORT, bad);
    assert.match(logos.fileUrl('gone.png', 'Initech'), LAST_RESORT, bad);
    assert.is(logos.avatar(), '/avatars/C.svg');
    assert.is(errors.length, 2, `${bad}: one report per name (${errors.map((e) => e.message).join(' | ')})`);
    assert.ok(errors.every((e) => e.code === 'AVATAR_FAILED'), bad);
    assert.match(errors[0]?.message ?? '', /not a safe avatar URL/);
  }
  // An image data: URL, a route's path and an https service are avatars.
  for (const good of [...NOT_A_STORAGE_URL, ...SAFE]) {
    const logos = createLogoResolver({ avatar: () => good, onError: () => assert.unreachable(good) });
    assert.is(logos.avatar('Globex'), good);
  }
});

test("the media route: a storage's unsafe URL is the avatar's 307 marked unsafe; its own check holds for any resolver", async () => {
  const { logos, errors } = resolverWith(storageWith(() => 'javascript:alert(1)'));
  const server = await serve(mediaHandler(logos));
  // A resolver wrapped by the app, whose lookup() hands over what it likes: the route checks the URL itself.
  const wrappedErrors: LogoFallbackError[] = [];
  const inner = createLogoResolver({ storage: storageWith((key) => `https://cdn.example.com/${key}`), avatar, onError: (e) => wrappedErrors.push(e) });
  const wrapped: LogoResolver = { ...inner, lookup: async (file) => ({ ...(await inner.lookup(file)), url: 'vbscript:msgbox(1)' }) as LogoLookup }; // a wrapper that breaks the type on purpose
  const second = await serve(mediaHandler(wrapped));
  try {
    for (const request of [server.request, second.request]) {
      const reply = await request(`/media/${KEY}`);
      assert.is(reply.status, 307);
      assert.is(reply.headers['x-logo-fallback'], 'unsafe');
      assert.not.ok(/script:/i.test(String(reply.headers.location)), String(reply.headers.location));
    }
    const good = await serve(mediaHandler(inner));
    try {
      const reply = await good.request(`/media/${KEY}`);
      assert.is(reply.status, 302);
      assert.is(reply.headers.location, `https://cdn.example.com/${KEY}`);
    } finally {
      await good.close();
    }
    assert.is(errors.length, 1);
    assert.is(errors[0]?.code, 'INVALID_KEY');
    assert.is(wrappedErrors.length, 1);
    assert.is(wrappedErrors[0]?.code, 'INVALID_KEY');
    assert.match(wrappedErrors[0]?.message ?? '', /not safe to redirect to/);
  } finally {
    await server.close();
    await second.close();
  }
});

test.after(() => media.cleanup());
test.run();
