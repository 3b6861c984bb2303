/**
 * Handlebars: `{{get_company_logo company}}`, `{{get_company_logo_url company.icon company.company}}`
 * (or `name=…`), `{{get_company_name company}}`. Helpers are synchronous: over remote storage,
 * `await logos.prefetch(records)` before rendering.
 */
import type HandlebarsNamespace from 'handlebars';
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
} from './filters.js';

/** The Handlebars namespace, or an instance from `Handlebars.create()`. */
export type HandlebarsInstance = typeof HandlebarsNamespace;

/** Options of {@link registerHandlebars}. */
export interface HandlebarsAdapterOptions {
  /** Rename the helpers. */
  names?: FilterNames;
}

const KNOWN_OPTIONS = ['names'] as const;
const OWNER = 'registerHandlebars()';

/**
 * What the helpers return: the text as a `String` object — so other helpers given it in a
 * subexpression (`{{upper (get_company_name company)}}`) see the text and can call string methods
 * on it — that prints, through `{{…}}`, as the package's escaped HTML: Handlebars calls `toHTML()`
 * on any value that has one (it duck-types `SafeString` that way), so the bytes match the other
 * engines (Handlebars' own escaping would also turn `=` into `&#x3D;` and `'` into `&#x27;`).
 * `{{{…}}}` prints the text unescaped, as it does for any value.
 */
export class HtmlText extends String {
  readonly #html: string;
  constructor(text: string, html: string) {
    super(text);
    this.#html = html;
  }
  /** The escaped HTML Handlebars prints for `{{…}}`. */
  toHTML(): string {
    return this.#html;
  }
}

/**
 * The hash arguments of a call (`size=40`): the ones the helper `kind` takes are read, any other
 * (a typo such as `sise`) is reported and left out.
 */
function readHash(hash: Record<string, unknown>, args: FilterArgs, kind: FilterKind, helper: string, report: (error: unknown) => void): void {
  const { keywords } = SIGNATURES[kind];
  for (const key in hash) {
    if (!keywords.has(key)) {
      report(unknownKeyword(OWNER, helper, kind, key, 'hash argument'));
      continue;
    }
    const value = hash[key];
    if (value === undefined) continue;
    if (isHostile(value)) report(hostileArgument(OWNER, key));
    else args[key as keyof FilterArgs] = value;
  }
}

function isEmpty(hash: object): boolean {
  for (const _ in hash) return false;
  return true;
}

/**
 * The arguments of a helper call: `(value?, positional?, options)`. Handlebars always passes its
 * options last; with no parameter at all (`{{get_company_logo}}`) they are the only argument. A
 * parameter past the positional one is reported and left out.
 */
function readArgs(list: IArguments, kind: FilterKind, helper: string, report: (error: unknown) => void): FilterArgs {
  const count = list.length;
  const options = list[count - 1] as { hash?: Record<string, unknown> } | undefined;
  const hash = typeof options === 'object' && options !== null && typeof options.hash === 'object' ? options.hash : undefined;
  const params = hash === undefined ? count : count - 1;
  if (params <= 1 && (hash === undefined || isEmpty(hash))) return NO_ARGS;
  const args: FilterArgs = {};
  if (hash !== undefined) readHash(hash, args, kind, helper, report);
  if (params > 1) {
    const positional = SIGNATURES[kind].positional;
    const value: unknown = list[1];
    if (isHostile(value)) report(hostileArgument(OWNER, positional));
    else args[positional] = value;
  }
  if (params > 2) report(extraArguments(OWNER, helper, params, filterTakes(kind)));
  return args;
}

/** The value a helper was given: none when Handlebars' options are the only argument. */
function subject(list: IArguments): unknown {
  return list.length > 1 ? list[0] : undefined;
}

/**
 * Registers `get_company_logo`, `get_company_logo_url` and `get_company_name` as helpers on the
 * given Handlebars instance (the global one or one from `Handlebars.create()`). Results print
 * HTML-escaped once by the package; helpers that receive them see the text ({@link HtmlText}).
 *
 * @example
 * ```ts
 * registerHandlebars(Handlebars, logos);
 * Handlebars.compile('<img src="{{get_company_logo company}}">')({ company });
 * ```
 * @returns the instance, for chaining.
 * @throws {LogoFallbackError} `INVALID_OPTION` when `handlebars` has no `registerHelper` or an option
 *   is unknown; `MISSING_OPTION` when `logos` is not a resolver.
 */
export function registerHandlebars(handlebars: HandlebarsInstance, logos: LogoResolver, options: HandlebarsAdapterOptions = {}): HandlebarsInstance {
  requireEngine(handlebars, (h) => typeof h.registerHelper === 'function', OWNER, 'the Handlebars namespace (import Handlebars from "handlebars") or an instance from Handlebars.create()');
  const resolver = requireResolver(logos, OWNER, 'the second argument');
  const { names } = adapterOptions(options, KNOWN_OPTIONS, OWNER);
  // Its helpers (`if`, `each`, `lookup` …, and any the application registered) are in `helpers`.
  const helpers = (handlebars as { helpers?: Record<string, unknown> }).helpers;
  refuseTakenNames(names, (name) => helpers?.[name], OWNER, 'Handlebars', 'helper');
  // URLs and names memoised apart: a page prints both, and each kind alone may reach memoSize.
  const html = (text: string) => new HtmlText(text, toHtml(text));
  const name = memoized(html, memoSizeOf(resolver));
  const filters = createFilters(resolver, { url: memoized(html, memoSizeOf(resolver)), name: (text) => (text === '' ? '' : name(text)) });
  const report = (error: unknown) => resolver.reportError(error);

  // The usual call, `{{get_company_logo this}}`, is the record and Handlebars' options with no hash
  // argument: it goes straight to the filter. Anything else is read in full; `apply` hands
  // `arguments` on without building the object on the usual call.
  handlebars.registerHelper(names.logo, ours(function (this: unknown, value: unknown, options: unknown) {
    try {
      if (arguments.length === 2) {
        // Handlebars' options, with no hash argument at all (nor one to read or report). Checked
        // here, not in a function: this is the hot path of every warm render.
        const hash = (options as { hash?: unknown } | null | undefined)?.hash;
        if (typeof hash === 'object' && hash !== null) {
          let empty = true;
          for (const _ in hash) {
            empty = false;
            break;
          }
          if (empty) return filters.logo(value, NO_ARGS, false);
        }
      }
      return logo.apply(this, arguments as unknown as []);
    } catch (error) {
      report(error);
      return filters.fallback();
    }
  }));
  function logo(this: unknown) {
    return filters.logo(subject(arguments), readArgs(arguments, 'logo', names.logo, report), false);
  }
  handlebars.registerHelper(names.file, ours(function () {
    try {
      return filters.file(subject(arguments), readArgs(arguments, 'file', names.file, report), false);
    } catch (error) {
      report(error);
      return filters.fallback();
    }
  }));
  handlebars.registerHelper(names.name, ours(function () {
    try {
      return filters.name(subject(arguments), readArgs(arguments, 'name', names.name, report));
    } catch (error) {
      report(error);
      return '';
    }
  }));
  return handlebars;
}
