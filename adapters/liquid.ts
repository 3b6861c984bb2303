/**
 * LiquidJS: `{{ company | get_company_logo }}`, `{{ company.icon | get_company_logo_url: company.company }}`
 * (or `name: …`), `{{ company | get_company_name }}`. Waits for storage under `render()`, answers
 * from the cache (or with the avatar) under `renderSync()`.
 */
import type { Liquid } from 'liquidjs';
import type { LogoResolver } from '../src/index.js';
import {
  KEYWORDS,
  NO_ARGS,
  adapterOptions,
  createFilters,
  hostileArgument,
  isHostile,
  memoSizeOf,
  memoized,
  requireEngine,
  requireResolver,
  toHtml,
  ours,
  refuseTakenNames,
  type FilterArgs,
  type FilterNames,
  type Printer,
} from './filters.js';

/** Options of {@link registerLiquid} and {@link liquidPlugin}. */
export interface LiquidAdapterOptions {
  /** Rename the filters. */
  names?: FilterNames;
}

const KNOWN_OPTIONS = ['names'] as const;
const OWNER = 'registerLiquid()';

/** The part of LiquidJS's filter `this` we use (its `FilterImpl` type is not exported). */
export interface LiquidFilterThis {
  context: { sync: boolean };
}

/**
 * LiquidJS passes `key: value` arguments as `[key, value]` pairs among the positional ones.
 * Reads `list[1..]` (`list[0]` is the filtered value); a Proxy is never inspected.
 */
function readArgs(list: IArguments, positional: keyof FilterArgs, report: (error: unknown) => void): FilterArgs {
  if (list.length <= 1) return NO_ARGS;
  const args: FilterArgs = {};
  let seenPositional = false;
  for (let i = 1; i < list.length; i++) {
    const arg: unknown = list[i];
    if (isHostile(arg)) {
      report(hostileArgument(OWNER, positional));
    } else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && KEYWORDS.has(arg[0])) {
      if (isHostile(arg[1])) report(hostileArgument(OWNER, arg[0]));
      else args[arg[0] as keyof FilterArgs] = arg[1];
    } else if (!seenPositional) {
      args[positional] = arg;
      seenPositional = true;
    }
  }
  return args;
}

/**
 * Registers `get_company_logo`, `get_company_logo_url` and `get_company_name` on the user's Liquid
 * instance. The URL filters are raw filters printing the package's escaped HTML, so they print the
 * same bytes as in the other engines and are safe without `outputEscape`. `get_company_name`
 * follows the instance's `outputEscape`: when set, it returns the name's text and Liquid escapes it
 * once (so `| upcase`, `| truncate: 5` or `| size` work on the text); when not, it returns the name
 * escaped, so the page is safe.
 *
 * @example
 * ```ts
 * const liquid = new Liquid({ root: 'views', extname: '.liquid' });   // LiquidJS adds no extension by default
 * registerLiquid(liquid, logos);
 * await liquid.renderFile('sidebar', { company });
 * ```
 * @returns the instance, for chaining.
 * @throws {LogoFallbackError} `INVALID_OPTION` when `liquid` is not a Liquid instance (the class,
 *   say) or an option is unknown; `MISSING_OPTION` when `logos` is not a resolver.
 */
export function registerLiquid(liquid: Liquid, logos: LogoResolver, options: LiquidAdapterOptions = {}): Liquid {
  requireEngine(liquid, (l) => typeof l.registerFilter === 'function', OWNER, 'a Liquid instance: new Liquid(options)', 'Liquid');
  const resolver = requireResolver(logos, OWNER, 'the second argument');
  const { names } = adapterOptions(options, KNOWN_OPTIONS, OWNER);
  const registered = (liquid as { filters?: Record<string, unknown> }).filters;
  refuseTakenNames(names, (name) => registered?.[name], OWNER, 'LiquidJS');
  const escapes = Boolean((liquid as { options?: { outputEscape?: unknown } }).options?.outputEscape);
  const handlers = liquidHandlers(resolver, { url: memoized(toHtml, memoSizeOf(resolver)), name: escapes ? (text) => text : toHtml });
  liquid.registerFilter(names.logo, ours({ raw: true, handler: handlers.logo }));
  liquid.registerFilter(names.file, ours({ raw: true, handler: handlers.file }));
  liquid.registerFilter(names.name, ours({ raw: !escapes, handler: handlers.name }));
  return liquid;
}

/** A LiquidJS filter handler. */
export type LiquidHandler = (this: LiquidFilterThis, value: unknown, ...args: unknown[]) => unknown;

/**
 * The three filter handlers for one resolver, printing through `printer`: what
 * {@link registerLiquid} registers, and what the Eleventy plugin hands to Eleventy's Liquid.
 */
export function liquidHandlers(resolver: LogoResolver, printer: Printer<string, string>): Record<'logo' | 'file' | 'name', LiquidHandler> {
  const filters = createFilters(resolver, printer);
  const report = (error: unknown) => resolver.reportError(error);
  return {
    logo(record) {
      try {
        return filters.logo(record, readArgs(arguments, 'size', report), !this.context.sync);
      } catch (error) {
        report(error);
        return filters.fallback();
      }
    },
    file(file) {
      try {
        return filters.file(file, readArgs(arguments, 'name', report), !this.context.sync);
      } catch (error) {
        report(error);
        return filters.fallback();
      }
    },
    name(record) {
      try {
        return filters.name(record, readArgs(arguments, 'fallback', report));
      } catch (error) {
        report(error);
        return '';
      }
    },
  };
}

/**
 * The same as a LiquidJS plugin: `liquid.plugin(liquidPlugin(logos))`.
 *
 * @throws {LogoFallbackError} as {@link registerLiquid}, when the plugin is created (options) or
 *   installed (engine).
 */
export function liquidPlugin(logos: LogoResolver, options: LiquidAdapterOptions = {}): (this: Liquid) => void {
  requireResolver(logos, 'liquidPlugin()', 'the first argument');
  // Installed with the options as read now: a getter is not asked again when the plugin runs.
  const { names } = adapterOptions(options, KNOWN_OPTIONS, 'liquidPlugin()');
  return function (this: Liquid) {
    registerLiquid(this, logos, { names });
  };
}
