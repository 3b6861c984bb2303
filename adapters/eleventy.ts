/**
 * Eleventy: `eleventyConfig.addPlugin(eleventyLogoFallback, options)` adds the filters to Nunjucks,
 * Liquid and 11ty.js templates (and to Handlebars, when `@11ty/eleventy-plugin-handlebars` is added
 * after this plugin), with one resolver — and so one existence cache — for the whole build.
 *
 * The filters are the ones `registerNunjucks` / `liquidHandlers` / `registerHandlebars` make (so
 * arguments, escaping and what a chained filter sees are not written twice), handed to Eleventy
 * through its own configuration API.
 */
import type { Environment } from 'nunjucks';
import { LogoFallbackError, createLogoResolver, type LogoResolver, type LogoResolverOptions } from '../src/index.js';
import { checkKnownKeys } from '../src/options.js';
import { adapterOptions, callOptionsArgs, refuseTakenNames, asText as textOf, createFilters, hostileArgument, isHostile, requireEngine, requireResolver, toHtml, type FilterNames } from './filters.js';
import { registerHandlebars, type HandlebarsInstance } from './handlebars.js';
import { liquidHandlers, type LiquidHandler } from './liquid.js';
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
  /** What Eleventy has under a filter name (Eleventy 2.0+): its own, the project's, a plugin's. */
  getFilter?(name: string): unknown;
}

/** Options of {@link eleventyLogoFallback}: the resolver's options, plus these. */
export interface EleventyLogoFallbackOptions extends LogoResolverOptions {
  /** Rename the filters. */
  names?: FilterNames;
  /**
   * Use this resolver (e.g. one you `prefetch()` with in an `eleventy.before` listener) instead of
   * creating one; the resolver's options cannot be given with it.
   */
  logos?: LogoResolver;
  /**
   * How long a build waits for one storage check, ms. A static page is baked with whatever it
   * got, so a build waits longer than a live render does.
   * @default 10_000
   */
  timeout?: number;
}

const OWNER = 'eleventyLogoFallback()';

function captured<T>(filters: Map<string, T>, name: string): T {
  const filter = filters.get(name);
  if (filter === undefined) throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: no "${name}" filter was registered`);
  return filter;
}

/** The filter names the plugin registered, per Eleventy configuration (see {@link refuseTakenNames}). */
const registeredNames = new WeakMap<object, Set<string>>();

/**
 * Adds `get_company_logo`, `get_company_logo_url` and `get_company_name` to an Eleventy build.
 * Nunjucks and Liquid filters wait for storage (Nunjucks through async filters, only where it can
 * resume a template — see {@link registerNunjucks}); over a storage with a synchronous check
 * (`fsStorage`) they answer at once everywhere, macros included. 11ty.js gets async functions;
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
 * @throws {LogoFallbackError} `INVALID_OPTION` when called with something other than Eleventy's
 *   configuration object, for unknown `names` keys, or for resolver options given with `logos`.
 */
export function eleventyLogoFallback(eleventyConfig: EleventyConfigLike, options: EleventyLogoFallbackOptions = {}): LogoResolver {
  requireEngine(
    eleventyConfig,
    (c) => ['addFilter', 'addNunjucksFilter', 'addNunjucksAsyncFilter', 'addLiquidFilter', 'addJavaScriptFilter'].every((method) => typeof c[method] === 'function'),
    OWNER,
    "Eleventy's configuration object: eleventyConfig.addPlugin(eleventyLogoFallback, options)",
  );
  eleventyConfig.versionCheck?.('>=2.0.0');
  if (options === null || typeof options !== 'object') throw new LogoFallbackError('INVALID_OPTION', `${OWNER}: the options must be an object`);
  if (options.logos !== undefined) checkKnownKeys(options, ['names', 'logos'], 'the options (only "names" can go with "logos": the resolver has its own options)', OWNER);
  const { names: nameOptions, logos: given, ...resolverOptions } = options;
  const adapterOptionsGiven = nameOptions === undefined ? {} : { names: nameOptions };
  const { names } = adapterOptions(adapterOptionsGiven, ['names'], OWNER);
  // Eleventy's own filters (`url`, `slugify`, `log` …) and the project's: refused, as for the engines.
  // Its getFilter gives its wrapper of a filter, so the plugin's own are known by name per configuration.
  const ownNames = registeredNames.get(eleventyConfig) ?? new Set<string>();
  refuseTakenNames(names, (name) => (ownNames.has(name) ? undefined : eleventyConfig.getFilter?.(name)), OWNER, 'Eleventy');
  for (const name of Object.values(names)) ownNames.add(name);
  registeredNames.set(eleventyConfig, ownNames);
  const logos = given === undefined ? createLogoResolver({ ...resolverOptions, timeout: resolverOptions.timeout ?? 10_000 }) : requireResolver(given, OWNER, '"logos"');
  const report = (error: unknown) => logos.reportError(error);

  // Handlebars: the plugin registers every universal filter as a helper when it runs, so these
  // must be in place first — hence "add @11ty/eleventy-plugin-handlebars after this plugin".
  const helpers = new Map<string, AnyFilter>();
  registerHandlebars({ registerHelper: (name: string, helper: AnyFilter) => helpers.set(name, helper) } as unknown as HandlebarsInstance, logos, adapterOptionsGiven);
  // `addFilter` also files the helper under Liquid, Nunjucks and 11ty.js; each is replaced below.
  for (const name of Object.values(names)) eleventyConfig.addFilter(name, captured(helpers, name));

  // Nunjucks: the adapter prints through the environment's own `safe` filter and autoescape
  // setting, so its filters are made per environment (Eleventy makes a new one per build).
  const answersNow = typeof logos.storage.existsSync === 'function';
  const nunjucksFilters = new WeakMap<object, Map<string, AnyFilter>>();
  function nunjucksFilter(env: Environment, name: string): AnyFilter {
    let filters = nunjucksFilters.get(env);
    if (filters === undefined) {
      const found = new Map<string, AnyFilter>();
      // The shim's getFilter gives the printer Nunjucks' own `safe`; the names were checked against
      // Eleventy's filters when the plugin was added, and the environment holds Eleventy's wrappers
      // of ours under them, so they are reported as free here.
      const getFilter = (filter: string): unknown => {
        if (filter === 'safe') return env.getFilter(filter);
        throw new Error(`filter not found: ${filter}`);
      };
      const shim = { opts: (env as { opts?: unknown }).opts, getFilter, addFilter: (filter: string, fn: AnyFilter) => found.set(filter, fn) };
      registerNunjucks(shim as unknown as Environment, logos, { ...adapterOptionsGiven, async: true });
      nunjucksFilters.set(env, (filters = found));
    }
    return captured(filters, name);
  }
  const viaNunjucks = (name: string): AnyFilter =>
    function (this: unknown, ...args: unknown[]) {
      return nunjucksFilter((this as { env: Environment }).env, name).apply(this, args);
    };
  for (const name of [names.logo, names.file]) {
    // A storage that answers synchronously needs no async filter — and then macros work too.
    if (answersNow) eleventyConfig.addNunjucksFilter(name, viaNunjucks(name));
    else eleventyConfig.addNunjucksAsyncFilter(name, viaNunjucks(name));
  }
  eleventyConfig.addNunjucksFilter(names.name, viaNunjucks(names.name));

  // Liquid: Eleventy registers plain functions, never `raw` filters, so when the user turned
  // `outputEscape` on, Liquid escapes the results itself and gets them as text.
  const escaped = liquidHandlers(logos, { url: toHtml, name: toHtml }, names);
  const asText = liquidHandlers(logos, { url: textOf, name: textOf }, names);
  for (const [which, name] of Object.entries(names) as Array<['logo' | 'file' | 'name', string]>) {
    eleventyConfig.addLiquidFilter(name, function (this: unknown, ...args: unknown[]) {
      const escapes = Boolean((this as { liquid?: { options?: { outputEscape?: unknown } } }).liquid?.options?.outputEscape);
      return ((escapes ? asText : escaped)[which] as LiquidHandler).apply(this as ThisParameterType<LiquidHandler>, args as [unknown]);
    });
  }

  // 11ty.js: `await this.get_company_logo(company, { size })`, printed into the page's own HTML.
  const filters = createFilters(logos, { url: toHtml, name: toHtml });
  const usable = (value: unknown, which: string): unknown => {
    if (!isHostile(value)) return value;
    report(hostileArgument(OWNER, which));
    return undefined;
  };
  const fallback = (error: unknown) => {
    report(error);
    return filters.fallback();
  };
  eleventyConfig.addJavaScriptFilter(names.logo, async (record, callOptions) => {
    try {
      return await filters.logo(record, callOptionsArgs(callOptions, OWNER, names.logo, 'logo', report), true);
    } catch (error) {
      return fallback(error);
    }
  });
  eleventyConfig.addJavaScriptFilter(names.file, async (file, name, callOptions) => {
    try {
      return await filters.file(file, { name: usable(name, 'name'), ...callOptionsArgs(callOptions, OWNER, names.file, 'file', report) }, true);
    } catch (error) {
      return fallback(error);
    }
  });
  eleventyConfig.addJavaScriptFilter(names.name, (record, fallbackName) => {
    try {
      return filters.name(record, { fallback: usable(fallbackName, 'fallback') });
    } catch (error) {
      report(error);
      return '';
    }
  });

  // The cache lives for one build: a rebuild under --watch or --serve checks again.
  let builds = 0;
  if (given === undefined) eleventyConfig.on?.('eleventy.before', () => void (builds++ > 0 && logos.invalidate()));
  return logos;
}
