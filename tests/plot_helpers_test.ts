import assert from "node:assert/strict";
import {
  claimsHtml,
  claimsText,
  compileVegaLite,
  type CurvePoint,
  curveRuns,
  gradeSizesChart,
  heatmapOverlay,
  progressView,
  renderSvg,
  resultsTable,
  sideBySide,
  summaryRows,
} from "../lib/plot/mod.ts";
import { resultRow } from "../lib/experiments/mod.ts";

function assertCleanCompile(spec: Record<string, unknown>) {
  const { warnings } = compileVegaLite(spec) as { warnings?: string[] };
  assert.deepEqual(warnings ?? [], []);
}

Deno.test("summaryRows: runner rows become summaries with n = seeds; bad rows are named", () => {
  const rows = summaryRows([
    resultRow("C1", "acc", [0.5, 0.7], 0.6),
    { method: "x", metric: "acc", ours: { mean: 1, std: 0, n: 1 } },
  ]);
  assert.equal(rows[0].ours.n, 2);
  assert.ok(Math.abs(rows[0].ours.mean - 0.6) < 1e-12);
  assert.equal(rows[0].paper, 0.6);
  assert.deepEqual(rows[1].ours, { mean: 1, std: 0, n: 1 });
  assert.throws(() => summaryRows([{ method: "m", metric: "a" } as never]), /rows\[0\]/);
  // resultsTable picks decimals from the numbers' size: percentages get one.
  const t = resultsTable([resultRow("C1", "accuracy (%)", [51.25, 53.5], 56.75)]);
  assert.deepEqual(t.rows[0].slice(2), ["52.4 ± 1.6", 2, "56.8", "-4.4"]);
});

Deno.test("curveRuns: mean ± std over seeds per window, runs in order of appearance", () => {
  const curves: CurvePoint[] = [];
  for (const run of ["B", "A"]) {
    for (const seed of [0, 1]) {
      for (let step = 1; step <= 10; step++) {
        curves.push({ run, seed, step, loss: step + seed, accuracy: 0.1 * seed });
      }
    }
  }
  const runs = curveRuns(curves, "loss", { maxPoints: 5 });
  assert.deepEqual(runs.map((r) => r.name), ["B", "A"]);
  assert.deepEqual(runs[0].steps, [2, 4, 6, 8, 10]);
  // window of steps 1-2: seed 0 averages 1.5, seed 1 averages 2.5
  assert.equal(runs[0].mean[0], 2);
  assert.ok(Math.abs(runs[0].std![0] - Math.SQRT1_2) < 1e-12);
  const acc = curveRuns(curves, "accuracy");
  assert.equal(acc[0].steps.length, 10);
  assert.throws(() => curveRuns([], "loss"), /non-empty/);
  assert.throws(() => curveRuns(curves, "loss", { maxPoints: 0 }), /maxPoints/);
  assert.throws(() => curveRuns([{ run: "a" } as never], "loss"), /curves\[0\]/);
});

Deno.test("claimsText / claimsHtml: verdict, claim and the computed detail, escaped", () => {
  const claims = [
    { claim: "A > B", holds: true, detail: "A 0.4 > B 0.3" },
    { claim: "C < D", holds: false, detail: "C 2 & D 1" },
  ];
  assert.equal(
    claimsText(claims),
    "[holds] A > B — A 0.4 > B 0.3\n[does not hold] C < D — C 2 & D 1",
  );
  const html = claimsHtml(claims);
  assert.match(html, /<li class="holds">.*✔ holds:<\/strong> A &gt; B/);
  assert.match(html, /<li class="does-not-hold">.*✘ does not hold:<\/strong> C &lt; D/);
  assert.match(html, /C 2 &amp; D 1/);
  assert.equal(claimsText([]), "No claims were checked.");
  assert.throws(() => claimsHtml([{ claim: "x" } as never]), /claims\[0\]/);
});

Deno.test("gradeSizesChart and sideBySide compile cleanly and render", async () => {
  const grades = gradeSizesChart([
    { level: 1, truth: 20, predicted: [18, 22] },
    { level: 2, truth: 10, predicted: [12, 13] },
  ]);
  assertCleanCompile(grades);
  const svg = await renderSvg(grades);
  assert.match(svg, /Curriculum grades/);
  assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, 4);
  assert.throws(() => gradeSizesChart([{ level: 1, truth: 2 } as never]), /sizes\[0\]/);

  const image = { data: new Float32Array(8 * 8 * 3).fill(0.5), height: 8, width: 8 };
  const heat = new Float32Array(4).fill(1);
  const row = sideBySide([
    heatmapOverlay(image, heat, 2, 2, { title: "left" }),
    heatmapOverlay(image, heat, 2, 2, { title: "right" }),
  ], { title: "pair" });
  assertCleanCompile(row);
  assert.equal((row.hconcat as unknown[]).length, 2);
  assert.ok((row.hconcat as Record<string, unknown>[]).every((s) => !("$schema" in s)));
  const rowSvg = await renderSvg(row);
  for (const t of ["pair", "left", "right"]) assert.match(rowSvg, new RegExp(`>${t}<`));
  assert.throws(() => sideBySide([]), /non-empty/);
});

Deno.test("progressView outside a kernel prints throttled status lines", async () => {
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    const view = progressView("demo", { intervalMs: 60_000 });
    view.update(1, 4, "first");
    view.update(2, 4, "throttled away");
    view.onRun({ experiment: "x", stage: "last", done: 4, total: 4 });
    await view.finish("all done");
  } finally {
    console.log = log;
  }
  lines.push("--");
  console.log = (s: string) => lines.push(s);
  try {
    await progressView("cached").finish("nothing left to do");
  } finally {
    console.log = log;
  }
  assert.match(lines[lines.length - 1], /^cached \d+ s — nothing left to do$/);
  lines.splice(lines.indexOf("--"));
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^demo: 1\/4 \(25%\) \d+ s — first$/);
  assert.match(lines[1], /^demo: 4\/4 \(100%\) .* — last$/);
  assert.match(lines[2], /— all done$/);
});
