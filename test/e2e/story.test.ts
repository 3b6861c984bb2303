/**
 * The whole story in a real browser: upload a logo through nginx → redeploy with the volume → still
 * there → redeploy without it → no broken image anywhere — the app's pages, and a page that prints
 * media URLs without the filters (a hard-coded `<img>` and a CSS background) — and the audit names
 * the lost files. In both of the kit's media modes (NGINX_MEDIA: accel, direct). Debian's Chromium
 * through playwright-core (no browser download), nginx from the kit's conf.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/index.js';
import { solidPng } from '../demo/images.js';
import { ALL_IMAGES_DONE, CHROMIUM, images, launchChromium, visit, type Img, type Visit } from './browser.js';
import { MEDIA_MODES, nginxBinary, startApp, startNginx, type MediaMode, type Running } from './processes.js';

const OUT_ROOT = path.resolve('test-results/e2e');
const missing = [
  ...(existsSync(CHROMIUM) ? [] : [`Chromium is not at ${CHROMIUM} (apt-get install chromium)`]),
  ...(nginxBinary() === undefined ? ['nginx is not installed (apt-get install nginx)'] : []),
];

/** A "deployment": the app and nginx over one media directory and one data directory. */
interface Deployment {
  url: string;
  processes: Running[];
}

async function deploy(base: string, name: string, mediaRoot: string, dataDir: string, mode: MediaMode): Promise<Deployment> {
  mkdirSync(mediaRoot, { recursive: true });
  const app = await startApp({ DATA_DIR: dataDir, MEDIA_ROOT: mediaRoot, MEDIA_ACCEL_PREFIX: '/_protected_media/', ENGINE: 'nunjucks', AVATARS: 'local' });
  try {
    const nginx = await startNginx({
      prefix: path.join(base, `nginx-${name}`),
      appUrl: app.url,
      mediaRoot,
      kitConf: 'examples/deploy/nginx.conf',
      staticDir: path.join(base, 'static'),
      mode,
    });
    return { url: nginx.url, processes: [nginx, app] };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

async function undeploy(deployment: Deployment | undefined): Promise<void> {
  for (const process of deployment?.processes ?? []) await process.stop();
}

/** The company's logo in the Nunjucks column of the side-by-side table. */
async function logoOf(page: Page, id: number): Promise<Img> {
  const all = await images(page);
  const img = all.find((entry) => entry.company === String(id));
  assert.ok(img, `an image for company ${id}`);
  return img as Img;
}

/**
 * A page of the site's own that prints media URLs without the filters, as real apps do: `<img>`
 * tags with hard-coded `/media/` URLs and a CSS `background-image`. Served by nginx as a static
 * file, beside the demo's (a copy of examples/demo/public).
 */
function hardCodedPage(staticDir: string, keys: { img: string[]; background: string }): void {
  writeFileSync(
    path.join(staticDir, 'hard-coded.css'),
    `.banner { width: 64px; height: 64px; background-image: url(/media/${keys.background}); background-size: cover; }\n`,
  );
  writeFileSync(
    path.join(staticDir, 'hard-coded.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hard-coded media URLs</title><link rel="stylesheet" href="/static/hard-coded.css"></head><body>
${keys.img.map((key, i) => `<img id="img-${i}" src="/media/${key}" alt="${key}" width="64" height="64">`).join('\n')}
<div id="banner" class="banner"></div>
</body></html>\n`,
  );
}

/** Every image load of a visit (`<img>` or CSS) ended in a picture: a 200 with an image type, never a 404, nothing failed. */
function allImagesLoaded(seen: Visit, what: string): void {
  assert.equal(seen.failed, [], `${what}: no image request failed`);
  assert.equal(seen.statuses.filter(([, status]) => status === 404), [], `${what}: no image request answered 404`);
  for (const load of seen.loads) assert.ok(load.status === 200 && /^image\//.test(load.type), `${what}: ${JSON.stringify(load)}`);
}

for (const mode of MEDIA_MODES) test(`(${mode}) upload → redeploy with the volume → redeploy without it: never a broken image, hard-coded URLs and CSS backgrounds too, and the audit names the loss`, async () => {
  if (missing.length > 0) {
    if (process.env.REQUIRE_E2E === '1') assert.unreachable(`e2e required (REQUIRE_E2E=1) but: ${missing.join('; ')}`);
    console.log(`  SKIPPED: the browser test: ${missing.join('; ')}`);
    return;
  }
  const OUT = path.join(OUT_ROOT, mode);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-e2e-'));
  chmodSync(base, 0o755); // nginx's workers run as an unprivileged user: they must reach the media
  cpSync(path.resolve('examples/demo/public'), path.join(base, 'static'), { recursive: true });
  const volume = path.join(base, 'volume-media'); // a named volume: outlives deployments
  const dataDir = path.join(base, 'volume-data');
  let deployment: Deployment | undefined;
  let context: BrowserContext | undefined;
  try {
    deployment = await deploy(base, 'first', volume, dataDir, mode);
    context = await launchChromium(path.join(base, 'chromium-profile'));
    const page = context.pages()[0] ?? (await context.newPage());

    // 1. First start: the seeded companies. Acme's logo is a file; the others are avatars.
    await visit(page, `${deployment.url}/`);
    await page.screenshot({ path: path.join(OUT, '1-first-start.png'), fullPage: true });
    assert.is((await logoOf(page, 1)).src, '/media/base/company/icon/acme.png');
    assert.ok((await logoOf(page, 1)).naturalWidth > 0);

    // 2. Upload a logo for Globex (whose file was missing) through the form, behind nginx.
    const logo = path.join(base, 'globex.png');
    writeFileSync(logo, solidPng(80, [16, 120, 200]));
    const row = page.locator('tr[data-company-id="2"]');
    await row.locator('input[type=file]').setInputFiles(logo);
    await Promise.all([page.waitForURL(/uploaded=1/), row.getByRole('button', { name: 'Upload' }).click()]);
    await page.waitForFunction(ALL_IMAGES_DONE);
    await page.screenshot({ path: path.join(OUT, '2-uploaded.png'), fullPage: true });
    assert.match(await page.getByRole('status').innerText(), /The logo of Globex GmbH is updated/);
    const uploaded = await logoOf(page, 2);
    assert.match(uploaded.src, /^\/media\/base\/company\/icon\/[0-9a-f-]{36}\.png$/);
    assert.is(uploaded.naturalWidth, 80, 'the uploaded picture itself (80 px), not an avatar (34 px)');
    const served = await fetch(deployment.url + uploaded.src);
    assert.is(served.status, 200);
    assert.is(served.headers.get('content-type'), 'image/png');
    assert.is(served.headers.get('x-content-type-options'), 'nosniff');
    assert.match(served.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.match(served.headers.get('cache-control') ?? '', /max-age=604800/);
    assert.is(served.headers.get('x-accel-redirect'), null, 'nginx consumed the redirect');
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(readFileSync(logo)), 'byte-identical');
    assert.is((await fetch(`${deployment.url}/_protected_media/${uploaded.src.slice('/media/'.length)}`)).status, 404, 'internal location');

    // 3. Redeploy with the same volume: the logo is still there.
    await undeploy(deployment);
    deployment = await deploy(base, 'second', volume, dataDir, mode);
    await visit(page, `${deployment.url}/?company=2`);
    await page.screenshot({ path: path.join(OUT, '3-redeployed-with-volume.png'), fullPage: true });
    const kept = await logoOf(page, 2);
    assert.is(kept.src, uploaded.src);
    assert.is(kept.naturalWidth, 80);

    // 4. Redeploy without the volume (an empty media directory, the data kept): every reference
    //    is broken, and the page shows avatars — no broken image, no 404.
    await undeploy(deployment);
    const lost = path.join(base, 'container-media'); // the container's own, empty, filesystem
    deployment = await deploy(base, 'third', lost, dataDir, mode);
    const seen = await visit(page, `${deployment.url}/?company=2`);
    await page.screenshot({ path: path.join(OUT, '4-redeployed-without-volume.png'), fullPage: true });
    const all = await images(page);
    assert.ok(all.length >= 29, `the sidebar and 4 × (6 engines + the e-mail column) table images, got ${all.length}`);
    for (const img of all) assert.ok(img.complete && img.naturalWidth > 0, `drawn: ${img.src.slice(0, 60)}`);
    allImagesLoaded(seen, 'the app\'s page');
    assert.match((await logoOf(page, 2)).src, /^data:image\/svg\+xml,/, 'Globex falls back to its avatar');
    assert.match((await logoOf(page, 1)).src, /^data:image\/svg\+xml,/, 'so does Acme');

    // 4b. A page that prints media URLs without the filters: hard-coded <img> tags (Acme's lost
    //     logo, a file nobody has, Globex's lost upload) and a CSS background (Globex's upload).
    const globexKey = uploaded.src.slice('/media/'.length);
    hardCodedPage(path.join(base, 'static'), { img: ['base/company/icon/acme.png', 'base/company/icon/lost.png', globexKey], background: globexKey });
    const hard = await visit(page, `${deployment.url}/static/hard-coded.html`);
    await page.screenshot({ path: path.join(OUT, '4b-hard-coded-urls.png'), fullPage: true });
    const hardImages = await images(page);
    assert.is(hardImages.length, 3);
    for (const img of hardImages) assert.ok(img.complete && img.naturalWidth > 0, `a hard-coded <img> draws: ${img.src}`);
    allImagesLoaded(hard, 'the hard-coded page');
    const background = hard.loads.find((load) => load.url === `${deployment?.url}/media/${globexKey}`);
    assert.ok(background !== undefined, `the CSS background was requested: ${JSON.stringify(hard.loads)}`);
    assert.equal(background.chain.map(([url, status]) => [new URL(url).pathname.split('/')[1], status]), [['media', 307], ['avatars', 200]], 'a 307 from the media route, then the avatar');
    assert.is(background.type, 'image/svg+xml');
    assert.match(background.chain[1]?.[0] ?? '', /\/avatars\/GL\.svg\?/, 'Globex GmbH\'s avatar (nameFor found its company)');
    assert.match(hard.loads.find((load) => load.url.endsWith('/media/base/company/icon/acme.png'))?.chain[1]?.[0] ?? '', /\/avatars\/AC\.svg\?/, 'Acme Corp\'s avatar');
    assert.match(hard.loads.find((load) => load.url.endsWith('/lost.png'))?.chain[1]?.[0] ?? '', /\/avatars\/C\.svg\?/, 'nobody\'s file: the placeholder');
    const drawn = await page.$eval('#banner', (element) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }).getComputedStyle(element).backgroundImage);
    assert.ok(drawn.includes(`/media/${globexKey}`), drawn);

    // 5. The audit, fed from the app's database, lists the lost files.
    const db = new Database(path.join(dataDir, 'demo.sqlite'), { readonly: true });
    const rows = db.prepare('select id, company, icon from base_company order by id').all();
    db.close();
    let stdout = '';
    let stderr = '';
    const code = await main(['audit', '--root', lost, '--json', '-'], {
      stdin: Readable.from([rows.map((row) => JSON.stringify(row)).join('\n')]),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
    });
    writeFileSync(path.join(OUT, '5-audit.json'), stdout);
    // Every logo is gone: the audit lists them, and its brake says the volume looks unmounted (exit 3).
    assert.is(code, 3, stderr);
    const report = JSON.parse(stdout) as { problems: Array<{ id: string; reference: string; reason: string }>; brake: string | null };
    assert.match(report.brake ?? '', /the storage looks unmounted or empty/);
    assert.equal(
      report.problems.map(({ id, reference, reason }) => [id, reference, reason.split(':')[0]]),
      [
        ['1', 'base/company/icon/acme.png', 'missing'],
        ['2', uploaded.src.slice('/media/'.length), 'missing'],
        ['4', 'base/company/icon/../../../etc/passwd', 'unsafe'],
      ],
    );
  } catch (error) {
    const logs = (deployment?.processes ?? []).map((process) => process.output()).join('\n');
    const details = (error as { details?: unknown }).details;
    throw new Error(`${(error as Error).message}${typeof details === 'string' ? `\n${details}` : ''}\n${logs}`, { cause: error });
  } finally {
    await context?.close();
    await undeploy(deployment);
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
