/**
 * Escape text for HTML element content and attribute values.
 *
 * @module
 */

/**
 * Escape `&`, `<`, `>`, `"` and `'` so text is safe inside HTML content and quoted attributes.
 *
 * @param text the text.
 * @returns the escaped text.
 * @example
 * ```ts
 * import { escapeHtml } from "./escape_html.ts";
 * escapeHtml("a < b"); // "a &lt; b"
 * ```
 * @category plots
 */
export function escapeHtml(text: string): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
