/**
 * Test-time flip averaging of ours' maps (issue 9, stop 29): each localization scene is also
 * localized mirrored left to right, that map is mirrored back, and the two are averaged (each
 * already smoothed by `MAP_SMOOTHING`, which commutes with the mirror). Evaluation only, on
 * trained `deno task ablate` weights: Table 2's protocol (AUC and cIoU@0.5, %) on the synthetic
 * world's held-out localization scenes, per seed, for today's map, the mirrored scene's map and
 * their average. Not a `deno bench` file.
 *
 *   deno run -A bench/flip_readout.ts --weights runs/ablation/weights [--variant "ours+ema 0.99"]
 *     [--seeds 0,1,2] [--scenes 250] [--world-seed 0]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import type { AVClip } from "../lib/data/types.ts";
import { createModel } from "../lib/model/create_model.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { oursHeatmaps } from "../lib/model/ours_heatmaps.ts";
import type { GridHeatmap } from "../lib/model/grid_heatmap.ts";
import { localizationScores } from "../lib/metrics/localization_scores.ts";
import { clipCIoUs } from "../lib/metrics/clip_cious.ts";
import { ablationWeightsPath, loadAblationWeights } from "../lib/experiments/run_ablation.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    weights: { type: "string", default: "runs/ablation/weights" },
    variant: { type: "string", default: "ours+ema 0.99" },
    seeds: { type: "string", default: "0,1,2,3,4,5,6,7,8,9" },
    scenes: { type: "string", default: "250" },
    "world-seed": { type: "string", default: "0" },
  },
});
await initBackend("wasm");
const config = presetConfig("tiny");
const world = synthWorld({
  seed: Number(values["world-seed"]),
  imageSize: config.imageSize,
  sampleRate: config.sampleRate,
});
const locSet = world.localizationSet(Number(values.scenes));
const flipClip = (c: AVClip): AVClip => {
  const { data, height: H, width: W } = c.image;
  const out = new Float32Array(data.length);
  for (let r = 0; r < H; r++) {
    for (let x = 0; x < W; x++) {
      for (let k = 0; k < 3; k++) {
        out[(r * W + x) * 3 + k] = data[(r * W + (W - 1 - x)) * 3 + k];
      }
    }
  }
  return { ...c, image: { data: out, height: H, width: W } };
};
const flipped = locSet.map(flipClip);
const unflip = (m: GridHeatmap): Float32Array => {
  const out = new Float32Array(m.heatmap.length);
  for (let r = 0; r < m.height; r++) {
    for (let x = 0; x < m.width; x++) {
      out[r * m.width + x] = m.heatmap[r * m.width + m.width - 1 - x];
    }
  }
  return out;
};
const how = { beta: 5, background: "largest" as const, extraVisualCenters: 2 };
const rows: number[][] = [];
for (const seed of values.seeds.split(",").map(Number)) {
  const model = createModel({ preset: "tiny", seed });
  await loadAblationWeights(model, ablationWeightsPath(values.weights, values.variant, seed));
  const a = await oursHeatmaps(model, locSet, "aligned", how);
  // the mirrored scenes' maps, mirrored back once, then averaged with today's
  const fb = (await oursHeatmaps(model, flipped, "aligned", how)).map((m) => ({
    ...m,
    heatmap: unflip(m),
  }));
  const avg = a.map((m, i) => ({
    ...m,
    heatmap: m.heatmap.map((v, j) => 0.5 * (v + fb[i].heatmap[j])),
  }));
  const s0 = localizationScores(clipCIoUs(locSet, a));
  const s1 = localizationScores(clipCIoUs(locSet, fb));
  const s2 = localizationScores(clipCIoUs(locSet, avg));
  const r = [s0.auc, s0.ciou50, s1.auc, s1.ciou50, s2.auc, s2.ciou50].map((v) => 100 * v);
  rows.push(r);
  console.log(
    `seed ${seed}: today ${r[0].toFixed(1)}/${r[1].toFixed(1)}  flipped ${r[2].toFixed(1)}/${
      r[3].toFixed(1)
    }  average ${r[4].toFixed(1)}/${r[5].toFixed(1)}`,
  );
  model.params.dispose();
}
const mean = (k: number) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
const sd = (k: number) =>
  Math.sqrt(rows.reduce((s, r) => s + (r[k] - mean(k)) ** 2, 0) / (rows.length - 1 || 1));
console.log(
  `mean: today ${mean(0).toFixed(1)}±${sd(0).toFixed(1)}/${mean(1).toFixed(1)}±${
    sd(1).toFixed(1)
  }  flipped ${mean(2).toFixed(1)}/${mean(3).toFixed(1)}  average ${mean(4).toFixed(1)}±${
    sd(4).toFixed(1)
  }/${mean(5).toFixed(1)}±${sd(5).toFixed(1)}`,
);
console.log(
  `average above today: AUC ${rows.filter((r) => r[4] > r[0]).length}/${rows.length}, cIoU ${
    rows.filter((r) => r[5] > r[1]).length
  }/${rows.length}`,
);
