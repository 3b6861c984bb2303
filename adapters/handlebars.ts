/**
 * Handlebars: `{{get_company_logo company}}`, `{{get_company_logo_url company.icon company.company}}`
 * (or `name=…`), `{{get_company_name company}}`. Helpers are synchronous: over remote storage,
 * `await logos.prefetch(records)` before rendering.
 */
import type HandlebarsNamespace from 'handlebars';
import type { HelperOptions } from 'handlebars';
import type { LogoResolver } from '../src/index.js';
import { KEYWORDS, NO_ARGS, createFilters, filterNames, requireResolver, type FilterArgs, type FilterNames } from './filters.js';

/** The Handlebars namespace, or an instance from `Handlebars.create()`. */
export type HandlebarsInstance = typeof HandlebarsNamespace;

/** Options of {@link registerHandlebars}. */
export interface HandlebarsAdapterOptions {
  /** Rename the helpers. */
  names?: FilterNames;
}

function isHelperOptions(value: unknown): value is HelperOptions {
  return typeof value === 'object' && value !== null && 'hash' in value && 'data' in value;
}

/**
 * Handlebars passes the helper's options last; with no parameter at all (`{{get_company_logo}}`)
 * the options object is the first argument. Removes the options from `params`, leaving the value first.
 */
function readArgs(params: unknown[], positional: keyof FilterArgs): FilterArgs {
  const options = isHelperOptions(params[params.length - 1]) ? (params.pop() as HelperOptions) : undefined;
  const hash: Record<string, unknown> = options?.hash ?? {};
  let args = NO_ARGS;
  if (params.length > 1 || Object.keys(hash).length > 0) {
    args = {};
    for (const key of Object.keys(hash)) if (KEYWORDS.has(key)) args[key as keyof FilterArgs] = hash[key];
    if (params.length > 1) args[positional] = params[1];
  }
  return args;
}

/**
 * Registers `get_company_logo`, `get_company_logo_url` and `get_company_name` as helpers on the
 * given Handlebars instance (the global one or one from `Handlebars.create()`). Results are
 * HTML-escaped once by the package and returned as `SafeString`.
 *
 * @example
 * ```ts
 * registerHandlebars(Handlebars, logos);
 * Handlebars.compile('<img src="{{get_company_logo company}}">')({ company });
 * ```
 * @returns the instance, for chaining.
 */
export function registerHandlebars(handlebars: HandlebarsInstance, logos: LogoResolver, options: HandlebarsAdapterOptions = {}): HandlebarsInstance {
  const owner = 'registerHandlebars()';
  const resolver = requireResolver(logos, owner);
  const names = filterNames(options.names, owner);
  const filters = createFilters(resolver, (escaped) => new handlebars.SafeString(escaped));

  handlebars.registerHelper(names.logo, (...params: unknown[]) => {
    const args = readArgs(params, 'size');
    return filters.logo(params[0], args, false);
  });
  handlebars.registerHelper(names.file, (...params: unknown[]) => {
    const args = readArgs(params, 'name');
    return filters.file(params[0], args, false);
  });
  handlebars.registerHelper(names.name, (...params: unknown[]) => {
    const args = readArgs(params, 'fallback');
    return filters.name(params[0], args);
  });
  return handlebars;
}
