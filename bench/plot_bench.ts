/**
 * What a PNG fallback costs per figure: rasterising a figure's SVG with resvg (`renderPng`)
 * against rendering the vega-lite spec to that SVG (`renderSvg`, the baseline of each group),
 * for a chart (a Table 1 style comparison) and a picture (a heatmap over a 64x64 frame). The
 * renderer and fonts are loaded before timing (about 0.2 s once per process).
 */
import {
  comparisonBars,
  heatmapOverlay,
  renderPng,
  renderSvg,
  type VegaLiteSpec,
} from "../lib/plot/mod.ts";

const methods = ["C2(C1) + source", "C1(C2) + source", "C1", "C2(C1) + scene", "random init"];
const chart = comparisonBars(
  methods.map((method, i) => ({
    method,
    metric: "accuracy (%)",
    ours: { mean: 80 - 5 * i, std: 2, n: 3 },
    paper: 56 - 3 * i,
  })),
  { title: "Table 1: frozen-feature classification" },
);
const size = 64;
const frame = {
  data: Float32Array.from({ length: size * size * 3 }, (_, i) => (i % 7) / 7),
  height: size,
  width: size,
};
const heat = Float32Array.from({ length: 14 * 14 }, (_, i) => Math.sin(i / 9) ** 2);
const picture = heatmapOverlay(frame, heat, 14, 14, { title: "where the sound is" });

await renderPng(await renderSvg(chart));
for (const [name, spec] of [["chart", chart], ["picture", picture]] as [string, VegaLiteSpec][]) {
  const svg = await renderSvg(spec);
  Deno.bench({
    name: `${name}: vega-lite -> SVG (renderSvg)`,
    group: name,
    baseline: true,
    fn: async () => {
      await renderSvg(spec);
    },
  });
  Deno.bench({
    name: `${name}: SVG -> PNG (renderPng)`,
    group: name,
    fn: async () => {
      await renderPng(svg);
    },
  });
}
