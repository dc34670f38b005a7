import assert from "node:assert/strict";
import {
  comparisonBars,
  compileVegaLite,
  heatmapOverlay,
  maskImage,
  renderSvg,
  resultsTable,
  sideBySide,
  spectrogramImage,
  summaryRows,
} from "../lib/plot/mod.ts";
import {
  claimsHtml,
  claimsText,
  type CurvePoint,
  curveRuns,
  gradeSizesChart,
  progressView,
} from "../lib/report/mod.ts";
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
  const t = resultsTable([resultRow("C1", "accuracy (%)", [51.25, 53.5], 56.75)], {
    paperData: true,
  });
  assert.deepEqual(t.rows[0].slice(2), ["52.4 ± 1.6", 2, "56.8", "-4.4"]);
  // other data than the paper's: no difference; one seed: no spread
  const other = resultsTable([resultRow("C1", "accuracy (%)", [51.25], 56.75)]);
  assert.deepEqual(other.rows[0].slice(2), ["51.3 ± —", 1, "56.8", "different data"]);
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
    { claim: "A > B", verdict: "holds", reason: "clear", holds: true, detail: "A 0.4 > B 0.3" },
    {
      claim: "C < D",
      verdict: "does not hold",
      reason: "reversed",
      holds: false,
      detail: "C 2 & D 1",
    },
    {
      claim: "E > F",
      verdict: "inconclusive",
      reason: "within noise",
      holds: false,
      detail: "E 1",
    },
  ] as const;
  assert.equal(
    claimsText(claims),
    "[holds] A > B — A 0.4 > B 0.3 (clear)\n[does not hold] C < D — C 2 & D 1 (reversed)\n" +
      "[inconclusive] E > F — E 1 (within noise)",
  );
  const html = claimsHtml(claims);
  assert.match(html, /<li class="holds">.*✔ holds:<\/strong> A &gt; B/);
  assert.match(html, /<li class="does-not-hold">.*✘ does not hold:<\/strong> C &lt; D/);
  assert.match(
    html,
    /<li class="inconclusive">.*\? inconclusive:<\/strong> E &gt; F.*within noise/,
  );
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
  assert.equal(row.resolve, undefined, "maps normalised alike share one colour scale");
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

/** The pixel width of a rendered SVG. */
function svgWidth(svg: string): number {
  return Number(svg.match(/<svg[^>]*\swidth="([\d.]+)"/)![1]);
}

Deno.test("figures fit a 900 px column: Table 3's bars and three spectrogram panels wrap", async () => {
  const methods = ["NMF-MFCC", "AV-Mix-Sep", "Sound-of-Pixels", "Co-Separation", "Ours"];
  const metrics = ["SDR (dB)", "SIR (dB)", "SAR (dB)", "evaluated mixtures (%)"];
  const rows = metrics.flatMap((metric) =>
    methods.map((method) => ({ method, metric, ours: { mean: 3, std: 1, n: 3 }, paper: 5 }))
  );
  for (const metric of ["dSDR solo+duet vs solo (dB)", "dSIR solo+duet vs solo (dB)"]) {
    for (const method of ["Sound-of-Pixels", "Ours"]) {
      rows.push({ method, metric, ours: { mean: -1, std: 1, n: 3 }, paper: 0.5 });
    }
  }
  const bars = comparisonBars(rows, { title: "Table 3: sound separation" });
  assertCleanCompile(bars);
  assert.ok(Array.isArray(bars.vconcat), "the six panels wrap into rows");
  const barsSvg = await renderSvg(bars);
  assert.ok(svgWidth(barsSvg) <= 900, `Table 3 chart is ${svgWidth(barsSvg)} px wide`);
  for (const m of metrics) assert.ok(barsSvg.includes(`>${m}<`), `panel ${m} is drawn`);

  const frames = 32, bins = 64;
  const mag = Float32Array.from({ length: frames * bins }, (_, i) => 1 + (i % 7));
  const mask = Float32Array.from({ length: frames * bins }, (_, i) => (i % 3) / 2);
  const three = sideBySide([
    maskImage(mask, frames, bins, { title: "predicted mask", width: 220 }),
    spectrogramImage(mag, frames, bins, { title: "mask × mixture", width: 220 }),
    spectrogramImage(mag, frames, bins, { title: "alone (truth)", width: 220 }),
  ]);
  assertCleanCompile(three);
  const threeSvg = await renderSvg(three);
  assert.ok(svgWidth(threeSvg) <= 900, `three panels are ${svgWidth(threeSvg)} px wide`);
  for (const t of ["predicted mask", "mask × mixture", "alone (truth)"]) {
    assert.ok(threeSvg.includes(`>${t}<`), `${t} is drawn`);
  }
  // The mask's scale (0..1) and the spectrograms' (dB) are different: each keeps its legend.
  assert.deepEqual(three.resolve, {
    scale: { color: "independent" },
    legend: { color: "independent" },
  });
  const [first] = three.vconcat as Record<string, unknown>[];
  assert.equal((first.hconcat as unknown[]).length, 2, "two 220 px panels share the first row");
  assert.deepEqual(first.resolve, three.resolve, "the row keeps their colour scales apart");
  // Each picture has its own legend: one "mask" and two "dB" titles, none merged.
  assert.equal(threeSvg.split(">mask<").length - 1, 1);
  assert.equal(threeSvg.split(">dB<").length - 1, 2);
  assert.throws(() => sideBySide([three], { maxWidth: 0 }), /opts\.maxWidth must be positive/);
});
