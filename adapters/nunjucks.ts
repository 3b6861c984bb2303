/**
 * Nunjucks: `{{ company | get_company_logo }}`, `{{ company.icon | get_company_logo_url(company.company) }}`
 * (or `name=…`), `{{ company | get_company_name }}`.
 */
import type { Environment } from 'nunjucks';
import type { LogoResolver } from '../src/index.js';
import { KEYWORDS, NO_ARGS, createFilters, filterNames, requireResolver, type FilterArgs, type FilterNames } from './filters.js';

/** Options of {@link registerNunjucks}. */
export interface NunjucksAdapterOptions {
  /** Rename the filters. */
  names?: FilterNames;
  /**
   * Register callback-style async filters (`addFilter(name, fn, true)`) that wait for storage.
   * Render with a callback then (`env.render(name, ctx, cb)`). Answers the cache already knows are
   * given synchronously, so macros, `{% call %}`, `{% filter %}` and `{% set %}` blocks — where
   * Nunjucks cannot wait — work once the cache is warm (see `prefetch`).
   * @default false
   */
  async?: boolean;
}

type Callback = (error: unknown, result?: unknown) => void;

/** Nunjucks passes keyword arguments as a last object marked `__keywords`. */
function readArgs(rest: unknown[], positional: keyof FilterArgs): FilterArgs {
  if (rest.length === 0) return NO_ARGS;
  const last = rest[rest.length - 1];
  const args: FilterArgs = {};
  let count = rest.length;
  if (typeof last === 'object' && last !== null && Object.prototype.hasOwnProperty.call(last, '__keywords')) {
    count--;
    for (const [key, value] of Object.entries(last)) if (KEYWORDS.has(key)) args[key as keyof FilterArgs] = value;
  }
  if (count > 0) args[positional] = rest[0];
  return args;
}

/**
 * Registers `get_company_logo`, `get_company_logo_url` and `get_company_name` on the user's
 * Nunjucks environment. Results are HTML-escaped once by the package and marked safe with the
 * environment's own `safe` filter (so a second copy of nunjucks cannot double-escape them).
 *
 * @example
 * ```ts
 * const env = new nunjucks.Environment(new nunjucks.FileSystemLoader('views'));
 * registerNunjucks(env, createLogoResolver());
 * env.render('sidebar.njk', { company });
 * ```
 * @returns the environment, for chaining.
 */
export function registerNunjucks(env: Environment, logos: LogoResolver, options: NunjucksAdapterOptions = {}): Environment {
  const owner = 'registerNunjucks()';
  const resolver = requireResolver(logos, owner);
  const names = filterNames(options.names, owner);
  // The environment's own `safe` filter: a SafeString from another copy of nunjucks would be escaped again.
  const filters = createFilters(resolver, env.getFilter('safe') as (escaped: string) => unknown);

  env.addFilter(names.name, (record: unknown, ...rest: unknown[]) => filters.name(record, readArgs(rest, 'fallback')));

  if (options.async !== true) {
    // `arguments` instead of a rest parameter: the usual call has no argument, and then no array is built.
    env.addFilter(names.logo, function (record: unknown) {
      return filters.logo(record, arguments.length === 1 ? NO_ARGS : readArgs([...arguments].slice(1), 'size'), false);
    });
    env.addFilter(names.file, function (file: unknown) {
      return filters.file(file, arguments.length === 1 ? NO_ARGS : readArgs([...arguments].slice(1), 'name'), false);
    });
    return env;
  }

  const asyncFilter =
    (filter: typeof filters.logo, positional: keyof FilterArgs) =>
    (value: unknown, ...rest: unknown[]): unknown => {
      const callback = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as Callback) : undefined;
      const args = readArgs(rest, positional);
      // Nunjucks calls async filters without a callback inside `{% set %}` blocks: answer sync.
      if (callback === undefined) return filter(value, args, false);
      const printed = filter(value, args, true);
      if (!(printed instanceof Promise)) callback(null, printed);
      else {
        void printed.then((value) => {
          // Inside {% call %} and {% filter %} blocks Nunjucks' late callback throws (its compiled
          // code lost the variable it resumes into): that render cannot finish, but it must not
          // take the process down with an unhandled rejection.
          try {
            callback(null, value);
          } catch (error) {
            resolver.reportError(error);
          }
        });
      }
      return undefined;
    };
  env.addFilter(names.logo, asyncFilter(filters.logo, 'size'), true);
  env.addFilter(names.file, asyncFilter(filters.file, 'name'), true);
  return env;
}
