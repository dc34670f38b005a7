/**
 * The mean-field spatial coupling of the visual clustering (`visualCoupling`) at localization
 * only: trained `deno task ablate` weights (tiny, trained without the coupling) measured as the
 * ablation measures them (its 64 localization scenes, 64 C1 held-out pairs and 16 duets; the
 * `ours` clustering: beta 5, K_visual = K_audio + 2, the `largest` background rule) at several
 * couplings gamma. A measurement script, not a timed bench:
 *
 *   deno run -A bench/coupling_readout.ts [--gammas 0,1,3,10] LABEL=weights.bin ...
 *
 * Each weights file is a tiny model's flat float32 parameters (`DIR/weights/<variant>-s<seed>.bin`
 * of `deno task ablate --out DIR`). Prints, per model and gamma, cIoU@0.5 and AUC (%), held-out
 * pair accuracy, the off-object share, own/other-object cIoU, the share of sounds on their
 * own object, and, for the single-source scenes' aligned map (K_visual 3), the mean share of its
 * mass on the object's mask (precision), its mean value over the mask's pixels (soft recall: how
 * much of the object it covers) and its mean value over the grid (area). At gamma 0 the numbers
 * are the ablation's for that model.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { createModel } from "../lib/model/create_model.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { loadAblationWeights, perSourceLocalization } from "../lib/experiments/run_ablation.ts";
import { RECIPES } from "../lib/train/recipe.ts";
import { oursHeatmaps } from "../lib/model/ours_heatmaps.ts";
import { localize } from "../lib/model/localize.ts";
import { modelInputs } from "../lib/model/model_inputs.ts";
import { pairDistances } from "../lib/model/pair_distances.ts";
import { pairAccuracy } from "../lib/model/contrastive_loss.ts";
import { localizationScores } from "../lib/metrics/localization_scores.ts";
import { clipCIoUs } from "../lib/metrics/clip_cious.ts";
import { objectMassShare } from "../lib/metrics/object_mass_share.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { gammas: { type: "string", default: "0,1,3,10" } },
  allowPositionals: true,
});
const gammas = values.gammas.split(",").map((s) => {
  const g = Number(s);
  if (!(Number.isFinite(g) && g >= 0)) {
    throw new Error(`coupling_readout.ts: --gammas holds "${s}", not a number >= 0`);
  }
  return g;
});
if (!positionals.length) throw new Error("coupling_readout.ts: give LABEL=weights.bin ...");

await initBackend("wasm");
const config = presetConfig("tiny");
const world = synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
// the ablation's test sets at its default test size 64
const locSet = world.localizationSet(64);
const c1Test = Array.from({ length: 64 }, (_, i) => world.scene(i, 1, "test"));
const duets = Array.from({ length: 16 }, (_, i) => world.scene(i, 2, "test"));
const { betaEnd: beta, background, extraVisualCenters } = RECIPES.ours;

console.log(
  "model  gamma  cIoU@0.5  AUC  held-out  off-object  own/other  on-object  loc s  " +
    "on-object mass  object covered  area",
);
for (const arg of positionals) {
  const eq = arg.indexOf("=");
  if (eq < 1) throw new Error(`coupling_readout.ts: "${arg}" is not LABEL=weights.bin`);
  const [label, path] = [arg.slice(0, eq), arg.slice(eq + 1)];
  const model = createModel({ preset: "tiny", seed: 0 });
  try {
    await loadAblationWeights(model, path);
    for (const visualCoupling of gammas) {
      const how = { beta, background, visualCoupling };
      const t0 = performance.now();
      const heat = await oursHeatmaps(model, locSet, "aligned", { ...how, extraVisualCenters });
      const locSeconds = (performance.now() - t0) / 1000;
      const loc = localizationScores(clipCIoUs(locSet, heat));
      const x = modelInputs(model, c1Test);
      const d = pairDistances(model, x.images, x.logMel, {
        ...how,
        kAudio: 1,
        kVisual: 1 + extraVisualCenters,
      });
      const heldOut = pairAccuracy(await d.positive2.data(), await d.negative2.data());
      tf.dispose([x.images, x.logMel, d.positive2, d.negative2]);
      let off = 0, precision = 0, recall = 0, area = 0;
      for (let i = 0; i < locSet.length; i += 32) {
        const part = locSet.slice(i, i + 32);
        const maps = await localize(model, part, {
          ...how,
          kAudio: 1,
          kVisual: 1 + extraVisualCenters,
          // assignment mass: the raw assignments, not the smoothed read-out
          mapSmoothing: 0,
        });
        maps.forEach((m, j) => {
          const { image, masks } = part[j];
          const share = objectMassShare(
            m.aligned[0],
            m.height,
            m.width,
            masks![0],
            image.height,
            image.width,
          );
          if (share < 0.1) off++;
          precision += share;
          // the map's value at each mask pixel (nearest grid cell), averaged over the mask
          const map = m.aligned[0], mask = masks![0];
          let onMask = 0, pixels = 0;
          for (let y = 0; y < image.height; y++) {
            for (let x = 0; x < image.width; x++) {
              if (!mask[y * image.width + x]) continue;
              const cell = Math.floor((y * m.height) / image.height) * m.width +
                Math.floor((x * m.width) / image.width);
              onMask += map[cell];
              pixels++;
            }
          }
          recall += pixels ? onMask / pixels : 0;
          area += map.reduce((a, b) => a + b, 0) / map.length;
        });
      }
      const per = await perSourceLocalization(model, duets, { ...how, extraVisualCenters });
      console.log(
        `${label}  ${visualCoupling}  ${(100 * loc.ciou50).toFixed(1)}  ${
          (100 * loc.auc).toFixed(1)
        }  ${heldOut.toFixed(3)}  ${(off / locSet.length).toFixed(2)}  ${
          per.ownObjectCIoU.toFixed(3)
        }/${per.otherObjectCIoU.toFixed(3)}  ${per.onOwnObject.toFixed(2)}  ${
          locSeconds.toFixed(1)
        }  ${(precision / locSet.length).toFixed(3)}  ${(recall / locSet.length).toFixed(3)}  ${
          (area / locSet.length).toFixed(3)
        }`,
      );
    }
  } finally {
    model.params.dispose();
  }
}
