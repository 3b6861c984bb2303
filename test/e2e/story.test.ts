/**
 * The whole story in a real browser: upload a logo through nginx → redeploy with the volume → still
 * there → redeploy without it → no broken image anywhere, and the audit names the lost file.
 * Debian's Chromium through playwright-core (no browser download), nginx from the kit's conf.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/index.js';
import { solidPng } from '../demo/images.js';
import { ALL_IMAGES_DONE, CHROMIUM, images, launchChromium, visit, type Img } from './browser.js';
import { nginxBinary, startApp, startNginx, type Running } from './processes.js';

const OUT = path.resolve('test-results/e2e');
const missing = [
  ...(existsSync(CHROMIUM) ? [] : [`Chromium is not at ${CHROMIUM} (apt-get install chromium)`]),
  ...(nginxBinary() === undefined ? ['nginx is not installed (apt-get install nginx)'] : []),
];

/** A "deployment": the app and nginx over one media directory and one data directory. */
interface Deployment {
  url: string;
  processes: Running[];
}

async function deploy(base: string, name: string, mediaRoot: string, dataDir: string): Promise<Deployment> {
  mkdirSync(mediaRoot, { recursive: true });
  const app = await startApp({ DATA_DIR: dataDir, MEDIA_ROOT: mediaRoot, MEDIA_ACCEL_PREFIX: '/_protected_media/', ENGINE: 'nunjucks', AVATARS: 'local' });
  try {
    const nginx = await startNginx({
      prefix: path.join(base, `nginx-${name}`),
      appUrl: app.url,
      mediaRoot,
      kitConf: 'examples/deploy/nginx.conf',
      staticDir: path.resolve('examples/demo/public'),
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

test('upload → redeploy with the volume → redeploy without it: never a broken image, and the audit names the loss', async () => {
  if (missing.length > 0) {
    if (process.env.REQUIRE_E2E === '1') assert.unreachable(`e2e required (REQUIRE_E2E=1) but: ${missing.join('; ')}`);
    console.log(`  SKIPPED: the browser test: ${missing.join('; ')}`);
    return;
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-e2e-'));
  chmodSync(base, 0o755); // nginx's workers run as an unprivileged user: they must reach the media
  const volume = path.join(base, 'volume-media'); // a named volume: outlives deployments
  const dataDir = path.join(base, 'volume-data');
  let deployment: Deployment | undefined;
  let context: BrowserContext | undefined;
  try {
    deployment = await deploy(base, 'first', volume, dataDir);
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
    assert.is((await fetch(`${deployment.url}/_protected_media/${uploaded.src.slice('/media/'.length)}`)).status, 404, 'internal location');

    // 3. Redeploy with the same volume: the logo is still there.
    await undeploy(deployment);
    deployment = await deploy(base, 'second', volume, dataDir);
    await visit(page, `${deployment.url}/?company=2`);
    await page.screenshot({ path: path.join(OUT, '3-redeployed-with-volume.png'), fullPage: true });
    const kept = await logoOf(page, 2);
    assert.is(kept.src, uploaded.src);
    assert.is(kept.naturalWidth, 80);

    // 4. Redeploy without the volume (an empty media directory, the data kept): every reference
    //    is broken, and the page shows avatars — no broken image, no 404.
    await undeploy(deployment);
    const lost = path.join(base, 'container-media'); // the container's own, empty, filesystem
    deployment = await deploy(base, 'third', lost, dataDir);
    const { statuses, failed } = await visit(page, `${deployment.url}/?company=2`);
    await page.screenshot({ path: path.join(OUT, '4-redeployed-without-volume.png'), fullPage: true });
    const all = await images(page);
    assert.ok(all.length >= 29, `the sidebar and 4 × (6 engines + the e-mail column) table images, got ${all.length}`);
    for (const img of all) assert.ok(img.complete && img.naturalWidth > 0, `drawn: ${img.src.slice(0, 60)}`);
    assert.equal(failed, [], 'no image request failed');
    assert.equal(statuses.filter(([, status]) => status === 404), [], 'no image request answered 404');
    assert.match((await logoOf(page, 2)).src, /^data:image\/svg\+xml,/, 'Globex falls back to its avatar');
    assert.match((await logoOf(page, 1)).src, /^data:image\/svg\+xml,/, 'so does Acme');

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
