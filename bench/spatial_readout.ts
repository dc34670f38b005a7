/**
 * The visual clustering's spatial priors at localization only (issue 9): trained `deno task
 * ablate` weights localized with the features smoothed before the visual clustering
 * (`visualSmoothing`) or with coordinates appended (`visualCoordinates`) although they were
 * trained without (or with other settings), or with the maps smoothed by another share of the
 * grid's side (`mapSmoothing`, `--map-smoothing`; the features' read-outs keep the default
 * `MAP_SMOOTHING`), scored as `runAblation` scores them: Table 2's
 * protocol on the synthetic world's held-out localization scenes (cIoU@0.5 and AUC, %), and
 * the duets' sounds on their own object (`perSourceLocalization`), and the background centers'
 * AUC (the unaligned map: above the aligned AUC, a flip to the background). Evaluation only: no
 * training; `init` as the variant scores untrained nets (a read-out that lifts them as much as
 * trained ones measures the geometry, not the training). Not a `deno bench` file.
 *
 *   deno run -A bench/spatial_readout.ts --weights runs/sf/weights [--variants ours,init]
 *     [--seeds 0,1,2,3,4] [--scenes 64] [--smoothing 0,0.5,1,2] [--coordinates 0.1]
 *     [--map-smoothing 0,0.0625] [--world-seed 0] [--extra 2]
 *
 * Prints, per variant and read-out, each seed's AUC / cIoU@0.5 / sounds on own object /
 * background AUC / duets' own and other object cIoU, and their means.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { type AVModel, createModel } from "../lib/model/create_model.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { oursHeatmaps } from "../lib/model/ours_heatmaps.ts";
import type { VisualSpatialOptions } from "../lib/model/visual_spatial.ts";
import { localizationScores } from "../lib/metrics/localization_scores.ts";
import { clipCIoUs } from "../lib/metrics/clip_cious.ts";
import {
  ablationWeightsPath,
  loadAblationWeights,
  perSourceLocalization,
} from "../lib/experiments/run_ablation.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    weights: { type: "string", default: "runs/ablation/weights" },
    variants: { type: "string", default: "ours" },
    seeds: { type: "string", default: "0,1,2,3,4" },
    scenes: { type: "string", default: "64" },
    smoothing: { type: "string", default: "0,0.5,1,2" },
    coordinates: { type: "string", default: "" },
    "map-smoothing": { type: "string", default: "" },
    "world-seed": { type: "string", default: "0" },
    extra: { type: "string", default: "2" },
  },
});
const list = (s: string) => s.split(",").filter((x) => x.trim() !== "").map(Number);
const seeds = list(values.seeds), nScenes = Number(values.scenes), extra = Number(values.extra);
await initBackend("wasm");
const config = presetConfig("tiny");
const world = synthWorld({
  seed: Number(values["world-seed"]),
  imageSize: config.imageSize,
  sampleRate: config.sampleRate,
});
const locSet = world.localizationSet(nScenes);
const duets = Array.from({ length: Math.max(8, nScenes / 4) }, (_, i) => world.scene(i, 2, "test"));
type Readout = VisualSpatialOptions & { mapSmoothing?: number };
const readouts: [string, Readout][] = [
  ...list(values.smoothing).map((s): [string, Readout] => [
    s ? `features smoothed s${s}` : "today",
    s ? { visualSmoothing: s } : {},
  ]),
  ...list(values.coordinates).map((c): [string, Readout] => [
    `coordinates ${c}`,
    { visualCoordinates: c },
  ]),
  ...list(values["map-smoothing"]).map((m): [string, Readout] => [
    `maps smoothed ${m}`,
    { mapSmoothing: m },
  ]),
];

async function load(variant: string, seed: number): Promise<AVModel> {
  const model = createModel({ preset: "tiny", seed });
  if (variant === "init") return model;
  await loadAblationWeights(model, ablationWeightsPath(values.weights, variant, seed));
  return model;
}

console.log(
  `${nScenes} localization scenes, ${duets.length} duets; AUC / cIoU@0.5 / on own object / background AUC / own / other object cIoU`,
);
for (const variant of values.variants.split(",")) {
  const models = await Promise.all(seeds.map((s) => load(variant, s)));
  for (const [name, spatial] of readouts) {
    const how = { beta: 5, background: "largest" as const, extraVisualCenters: extra, ...spatial };
    const rows: number[][] = [];
    for (const model of models) {
      const s = localizationScores(
        clipCIoUs(locSet, await oursHeatmaps(model, locSet, "aligned", how)),
      );
      const bg = localizationScores(
        clipCIoUs(locSet, await oursHeatmaps(model, locSet, "unaligned", how)),
      );
      const per = await perSourceLocalization(model, duets, how);
      rows.push([
        100 * s.auc,
        100 * s.ciou50,
        per.onOwnObject,
        100 * bg.auc,
        per.ownObjectCIoU,
        per.otherObjectCIoU,
      ]);
    }
    const mean = (k: number) => rows.reduce((a, r) => a + r[k], 0) / rows.length;
    console.log(
      `${variant} | ${name.padEnd(24)} | mean ${mean(0).toFixed(1)} / ${mean(1).toFixed(1)} / ${
        mean(2).toFixed(2)
      } / ${mean(3).toFixed(1)} / ${mean(4).toFixed(3)} / ${mean(5).toFixed(3)} | ${
        rows.map((r) =>
          `${r[0].toFixed(1)}/${r[1].toFixed(1)}/${r[2].toFixed(2)}/${r[3].toFixed(1)}/${
            r[4].toFixed(3)
          }/${r[5].toFixed(3)}`
        ).join("  ")
      }`,
    );
  }
  models.forEach((m) => m.params.dispose());
}
