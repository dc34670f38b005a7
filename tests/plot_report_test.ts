import assert from "node:assert/strict";
import { join } from "node:path";
import {
  comparisonBars,
  confusionMatrix,
  heatmapOverlay,
  type RGBImage,
  spectrogramImage,
  trainingCurves,
} from "../lib/plot/mod.ts";
import { type ReportSection, writeReport } from "../lib/report/mod.ts";

function demoSections(): ReportSection[] {
  const H = 48, W = 64;
  const data = new Float32Array(H * W * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      data[p] = x / W;
      data[p + 1] = 0.4;
      data[p + 2] = y / H;
    }
  }
  const image: RGBImage = { data, height: H, width: W };
  const heat = new Float32Array(6 * 8);
  for (let i = 0; i < heat.length; i++) {
    heat[i] = Math.exp(-((i % 8 - 6) ** 2 + ((i / 8 | 0) - 1) ** 2) / 2);
  }
  const frames = 40, bins = 32;
  const mag = new Float32Array(frames * bins);
  for (let t = 0; t < frames; t++) {
    for (let f = 0; f < bins; f++) {
      mag[t * bins + f] = f % 8 === 3 ? 1 : 1e-3 * (1 + (t % 5));
    }
  }
  const steps = [0, 50, 100, 150, 200];
  const rows = [
    {
      method: "C2(C1) + source",
      metric: "accuracy",
      ours: { mean: 0.61, std: 0.02, n: 3 },
      paper: 0.797,
    },
    { method: "C1", metric: "accuracy", ours: { mean: 0.58, std: 0.03, n: 3 }, paper: 0.765 },
    { method: "random <baseline>", metric: "accuracy", ours: { mean: 0.1, std: 0.01, n: 3 } },
  ];
  return [
    {
      title: "Fig. 3a: training loss",
      text: "The paper claims C1 converges fastest.\n\nWe train each set with 3 seeds.",
      plots: [{
        spec: trainingCurves([
          { name: "C1", steps, mean: [2, 1.2, 0.9, 0.7, 0.6], std: [0.1, 0.1, 0.08, 0.05, 0.05] },
          { name: "C3", steps, mean: [2.4, 2, 1.8, 1.7, 1.6], std: [0.2, 0.2, 0.1, 0.1, 0.1] },
        ], { metric: "loss", title: "Fig. 3a" }),
        caption: "mean ± std over 3 seeds",
      }],
      verdict: "Borne out on the synthetic world.",
      data: { curves: { C1: [2, 1.2, 0.9, 0.7, 0.6] } },
    },
    {
      title: "Table 1: classification",
      plots: [{ spec: comparisonBars(rows, { title: "Table 1" }) }],
      tables: [{ caption: "ESC-50 protocol", rows, paperData: true }],
      verdict: "Ordering matches; absolute numbers are lower.",
    },
    {
      title: "Localization & separation",
      plots: [
        {
          spec: heatmapOverlay(image, heat, 6, 8, {
            boxes: [[36, 0, 64, 24]],
            boxLabels: ["A"],
            title: "heatmap",
          }),
        },
        { spec: spectrogramImage(mag, frames, bins, { title: "mixture" }) },
        { spec: confusionMatrix([[9, 1], [2, 8]], ["1", "2"], { title: "counting" }) },
      ],
    },
  ];
}

Deno.test("writeReport: self-contained index.html and results.json, written atomically", async () => {
  const dir = await Deno.makeTempDir({ prefix: "avscene-report-" });
  try {
    const out = join(dir, "nested", "report");
    const when = new Date("2024-01-02T03:04:05Z");
    const files = await writeReport(out, demoSections(), {
      title: "Test report",
      meta: { mode: "quick", seeds: 3 },
      generatedAt: when,
    });
    assert.equal(files.html, join(out, "index.html"));
    const html = await Deno.readTextFile(files.html);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 5, "every plot inlined as SVG");
    assert.ok(!/<script/i.test(html), "no scripts");
    assert.ok(!/(src|href)="(https?:)?\/\//.test(html), "no external resources");
    assert.match(html, /random &lt;baseline&gt;/);
    assert.match(html, /0\.610 ± 0\.020/);
    assert.match(html, /<strong>Verdict:<\/strong> Borne out/);
    assert.match(html, /<p>We train each set with 3 seeds\.<\/p>/);
    assert.match(html, /2024-01-02T03:04:05\.000Z/);
    assert.match(html, /mode: <code>quick<\/code>/);
    // SVG ids are unique across inlined plots.
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, "ids unique");
    for (const ref of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(ref[1]), ref[1]);

    const json = JSON.parse(await Deno.readTextFile(files.json));
    assert.equal(json.title, "Test report");
    assert.equal(json.meta.seeds, 3);
    assert.equal(json.sections.length, 3);
    assert.equal(json.sections[0].id, "fig-3a-training-loss");
    assert.deepEqual(json.sections[0].data.curves.C1, [2, 1.2, 0.9, 0.7, 0.6]);
    assert.equal(json.sections[1].tables[0].rows[0].paper, 0.797);
    assert.equal(json.sections[1].tables[0].formatted.rows[0][5], "-0.187");
    // No temp files left beside the outputs.
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(names, ["index.html", "results.json"]);

    // Rewriting replaces the files in place.
    await writeReport(out, [{ title: "Only" }], { generatedAt: when });
    const again = JSON.parse(await Deno.readTextFile(files.json));
    assert.equal(again.sections.length, 1);

    const keep = Deno.env.get("AVSCENE_KEEP_REPORT");
    if (keep) {
      await writeReport(keep, demoSections(), { title: "Demo report", meta: { mode: "demo" } });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeReport: bad arguments are named", async () => {
  await assert.rejects(() => writeReport("", []), /dir/);
  await assert.rejects(
    () => writeReport("/tmp/unused", [{ title: "A" }, { title: "a" }]),
    /sections\[1\] repeats the id "a"/,
  );
  await assert.rejects(
    () => writeReport("/tmp/unused", [{} as ReportSection]),
    /sections\[0\] must have a title/,
  );
});
