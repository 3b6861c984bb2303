/**
 * LiquidJS: `{{ company | get_company_logo }}`, `{{ company.icon | get_company_logo_url: company.company }}`
 * (or `name: …`), `{{ company | get_company_name }}`. Waits for storage under `render()`, answers
 * from the cache (or with the avatar) under `renderSync()`.
 */
import type { Liquid } from 'liquidjs';
import type { LogoResolver } from '../src/index.js';
import { KEYWORDS, NO_ARGS, createFilters, filterNames, requireResolver, type FilterArgs, type FilterNames } from './filters.js';

/** Options of {@link registerLiquid} and {@link liquidPlugin}. */
export interface LiquidAdapterOptions {
  /** Rename the filters. */
  names?: FilterNames;
}

/** The part of LiquidJS's filter `this` we use (its `FilterImpl` type is not exported). */
interface LiquidFilterThis {
  context: { sync: boolean };
}

/** LiquidJS passes `key: value` arguments as `[key, value]` pairs among the positional ones. */
function readArgs(rest: unknown[], positional: keyof FilterArgs): FilterArgs {
  if (rest.length === 0) return NO_ARGS;
  const args: FilterArgs = {};
  let seenPositional = false;
  for (const arg of rest) {
    if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && KEYWORDS.has(arg[0])) {
      args[arg[0] as keyof FilterArgs] = arg[1];
    } else if (!seenPositional) {
      args[positional] = arg;
      seenPositional = true;
    }
  }
  return args;
}

/**
 * Registers `get_company_logo`, `get_company_logo_url` and `get_company_name` on the user's Liquid
 * instance as raw filters: the package HTML-escapes their results itself, so they print the same
 * bytes as in the other engines and are safe without `outputEscape`.
 *
 * @example
 * ```ts
 * const liquid = new Liquid({ root: 'views', extname: '.liquid' });   // LiquidJS adds no extension by default
 * registerLiquid(liquid, logos);
 * await liquid.renderFile('sidebar', { company });
 * ```
 * @returns the instance, for chaining.
 */
export function registerLiquid(liquid: Liquid, logos: LogoResolver, options: LiquidAdapterOptions = {}): Liquid {
  const owner = 'registerLiquid()';
  const resolver = requireResolver(logos, owner);
  const names = filterNames(options.names, owner);
  // Raw filters print what they return: the escaped string is the safe value.
  const filters = createFilters(resolver, (escaped) => escaped);

  liquid.registerFilter(names.logo, {
    raw: true,
    handler(this: LiquidFilterThis, record: unknown, ...rest: unknown[]) {
      return filters.logo(record, readArgs(rest, 'size'), !this.context.sync);
    },
  });
  liquid.registerFilter(names.file, {
    raw: true,
    handler(this: LiquidFilterThis, file: unknown, ...rest: unknown[]) {
      return filters.file(file, readArgs(rest, 'name'), !this.context.sync);
    },
  });
  liquid.registerFilter(names.name, {
    raw: true,
    handler: (record: unknown, ...rest: unknown[]) => filters.name(record, readArgs(rest, 'fallback')),
  });
  return liquid;
}

/**
 * The same as a LiquidJS plugin: `liquid.plugin(liquidPlugin(logos))`.
 */
export function liquidPlugin(logos: LogoResolver, options: LiquidAdapterOptions = {}): (this: Liquid) => void {
  return function (this: Liquid) {
    registerLiquid(this, logos, options);
  };
}
