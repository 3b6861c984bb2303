/**
 * Compile-time checks of `LogoLookup` (run by `npm run typecheck`, which includes test/): a
 * discriminated union on `state`. Each `@ts-expect-error` fails the typecheck if the line it
 * marks ever compiles, so the narrowing cannot silently go away. Nothing here runs.
 */
import type { LogoLookup, LogoLookupAbsent, LogoLookupExternal, LogoLookupPresent, LogoResolver } from '../../src/index.js';

export async function narrowing(logos: LogoResolver): Promise<string[]> {
  const lookup = await logos.lookup('a.png');
  const printed: string[] = [];
  if (lookup.state === 'present') {
    const url: string = lookup.url; // narrowed: a string, not string | undefined
    const key: string = lookup.key;
    printed.push(url, key);
  }
  if (lookup.state === 'external') printed.push(lookup.url);
  if (lookup.state === 'missing' || lookup.state === 'fault' || lookup.state === 'unsafe') {
    // @ts-expect-error no URL to print for an absent logo
    const none: string = lookup.url;
    printed.push(none);
  }
  // @ts-expect-error before narrowing, url may be undefined
  const unknown: string = lookup.url;
  printed.push(unknown);
  // Source-compatible for code that only reads the fields: both can be read on the union.
  const url: string | undefined = lookup.url;
  const key: string | undefined = lookup.key;
  if (url !== undefined) printed.push(url);
  if (key !== undefined) printed.push(key);
  switch (lookup.state) {
    case 'present':
    case 'external':
      printed.push(lookup.url);
      break;
    case 'missing':
    case 'unsafe':
    case 'fault':
      break;
    default: {
      const never: never = lookup; // every state is handled
      printed.push(never);
    }
  }
  return printed;
}

export const answers: LogoLookup[] = [
  { state: 'present', key: 'a.png', url: '/media/a.png' },
  { state: 'external', url: 'https://cdn.example.com/a.png' },
  { state: 'missing' },
  { state: 'missing', key: 'a.png' },
  { state: 'unsafe' },
  { state: 'fault', key: 'a.png' },
  // @ts-expect-error a present answer has a URL
  { state: 'present', key: 'a.png' },
  // @ts-expect-error a missing one has none
  { state: 'missing', key: 'a.png', url: '/media/a.png' },
];

export type Variants = [LogoLookupPresent, LogoLookupExternal, LogoLookupAbsent];
