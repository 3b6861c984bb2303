/** What an avatar provider is asked to draw. */
export interface AvatarSubject {
  /** The record's display name (already normalised: trimmed, never empty). */
  name: string;
  /** The wanted size in CSS pixels, when the caller knows it. */
  size?: number;
}

/**
 * Draws (or points to) an avatar for a name. Must be pure, synchronous and cheap, and must return
 * a URL that is safe inside a quoted HTML attribute.
 */
export type AvatarProvider = (subject: AvatarSubject) => string;
