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
 * angle brackets, backtick, backslash, whitespace or control characters.
 */
export function isAttributeSafe(url: string): boolean {
  return url.length > 0 && !ATTRIBUTE_UNSAFE.test(url);
}
