/**
 * Debian's Chromium through playwright-core (no browser download): launched with no network but
 * 127.0.0.1, and the page checks the story test and the container test share.
 */
import { chromium, type BrowserContext, type Page, type Request, type Response } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium). */
export const CHROMIUM = '/usr/bin/chromium';

/** A headless Chromium with its own profile, that can reach 127.0.0.1 only. */
export function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
    viewport: { width: 1400, height: 900 },
  });
}

/** Evaluated in the page (a string: this file is type-checked without the DOM library). */
export const ALL_IMAGES_DONE = '[...document.images].every((img) => img.complete)';

/** An `<img>` of the demo page: its company row (null in the sidebar), src and how it drew. */
export type Img = { company: string | null; src: string; naturalWidth: number; complete: boolean };

/** Every `<img>` on the page. */
export function images(page: Page): Promise<Img[]> {
  return page.$$eval('img', (elements) =>
    elements.map((img) => ({
      company: img.closest('tr')?.getAttribute('data-company-id') ?? null,
      src: img.getAttribute('src') ?? '',
      naturalWidth: (img as unknown as { naturalWidth: number }).naturalWidth,
      complete: (img as unknown as { complete: boolean }).complete,
    })),
  );
}

/** Loads a page and collects every image response, and every image request that failed. */
export async function visit(page: Page, url: string): Promise<{ statuses: Array<[string, number]>; failed: string[] }> {
  const statuses: Array<[string, number]> = [];
  const failed: string[] = [];
  const onResponse = (response: Response): void => {
    if (response.request().resourceType() === 'image') statuses.push([response.url(), response.status()]);
  };
  const onFailed = (request: Request): void => {
    if (request.resourceType() === 'image') failed.push(request.url());
  };
  page.on('response', onResponse);
  page.on('requestfailed', onFailed);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(ALL_IMAGES_DONE);
  page.off('response', onResponse);
  page.off('requestfailed', onFailed);
  return { statuses, failed };
}
