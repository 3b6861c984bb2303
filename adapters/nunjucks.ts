/**
 * Nunjucks: `{{ company | get_company_logo }}`, `{{ company.icon | get_company_logo_url(company.company) }}`
 * (or `name=…`), `{{ company | get_company_name }}`.
 */
import type { Environment } from 'nunjucks';
import { LogoFallbackError, type LogoResolver } from '../src/index.js';
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
  needsEscape,
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
import { canResume, isMiscompiledBlock } from './nunjucks-resume.js';

/** Options of {@link registerNunjucks}. */
export interface NunjucksAdapterOptions {
  /** Rename the filters. */
  names?: FilterNames;
  /**
   * Register callback-style async filters (`addFilter(name, fn, true)`) that wait for storage;
   * render with a callback then (`env.render(name, ctx, cb)`: Nunjucks' sync API returns `null`
   * when a filter waits). A filter waits only in the template being rendered (its own blocks,
   * `if`s and `for`s); inside macros, includes, a parent layout's blocks or imports — where Nunjucks
   * cannot resume a template — it answers at once from the cache (the avatar when nothing is known
   * yet, and the check runs on for the next render; `prefetch()` makes the first render right).
   * A storage with a synchronous check (`fsStorage`) never needs to wait: the filters are then
   * registered synchronous and work everywhere, whatever this option says.
   * @default false
   */
  async?: boolean;
}

const KNOWN_OPTIONS = ['names', 'async'] as const;
const OWNER = 'registerNunjucks()';

type Callback = (error: unknown, result?: unknown) => void;

/**
 * Nunjucks passes positional arguments, then keyword arguments as one last object marked
 * `__keywords`. Reads `list[start..end)` for the filter `kind` (registered as `filter`): an
 * unknown keyword or a second positional argument is reported and left out. A Proxy is never
 * inspected (its traps may throw).
 */
function readArgs(list: ArrayLike<unknown>, start: number, end: number, kind: FilterKind, filter: string, report: (error: unknown) => void): FilterArgs {
  if (end <= start) return NO_ARGS;
  const { positional, keywords } = SIGNATURES[kind];
  const args: FilterArgs = {};
  const take = (key: keyof FilterArgs, value: unknown) => {
    if (isHostile(value)) report(hostileArgument(OWNER, key));
    else args[key] = value;
  };
  const last = list[end - 1];
  if (typeof last === 'object' && last !== null && !isHostile(last) && Object.prototype.hasOwnProperty.call(last, '__keywords')) {
    end--;
    // Nunjucks' own plain object: its keys are the template's keyword arguments.
    for (const key of Object.keys(last)) {
      if (key === '__keywords') continue;
      if (keywords.has(key)) take(key as keyof FilterArgs, (last as Record<string, unknown>)[key]);
      else report(unknownKeyword(OWNER, filter, kind, key));
    }
  }
  if (end > start) take(positional, list[start]);
  if (end - start > 1) report(extraArguments(OWNER, filter, end - start + 1, filterTakes(kind)));
  return args;
}

/**
 * How Nunjucks prints our results. With autoescape (the default) Nunjucks escapes plain strings
 * itself, so names and URLs are handed over as their text — its own filters (`upper`,
 * `truncate`, `length`, `~`) then work on the text, and the page shows it escaped once. A URL that
 * escaping leaves unchanged is handed over marked safe instead, which prints the same bytes without
 * Nunjucks scanning it again on every print. Without autoescape, the package escapes.
 */
function printer(env: Environment, size: number): Printer<unknown, string> {
  if ((env as { opts?: { autoescape?: unknown } }).opts?.autoescape === false) {
    const html = memoized(toHtml, size);
    return { url: html, name: toHtml };
  }
  // The environment's own `safe` filter: a SafeString from another copy of nunjucks would be escaped again.
  const markSafe = env.getFilter('safe') as (text: string) => unknown;
  return { url: memoized((text) => (needsEscape(text) ? text : markSafe(text)), size), name: (text) => text };
}

/** Nunjucks' error for `{% call %}` / `{% filter %}` blocks, with what to do about it. */
function explained(error: unknown): unknown {
  if (!isMiscompiledBlock(error)) return error;
  return new LogoFallbackError(
    'INVALID_OPTION',
    `${OWNER}: Nunjucks cannot run async filters inside {% call %} or {% filter %} blocks (its compiled code fails: ${(error as Error).message}). ` +
      'Register without { async: true } there and call logos.prefetch() before rendering, or use a storage with a synchronous check (fsStorage).',
    { cause: error },
  );
}

/**
 * Registers `get_company_logo`, `get_company_logo_url` and `get_company_name` on the user's
 * Nunjucks environment (from `new nunjucks.Environment()` or `nunjucks.configure()`).
 *
 * @example
 * ```ts
 * const env = new nunjucks.Environment(new nunjucks.FileSystemLoader('views'));
 * registerNunjucks(env, createLogoResolver());
 * env.render('sidebar.njk', { company });
 * ```
 * @returns the environment, for chaining.
 * @throws {LogoFallbackError} `INVALID_OPTION` when `env` is not an environment (the nunjucks module,
 *   say) or an option is unknown; `MISSING_OPTION` when `logos` is not a resolver.
 */
export function registerNunjucks(env: Environment, logos: LogoResolver, options: NunjucksAdapterOptions = {}): Environment {
  requireEngine(env, (e) => typeof e.addFilter === 'function' && typeof e.getFilter === 'function', OWNER, 'a Nunjucks environment: new nunjucks.Environment(loader), or what nunjucks.configure() returns', 'Environment');
  const resolver = requireResolver(logos, OWNER, 'the second argument');
  const { names, async } = adapterOptions(options, KNOWN_OPTIONS, OWNER);
  refuseTakenNames(names, (name) => env.getFilter(name), OWNER, 'Nunjucks');
  const filters = createFilters(resolver, printer(env, memoSizeOf(resolver)));
  const report = (error: unknown) => resolver.reportError(error);
  const failed = (error: unknown) => {
    report(error);
    return filters.fallback();
  };

  env.addFilter(names.name, ours(function (record: unknown) {
    try {
      return filters.name(record, arguments.length === 1 ? NO_ARGS : readArgs(arguments, 1, arguments.length, 'name', names.name, report));
    } catch (error) {
      report(error);
      return '';
    }
  }));

  if (!async || filters.answersNow) {
    // `arguments` instead of a rest parameter: the usual call has no argument, and then no array is built.
    env.addFilter(names.logo, ours(function (record: unknown) {
      try {
        return filters.logo(record, arguments.length === 1 ? NO_ARGS : readArgs(arguments, 1, arguments.length, 'logo', names.logo, report), false);
      } catch (error) {
        return failed(error);
      }
    }));
    env.addFilter(names.file, ours(function (file: unknown) {
      try {
        return filters.file(file, arguments.length === 1 ? NO_ARGS : readArgs(arguments, 1, arguments.length, 'file', names.file, report), false);
      } catch (error) {
        return failed(error);
      }
    }));
    return env;
  }

  const asyncFilter = (filter: typeof filters.logo, kind: FilterKind) =>
    function waitingFilter(this: unknown, value: unknown, ...rest: unknown[]): unknown {
      const callback = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as Callback) : undefined;
      let printed: unknown;
      let args: FilterArgs = NO_ARGS;
      try {
        args = readArgs(rest, 0, rest.length, kind, names[kind], report);
        // No callback: a `{% set %}` block or a comparison's right-hand side, where Nunjucks cannot wait.
        printed = filter(value, args, callback !== undefined);
        if (printed instanceof Promise && !canResume(waitingFilter)) {
          // Waiting here would cut the page off: answer from the cache; the check runs on.
          printed = filter(value, args, false);
        }
      } catch (error) {
        printed = failed(error);
      }
      if (callback === undefined) return printed;
      if (!(printed instanceof Promise)) {
        try {
          callback(null, printed); // the rest of the template runs inside this call
        } catch (error) {
          throw explained(error); // Nunjucks' own try/catch turns it into a render error
        }
        return undefined;
      }
      void printed.then((result) => {
        try {
          callback(null, result);
        } catch (error) {
          // The rest of the template failed after the wait (Nunjucks' code for `{% call %}` and
          // `{% filter %}` blocks always does): hand the error to the render callback, so that the
          // render fails loudly instead of never finishing.
          try {
            callback(explained(error));
          } catch (late) {
            report(late);
          }
        }
      });
      return undefined;
    };
  env.addFilter(names.logo, ours(asyncFilter(filters.logo, 'logo')), true);
  env.addFilter(names.file, ours(asyncFilter(filters.file, 'file')), true);
  return env;
}
