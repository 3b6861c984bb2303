/** The demo's pages in Chromium, for the container test: every image drawn, none answered 404, a screenshot. */
import type { BrowserContext } from 'playwright-core';
import { PNG } from 'pngjs';
import { rows } from '../demo/page-cells.js';
import { ALL_IMAGES_DONE, images, visit } from '../e2e/browser.js';
import { http } from '../e2e/http.js';
import type { Checks } from './checks.js';

/** What the pages showed: each company's logo (Nunjucks column) by id, its src and drawn width. */
export interface Shown {
  sources: Map<number, string>;
  widths: Map<number, number>;
}

/** Visits `/?company=<id>` for each id: every `<img>` drawn, no image request failed or answered 404. Screenshots the last. */
export async function checkPages(checks: Checks, browser: BrowserContext, base: string, ids: readonly number[], shot: string): Promise<Shown> {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const shown: Shown = { sources: new Map(), widths: new Map() };
  for (const id of ids) {
    const { statuses, failed } = await visit(page, `${base}/?company=${id}`);
    const all = await images(page);
    const broken = all.filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.src.slice(0, 80));
    // The app's sidebar, and per company 6 engines and the e-mail column: 1 + 4 × 7.
    checks.ok(`/?company=${id}: all ${all.length} images drawn`, all.length >= 29 && broken.length === 0, `${all.length} images; not drawn: ${broken.join(', ')}`);
    const notFound = statuses.filter(([, status]) => status === 404).map(([url]) => url);
    checks.ok(`/?company=${id}: no image request answered 404 or failed`, notFound.length === 0 && failed.length === 0, [...notFound, ...failed].join(', '));
    for (const img of all) {
      const company = Number(img.company);
      if (img.company !== null && !shown.sources.has(company)) {
        shown.sources.set(company, img.src);
        shown.widths.set(company, img.naturalWidth);
      }
    }
  }
  await page.waitForFunction(ALL_IMAGES_DONE);
  await page.screenshot({ path: shot, fullPage: true });
  return shown;
}

/** A full-page screenshot of `url`. */
export async function screenshot(browser: BrowserContext, url: string, file: string): Promise<void> {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await visit(page, url);
  await page.screenshot({ path: file, fullPage: true });
}

/** The page's e-mail column through nginx: PNG avatars from the app's route, drawn in the container (resvg and the package's fonts are in the image). */
export async function checkPngColumn(checks: Checks, base: string): Promise<void> {
  const html = (await http(`${base}/`)).body.toString();
  checks.ok('the page has an e-mail (PNG) column, PNG is not off', html.includes('<th scope="col">E-mail (PNG)</th>') && !html.includes('PNG avatars are off'), html.slice(0, 3000));
  const urls = rows(html).map((row) => row.email ?? '').filter((url) => url.startsWith('/avatars/'));
  checks.ok('the e-mail column has PNG avatar URLs', urls.length >= 2 && urls.every((url) => /\.png\?size=\d+&/.test(url)), urls.join(' '));
  for (const url of urls) {
    const answer = await http(base + url);
    const size = Number(/size=(\d+)/.exec(url)?.[1]);
    let decoded = '';
    try {
      const image = PNG.sync.read(answer.body);
      const colours = new Set<number>();
      for (let i = 0; i < image.data.length; i += 4) colours.add(image.data.readUInt32BE(i));
      decoded = `${image.width}x${image.height}${colours.size > 2 ? ' drawn' : ' blank'}`;
    } catch (error) {
      decoded = (error as Error).message;
    }
    checks.ok(`${url}: 200 image/png, ${size}x${size}, initials drawn`, answer.status === 200 && answer.header('content-type')[0] === 'image/png' && decoded === `${size}x${size} drawn`, `${answer.status} ${answer.header('content-type').join()} ${decoded} ${answer.body.subarray(0, 200).toString()}`);
  }
}
