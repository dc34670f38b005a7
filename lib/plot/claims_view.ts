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

/**
 * The three verdicts a checked claim can reach.
 *
 * @category plots
 */
export type Verdict = "holds" | "fails" | "inconclusive";

/**
 * A checked claim as the views read it: a {@linkcode ClaimCheck}, optionally with its three-state
 * `verdict` (`"inconclusive"` when the measurements cannot tell, e.g. a difference within the
 * seeds' noise) and the `reason` for it. Without `verdict`, `holds` decides between
 * `"holds"` and `"fails"`.
 * @category plots
 */
export type ShownClaim = ClaimCheck & { verdict?: Verdict; reason?: string };

const VERDICTS: Record<Verdict, { word: string; mark: string; colour: string }> = {
  holds: { word: "holds", mark: "✔", colour: "#1a7f37" },
  fails: { word: "does not hold", mark: "✘", colour: "#b42318" },
  inconclusive: { word: "inconclusive", mark: "?", colour: "#9a6700" },
};

function checked(claims: readonly ShownClaim[], caller: string): readonly ShownClaim[] {
  if (!Array.isArray(claims)) throw new TypeError(`${caller}: claims must be an array`);
  claims.forEach((c, i) => {
    if (!c || typeof c.claim !== "string" || typeof c.holds !== "boolean") {
      throw new TypeError(`${caller}: claims[${i}] must have claim, holds and detail`);
    }
    if (c.verdict !== undefined && !(c.verdict in VERDICTS)) {
      throw new TypeError(
        `${caller}: claims[${i}].verdict must be "holds", "fails" or "inconclusive", got ${
          JSON.stringify(c.verdict)
        }`,
      );
    }
  });
  return claims;
}

/**
 * The verdict of a claim check: its `verdict` when it has one, else `"holds"` or `"fails"`
 * from `holds`.
 *
 * @param check the checked claim.
 * @returns `"holds"`, `"fails"` or `"inconclusive"`.
 * @example
 * ```ts
 * import { claimVerdict } from "./claims_view.ts";
 * claimVerdict({ claim: "A > B", holds: false, detail: "" }); // "fails"
 * ```
 * @category plots
 */
export function claimVerdict(check: ShownClaim): Verdict {
  return check.verdict ?? (check.holds ? "holds" : "fails");
}

/**
 * The verdict word of a claim check: `"holds"`, `"does not hold"` or `"inconclusive"`.
 *
 * @param check the checked claim.
 * @returns the word shown in tables, lists and text.
 * @example
 * ```ts
 * import { verdictWord } from "./claims_view.ts";
 * verdictWord({ claim: "A > B", holds: true, detail: "" }); // "holds"
 * ```
 * @category plots
 */
export function verdictWord(check: ShownClaim): string {
  return VERDICTS[claimVerdict(check)].word;
}

/**
 * The colour that marks a verdict in HTML (green holds, red does not hold, amber inconclusive;
 * each also has its own word and mark, so the colour is never the only signal).
 *
 * @param verdict the verdict.
 * @returns a CSS hex colour.
 * @example
 * ```ts
 * import { verdictColour } from "./claims_view.ts";
 * verdictColour("inconclusive"); // "#9a6700"
 * ```
 * @category plots
 */
export function verdictColour(verdict: Verdict): string {
  return VERDICTS[verdict].colour;
}

/** The measured detail and, when there is one, the reason for the verdict. */
function explanation(c: ShownClaim): string {
  const detail = c.detail ?? "";
  return c.reason ? `${detail}${detail ? " " : ""}Why ${verdictWord(c)}: ${c.reason}` : detail;
}

/**
 * The claims as plain text, one paragraph each: `[holds] claim — detail` (and the reason of the
 * verdict when the check gives one).
 *
 * @param claims the checked claims (an experiment result's `claims`).
 * @returns the text; a line saying so when there are none.
 * @example
 * ```ts
 * import { claimsText } from "./claims_view.ts";
 * console.log(claimsText([{ claim: "C1 converges fastest", holds: true,
 *   detail: "C1's final loss 0.41 is the lowest of 4 sets." }]));
 * ```
 * @category plots
 */
export function claimsText(claims: readonly ShownClaim[]): string {
  const cs = checked(claims, "claimsText");
  if (cs.length === 0) return "No claims were checked.";
  return cs.map((c) => `[${verdictWord(c)}] ${c.claim} — ${explanation(c)}`).join("\n");
}

/**
 * The claims as an HTML list; each item carries its verdict as a CSS class (`holds`,
 * `fails`, `inconclusive`), a mark, a word and a colour of its own, then the measured detail and
 * the reason.
 *
 * @param claims the checked claims.
 * @returns an HTML fragment (a `<ul>`), escaped.
 * @example
 * ```ts
 * import { claimsHtml } from "./claims_view.ts";
 * const html = claimsHtml([{ claim: "A > B", holds: false, detail: "A 0.2 < B 0.3." }]);
 * ```
 * @category plots
 */
export function claimsHtml(claims: readonly ShownClaim[]): string {
  const cs = checked(claims, "claimsHtml");
  if (cs.length === 0) return `<p class="avscene-claims-none">No claims were checked.</p>`;
  const items = cs.map((c) => {
    const v = claimVerdict(c);
    const { mark, colour } = VERDICTS[v];
    return `<li class="${v}"><strong style="color:${colour}">${mark} ${
      escapeHtml(verdictWord(c))
    }:</strong> ${escapeHtml(c.claim)}<br><span class="detail">${
      escapeHtml(explanation(c))
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
 * @category plots
 */
export async function displayClaims(
  claims: readonly ShownClaim[],
): Promise<MimeBundle | undefined> {
  const bundle: MimeBundle = { "text/html": claimsHtml(claims), "text/plain": claimsText(claims) };
  const show = jupyterDisplay();
  if (!show) return bundle;
  await show(bundle, { raw: true });
  return undefined;
}
