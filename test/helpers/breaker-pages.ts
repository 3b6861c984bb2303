/**
 * What the breaker tests share: pages of distinct companies rendered through the real engines, and
 * counts taken from `onError` — how many renders waited a full `timeout` for a check, how often the
 * breaker opened — never from wall time.
 */
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { registerLiquid } from '../../adapters/liquid.js';
import { registerNunjucks } from '../../adapters/nunjucks.js';
import type { LogoFallbackError, LogoResolver } from '../../src/index.js';

/** A page's template, per engine: one logo per company, in a loop. */
export const LOOP = {
  nunjucks: '{% for c in cs %}<img src="{{ c | get_company_logo }}">{% endfor %}|end',
  liquid: '{% for c in cs %}<img src="{{ c | get_company_logo }}">{% endfor %}|end',
} as const;

export type Engine = keyof typeof LOOP;

/** `count` companies, each with its own file under `prefix/` (no two pages share a key unless asked to). */
export function companies(prefix: string, count: number): Array<{ company: string; icon: string }> {
  return Array.from({ length: count }, (_, i) => ({ company: `${prefix} Company ${i}`, icon: `${prefix}/${i}.png` }));
}

/** Renders a page of `cs` through the real engine: Nunjucks `{ async: true }` with a callback, LiquidJS `parseAndRender()`. */
export function renderPage(engine: Engine, logos: LogoResolver, cs: readonly object[], within = 60_000): Promise<string> {
  if (engine === 'liquid') return registerLiquid(new Liquid(), logos).parseAndRender(LOOP.liquid, { cs });
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos, { async: true });
  return new Promise<string>((resolve, reject) => {
    // A render whose callback never comes fails the test instead of hanging the run.
    const timer = setTimeout(() => reject(new Error(`the Nunjucks render never finished within ${within} ms`)), within);
    env.renderString(LOOP.nunjucks, { cs }, (error, html) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(html ?? '');
    });
  });
}

/**
 * How many renders waited the full `timeout` for a started check and got the avatar: the cache's
 * `TIMEOUT` report "no answer for "<key>" within <timeout> ms", one per key (not the hardTimeout
 * aborts, not the queue's reports, which name no key).
 */
export function waited(errors: readonly LogoFallbackError[]): number {
  return errors.filter((error) => error.code === 'TIMEOUT' && error.key !== undefined && / within \d+ ms$/.test(error.message)).length;
}

/** The breaker's reports of an opening. */
export function openings(errors: readonly LogoFallbackError[]): LogoFallbackError[] {
  return errors.filter((error) => error.code === 'STORAGE_FAILED' && error.key === undefined && /checks in a row/.test(error.message));
}

/** How many `<img>`s of a page point at the storage (`base`) and how many at an avatar. */
export function images(html: string, base: string): { logos: number; avatars: number } {
  const sources = [...html.matchAll(/<img src="([^"]*)">/g)].map((match) => match[1] ?? '');
  return { logos: sources.filter((src) => src.startsWith(base)).length, avatars: sources.filter((src) => src.startsWith('https://ui-avatars.com/')).length };
}
