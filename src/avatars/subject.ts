/**
 * Reading what a provider is asked to draw, whatever it is handed. Providers are called by the
 * resolver with a checked subject, but also directly by apps: a `null`, an array, a Proxy whose
 * traps throw, a revoked Proxy or a throwing getter must give the placeholder's avatar, never an
 * exception.
 */
import { nameText } from './initials.js';
import type { AvatarFormat } from './types.js';

/** A subject as a provider uses it: the name as text (cut, `''` when unusable), a whole size and a known format, or `undefined`. */
export interface ReadSubject {
  name: string;
  size: number | undefined;
  format: AvatarFormat | undefined;
}

function field(subject: object, key: 'name' | 'size' | 'format'): unknown {
  try {
    return (subject as Record<string, unknown>)[key];
  } catch {
    return undefined; // a throwing getter, a Proxy trap that throws, a revoked Proxy
  }
}

/** The name, size and format of a subject; anything that is not an object gives `{ name: '', size: undefined, format: undefined }`. */
export function readSubject(subject: unknown): ReadSubject {
  if (subject === null || (typeof subject !== 'object' && typeof subject !== 'function')) return { name: '', size: undefined, format: undefined };
  const size = field(subject, 'size');
  const format = field(subject, 'format');
  return {
    name: nameText(field(subject, 'name')),
    size: typeof size === 'number' && Number.isInteger(size) ? size : undefined,
    format: format === 'svg' || format === 'png' ? format : undefined,
  };
}
