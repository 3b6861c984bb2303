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

/** An image request as the page made it (an `<img>` or a CSS background), followed through its redirects. */
export interface ImageLoad {
  /** The URL the page asked for. */
  url: string;
  /** Each answer on the way: `[url, status]` (a 307, then the avatar's 200). */
  chain: Array<[string, number]>;
  /** The last answer's status and `Content-Type`. */
  status: number;
  type: string;
}

/** What a visit saw: every image response, every failed image request, and each image load followed to its end. */
export interface Visit {
  statuses: Array<[string, number]>;
  failed: string[];
  loads: ImageLoad[];
}

/** Loads a page and collects every image response (redirects included), and every image request that failed. */
export async function visit(page: Page, url: string): Promise<Visit> {
  const statuses: Array<[string, number]> = [];
  const failed: string[] = [];
  const responses: Response[] = [];
  const onResponse = (response: Response): void => {
    if (response.request().resourceType() !== 'image') return;
    statuses.push([response.url(), response.status()]);
    responses.push(response);
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
  const loads: ImageLoad[] = [];
  // A chain ends with the response whose request was not redirected further; it started at the
  // request that was not redirected from another.
  for (const response of responses) {
    if (response.request().redirectedTo() !== null) continue;
    const chain: Array<[string, number]> = [];
    let request: Request | null = response.request();
    let first = request;
    while (request !== null) {
      first = request;
      const answer = responses.find((candidate) => candidate.request() === request);
      chain.unshift([request.url(), answer?.status() ?? 0]);
      request = request.redirectedFrom();
    }
    loads.push({ url: first.url(), chain, status: response.status(), type: (await response.headerValue('content-type')) ?? '' });
  }
  return { statuses, failed, loads };
}
