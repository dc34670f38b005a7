/**
 * Show the paper's claims as checked by an experiment: each claim, whether our measurements
 * bear it out, and the computed sentence of what we measured.
 *
 * @module
 */
import type { ClaimCheck } from "../experiments/experiment.ts";
import { jupyterDisplay } from "./_jupyter.ts";
import { escapeHtml } from "./escape_html.ts";
import type { MimeBundle } from "./types.ts";

function checked(claims: readonly ClaimCheck[], caller: string): readonly ClaimCheck[] {
  if (!Array.isArray(claims)) throw new TypeError(`${caller}: claims must be an array`);
  claims.forEach((c, i) => {
    if (!c || typeof c.claim !== "string" || typeof c.holds !== "boolean") {
      throw new TypeError(`${caller}: claims[${i}] must have claim, holds and detail`);
    }
  });
  return claims;
}

/** The verdict word of a claim check: `"holds"` or `"does not hold"`. */
export function verdictWord(check: ClaimCheck): string {
  return check.holds ? "holds" : "does not hold";
}

/**
 * The claims as plain text, one paragraph each: `[holds] claim — detail`.
 *
 * @param claims the checked claims (an experiment result's `claims`).
 * @returns the text; a line saying so when there are none.
 * @example
 * ```ts
 * import { claimsText } from "./claims_view.ts";
 * console.log(claimsText([{ claim: "C1 converges fastest", holds: true,
 *   detail: "C1's final loss 0.41 is the lowest of 4 sets." }]));
 * ```
 */
export function claimsText(claims: readonly ClaimCheck[]): string {
  const cs = checked(claims, "claimsText");
  if (cs.length === 0) return "No claims were checked.";
  return cs.map((c) => `[${verdictWord(c)}] ${c.claim} — ${c.detail}`).join("\n");
}

/**
 * The claims as an HTML list; each item is marked `holds` or `does-not-hold` (CSS classes).
 *
 * @param claims the checked claims.
 * @returns an HTML fragment (a `<ul>`), escaped.
 * @example
 * ```ts
 * import { claimsHtml } from "./claims_view.ts";
 * const html = claimsHtml([{ claim: "A > B", holds: false, detail: "A 0.2 < B 0.3." }]);
 * ```
 */
export function claimsHtml(claims: readonly ClaimCheck[]): string {
  const cs = checked(claims, "claimsHtml");
  if (cs.length === 0) return `<p class="avscene-claims-none">No claims were checked.</p>`;
  const items = cs.map((c) => {
    const cls = c.holds ? "holds" : "does-not-hold";
    const mark = c.holds ? "✔" : "✘";
    const colour = c.holds ? "#1a7f37" : "#b42318";
    return `<li class="${cls}"><strong style="color:${colour}">${mark} ${
      escapeHtml(verdictWord(c))
    }:</strong> ${escapeHtml(c.claim)}<br><span class="detail">${
      escapeHtml(c.detail ?? "")
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
 * import { displayClaims } from "./claims_view.ts";
 * await displayClaims([{ claim: "A > B", holds: true, detail: "A 0.4 > B 0.3." }]);
 * ```
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
