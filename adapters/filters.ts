/**
 * What every adapter shares: the filter names, and the three filters written once against
 * engine-neutral arguments. Each adapter only translates its engine's calling convention into
 * {@link FilterArgs} and marks the (already escaped) result as safe.
 */
import { LogoFallbackError, escapeHtml, type LogoResolver } from '../src/index.js';
import { Memo } from '../src/memo.js';

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

/** Checks user-chosen names (they must be identifiers every engine can parse) and fills defaults. */
export function filterNames(names: FilterNames | undefined, owner: string): Required<FilterNames> {
  const resolved = { ...DEFAULT_FILTER_NAMES, ...names };
  for (const [which, name] of Object.entries(resolved)) {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new LogoFallbackError('INVALID_OPTION', `${owner}: "names.${which}" must be an identifier such as "get_company_logo", got ${JSON.stringify(name)}`);
    }
  }
  return resolved;
}

/** Checks that the resolver passed to an adapter is one. */
export function requireResolver(logos: unknown, owner: string): LogoResolver {
  const candidate = logos as Partial<LogoResolver> | null | undefined;
  if (typeof candidate?.settleLogo !== 'function' || typeof candidate.name !== 'function') {
    throw new LogoFallbackError('MISSING_OPTION', `${owner}: the second argument must be a resolver from createLogoResolver()`);
  }
  return candidate as LogoResolver;
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

/** Keyword arguments the filters understand; other keys are ignored. */
export const KEYWORDS: ReadonlySet<string> = new Set(['name', 'fallback', 'size']);

/** `value` when it is an integer pixel size, else nothing. */
function sizeOf(value: unknown): { size: number } | undefined {
  return value !== undefined && typeof value === 'number' && Number.isInteger(value) ? { size: value } : undefined;
}

/** A printed value now, or a promise of one. */
export type Printed<T> = T | Promise<T>;

/** The three filters of one engine, their results already escaped and marked safe. */
export interface Filters<T> {
  logo(record: unknown, args: FilterArgs, wait: boolean): Printed<T>;
  file(file: unknown, args: FilterArgs, wait: boolean): Printed<T>;
  name(record: unknown, args: FilterArgs): T;
}

/**
 * The three filters for one resolver and one engine. `wait` chooses between the sync answer (the
 * cache, or an avatar: for sync renders) and waiting for storage (async renders). Results are
 * HTML-escaped with the package's one escape function, then wrapped by `markSafe` (the engine's
 * own safe-string type) — memoised, because a page prints the same few URLs over and over and
 * escaping plus wrapping would otherwise cost more than the lookup itself.
 */
export function createFilters<T>(logos: LogoResolver, markSafe: (escaped: string) => T): Filters<T> {
  const printed = new Memo<string, { value: T }>(10_000);
  const print = (text: string): T => {
    let hit = printed.get(text);
    if (hit === undefined) {
      hit = { value: markSafe(escapeHtml(text)) };
      if (text.length <= 4096) printed.set(text, hit);
    }
    return hit.value;
  };
  const printLater = (result: string | Promise<string>): Printed<T> => (typeof result === 'string' ? print(result) : result.then(print));
  return {
    logo: (record, args, wait) =>
      wait ? printLater(logos.settleLogo(record, sizeOf(args.size))) : print(logos.logo(record, sizeOf(args.size))),
    file: (file, args, wait) =>
      wait ? printLater(logos.settleFileUrl(file, args.name, sizeOf(args.size))) : print(logos.fileUrl(file, args.name, sizeOf(args.size))),
    name: (record, args) => print(logos.name(record, args.fallback)),
  };
}
