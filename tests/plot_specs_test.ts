import assert from "node:assert/strict";
import {
  colormap,
  comparisonBars,
  compileVegaLite,
  confusionMatrix,
  heatmapOverlay,
  maskImage,
  renderSvg,
  type RGBImage,
  sceneImage,
  spectrogramImage,
  trainingCurves,
  VEGA_LITE_SCHEMA,
  type VegaLiteSpec,
} from "../lib/plot/mod.ts";
import { decode } from "fast-png";

function assertCleanCompile(spec: VegaLiteSpec): void {
  const { vega, warnings } = compileVegaLite(spec);
  assert.deepEqual(warnings, [], `vega-lite warnings: ${warnings.join("; ")}`);
  assert.ok(Array.isArray(vega.marks), "compiled vega spec has marks");
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  // The spec must survive a JSON round trip (it goes into notebooks and results.json).
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
}

function count(haystack: string, needle: RegExp): number {
  return haystack.match(needle)?.length ?? 0;
}

/** Decode the first PNG data URI in `text` whose size is `w`x`h`. */
function pngsIn(text: string): { width: number; height: number; data: ArrayLike<number> }[] {
  const out = [];
  for (const m of text.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)) {
    const bytes = Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0));
    const img = decode(bytes);
    out.push({ width: img.width, height: img.height, data: img.data });
  }
  return out;
}

const runs = [
  { name: "C1", steps: [0, 10, 20, 30], mean: [2.0, 1.2, 0.8, 0.6], std: [0.1, 0.1, 0.05, 0.05] },
  { name: "C3", steps: [0, 10, 20, 30], mean: [2.5, 2.0, 1.7, 1.5], std: [0.2, 0.1, 0.1, 0.1] },
  { name: "uncurated", steps: [0, 10, 20, 30], mean: [2.2, 1.6, 1.2, 1.0] },
];

Deno.test("trainingCurves: compiles cleanly, one line per run, bands from std", async () => {
  const spec = trainingCurves(runs, { metric: "loss", title: "Fig. 3a" });
  assertCleanCompile(spec);
  const values = (spec.data as { values: { run: string; lo: number; hi: number }[] }).values;
  assert.equal(values.length, 12);
  const c1 = values.filter((v) => v.run === "C1");
  assert.ok(Math.abs(c1[0].hi - c1[0].lo - 0.2) < 1e-12, "band is mean ± std");
  const unc = values.filter((v) => v.run === "uncurated");
  assert.ok(unc.every((v) => v.lo === v.hi), "no band without std");
  const svg = await renderSvg(spec);
  assert.ok(svg.startsWith("<svg"));
  assert.match(svg, /Fig\. 3a/);
  assert.match(svg, /training loss/);
  for (const name of ["C1", "C3", "uncurated"]) assert.match(svg, new RegExp(`>${name}<`));
  assert.equal(count(svg, /aria-roledescription="line mark"/g), 3, "three lines");
  assert.equal(count(svg, /aria-roledescription="area mark"/g), 3, "a band per run");
});

Deno.test("trainingCurves: accuracy has a [0,1] axis; bad input names the argument", async () => {
  const spec = trainingCurves([runs[0]], { metric: "accuracy", title: "Fig. 3b" });
  assertCleanCompile(spec);
  const svg = await renderSvg(spec);
  assert.match(svg, /training accuracy/);
  assert.match(svg, />1\.0</);
  assert.throws(() => trainingCurves([], { metric: "loss", title: "x" }), /runs/);
  assert.throws(
    () => trainingCurves([{ name: "a", steps: [1, 2], mean: [1] }], { metric: "loss", title: "" }),
    /runs\[0\]/,
  );
  assert.throws(
    () => trainingCurves(runs, { metric: "auc" as "loss", title: "" }),
    /opts\.metric/,
  );
});

Deno.test("comparisonBars: a panel per metric, paper diamonds only where given", async () => {
  const rows = [
    { method: "C2(C1)+src", metric: "accuracy", ours: { mean: 0.7, std: 0.02, n: 3 }, paper: 0.74 },
    { method: "C1", metric: "accuracy", ours: { mean: 0.65, std: 0.03, n: 3 }, paper: 0.71 },
    { method: "random", metric: "accuracy", ours: { mean: 0.1, std: 0.01, n: 3 } },
    { method: "C1", metric: "SDR (dB)", ours: { mean: 4.5, std: 0.4, n: 3 }, paper: 6.1 },
  ];
  const spec = comparisonBars(rows, { title: "Table 1" });
  assertCleanCompile(spec);
  const svg = await renderSvg(spec);
  assert.match(svg, /Table 1/);
  assert.match(svg, /black diamonds/);
  assert.equal(count(svg, /aria-roledescription="bar"/g), 4, "a bar per row");
  assert.equal(count(svg, /aria-roledescription="point"/g), 3, "a diamond per paper number");
  assert.match(svg, />SDR \(dB\)</);
  assert.match(svg, />accuracy</);
  assert.throws(() => comparisonBars([], { title: "" }), /rows/);
});

Deno.test("heatmapOverlay: embeds image and colour-mapped heatmap, outlines boxes", async () => {
  const H = 16, W = 24;
  const data = new Float32Array(H * W * 3);
  for (let i = 0; i < H * W; i++) data[i * 3 + 2] = 1; // blue image
  const image: RGBImage = { data, height: H, width: W };
  const heat = new Float32Array([0, 0, 1, 0, 0, 0]); // 2 x 3, hot at row 0, col 2
  const spec = heatmapOverlay(image, heat, 2, 3, {
    boxes: [[16, 0, 24, 8]],
    boxLabels: ["violin"],
    title: "localization",
  });
  assertCleanCompile(spec);
  const pngs = pngsIn(JSON.stringify(spec));
  assert.equal(pngs.length, 2);
  assert.deepEqual([pngs[0].width, pngs[0].height], [W, H]);
  assert.deepEqual(Array.from(pngs[0].data).slice(0, 4), [0, 0, 255, 255], "image pixel is blue");
  assert.deepEqual([pngs[1].width, pngs[1].height], [3, 2]);
  const alpha = (i: number) => pngs[1].data[i * 4 + 3];
  assert.equal(alpha(0), 0, "minimum of the heatmap is transparent");
  assert.equal(alpha(2), Math.round(255 * 0.75), "maximum gets the full overlay opacity");
  assert.deepEqual(Array.from(pngs[1].data).slice(8, 11), colormap(1, "viridis"));
  const svg = await renderSvg(spec);
  assert.equal(count(svg, /<image /g), 2, "two embedded pictures in the SVG");
  assert.match(svg, /xlink:href="data:image\/png;base64,/);
  assert.match(svg, />violin</);
  assert.equal(count(svg, /aria-roledescription="rect mark"/g), 1, "one box");
  assert.match(svg, /map \(min-max\)/, "a colour scale of the normalised map");
  assert.match(svg, /linearGradient/);
  const bare = await renderSvg(heatmapOverlay(image, heat, 2, 3, { legend: false }));
  assert.doesNotMatch(bare, /linearGradient/);
  assert.throws(() => heatmapOverlay(image, heat, 3, 3), /heatmap has 6 values/);
  assert.throws(() => heatmapOverlay(image, heat, 2, 3, { opacity: 2 }), /opts\.opacity/);
});

Deno.test("spectrogramImage: frequency upwards, dB range; maskImage in gray [0,1]", async () => {
  const frames = 5, bins = 4;
  const mag = new Float32Array(frames * bins).fill(1e-6);
  for (let t = 0; t < frames; t++) mag[t * bins + (bins - 1)] = 1; // loud top bin
  const spec = spectrogramImage(mag, frames, bins, { title: "mixture", yTitle: "mel bin" });
  assertCleanCompile(spec);
  const [png] = pngsIn(JSON.stringify(spec));
  assert.deepEqual([png.width, png.height], [frames, bins]);
  // Top image row is the highest bin (loud: top of viridis), bottom row quiet (bottom).
  assert.deepEqual(Array.from(png.data).slice(0, 3), colormap(1, "viridis"));
  const last = (bins - 1) * frames * 4;
  assert.deepEqual(Array.from(png.data).slice(last, last + 3), colormap(0, "viridis"));
  const svg = await renderSvg(spec);
  assert.match(svg, /mixture/);
  assert.match(svg, /mel bin/);
  assert.equal(count(svg, /<image /g), 1);

  const mask = new Float32Array(frames * bins);
  mask[0] = 1; // frame 0, bin 0 -> bottom-left pixel
  const mspec = maskImage(mask, frames, bins, { title: "mask" });
  assertCleanCompile(mspec);
  const [mpng] = pngsIn(JSON.stringify(mspec));
  assert.deepEqual(Array.from(mpng.data).slice(last, last + 3), [255, 255, 255]);
  assert.deepEqual(Array.from(mpng.data).slice(0, 3), [0, 0, 0]);
  assert.throws(() => spectrogramImage(mag, 3, 4), /mag has 20 values/);
});

Deno.test("confusionMatrix: a cell per pair with its count and row share", async () => {
  const spec = confusionMatrix([[8, 2, 0], [1, 6, 3], [0, 0, 7]], ["1", "2", "3"], {
    title: "counting",
  });
  assertCleanCompile(spec);
  const values = (spec.data as { values: { truth: string; predicted: string; share: number }[] })
    .values;
  assert.equal(values.length, 9);
  assert.equal(values.find((v) => v.truth === "2" && v.predicted === "3")?.share, 0.3);
  const svg = await renderSvg(spec);
  assert.equal(count(svg, /aria-roledescription="rect mark"/g), 9);
  for (const n of ["8", "6", "7", "3"]) assert.match(svg, new RegExp(`>${n}</text>`));
  assert.throws(() => confusionMatrix([[1, 2]], ["a", "b"]), /2x2/);
});

Deno.test("sceneImage: the image alone with labelled boxes", async () => {
  const image: RGBImage = { data: new Float32Array(6 * 4 * 3).fill(1), height: 6, width: 4 };
  const spec = sceneImage(image, { boxes: [[0, 0, 2, 3], [2, 3, 4, 6]], boxLabels: ["a", "b"] });
  assertCleanCompile(spec);
  const pngs = pngsIn(JSON.stringify(spec));
  assert.equal(pngs.length, 1, "no overlay picture");
  assert.deepEqual([pngs[0].width, pngs[0].height], [4, 6]);
  assert.equal(spec.height, Math.round((256 * 6) / 4), "aspect ratio kept");
  const svg = await renderSvg(spec);
  assert.equal(count(svg, /aria-roledescription="rect mark"/g), 2);
  assert.match(svg, />a</);
  assert.match(svg, />b</);
  assert.throws(
    () => sceneImage(image, { boxes: [[1, 2, 3] as never] }),
    /sceneImage: opts\.boxes\[0\]/,
  );
});
