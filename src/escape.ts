const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;

/**
 * Escapes `&`, `<`, `>`, `"` and `'` for HTML text and quoted attributes. Every adapter prints its
 * filter results through this one function, so that Nunjucks, Handlebars and LiquidJS print the
 * same bytes for the same value.
 */
export function escapeHtml(value: string): string {
  // Most URLs need no escaping: skip the replace (and its allocation) on the hot path.
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, (c) => HTML_ESCAPES[c] ?? c) : value;
}

/** Characters that must never appear in a URL we return: it may land unescaped in an attribute. */
const ATTRIBUTE_UNSAFE = /["'<>`\\\s\u0000-\u001f\u007f\u0085\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * Whether a URL is safe to print inside a quoted HTML attribute even without escaping: no quotes,
 * angle brackets, backtick, backslash, whitespace or control characters. It says nothing of the
 * URL's scheme: see {@link isSafeUrl}, which every URL the package prints passes.
 */
export function isAttributeSafe(url: string): boolean {
  return url.length > 0 && !ATTRIBUTE_UNSAFE.test(url);
}

/** What a printed URL is: a logo's (a storage's URL, an external reference) or an avatar's. */
export type UrlUse = 'logo' | 'avatar';

/** The rule {@link isSafeUrl} applies, as messages state it. */
export const SAFE_URL_RULE = 'a URL printed on a page must be path-absolute (/…), protocol-relative (//…) or http(s):, and an avatar may also be a data:image/svg+xml or data:image/png URL';

// An allow-list, not a block-list: `javascript:`, `vbscript:`, `data:text/html`, `file:`, `blob:` and
// any scheme to come are refused by not being on it. Schemes and media types are case-insensitive
// (WHATWG URL, RFC 2397), so is the match; a scheme broken by whitespace, a control character or an
// entity (`java\tscript:`, `&#106;avascript:`) is not a scheme here either way (no `/` or `http`
// first), and whitespace and controls are refused by isAttributeSafe before.
const WEB_URL = /^(?:\/|https?:)/i;
const IMAGE_DATA_URL = /^data:image\/(?:svg\+xml|png)[;,]/i;

/**
 * Whether a URL may be printed as an image's `src`: attribute-safe ({@link isAttributeSafe}) and
 * path-absolute (`/media/a.png`), protocol-relative (`//cdn.example.com/a.png`) or `http:`/`https:`;
 * an avatar (`use: 'avatar'`) may also be a `data:image/svg+xml` or `data:image/png` URL (an image
 * drawn inline; scripts never run in an `<img>`). Anything else — `javascript:`, `vbscript:`,
 * `data:text/html`, `file:`, `blob:`, an unknown scheme, a relative path — is not: the resolver
 * prints the avatar instead and reports it (`INVALID_KEY` for a storage's URL, `AVATAR_FAILED` for a
 * provider's). Source: the WHATWG URL standard's schemes; OWASP's XSS prevention cheat sheet
 * (allow-list URL schemes in attributes).
 *
 * @param use `'logo'` (the default) or `'avatar'`.
 */
export function isSafeUrl(url: unknown, use: UrlUse = 'logo'): url is string {
  if (typeof url !== 'string' || !isAttributeSafe(url)) return false;
  return WEB_URL.test(url) || (use === 'avatar' && IMAGE_DATA_URL.test(url));
}
