/**
 * Rendering over remote storage (s3rver on 127.0.0.1): Handlebars after `prefetch`, Nunjucks with
 * `async: true`, Liquid with `render()`. Each must print exactly what the same sidebar prints over
 * the local disk holding the same files.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { companies } from '../fixtures/companies.js';
import { sidebarRenderers, sidebarSource } from '../fixtures/render.js';
import { createLogoResolver, escapeHtml, fsStorage, s3Storage, type LogoResolver } from '../src/index.js';
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from './storage/servers.js';

const mediaRoot = fileURLToPath(new URL('../fixtures/media/', import.meta.url));

async function mediaFiles(dir = mediaRoot): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(mediaRoot, full).split(path.sep).join('/'), await readFile(full));
  }
  return files;
}

const test = suite<{ s3?: TestS3 }>('remote rendering');
const quiet = { onError: () => undefined };

function s3Resolver(s3: TestS3 | undefined): LogoResolver {
  if (s3 === undefined) throw new Error('s3rver did not start');
  return createLogoResolver({
    // Same public URLs as the local disk, so the pages must match byte for byte.
    storage: s3Storage({ endpoint: s3.origin, region: s3.region, bucket: s3.bucket, ...S3RVER_CREDENTIALS, forcePathStyle: true, publicBaseUrl: '/media/' }),
    timeout: 5000,
    ...quiet,
  });
}

const local = sidebarRenderers(createLogoResolver({ storage: fsStorage({ root: mediaRoot, baseUrl: '/media/' }), ...quiet }));
const contexts = companies.map((company) => ({ company, label: 'Other Company' }));

test.before(async (context) => {
  context.s3 = await startS3(await mediaFiles());
});
test.after(async (context) => {
  await context.s3?.close();
});

test('Handlebars over S3 after prefetch prints what it prints over the disk', async (context) => {
  const logos = s3Resolver(context.s3);
  const render = registerHandlebars(Handlebars.create(), logos).compile(sidebarSource('handlebars'));
  await logos.prefetch(companies);
  const heads = context.s3?.requests.length;
  for (const ctx of contexts) assert.fixture(render(ctx), local.handlebars(ctx));
  assert.match(render(contexts[0] as object), 'src="/media/base/company/icon/acme.png"');
  assert.is(context.s3?.requests.length, heads, 'the render itself asked S3 nothing');
});

test('Handlebars without prefetch: the avatar first, the logo once the background check is back', async (context) => {
  const logos = s3Resolver(context.s3);
  const render = registerHandlebars(Handlebars.create(), logos).compile(sidebarSource('handlebars'));
  const acme = contexts[0] as object;
  assert.not.match(render(acme), '/media/base/company/icon/acme.png');
  await logos.logoAsync(companies[0]);
  assert.fixture(render(acme), local.handlebars(acme));
});

test('Nunjucks with async filters, cold cache, callback render', async (context) => {
  const logos = s3Resolver(context.s3);
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos, { async: true });
  const template = nunjucks.compile(sidebarSource('nunjucks'), env);
  for (const ctx of contexts) {
    const html = await new Promise<string>((resolve, reject) => template.render(ctx, (error, result) => (error ? reject(error) : resolve(result ?? ''))));
    assert.fixture(html, local.nunjucks(ctx));
  }
});

test('Nunjucks macros cannot wait for storage: the whole page with the avatar when cold, the logo once warm', async (context) => {
  const logos = s3Resolver(context.s3);
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos, { async: true });
  const source = '{% macro card(c) %}<img src="{{ c | get_company_logo }}">{% endmacro %}{{ card(company) }}|end';
  const render = () => new Promise<string>((resolve, reject) => env.renderString(source, { company: companies[0] }, (error, result) => (error ? reject(error) : resolve(result ?? ''))));
  assert.is(await render(), `<img src="${escapeHtml(logos.avatar('Acme Corp'))}">|end`, 'cold: never cut off');
  await logos.prefetch(companies);
  assert.is(await render(), '<img src="/media/base/company/icon/acme.png">|end');
});

test('Nunjucks {% set %} blocks and includes inside plain for loops print the logo once the cache is warm', async (context) => {
  const logos = s3Resolver(context.s3);
  const partials: Record<string, string> = { 'card.njk': '<img src="{{ c | get_company_logo }}">' };
  const loader = { getSource: (name: string) => ({ src: partials[name] ?? '', path: name, noCache: true }) };
  const env = registerNunjucks(new nunjucks.Environment(loader, { autoescape: true }), logos, { async: true });
  const source = '{% set u %}{{ company | get_company_logo }}{% endset %}{{ u }}|{% for c in [company] %}{% include "card.njk" %}{% endfor %}|end';
  await logos.prefetch(companies);
  const html = await new Promise<string>((resolve, reject) => env.renderString(source, { company: companies[0] }, (error, result) => (error ? reject(error) : resolve(result ?? ''))));
  assert.is(html, '/media/base/company/icon/acme.png|<img src="/media/base/company/icon/acme.png">|end');
});

test('Liquid render() awaits storage, cold cache', async (context) => {
  const logos = s3Resolver(context.s3);
  const liquid = registerLiquid(new Liquid(), logos);
  const template = liquid.parse(sidebarSource('liquid'));
  for (const ctx of contexts) assert.fixture(await liquid.render(template, ctx), local.liquid(ctx));
});

test('many concurrent renders of a page share one HEAD per key', async (context) => {
  const logos = s3Resolver(context.s3);
  const liquid = registerLiquid(new Liquid(), logos);
  const template = liquid.parse('{% for company in companies %}<img src="{{ company | get_company_logo }}">{% endfor %}');
  const before = context.s3?.requests.length ?? 0;
  const pages = await Promise.all(Array.from({ length: 40 }, () => liquid.render(template, { companies })));
  assert.ok(pages.every((page) => page === pages[0]));
  // acme.png and globex-missing.png: the null icon and the traversal never reach S3.
  assert.is((context.s3?.requests.length ?? 0) - before, 2);
});

test.run();
