/**
 * What every adapter shares: the filter names, and the three filters written once against
 * engine-neutral arguments. Each adapter only translates its engine's calling convention into
 * {@link FilterArgs} and marks the (already escaped) result as safe.
 */
import { LogoFallbackError, escapeHtml, type LogoResolver } from '../src/index.js';

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

/** Keyword arguments the filters understand; other keys are ignored. */
export const KEYWORDS: ReadonlySet<string> = new Set(['name', 'fallback', 'size']);

/** `value` when it is an integer pixel size, else nothing. */
function sizeOf(value: unknown): { size: number } | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? { size: value } : undefined;
}

/** An escaped string now, or a promise of one. */
export type Printed = string | Promise<string>;

const print = (result: string | Promise<string>): Printed =>
  typeof result === 'string' ? escapeHtml(result) : result.then(escapeHtml);

/**
 * The three filters for one resolver. `wait` chooses between the sync answer (the cache or an
 * avatar: for sync renders) and waiting for storage (async renders). Results are HTML-escaped
 * with the package's one escape function; the adapter marks them safe.
 */
export function createFilters(logos: LogoResolver): {
  logo(record: unknown, args: FilterArgs, wait: boolean): Printed;
  file(file: unknown, args: FilterArgs, wait: boolean): Printed;
  name(record: unknown, args: FilterArgs): string;
} {
  return {
    logo: (record, args, wait) => print(wait ? logos.settleLogo(record, sizeOf(args.size)) : logos.logo(record, sizeOf(args.size))),
    file: (file, args, wait) =>
      print(wait ? logos.settleFileUrl(file, args.name, sizeOf(args.size)) : logos.fileUrl(file, args.name, sizeOf(args.size))),
    name: (record, args) => escapeHtml(logos.name(record, args.fallback)),
  };
}
