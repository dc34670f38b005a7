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
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "@avscene/avscene/plot";
 * assert.equal(escapeHtml(`a < b & "c"`), "a &lt; b &amp; &quot;c&quot;");
 * ```
 * @category plots
 */
export function escapeHtml(text: string): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
