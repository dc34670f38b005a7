/**
 * Features or read-out? (issue 9, stop 30.) At the full scale the Attention baseline's AUC
 * overtakes ours' (36.8 against 34.5), though both train the same trunks for the same 2000
 * steps. Attention reads its map as a softmax over positions of the cosine to the sound
 * (`attentionLocalize`), ours as the aligned visual center's soft assignment
 * (`oursHeatmaps`). This script reads every given model both ways, so a model's training and
 * its read-out are told apart: Table 2's protocol (AUC and cIoU@0.5, %) on the synthetic
 * world's held-out localization scenes. Evaluation only; not a `deno bench` file.
 *
 *   deno run -A bench/cross_readout.ts [--scenes 250] [--world-seed 0] [--online]
 *     LABEL=CHECKPOINT ...
 *
 * Each CHECKPOINT is a checkpoint directory of the run cache, e.g.
 * `runs/reproduce/models/C1-s0-<hash>/checkpoints` or `.../attention-C1-s0-<hash>/checkpoints`
 * after `deno task reproduce --full`. A checkpoint with a weight average is read as its
 * average (the trained model, as `loadModel` does); `--online` reads its online weights.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { createModel } from "../lib/model/create_model.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { oursHeatmaps } from "../lib/model/ours_heatmaps.ts";
import { attentionLocalize } from "../lib/baselines/attention_baseline.ts";
import { localizationScores } from "../lib/metrics/localization_scores.ts";
import { clipCIoUs } from "../lib/metrics/clip_cious.ts";
import { loadCheckpoint, loadModel } from "../lib/train/checkpoint.ts";
import type { GridHeatmap } from "../lib/model/grid_heatmap.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    scenes: { type: "string", default: "250" },
    "world-seed": { type: "string", default: "0" },
    online: { type: "boolean", default: false },
  },
});
const scenes = Number(values.scenes), worldSeed = Number(values["world-seed"]);
if (!Number.isInteger(scenes) || scenes < 1) {
  throw new Error(`cross_readout.ts: --scenes must be a positive integer, got ${values.scenes}`);
}
if (!Number.isInteger(worldSeed)) {
  throw new Error(`cross_readout.ts: --world-seed must be an integer, got ${values["world-seed"]}`);
}
const models = positionals.map((a) => {
  const eq = a.indexOf("=");
  if (eq < 1) throw new Error(`cross_readout.ts: argument "${a}" must be LABEL=CHECKPOINT`);
  return { label: a.slice(0, eq), path: a.slice(eq + 1) };
});
if (models.length === 0) throw new Error("cross_readout.ts: give at least one LABEL=CHECKPOINT");

await initBackend("wasm");
const { imageSize, sampleRate } = presetConfig("tiny");
const clips = synthWorld({ seed: worldSeed, imageSize, sampleRate }).localizationSet(scenes);
const score = (maps: GridHeatmap[]) => {
  const s = localizationScores(clipCIoUs(clips, maps));
  return `AUC ${(100 * s.auc).toFixed(1).padStart(4)}  cIoU@0.5 ${
    (100 * s.ciou50).toFixed(1).padStart(4)
  }`;
};
console.log(
  `${scenes} scenes of world seed ${worldSeed}${values.online ? ", online weights" : ""}`,
);
for (const { label, path } of models) {
  let model = await loadModel(path);
  if (values.online) {
    // the same configuration, the checkpoint's online weights instead of its average
    const online = createModel({
      preset: model.config.preset,
      seed: model.seed,
      config: model.config,
    });
    model.params.dispose();
    await loadCheckpoint(path, online);
    model = online;
  }
  try {
    const assignment = score(await oursHeatmaps(model, clips, "aligned"));
    const attention = score(attentionLocalize(model, clips));
    console.log(`${label.padEnd(24)} ours' read-out: ${assignment}   Attention's: ${attention}`);
  } finally {
    model.params.dispose();
  }
}
