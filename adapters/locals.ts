/**
 * EJS, Pug, Eta — and anything else that calls plain functions from its data or `app.locals`:
 * `get_company_logo(company)`, `get_company_logo_url(company.icon, company.company)`,
 * `get_company_name(company)`, plus `escape_html(text)`.
 *
 * The helpers return text — the URL, the name — for the engine's own escaping syntax (EJS and Eta
 * `<%= %>`, Pug `#{}` and `attr=`), which escapes it once. A URL prints the same bytes in every
 * engine that way (the only character of a URL any escaper touches is `&`, and all of them write
 * `&amp;`). The engines' escapers differ on names (EJS writes `"` as `&#34;`, Pug leaves `'` as it
 * is, only Nunjucks escapes `\`), all of them safely; `escape_html` gives the bytes every other
 * adapter prints, for unescaped output (`<%- %>`, `<%~ %>`, `!{}`).
 */
import type { LogoCallOptions, LogoResolver } from '../src/index.js';
import {
  NO_ARGS,
  adapterOptions,
  asText,
  callOptionsArgs,
  createFilters,
  extraArguments,
  hostileArgument,
  isHostile,
  requireResolver,
  toHtml,
  type FilterArgs,
  type FilterKind,
  type FilterNames,
} from './filters.js';

/** Options of {@link logoFallbackLocals}. */
export interface LocalsOptions {
  /** Rename the helpers (each an identifier). */
  names?: FilterNames;
  /**
   * Helpers that wait for storage and return promises (for EJS `async: true`, Eta `renderAsync`:
   * `<%= await get_company_logo(company) %>`). Without it they answer at once from the cache, a
   * sync check (`fsStorage`) or the avatar, as Handlebars does.
   * @default false
   */
  async?: boolean;
}

type Or<T, D extends string> = T extends string ? T : D;

/** The avatar size option of a URL helper: `get_company_logo(company, { size: 64 })`. */
export type HelperCallOptions = LogoCallOptions;

/** What {@link logoFallbackLocals} returns: helper functions under their (possibly renamed) names. */
export type LogoFallbackLocals<N extends FilterNames = Record<never, never>, U = string> = Record<
  Or<N['logo'], 'get_company_logo'>,
  (record: unknown, options?: HelperCallOptions) => U
> &
  Record<Or<N['file'], 'get_company_logo_url'>, (file: unknown, name?: unknown, options?: HelperCallOptions) => U> &
  Record<Or<N['name'], 'get_company_name'>, (record: unknown, fallback?: unknown) => string> & {
    /** The package's HTML escape: the bytes every other adapter prints, for unescaped output. */
    escape_html(text: unknown): string;
  };

const KNOWN_OPTIONS = ['names', 'async'] as const;
/** What each helper takes, in order, as a report of a call with too many arguments names them. */
const LOGO_TAKES = ['record', 'options'] as const;
const FILE_TAKES = ['file', 'name', 'options'] as const;
const NAME_TAKES = ['record', 'fallback'] as const;
const OWNER = 'logoFallbackLocals()';

/**
 * Returns the helpers, to spread into a template's data or into Express's `app.locals`.
 *
 * @example
 * ```ts
 * import ejs from 'ejs';
 * const locals = logoFallbackLocals(logos);
 * ejs.render('<img src="<%= get_company_logo(company) %>">', { ...locals, company });
 * // Express: Object.assign(app.locals, logoFallbackLocals(logos));
 * ```
 * @throws {LogoFallbackError} `MISSING_OPTION` when `logos` is not a resolver, `INVALID_OPTION` for
 *   an unknown option key or a name that is not an identifier.
 */
export function logoFallbackLocals<const N extends FilterNames = Record<never, never>>(logos: LogoResolver, options?: LocalsOptions & { names?: N; async?: false }): LogoFallbackLocals<N, string>;
export function logoFallbackLocals<const N extends FilterNames = Record<never, never>>(logos: LogoResolver, options: LocalsOptions & { names?: N; async: true }): LogoFallbackLocals<N, Promise<string>>;
export function logoFallbackLocals(logos: LogoResolver, options: LocalsOptions = {}): Record<string, unknown> {
  const resolver = requireResolver(logos, OWNER, 'the first argument');
  const { names, async: wait } = adapterOptions(options, KNOWN_OPTIONS, OWNER);
  const filters = createFilters(resolver, { url: asText, name: asText });
  const report = (error: unknown) => resolver.reportError(error);
  const usable = (value: unknown, which: string): unknown => {
    if (!isHostile(value)) return value;
    report(hostileArgument(OWNER, which));
    return undefined;
  };
  const sizeOf = (callOptions: unknown, kind: 'logo' | 'file'): FilterArgs => callOptionsArgs(callOptions, OWNER, `${names[kind]}()`, kind, report);
  /** Reports a call with more arguments than the helper takes (`takes`: their names). */
  const tooMany = (count: number, kind: FilterKind, takes: readonly string[]): void => {
    if (count > takes.length) report(extraArguments(OWNER, `${names[kind]}()`, count, takes));
  };
  const failed = (error: unknown): string => {
    report(error);
    return resolver.avatar();
  };
  // Async helpers always return a promise, so that a missing `await` shows at once, not only on a cold cache.
  const settled = wait ? (result: string | Promise<string>) => Promise.resolve(result) : (result: string | Promise<string>) => result;

  return {
    // `function`, not arrows: `arguments.length` tells a call with too many arguments, without a rest array.
    [names.logo]: function (record: unknown, callOptions?: unknown) {
      let result: string | Promise<string>;
      try {
        if (arguments.length > 2) tooMany(arguments.length, 'logo', LOGO_TAKES);
        result = filters.logo(record, callOptions === undefined ? NO_ARGS : sizeOf(callOptions, 'logo'), wait);
      } catch (error) {
        result = failed(error);
      }
      return settled(result);
    },
    [names.file]: function (file: unknown, name?: unknown, callOptions?: unknown) {
      let result: string | Promise<string>;
      try {
        if (arguments.length > 3) tooMany(arguments.length, 'file', FILE_TAKES);
        result = filters.file(file, name === undefined && callOptions === undefined ? NO_ARGS : { name: usable(name, 'name'), ...sizeOf(callOptions, 'file') }, wait);
      } catch (error) {
        result = failed(error);
      }
      return settled(result);
    },
    [names.name]: function (record: unknown, fallback?: unknown) {
      try {
        if (arguments.length > 2) tooMany(arguments.length, 'name', NAME_TAKES);
        return filters.name(record, fallback === undefined ? NO_ARGS : { fallback: usable(fallback, 'fallback') });
      } catch (error) {
        report(error);
        return '';
      }
    },
    escape_html: (text: unknown) => (typeof text === 'string' ? toHtml(text) : typeof text === 'number' ? String(text) : ''),
  };
}
