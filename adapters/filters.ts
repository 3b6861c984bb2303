/**
 * What every adapter shares: the filter names and option checks, the three filters written once
 * against engine-neutral arguments, and how a result becomes the value an engine prints. Each
 * adapter only translates its engine's calling convention into {@link FilterArgs} and says how its
 * engine prints a URL and a name (a {@link Printer}).
 */
import { types } from 'node:util';
import { LogoFallbackError, escapeHtml, type LogoCallOptions, type LogoResolver } from '../src/index.js';
import { booleanOption, readOptions, showValue } from '../src/options.js';
import { Memo } from '../src/memo.js';
import { PRINTED_FIELDS, isPrintable, warmPathOf, type Printable } from '../src/answers.js';

/** The names the filters are registered under. */
export interface FilterNames {
  /** The record filter. @default 'get_company_logo' */
  logo?: string;
  /** The file-field filter. @default 'get_company_logo_url' */
  file?: string;
  /** The display-name filter. @default 'get_company_name' */
  name?: string;
}

/** The default filter names, kept from the seed (Horilla) for compatibility. */
export const DEFAULT_FILTER_NAMES: Readonly<Required<FilterNames>> = Object.freeze({
  logo: 'get_company_logo',
  file: 'get_company_logo_url',
  name: 'get_company_name',
});

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An adapter's options once checked: the filter names with defaults filled in, and `async`. */
export interface CheckedAdapterOptions {
  names: Required<FilterNames>;
  /** `async: true` was given (`false` for adapters without the option). */
  async: boolean;
}

/**
 * Checks an adapter's options object and reads each key once ({@link readOptions}): no key but
 * `known` (a typo such as `asnyc` or `names.logoo` must not be silently ignored), an object whose
 * getters or Proxy traps throw is an `INVALID_OPTION` (never a `TypeError`), `async` is a boolean
 * (`'yes'` is refused, not read as truthy), and `names` holds only identifiers every engine can parse.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION`, naming the keys that exist.
 */
export function adapterOptions(options: unknown, known: readonly string[], owner: string): CheckedAdapterOptions {
  const read = readOptions<{ names?: unknown; async?: unknown }>(options, known as readonly ('names' | 'async')[], 'the options', owner);
  const names = readOptions<FilterNames>(read.names, Object.keys(DEFAULT_FILTER_NAMES) as (keyof FilterNames)[], '"names"', owner);
  const resolved = { ...DEFAULT_FILTER_NAMES, ...names };
  const taken = new Map<string, string>();
  for (const [which, name] of Object.entries(resolved)) {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new LogoFallbackError('INVALID_OPTION', `${owner}: "names.${which}" must be an identifier such as "get_company_logo", got ${showValue(name)}`);
    }
    const other = taken.get(name);
    if (other !== undefined) {
      throw new LogoFallbackError('INVALID_OPTION', `${owner}: ${nameOf(other, name)} and ${nameOf(which, name)} are both ${JSON.stringify(name)}; each filter needs a name of its own`);
    }
    taken.set(name, which);
  }
  return { names: resolved, async: booleanOption(read.async, 'async', owner, false) };
}

/** How a message names one of the names: `"names.logo"`, with `(by default)` when it is the default name. */
function nameOf(which: string, name: string): string {
  return DEFAULT_FILTER_NAMES[which as keyof FilterNames] === name ? `"names.${which}" (by default)` : `"names.${which}"`;
}

/** Marks the filters and helpers the package registers, so that registering again replaces them without a word. */
const OURS = Symbol.for('logo-fallback.filter');

/** `filter` marked as one of the package's (see {@link refuseTakenNames}). */
export function ours<T extends object>(filter: T): T {
  Object.defineProperty(filter, OURS, { value: true });
  return filter;
}

/** Whether an engine's filter is one the package registered: a marked function, or a LiquidJS `{ handler }` holding one. Never throws. */
function isOurs(value: unknown): boolean {
  try {
    if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return false;
    return (value as { [OURS]?: unknown })[OURS] === true || (value as { handler?: { [OURS]?: unknown } }).handler?.[OURS] === true;
  } catch {
    return false;
  }
}

/**
 * Refuses filter names the engine already has — its own (Nunjucks' `safe`, Liquid's `upcase`,
 * Handlebars' `if`) or one the application registered — so that a rename cannot silently replace
 * them: registering would. The package's own filters, registered before, may be replaced.
 * `existing(name)` gives what the engine has under a name (throwing or `undefined` for nothing);
 * `kind` is what the engine calls them in messages (Handlebars: helpers).
 *
 * @throws {LogoFallbackError} `INVALID_OPTION` naming the name, the engine and what to do.
 */
export function refuseTakenNames(names: Required<FilterNames>, existing: (name: string) => unknown, owner: string, engine: string, kind: 'filter' | 'helper' = 'filter'): void {
  for (const [which, name] of Object.entries(names) as Array<[keyof FilterNames, string]>) {
    let found: unknown;
    try {
      found = existing(name);
    } catch {
      found = undefined; // Nunjucks' getFilter throws for a name it does not have
    }
    if (found === undefined || found === null || isOurs(found)) continue;
    throw new LogoFallbackError(
      'INVALID_OPTION',
      `${owner}: ${engine} already has a ${kind} named ${JSON.stringify(name)} (its own, or one registered before), and ${nameOf(which, name)} would replace it; choose another name, e.g. { names: { ${which}: ${JSON.stringify(name === DEFAULT_FILTER_NAMES[which] ? `logo_fallback_${which}` : DEFAULT_FILTER_NAMES[which])} } }`,
    );
  }
}

/**
 * Checks that the resolver passed to an adapter is one. `where` says where it was passed, as the
 * message names it: `'the first argument'`, `'the second argument'`, `'"logos"'`. Never throws
 * anything but its own error (a Proxy whose traps throw is not a resolver).
 *
 * @throws {LogoFallbackError} `MISSING_OPTION` when it is not a resolver.
 */
export function requireResolver(logos: unknown, owner: string, where: string): LogoResolver {
  let valid = false;
  try {
    const candidate = logos as Partial<LogoResolver> | null | undefined;
    valid = typeof candidate?.settleLogo === 'function' && typeof candidate.name === 'function';
  } catch {
    // a hostile object is not a resolver
  }
  if (!valid) throw new LogoFallbackError('MISSING_OPTION', `${owner}: ${where} must be a resolver from createLogoResolver(), got ${showValue(logos)}`);
  return logos as LogoResolver;
}

/**
 * Checks the engine argument: `check` says whether it is what the adapter needs; otherwise the
 * error says what was passed (the module — `moduleExport` names the export a module has — or a
 * class) and what to pass instead.
 *
 * @throws {LogoFallbackError} `INVALID_OPTION`.
 */
export function requireEngine(engine: unknown, check: (engine: Record<string, unknown>) => boolean, owner: string, expected: string, moduleExport?: string): void {
  let valid = false;
  let isModule = false;
  try {
    if ((typeof engine === 'object' || typeof engine === 'function') && engine !== null) {
      valid = check(engine as Record<string, unknown>);
      isModule = moduleExport !== undefined && typeof (engine as Record<string, unknown>)[moduleExport] === 'function';
    }
  } catch {
    // a hostile object is not an engine
  }
  if (valid) return;
  const got =
    typeof engine === 'function'
      ? `a function or class${engine.name === '' ? '' : ` (${engine.name})`} — pass an instance, not the class`
      : isModule
        ? 'the module itself'
        : typeof engine === 'object' && engine !== null
          ? 'an object without the methods an instance has'
          : String(engine);
  throw new LogoFallbackError('INVALID_OPTION', `${owner}: the first argument must be ${expected}; got ${got}`);
}

/** The filter arguments after an adapter has read them from its engine's convention. */
export interface FilterArgs {
  /** `get_company_logo_url(file, name)`: the name for the avatar. */
  name?: unknown;
  /** `get_company_name(record, fallback)`: printed when there is no name. */
  fallback?: unknown;
  /** The avatar size, from a `size` keyword argument. */
  size?: unknown;
}

/** The arguments of a filter called with none: shared, so the common call allocates nothing. */
export const NO_ARGS: FilterArgs = Object.freeze({});

/** The three filters, as {@link FilterNames} keys them. */
export type FilterKind = keyof FilterNames;

/**
 * What each filter takes after the value it filters: one positional argument, and keyword
 * arguments (`size=40` in Nunjucks and Handlebars, `size: 40` in LiquidJS). Anything else a
 * template passes — an unknown keyword (a typo such as `sise`), a second positional argument — is
 * reported once ({@link unknownKeyword}, {@link extraArguments}) and the filter prints as if it
 * were absent.
 */
export const SIGNATURES: Readonly<Record<FilterKind, { readonly positional: keyof FilterArgs; readonly keywords: ReadonlySet<string> }>> = Object.freeze({
  logo: { positional: 'size', keywords: new Set(['size']) },
  file: { positional: 'name', keywords: new Set(['name', 'size']) },
  name: { positional: 'fallback', keywords: new Set(['fallback']) },
});

/** The report of a keyword argument (or call-option key) a filter does not know. */
export function unknownKeyword(owner: string, filter: string, kind: FilterKind, key: unknown, what = 'keyword argument'): LogoFallbackError {
  const known = [...SIGNATURES[kind].keywords].map((name) => JSON.stringify(name)).join(', ');
  return new LogoFallbackError('INVALID_OPTION', `${owner}: ${filter} got an unknown ${what} ${showValue(key)}; the known ${known.includes(',') ? 'ones are' : 'one is'} ${known}; it was ignored`);
}

/** The report of a filter called with more arguments than it takes (`takes`: their names, in order). */
export function extraArguments(owner: string, filter: string, count: number, takes: readonly string[]): LogoFallbackError {
  return new LogoFallbackError('INVALID_OPTION', `${owner}: ${filter} was called with ${count} arguments; it takes at most ${takes.length} (${takes.join(', ')}); the extra ones were ignored`);
}

/** What a template filter takes, for {@link extraArguments}: the value, then its positional argument. */
export function filterTakes(kind: FilterKind): readonly string[] {
  return ['the value', SIGNATURES[kind].positional];
}

/**
 * Whether an argument must not be touched: a `Proxy` (its traps may throw, it may be revoked).
 * No filter argument is ever usefully one — names and sizes are strings and numbers — so it is
 * treated as absent, and reported. Records are another matter: the resolver reads them safely.
 */
export function isHostile(value: unknown): boolean {
  return typeof value === 'object' && value !== null && types.isProxy(value);
}

/** A report for an argument (`which`: its name) that was a Proxy or could not be read. */
export function hostileArgument(owner: string, which: string, cause?: unknown): LogoFallbackError {
  return new LogoFallbackError('INVALID_RECORD', `${owner}: the "${which}" argument of a filter was a Proxy or could not be read; it was ignored`, cause === undefined ? {} : { cause });
}

/**
 * The call options for a `size` argument as the template passed it: a number, or a string of digits
 * (`size="40"` in Handlebars and Liquid, a Nunjucks variable) — the resolver reads both, and reports
 * any other value once (`INVALID_OPTION`) and draws the default size.
 */
function sizeOf(value: unknown): LogoCallOptions | undefined {
  // Checked by the resolver, whatever it is: the cast only says so to the compiler.
  return value === undefined ? undefined : ({ size: value } as LogoCallOptions);
}

/**
 * `{ size }` of a helper's call-options object (`get_company_logo(company, { size: 64 })`, in the
 * locals and 11ty.js), read without trusting it: a Proxy or a throwing getter is reported and
 * ignored, a key other than `size` (a typo such as `sise`) is reported, and the call goes on.
 */
export function callOptionsArgs(callOptions: unknown, owner: string, helper: string, kind: 'logo' | 'file', report: (error: unknown) => void): FilterArgs {
  if (typeof callOptions !== 'object' || callOptions === null) return NO_ARGS;
  if (isHostile(callOptions)) {
    report(hostileArgument(owner, 'options'));
    return NO_ARGS;
  }
  try {
    for (const key of Object.keys(callOptions)) if (key !== 'size') report(unknownKeyword(owner, helper, kind, key, 'key in its options'));
    const { size } = callOptions as { size?: unknown };
    return size === undefined ? NO_ARGS : { size };
  } catch (error) {
    report(hostileArgument(owner, 'options', error));
    return NO_ARGS;
  }
}

/** A printed value now, or a promise of one. */
export type Printed<T> = T | Promise<T>;

/**
 * How an engine prints text. `url` gets an attribute-safe URL (only `&` can need escaping),
 * `name` any text. What they return is what the filter hands the engine: a value the engine
 * prints escaped exactly once, whose string value — what the engine's own filters see when chained
 * — is the text itself wherever the engine allows it.
 */
export interface Printer<U, N> {
  url(text: string): U;
  name(text: string): N;
}

/** The three filters of one engine. */
export interface Filters<U, N> {
  logo(record: unknown, args: FilterArgs, wait: boolean): Printed<U>;
  file(file: unknown, args: FilterArgs, wait: boolean): Printed<U>;
  name(record: unknown, args: FilterArgs): N;
  /** What a filter prints when even reading its arguments failed: the placeholder's avatar. */
  fallback(): U;
  /** Whether storage answers synchronously (`existsSync`): then no filter ever waits. */
  readonly answersNow: boolean;
}

/**
 * The bytes a text is printed as in every engine: the package's escape (`& < > " '`) and the
 * backslash as `&#92;`, which Nunjucks' autoescape adds — names reach the page through it, so the
 * other engines print the same bytes. URLs never hold a backslash (they are attribute-safe).
 */
export function toHtml(text: string): string {
  const html = escapeHtml(text);
  return html.includes('\\') ? html.replaceAll('\\', '&#92;') : html;
}

/** Whether printing a text escaped changes nothing: then a raw and a safe value are the same bytes. */
export const needsEscape = (text: string): boolean => /[&<>"'\\]/.test(text);

/** The printer of helpers whose engine escapes text itself: the text as it is. */
export const asText = (text: string): string => text;

/** Memoises a pure string → value function (a page prints the same few URLs over and over). */
export function memoized<T>(make: (text: string) => T, size: number): (text: string) => T {
  const memo = new Memo<string, { value: T }>(size);
  return (text) => {
    let hit = memo.get(text);
    if (hit === undefined) {
      hit = { value: make(text) };
      if (text.length <= 4096) memo.set(text, hit);
    }
    return hit.value;
  };
}

/**
 * How many printed values to remember: the resolver's `memoSize` when it has one (it follows
 * `cache.max`, so that a page of up to `cache.max` distinct logos costs the same per item as a
 * small one), else 10,000 (the default `cache.max`).
 */
export function memoSizeOf(logos: LogoResolver): number {
  const size = (logos as { memoSize?: unknown }).memoSize;
  return typeof size === 'number' && Number.isInteger(size) && size > 0 ? size : 10_000;
}

/**
 * The three filters for one resolver and one engine's printer. `wait` chooses between the sync
 * answer (the cache, a sync check, or an avatar and a background check) and waiting for storage
 * (async renders); a storage with `existsSync` answers synchronously either way, so that an async
 * render never has to wait — waiting is what breaks Nunjucks macros.
 */
export function createFilters<U, N>(logos: LogoResolver, printer: Printer<U, N>): Filters<U, N> {
  const answersNow = typeof logos.storage.existsSync === 'function';
  const url = printer.url;
  const later = (result: string | Promise<string>): Printed<U> => (typeof result === 'string' ? url(result) : result.then(url));
  // The resolver's warm path: a known answer is one object, on which this adapter keeps what it
  // printed it as (nothing for a printer that prints the text as it is).
  const warm = warmPathOf(logos);
  const asIs = url === (asText as (text: string) => unknown);
  const slot = warm === undefined || asIs ? 0 : warm.slot();
  // One small function per kind of printer, chosen once: the call inlines where it is made.
  const printed: (answer: Printable) => U = asIs
    ? (answer) => answer.text as U
    : (answer) => {
        const value = slot === 0 ? answer.p0 : slot === 1 ? answer.p1 : slot === 2 ? answer.p2 : answer.more?.[slot - PRINTED_FIELDS];
        return (value ?? keep(answer, url(answer.text))) as U;
      };
  /** Keeps what this adapter printed an answer as, in its slot. */
  const keep = (answer: Printable, value: U): U => {
    if (slot === 0) answer.p0 = value;
    else if (slot === 1) answer.p1 = value;
    else if (slot === 2) answer.p2 = value;
    else (answer.more ??= [])[slot - PRINTED_FIELDS] = value;
    return value;
  };
  const print = (answer: Printable | string | Promise<string>): Printed<U> => (isPrintable(answer) ? printed(answer) : later(answer));
  return {
    logo: (record, args, wait) => {
      const size = args === NO_ARGS ? undefined : sizeOf(args.size);
      const now = !wait || answersNow;
      if (warm !== undefined) return print(warm.logo(record, size, !now));
      return now ? url(logos.logo(record, size)) : later(logos.settleLogo(record, size));
    },
    file: (file, args, wait) => {
      const size = args === NO_ARGS ? undefined : sizeOf(args.size);
      const now = !wait || answersNow;
      if (warm !== undefined) return print(warm.file(file, args.name, size, !now));
      return now ? url(logos.fileUrl(file, args.name, size)) : later(logos.settleFileUrl(file, args.name, size));
    },
    name: (record, args) => printer.name(logos.name(record, args.fallback)),
    fallback: () => url(logos.avatar()),
    answersNow,
  };
}
