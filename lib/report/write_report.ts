/**
 * Write a self-contained HTML report (inline SVG plots, no scripts, no external resources) and
 * its machine-readable `results.json`.
 *
 * @module
 */
import { join } from "node:path";
import { claimsHtml, verdictWord } from "./claims_view.ts";
import { escapeHtml } from "../plot/escape_html.ts";
import { renderSvg } from "../plot/render_svg.ts";
import { resultsTable } from "../plot/results_table.ts";
import { tableHtml } from "../plot/table_html.ts";
import type { TableView } from "../plot/table_view.ts";
import { writeFileAtomic } from "../io/write_atomic.ts";
import { experimentSection, type ReportableResult } from "./experiment_sections.ts";
import type { ReportFiles, ReportOptions, ReportSection } from "./report_section.ts";

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
  max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #d0d7de; }
ul.meta { list-style: none; padding: 0; color: #57606a; } ul.meta li { display: inline-block; margin-right: 1.5em; }
nav a { margin-right: 1em; }
figure { margin: 1em 0; overflow-x: auto; } figcaption { color: #57606a; font-size: 0.9em; }
table.avscene-table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
table.avscene-table caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
table.avscene-table th, table.avscene-table td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; }
table.avscene-table th { background: #f6f8fa; } td.num { text-align: right; }
ul.avscene-claims { padding-left: 1.2em; } ul.avscene-claims li { margin: 0.5em 0; }
ul.avscene-claims .detail { color: #57606a; }
td.holds { color: #1a7f37; font-weight: 600; white-space: nowrap; }
td.does-not-hold { color: #b42318; font-weight: 600; white-space: nowrap; }
td.inconclusive { color: #9a6700; font-weight: 600; white-space: nowrap; }
.verdict { background: #f6f8fa; border-left: 4px solid #8c959f; padding: 0.5em 1em; }
`;

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "section";
}

function paragraphs(text: string): string {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p)}</p>`).join("\n");
}

function isResult(x: ReportSection | ReportableResult): x is ReportableResult {
  return typeof (x as ReportableResult)?.experiment === "string";
}

const VERDICT_CLASS: Record<string, string> = {
  "holds": "holds",
  "does not hold": "does-not-hold",
  "inconclusive": "inconclusive",
};

function claimsSummary(sections: ReportSection[]): string {
  const claims = sections.flatMap((s) => (s.claims ?? []).map((c) => ({ s, c })));
  if (claims.length === 0) return "";
  const rows = claims.map(({ s, c }) =>
    `<tr><td><a href="#${escapeHtml(s.id!)}">${escapeHtml(s.title.split(":")[0])}</a></td>` +
    `<td>${escapeHtml(c.claim)}</td><td class="${
      VERDICT_CLASS[verdictWord(c)] ?? "inconclusive"
    }">${escapeHtml(verdictWord(c))}</td><td>${escapeHtml(c.reason ?? "")}</td></tr>`
  );
  const count = (word: string) => claims.filter(({ c }) => verdictWord(c) === word).length;
  return `<h2 id="claims-summary">The paper's claims on our data</h2>
<p>Of ${claims.length} checked claims: ${count("holds")} hold, ${
    count("does not hold")
  } do not hold, ${
    count("inconclusive")
  } are inconclusive (within the seeds' noise, or not judged because a method is not above its floor).</p>
<table class="avscene-table"><thead><tr><th>Experiment</th><th>Claim</th><th>On our data</th><th>Why</th></tr></thead>
<tbody>${rows.join("")}</tbody></table>`;
}

/**
 * Write `dir/index.html` and `dir/results.json` (both atomically; `dir` is created). The HTML
 * is viewable offline: every plot is rendered headless to inline SVG, tables show our mean ±
 * std beside the paper's numbers, each checked claim says whether it holds with its computed
 * detail, and the run's facts (`meta`, time stamp) head the page. Experiment results are
 * turned into sections with {@linkcode experimentSection}; other sections are used as given.
 *
 * @param dir the output directory.
 * @param content sections and/or experiment runners' results, in page order.
 * @param opts title, run facts and time stamp.
 * @returns the paths written.
 * @example
 * ```ts ignore
 * // minutes of training: shown, not run by `deno test --doc`
 * import assert from "node:assert/strict";
 * import { runTable1 } from "@avscene/avscene/experiments";
 * import { writeReport } from "@avscene/avscene/report";
 * const files = await writeReport("report", [await runTable1({ quick: true })], { meta: { mode: "quick" } });
 * assert.equal(files.html, "report/index.html");
 * ```
 * @category plots
 */
export async function writeReport(
  dir: string,
  content: readonly (ReportSection | ReportableResult)[],
  opts: ReportOptions = {},
): Promise<ReportFiles> {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new Error("writeReport: dir must be a non-empty path");
  }
  if (!Array.isArray(content)) throw new TypeError("writeReport: sections must be an array");
  const sections: ReportSection[] = content.map((x, i) => {
    if (isResult(x)) return experimentSection(x);
    if (!x || typeof x.title !== "string" || x.title.length === 0) {
      throw new TypeError(`writeReport: sections[${i}] must have a title`);
    }
    return x;
  });
  const ids = new Set<string>();
  const withIds = sections.map((s, i) => {
    const id = s.id ?? slug(s.title);
    if (ids.has(id)) throw new Error(`writeReport: sections[${i}] repeats the id "${id}"`);
    ids.add(id);
    return { ...s, id };
  });
  const title = opts.title ?? "avscene reproduction report";
  const when = (opts.generatedAt ?? new Date()).toISOString();
  const meta = opts.meta ?? {};

  const bodies: string[] = [];
  const jsonSections: unknown[] = [];
  for (const [si, s] of withIds.entries()) {
    const parts = [`<section id="${escapeHtml(s.id)}">`, `<h2>${escapeHtml(s.title)}</h2>`];
    if (s.text) parts.push(paragraphs(s.text));
    for (const [pi, plot] of (s.plots ?? []).entries()) {
      let svg: string;
      try {
        svg = await renderSvg(plot.spec, { idPrefix: `s${si}p${pi}-` });
      } catch (e) {
        throw new Error(
          `writeReport: sections[${si}].plots[${pi}] could not be rendered: ${
            (e as Error).message
          }`,
        );
      }
      parts.push(
        `<figure>${svg}${
          plot.caption ? `<figcaption>${escapeHtml(plot.caption)}</figcaption>` : ""
        }</figure>`,
      );
    }
    const tables: { caption?: string; rows: unknown; formatted: TableView }[] = [];
    for (const t of s.tables ?? []) {
      const formatted = resultsTable(t.rows, {
        digits: t.digits,
        caption: t.caption,
        paperData: t.paperData,
      });
      parts.push(tableHtml(formatted));
      tables.push({ caption: t.caption, rows: t.rows, formatted });
    }
    if (s.claims) {
      parts.push(`<h3>The paper's claims, checked</h3>`, claimsHtml(s.claims));
    }
    if (s.verdict) {
      parts.push(`<p class="verdict"><strong>Verdict:</strong> ${escapeHtml(s.verdict)}</p>`);
    }
    parts.push(`</section>`);
    bodies.push(parts.join("\n"));
    jsonSections.push({
      id: s.id,
      title: s.title,
      ...(s.text !== undefined ? { text: s.text } : {}),
      plots: (s.plots ?? []).map((p) => ({ caption: p.caption, spec: p.spec })),
      tables,
      ...(s.claims !== undefined ? { claims: s.claims } : {}),
      ...(s.verdict !== undefined ? { verdict: s.verdict } : {}),
      ...(s.data !== undefined ? { data: s.data } : {}),
    });
  }

  const metaItems = [
    `<li>generated: <code>${escapeHtml(when)}</code></li>`,
    ...Object.entries(meta).map(([k, v]) =>
      `<li>${escapeHtml(k)}: <code>${escapeHtml(String(v))}</code></li>`
    ),
  ];
  const nav = withIds.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`);
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<ul class="meta">${metaItems.join("")}</ul>
${nav.length > 0 ? `<nav>${nav.join("")}</nav>` : ""}
</header>
<main>
${claimsSummary(withIds)}
${bodies.join("\n")}
</main>
</body>
</html>
`;
  const results = content.filter(isResult);
  const allClaims = withIds.flatMap((s) => s.claims ?? []);
  const json = {
    title,
    generatedAt: when,
    meta,
    verdicts: {
      holds: allClaims.filter((c) => verdictWord(c) === "holds").length,
      "does not hold": allClaims.filter((c) => verdictWord(c) === "does not hold").length,
      inconclusive: allClaims.filter((c) => verdictWord(c) === "inconclusive").length,
    },
    ...(results.length > 0 ? { results } : {}),
    sections: jsonSections,
  };
  await Deno.mkdir(dir, { recursive: true });
  const files = { html: join(dir, "index.html"), json: join(dir, "results.json") };
  await writeFileAtomic(files.json, JSON.stringify(json, null, 1) + "\n");
  await writeFileAtomic(files.html, html);
  return files;
}
