/**
 * LiquidJS: `{{ company | get_company_logo }}`, `{{ company.icon | get_company_logo_url: company.company }}`
 * (or `name: …`), `{{ company | get_company_name }}`. Waits for storage under `render()`, answers
 * from the cache (or with the avatar) under `renderSync()`.
 */
import type { Liquid } from 'liquidjs';
import type { LogoResolver } from '../src/index.js';
import {
  NO_ARGS,
  SIGNATURES,
  adapterOptions,
  createFilters,
  extraArguments,
  filterTakes,
  hostileArgument,
  isHostile,
  memoSizeOf,
  memoized,
  requireEngine,
  requireResolver,
  toHtml,
  ours,
  refuseTakenNames,
  unknownKeyword,
  type FilterArgs,
  type FilterKind,
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
 * LiquidJS passes `key: value` arguments as `[key, value]` pairs among the positional ones (a
 * filter cannot tell them from a two-item array whose first item is a string: none of the
 * positional arguments is ever usefully one). Reads `list[1..]` (`list[0]` is the filtered value)
 * for the filter `kind` (registered as `filter`): an unknown keyword or a second positional
 * argument is reported and left out. A Proxy is never inspected.
 */
function readArgs(list: IArguments, kind: FilterKind, filter: string, report: (error: unknown) => void): FilterArgs {
  if (list.length <= 1) return NO_ARGS;
  const { positional, keywords } = SIGNATURES[kind];
  const args: FilterArgs = {};
  let positionals = 0;
  for (let i = 1; i < list.length; i++) {
    const arg: unknown = list[i];
    if (isHostile(arg)) {
      report(hostileArgument(OWNER, positional));
    } else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string') {
      if (!keywords.has(arg[0])) report(unknownKeyword(OWNER, filter, kind, arg[0]));
      else if (isHostile(arg[1])) report(hostileArgument(OWNER, arg[0]));
      else args[arg[0] as keyof FilterArgs] = arg[1];
    } else if (positionals++ === 0) {
      args[positional] = arg;
    }
  }
  if (positionals > 1) report(extraArguments(OWNER, filter, positionals + 1, filterTakes(kind)));
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
  const handlers = liquidHandlers(resolver, { url: memoized(toHtml, memoSizeOf(resolver)), name: escapes ? (text) => text : toHtml }, names);
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
 * `names`: the names they are registered under, for reports of arguments they do not take.
 */
export function liquidHandlers(resolver: LogoResolver, printer: Printer<string, string>, names: Required<FilterNames>): Record<FilterKind, LiquidHandler> {
  const filters = createFilters(resolver, printer);
  const report = (error: unknown) => resolver.reportError(error);
  return {
    logo(record) {
      try {
        return filters.logo(record, readArgs(arguments, 'logo', names.logo, report), !this.context.sync);
      } catch (error) {
        report(error);
        return filters.fallback();
      }
    },
    file(file) {
      try {
        return filters.file(file, readArgs(arguments, 'file', names.file, report), !this.context.sync);
      } catch (error) {
        report(error);
        return filters.fallback();
      }
    },
    name(record) {
      try {
        return filters.name(record, readArgs(arguments, 'name', names.name, report));
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
