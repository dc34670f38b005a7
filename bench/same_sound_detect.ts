/**
 * How well the recipe's `sameSoundCosine` finds a batch's false negatives: on held-out C1
 * scenes in batches of 16 (the training batch), the cosine `pairDistances` returns as
 * `audioCosine` (each clip's mean audio center less the batch's mean) of every two clips of a
 * batch, split by whether the two sound the same class (the pairs a softmax over the batch
 * should not push apart). A measurement over `deno task ablate` weights and an untrained net
 * (not a timed bench). Rerun with
 *
 *   deno run -A bench/same_sound_detect.ts --weights runs/a/weights
 *     [--variants "ours+ema 0.99"] [--seeds 0,1,2] [--scenes 640]
 *
 * Prints, for the untrained net of each seed and each variant's trained weights: the AUC of
 * the cosine as a same-class detector, and at cosines 0.8 and 0.9 the share of same-class pairs
 * left out (recall) and of other pairs left out with them (lost true negatives).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { ablationWeightsPath, loadAblationWeights } from "../lib/experiments/run_ablation.ts";
import { type AVModel, createModel, modelInputs, pairDistances } from "../lib/model/mod.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { recipeClustering, RECIPES } from "../lib/train/recipe.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    weights: { type: "string" },
    variants: { type: "string", default: "ours+ema 0.99" },
    seeds: { type: "string", default: "0,1,2" },
    scenes: { type: "string", default: "640" },
  },
});
const BATCH = 16;
const nScenes = Number(values.scenes);
if (!Number.isInteger(nScenes) || nScenes < BATCH) {
  throw new Error(
    `same_sound_detect: --scenes must be an integer >= ${BATCH}, got "${values.scenes}"`,
  );
}
const seeds = values.seeds.split(",").map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`same_sound_detect: --seeds holds "${s}"`);
  return n;
});
const variants = values.weights ? values.variants.split(",").map((v) => v.trim()) : [];

await initBackend("wasm");
const config = presetConfig("tiny");
const world = synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
const scenes = Array.from(
  { length: nScenes - (nScenes % BATCH) },
  (_, i) => world.scene(i, 1, "test"),
);
// clustered as the default recipe trains and localizes
const { extraVisualCenters, ...clustering } = recipeClustering(RECIPES.ours);
const how = { ...clustering, kAudio: 1, kVisual: 1 + extraVisualCenters, audioCosine: true };

/** Every within-batch pair's cosine, split by same class or not. */
async function cosines(model: AVModel): Promise<{ same: number[]; other: number[] }> {
  const same: number[] = [], other: number[] = [];
  for (let start = 0; start < scenes.length; start += BATCH) {
    const part = scenes.slice(start, start + BATCH);
    const x = modelInputs(model, part);
    const d = pairDistances(model, x.images, x.logMel, how);
    const cos = await d.audioCosine!.array();
    for (let i = 0; i < BATCH; i++) {
      for (let j = i + 1; j < BATCH; j++) {
        (part[i].classes![0] === part[j].classes![0] ? same : other).push(cos[i][j]);
      }
    }
    for (const t of [x.images, x.logMel, ...Object.values(d)]) t.dispose();
  }
  return { same, other };
}

/** P(a same-class pair's cosine > an other pair's), ties counting half. */
function auc(same: number[], other: number[]): number {
  const sorted = other.slice().sort((a, b) => a - b);
  const below = (x: number, strict: boolean) => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? sorted[mid] < x : sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const wins = same.reduce((s, x) => s + (below(x, true) + below(x, false)) / 2, 0);
  return wins / (same.length * other.length);
}

const share = (xs: number[], t: number) => xs.filter((x) => x > t).length / xs.length;

function report(label: string, { same, other }: { same: number[]; other: number[] }): void {
  const at = [0.8, 0.9].map((t) =>
    `> ${t}: same-class left out ${share(same, t).toFixed(2)}, others ${share(other, t).toFixed(3)}`
  );
  console.log(
    `${label}: ${same.length} same-class / ${other.length} other pairs; AUC ${
      auc(same, other).toFixed(3)
    }; ${at.join("; ")}`,
  );
}

for (const seed of seeds) {
  const untrained = createModel({ preset: "tiny", seed });
  report(`untrained seed ${seed}`, await cosines(untrained));
  for (const variant of variants) {
    await loadAblationWeights(untrained, ablationWeightsPath(values.weights!, variant, seed));
    report(`${variant} seed ${seed}`, await cosines(untrained));
  }
  untrained.params.dispose();
}
