/** The demo's pages in Chromium, for the container test: every image drawn, none answered 404, a screenshot. */
import type { BrowserContext } from 'playwright-core';
import { ALL_IMAGES_DONE, images, visit } from '../e2e/browser.js';
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
    checks.ok(`/?company=${id}: all ${all.length} images drawn`, all.length >= 13 && broken.length === 0, `${all.length} images; not drawn: ${broken.join(', ')}`);
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
