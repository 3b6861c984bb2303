/**
 * Real Eleventy builds of test/fixtures/eleventy-site/ into temporary directories: the same page in
 * Nunjucks, Liquid, Handlebars and 11ty.js must come out byte for byte the same.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Eleventy from '@11ty/eleventy';
import handlebarsPlugin from '@11ty/eleventy-plugin-handlebars';
import Handlebars from 'handlebars';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eleventyLogoFallback, type EleventyLogoFallbackOptions } from '../adapters/eleventy.js';
import { companies } from '../fixtures/companies.js';
import { createLogoResolver, fsStorage, httpStorage, uiAvatars, type LogoFallbackError } from '../src/index.js';
import { fileServer, hangingServer, statusServer } from './storage/servers.js';

const site = fileURLToPath(new URL('./fixtures/eleventy-site/', import.meta.url));
const mediaRoot = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
const PAGES = ['nunjucks', 'liquid', 'handlebars', 'javascript'] as const;
const escaped: unknown[] = [];
const onUnhandled = (reason: unknown): void => void escaped.push(reason);

interface Build {
  pages: Record<(typeof PAGES)[number] | 'macro', string>;
  errors: LogoFallbackError[];
}

/** The plugin's options for a test build: ui-avatars and a recording onError, unless a resolver is given. */
function pluginOptions(options: EleventyLogoFallbackOptions, errors: LogoFallbackError[]): EleventyLogoFallbackOptions {
  return options.logos !== undefined ? options : { avatar: uiAvatars(), onError: (error: LogoFallbackError) => errors.push(error), ...options };
}

/** Builds one page of the fixture site alone, so that nothing else warms the cache first. */
async function buildAlone(page: string, options: EleventyLogoFallbackOptions): Promise<{ html: string; errors: LogoFallbackError[] }> {
  const output = await mkdtemp(path.join(tmpdir(), 'logo-fallback-eleventy-'));
  const errors: LogoFallbackError[] = [];
  try {
    const eleventy = new Eleventy(path.join(site, page), output, {
      quietMode: true,
      config(eleventyConfig) {
        eleventyConfig.addPlugin(eleventyLogoFallback, pluginOptions(options, errors));
      },
    });
    eleventy.disableLogger();
    await eleventy.write();
    return { html: await readFile(path.join(output, page.replace(/\.\w+$/, '.html')), 'utf8'), errors };
  } finally {
    await rm(output, { recursive: true, force: true });
  }
}

/** Builds the fixture site with the plugin (then the Handlebars plugin, in that order). */
async function build(options: EleventyLogoFallbackOptions, configure: (eleventyConfig: any) => void = () => undefined): Promise<Build> {
  const output = await mkdtemp(path.join(tmpdir(), 'logo-fallback-eleventy-'));
  const errors: LogoFallbackError[] = [];
  try {
    const eleventy = new Eleventy(site, output, {
      quietMode: true,
      config(eleventyConfig) {
        eleventyConfig.addPlugin(eleventyLogoFallback, pluginOptions(options, errors));
        // Its own Handlebars instance, so that the global one other tests use stays clean.
        eleventyConfig.addPlugin(handlebarsPlugin, { eleventyLibraryOverride: Handlebars.create() });
        configure(eleventyConfig);
      },
    });
    eleventy.disableLogger();
    await eleventy.write();
    const read = (name: string) => readFile(path.join(output, `${name}.html`), 'utf8');
    return {
      pages: { nunjucks: await read('nunjucks'), liquid: await read('liquid'), handlebars: await read('handlebars'), javascript: await read('javascript'), macro: await read('macro') },
      errors,
    };
  } finally {
    await rm(output, { recursive: true, force: true });
  }
}

function sameInEveryEngine(pages: Build['pages']): string {
  for (const page of PAGES) assert.fixture(pages[page], pages.nunjucks, `${page} differs from nunjucks`);
  return pages.nunjucks;
}

test.before(() => {
  process.on('unhandledRejection', onUnhandled);
});

test('local disk: every engine prints the same bytes, escaped once', async () => {
  const { pages, errors } = await build({ storage: fsStorage({ root: mediaRoot }) });
  const html = sameInEveryEngine(pages);
  assert.match(html, '<img src="/media/base/company/icon/acme.png" alt="Acme Corp">');
  assert.match(html, '<img src="https://ui-avatars.com/api/?name=GL&amp;background=');
  assert.match(html, '?name=GL&amp;size=128&amp;');
  assert.match(pages.javascript, '<img src="https://ui-avatars.com/api/?name=GL&amp;size=48&amp;', '11ty.js passes size to get_company_logo');
  assert.match(html, 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons"');
  assert.not.match(html, '&amp;amp;');
  assert.not.match(html, '<script');
  assert.not.match(html, 'passwd');
  assert.equal(
    errors.map((error) => error.code),
    ['INVALID_KEY'],
  );
});

test('remote storage: Nunjucks, Liquid and 11ty.js wait for it; one request per key for the whole build', async () => {
  const files = new Map([['base/company/icon/acme.png', Buffer.from('png')]]);
  const media = await fileServer(files);
  try {
    const baseUrl = `${media.origin}/media/`;
    // Handlebars cannot wait: the build prefetches in `eleventy.before`, with a resolver it passes in.
    const logos = createLogoResolver({ storage: httpStorage({ baseUrl }), avatar: uiAvatars(), timeout: 5000, onError: () => undefined });
    const { pages } = await build({ logos }, (eleventyConfig) => eleventyConfig.on('eleventy.before', () => logos.prefetch(companies)));
    const html = sameInEveryEngine(pages);
    assert.match(html, `<img src="${baseUrl}base/company/icon/acme.png" alt="Acme Corp">`);
    assert.match(html, '<img src="https://ui-avatars.com/api/?name=GL&amp;');
    assert.equal(media.requests.sort(), ['HEAD /media/base/company/icon/acme.png', 'HEAD /media/base/company/icon/globex-missing.png']);
  } finally {
    await media.close();
  }
});

test('a macro page built alone (cold cache): over the local disk the logo, over HTTP the whole page with the avatar', async () => {
  const local = await buildAlone('macro.njk', { storage: fsStorage({ root: mediaRoot }) });
  assert.is(local.html, '<img src="/media/base/company/icon/acme.png" alt="Acme Corp">|end\n', 'a sync check answers inside macros');
  const media = await fileServer(new Map([['base/company/icon/acme.png', Buffer.from('png')]]));
  try {
    const remote = await buildAlone('macro.njk', { storage: httpStorage({ baseUrl: `${media.origin}/media/` }) });
    assert.match(remote.html, /^<img src="https:\/\/ui-avatars\.com\/api\/\?name=AC&amp;[^"]+" alt="Acme Corp">\|end\n$/, 'Nunjucks cannot wait in a macro: the avatar, never a cut-off page');
  } finally {
    await media.close();
  }
});

test('a storage that fails or hangs never fails the build: avatars, and onError hears why', async () => {
  for (const start of [() => statusServer(500), hangingServer]) {
    const server = await start();
    try {
      const { pages, errors } = await build({ storage: httpStorage({ baseUrl: `${server.origin}/media/` }), timeout: 50, cache: { hardTimeout: 100 } });
      const html = sameInEveryEngine(pages);
      assert.match(html, /<img src="https:\/\/ui-avatars\.com\/api\/\?name=[^"]+" alt="Acme Corp">/);
      assert.ok(errors.some((error) => error.code === 'STORAGE_FAILED' || error.code === 'TIMEOUT'));
    } finally {
      await server.close();
    }
  }
});

test('Liquid with outputEscape on: still escaped exactly once', async () => {
  const { pages } = await build({ storage: fsStorage({ root: mediaRoot }) }, (eleventyConfig) => eleventyConfig.setLiquidOptions({ outputEscape: 'escape' }));
  assert.match(pages.liquid, '?name=GL&amp;background=');
  assert.not.match(pages.liquid, '&amp;amp;');
  assert.match(pages.liquid, 'alt="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons"');
});

test('renamed filters; a bad name fails at configuration', async () => {
  const calls: string[] = [];
  const config = {
    addFilter: (name: string) => void calls.push(`universal:${name}`),
    addNunjucksFilter: (name: string) => void calls.push(`njk:${name}`),
    addNunjucksAsyncFilter: (name: string) => void calls.push(`njk-async:${name}`),
    addLiquidFilter: (name: string) => void calls.push(`liquid:${name}`),
    addJavaScriptFilter: (name: string) => void calls.push(`js:${name}`),
  };
  const names = { logo: 'logo', file: 'logo_url', name: 'company_name' };
  eleventyLogoFallback(config, { names, storage: httpStorage({ baseUrl: 'http://127.0.0.1:9/media/' }) });
  assert.ok(calls.includes('njk-async:logo') && calls.includes('njk:company_name') && calls.includes('universal:logo_url'), calls.join());
  calls.length = 0;
  // A storage that answers synchronously needs no async Nunjucks filter.
  eleventyLogoFallback(config, { names, storage: fsStorage({ root: mediaRoot }) });
  assert.ok(calls.includes('njk:logo') && !calls.some((call) => call.startsWith('njk-async:')), calls.join());
  assert.throws(() => eleventyLogoFallback(config, { names: { logo: 'not a name' } }), /names\.logo/);
  assert.throws(() => eleventyLogoFallback(config, { names: { logoo: 'x' } } as never), /unknown key "logoo" in "names"/);
  assert.throws(() => eleventyLogoFallback(config, { logos: createLogoResolver(), avatar: uiAvatars() }), /unknown key "avatar" in the options \(only "names" can go with "logos"/);
  assert.throws(() => eleventyLogoFallback(Eleventy as never), /Eleventy's configuration object/);
});

test('the cache lives for one build: the next build (--watch) checks again', async () => {
  const media = await fileServer(new Map([['a.png', Buffer.from('x')]]));
  try {
    const listeners: Array<() => unknown> = [];
    const ignore = () => undefined;
    const config = { addFilter: ignore, addNunjucksFilter: ignore, addNunjucksAsyncFilter: ignore, addLiquidFilter: ignore, addJavaScriptFilter: ignore, on: (event: string, listener: () => unknown) => void (event === 'eleventy.before' && listeners.push(listener)) };
    const logos = eleventyLogoFallback(config, { storage: httpStorage({ baseUrl: `${media.origin}/media/` }) });
    const build = async () => {
      for (const listener of listeners) await listener();
      await logos.fileUrlAsync('a.png');
      await logos.fileUrlAsync('a.png');
    };
    await build();
    assert.is(media.requests.length, 1);
    await build();
    assert.is(media.requests.length, 2);
  } finally {
    await media.close();
  }
});

test('the Handlebars plugin added before this one has no helpers (hence: add it after)', async () => {
  const output = await mkdtemp(path.join(tmpdir(), 'logo-fallback-eleventy-'));
  try {
    const eleventy = new Eleventy(site, output, {
      quietMode: true,
      config(eleventyConfig) {
        eleventyConfig.addPlugin(handlebarsPlugin, { eleventyLibraryOverride: Handlebars.create() });
        eleventyConfig.addPlugin(eleventyLogoFallback, { storage: fsStorage({ root: mediaRoot }), onError: () => undefined });
      },
    });
    eleventy.disableLogger();
    const messages: string[] = [];
    await eleventy.write().then(
      () => assert.unreachable('the build succeeded'),
      (error: unknown) => {
        // Eleventy wraps the engine's error; walk the chain.
        for (let e = error as { message?: string; cause?: unknown; originalError?: unknown } | undefined; e !== undefined; e = (e.originalError ?? e.cause) as typeof e) {
          messages.push(String(e.message));
        }
      },
    );
    assert.match(messages.join(' | '), 'Missing helper: "get_company_logo"');
  } finally {
    await rm(output, { recursive: true, force: true });
  }
});

test.after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.equal(escaped, [], 'an unhandled rejection escaped');
});

test.run();
