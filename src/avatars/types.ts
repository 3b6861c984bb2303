/** What an avatar provider is asked to draw. */
export interface AvatarSubject {
  /** The record's display name (already normalised: trimmed, never empty). */
  name: string;
  /** The wanted size in CSS pixels, when the caller knows it. */
  size?: number;
  /**
   * The image format the caller asks for, when it asks (`logos.logo(record, { format: 'png' })`):
   * `'png'` where SVG does not work (e-mail, PDFs). A provider that can serve it does (the
   * package's `initialsAvatar({ route })` emits the route's `.png` URLs); one that cannot ignores it.
   */
  format?: AvatarFormat;
}

/** The image formats an avatar can be asked for. */
export type AvatarFormat = 'svg' | 'png';

/**
 * Draws (or points to) an avatar for a name. Must be pure, synchronous and cheap, and must return
 * a URL that is safe inside a quoted HTML attribute.
 */
export type AvatarProvider = (subject: AvatarSubject) => string;
