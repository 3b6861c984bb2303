/**
 * Eleventy: `eleventyConfig.addPlugin(eleventyLogoFallback, options)` adds the filters to Nunjucks,
 * Liquid and 11ty.js templates (and to Handlebars, when `@11ty/eleventy-plugin-handlebars` is added
 * after this plugin), with one resolver — and so one existence cache — for the whole build.
 *
 * The filters are the same ones `registerNunjucks` / `registerLiquid` / `registerHandlebars` install
 * (captured from them, so arguments, escaping and marking as safe are not written twice), handed to
 * Eleventy through its own configuration API.
 */
import type { Liquid } from 'liquidjs';
import type { Environment } from 'nunjucks';
import { createLogoResolver, type LogoResolver, type LogoResolverOptions } from '../src/index.js';
import { createFilters, filterNames, requireResolver, type FilterNames } from './filters.js';
import { registerHandlebars, type HandlebarsInstance } from './handlebars.js';
import { registerLiquid } from './liquid.js';
import { registerNunjucks } from './nunjucks.js';

/** Any filter function; Eleventy calls it with the engine's own `this` and arguments. */
type AnyFilter = (this: unknown, ...args: unknown[]) => unknown;

/** The part of Eleventy's `eleventyConfig` (Eleventy 2 and 3) the plugin uses. */
export interface EleventyConfigLike {
  addFilter(name: string, filter: AnyFilter): unknown;
  addNunjucksFilter(name: string, filter: AnyFilter, isAsync?: boolean): unknown;
  addNunjucksAsyncFilter(name: string, filter: AnyFilter): unknown;
  addLiquidFilter(name: string, filter: AnyFilter): unknown;
  addJavaScriptFilter(name: string, filter: AnyFilter): unknown;
  on?(event: string, listener: (...args: unknown[]) => unknown): unknown;
  versionCheck?(range: string): unknown;
}

/** Options of {@link eleventyLogoFallback}: the resolver's options, plus these. */
export interface EleventyLogoFallbackOptions extends LogoResolverOptions {
  /** Rename the filters. */
  names?: FilterNames;
  /**
   * Use this resolver (e.g. one you `prefetch()` with in an `eleventy.before` listener) instead of
   * creating one from the other options, which are then ignored.
   */
  logos?: LogoResolver;
  /**
   * How long a build waits for one storage check, ms. A static page is baked with whatever it
   * got, so a build waits longer than a live render does.
   * @default 10_000
   */
  timeout?: number;
}

/** A Handlebars `SafeString` by duck type (`toHTML`), so it works with whichever copy the Handlebars plugin loads. */
class SafeHtml {
  readonly #html: string;
  constructor(html: string) {
    this.#html = html;
  }
  toHTML(): string {
    return this.#html;
  }
  toString(): string {
    return this.#html;
  }
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
/** Undoes the package's escapeHtml (one pass), for a Liquid instance that escapes output itself. */
const unescapeHtml = (html: string): string => html.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);

function captured(filters: Map<string, AnyFilter>, name: string): AnyFilter {
  const filter = filters.get(name);
  if (filter === undefined) throw new Error(`logo-fallback: no "${name}" filter was registered`);
  return filter;
}

/**
 * Adds `get_company_logo`, `get_company_logo_url` and `get_company_name` to an Eleventy build.
 * Nunjucks and Liquid filters wait for storage (Nunjucks through async filters, so macros and
 * `{% set %}` blocks only see what the cache already knows); 11ty.js gets async functions;
 * Handlebars gets synchronous helpers (cache or avatar). Filters never reject: Eleventy has no
 * try/catch around async filters, and a storage fault must not fail a build.
 *
 * @example
 * ```js
 * // eleventy.config.js
 * import { eleventyLogoFallback } from 'logo-fallback/eleventy';
 * import { fsStorage } from 'logo-fallback';
 * export default function (eleventyConfig) {
 *   eleventyConfig.addPlugin(eleventyLogoFallback, { storage: fsStorage({ root: 'media' }) });
 * }
 * ```
 * @returns the resolver the filters use.
 */
export function eleventyLogoFallback(eleventyConfig: EleventyConfigLike, options: EleventyLogoFallbackOptions = {}): LogoResolver {
  const owner = 'eleventyLogoFallback()';
  eleventyConfig.versionCheck?.('>=2.0.0');
  const { names: nameOptions, logos: given, ...resolverOptions } = options;
  const logos = given === undefined ? createLogoResolver({ ...resolverOptions, timeout: resolverOptions.timeout ?? 10_000 }) : requireResolver(given, owner);
  const names = filterNames(nameOptions, owner);
  const adapterOptions = nameOptions === undefined ? {} : { names: nameOptions };

  // Handlebars: the plugin registers every universal filter as a helper when it runs, so these
  // must be in place first — hence "add @11ty/eleventy-plugin-handlebars after this plugin".
  const helpers = new Map<string, AnyFilter>();
  registerHandlebars(
    { SafeString: SafeHtml, registerHelper: (name: string, helper: AnyFilter) => helpers.set(name, helper) } as unknown as HandlebarsInstance,
    logos,
    adapterOptions,
  );
  // `addFilter` also files the helper under Liquid, Nunjucks and 11ty.js; each is replaced below.
  for (const name of Object.values(names)) eleventyConfig.addFilter(name, captured(helpers, name));

  // Nunjucks: the adapter marks results safe with the environment's own `safe` filter, so its
  // filters are captured per environment (Eleventy makes a new one per build).
  const nunjucksFilters = new WeakMap<object, Map<string, AnyFilter>>();
  function nunjucksFilter(env: Environment, name: string): AnyFilter {
    let filters = nunjucksFilters.get(env);
    if (filters === undefined) {
      const found = new Map<string, AnyFilter>();
      const shim = { getFilter: (filter: string) => env.getFilter(filter), addFilter: (filter: string, fn: AnyFilter) => found.set(filter, fn) };
      registerNunjucks(shim as unknown as Environment, logos, { ...adapterOptions, async: true });
      nunjucksFilters.set(env, (filters = found));
    }
    return captured(filters, name);
  }
  const viaNunjucks = (name: string): AnyFilter =>
    function (this: unknown, ...args: unknown[]) {
      return nunjucksFilter((this as { env: Environment }).env, name).apply(this, args);
    };
  eleventyConfig.addNunjucksAsyncFilter(names.logo, viaNunjucks(names.logo));
  eleventyConfig.addNunjucksAsyncFilter(names.file, viaNunjucks(names.file));
  eleventyConfig.addNunjucksFilter(names.name, viaNunjucks(names.name));

  // Liquid: Eleventy registers plain functions, never `raw` filters, so when the user turned
  // `outputEscape` on, Liquid escapes the result itself and must get it unescaped.
  const liquidHandlers = new Map<string, AnyFilter>();
  registerLiquid({ registerFilter: (name: string, impl: { handler: AnyFilter }) => liquidHandlers.set(name, impl.handler) } as unknown as Liquid, logos, adapterOptions);
  for (const name of Object.values(names)) {
    const handler = captured(liquidHandlers, name);
    eleventyConfig.addLiquidFilter(name, function (this: unknown, ...args: unknown[]) {
      const result = handler.apply(this, args) as string | Promise<string>;
      if (!(this as { liquid?: { options?: { outputEscape?: unknown } } }).liquid?.options?.outputEscape) return result;
      return typeof result === 'string' ? unescapeHtml(result) : result.then(unescapeHtml);
    });
  }

  // 11ty.js: `await this.get_company_logo(company, { size })`, printed into the page's own HTML.
  const filters = createFilters(logos, (escaped: string) => escaped);
  const sizeOf = (value: unknown) => (typeof value === 'object' && value !== null ? { size: (value as { size?: unknown }).size } : {});
  eleventyConfig.addJavaScriptFilter(names.logo, async (record, callOptions) => filters.logo(record, sizeOf(callOptions), true));
  eleventyConfig.addJavaScriptFilter(names.file, async (file, name, callOptions) => filters.file(file, { name, ...sizeOf(callOptions) }, true));
  eleventyConfig.addJavaScriptFilter(names.name, (record, fallback) => filters.name(record, { fallback }));

  // The cache lives for one build: a rebuild under --watch or --serve checks again.
  let builds = 0;
  if (given === undefined) eleventyConfig.on?.('eleventy.before', () => void (builds++ > 0 && logos.invalidate()));
  return logos;
}
