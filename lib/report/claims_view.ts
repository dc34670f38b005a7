/**
 * Show the paper's claims as checked by an experiment: each claim, whether our measurements
 * bear it out, and the computed sentence of what we measured.
 *
 * @module
 */
import type { ClaimCheck } from "../experiments/experiment.ts";
import { jupyterDisplay } from "../plot/display.ts";
import { escapeHtml } from "../plot/escape_html.ts";
import type { MimeBundle } from "../plot/types.ts";

function checked(claims: readonly ClaimCheck[], caller: string): readonly ClaimCheck[] {
  if (!Array.isArray(claims)) throw new TypeError(`${caller}: claims must be an array`);
  claims.forEach((c, i) => {
    if (!c || typeof c.claim !== "string" || typeof c.holds !== "boolean") {
      throw new TypeError(`${caller}: claims[${i}] must have claim, holds and detail`);
    }
  });
  return claims;
}

/**
 * The verdict word of a claim check: `"holds"`, `"does not hold"` or `"inconclusive"` (checks
 * without a `verdict` field: from `holds`).
 * @category plots
 */
export function verdictWord(check: ClaimCheck): string {
  return check.verdict ?? (check.holds ? "holds" : "does not hold");
}

/**
 * The claims as plain text, one paragraph each: `[holds] claim — detail`.
 *
 * @param claims the checked claims (an experiment result's `claims`).
 * @returns the text; a line saying so when there are none.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimsText } from "@avscene/avscene/report";
 * const text = claimsText([{ claim: "C1 > C2", verdict: "holds", holds: true,
 *   reason: "interval above 0", detail: "C1 0.61, C2 0.52." }]);
 * assert.equal(text, "[holds] C1 > C2 — C1 0.61, C2 0.52. (interval above 0)");
 * ```
 * @category plots
 */
export function claimsText(claims: readonly ClaimCheck[]): string {
  const cs = checked(claims, "claimsText");
  if (cs.length === 0) return "No claims were checked.";
  return cs.map((c) =>
    `[${verdictWord(c)}] ${c.claim} — ${c.detail}${c.reason ? ` (${c.reason})` : ""}`
  ).join("\n");
}

/**
 * The claims as an HTML list; each item is marked `holds`, `does-not-hold` or `inconclusive`
 * (CSS classes), with the measured detail and the verdict's reason.
 *
 * @param claims the checked claims.
 * @returns an HTML fragment (a `<ul>`), escaped.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimsHtml } from "@avscene/avscene/report";
 * const html = claimsHtml([{ claim: "A > B", verdict: "does not hold", holds: false,
 *   reason: "interval below 0", detail: "A 0.2 < B 0.3." }]);
 * assert.match(html, /does not hold:<\/strong> A &gt; B/); // escaped
 * ```
 * @category plots
 */
export function claimsHtml(claims: readonly ClaimCheck[]): string {
  const cs = checked(claims, "claimsHtml");
  if (cs.length === 0) return `<p class="avscene-claims-none">No claims were checked.</p>`;
  const items = cs.map((c) => {
    const word = verdictWord(c);
    const cls = word.replaceAll(" ", "-");
    const mark = word === "holds" ? "✔" : word === "does not hold" ? "✘" : "?";
    const colour = word === "holds" ? "#1a7f37" : word === "does not hold" ? "#b42318" : "#9a6700";
    return `<li class="${cls}"><strong style="color:${colour}">${mark} ${
      escapeHtml(word)
    }:</strong> ${escapeHtml(c.claim)}<br><span class="detail">${escapeHtml(c.detail ?? "")}${
      c.reason ? `<br>${escapeHtml(c.reason)}` : ""
    }</span></li>`;
  });
  return `<ul class="avscene-claims">${items.join("")}</ul>`;
}

/**
 * Display the checked claims in a Deno Jupyter notebook (`text/html` and `text/plain`);
 * outside a kernel it only builds the bundle.
 *
 * @param claims the checked claims.
 * @returns `undefined` inside the kernel; otherwise the bundle that would have been displayed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayClaims } from "@avscene/avscene/report";
 * // outside a Jupyter kernel it returns the bundle it would display
 * const bundle = await displayClaims([{ claim: "A > B", verdict: "inconclusive", holds: false,
 *   reason: "within noise", detail: "A 0.31, B 0.30." }]);
 * assert.equal(bundle?.["text/plain"], "[inconclusive] A > B — A 0.31, B 0.30. (within noise)");
 * ```
 * @category plots
 */
export async function displayClaims(
  claims: readonly ClaimCheck[],
): Promise<MimeBundle | undefined> {
  const bundle: MimeBundle = { "text/html": claimsHtml(claims), "text/plain": claimsText(claims) };
  const show = jupyterDisplay();
  if (!show) return bundle;
  await show(bundle, { raw: true });
  return undefined;
}
