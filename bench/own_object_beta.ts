/**
 * Whether each sound of a duet stays on its own object, as the ablation measures it
 * (`perSourceLocalization` on its 16 two-source test scenes, K_audio 1, K_visual 4, the
 * `largest` background rule), with trained `deno task ablate` weights clustered at several
 * visual betas: separates what a recipe's `visualBeta` does in training from what the beta of
 * the clustering does at evaluation. A measurement script, not a timed bench:
 *
 *   deno run -A bench/own_object_beta.ts [--betas 2.5,5,10,20] LABEL=weights.bin ...
 *
 * Each weights file is a tiny model's flat float32 parameters, as `deno task ablate --out DIR`
 * writes them (`DIR/weights/<variant>-s<seed>.bin`). Prints, per model and visual beta (the
 * audio clustering keeps beta 5; with one audio center it has no effect), the mean own- and
 * other-object cIoU and the share of sounds on their own object. At a model's training beta
 * the numbers are the ablation's.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { createModel } from "../lib/model/create_model.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { loadAblationWeights, perSourceLocalization } from "../lib/experiments/run_ablation.ts";
import { RECIPES } from "../lib/train/recipe.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { betas: { type: "string", default: "2.5,5,10,20" } },
  allowPositionals: true,
});
const betas = values.betas.split(",").map((s) => {
  const b = Number(s);
  if (!(Number.isFinite(b) && b > 0)) {
    throw new Error(`own_object_beta.ts: --betas holds "${s}", not a number > 0`);
  }
  return b;
});
if (!positionals.length) throw new Error("own_object_beta.ts: give LABEL=weights.bin ...");

await initBackend("wasm");
const config = presetConfig("tiny");
const world = synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
// the ablation's duets at its default test size 64: max(8, 64 / 4) scenes
const duets = Array.from({ length: 16 }, (_, i) => world.scene(i, 2, "test"));
const { betaEnd, background, extraVisualCenters } = RECIPES.ours;

console.log("model  visual beta  own cIoU  other cIoU  on own object");
for (const arg of positionals) {
  const eq = arg.indexOf("=");
  if (eq < 1) throw new Error(`own_object_beta.ts: "${arg}" is not LABEL=weights.bin`);
  const [label, path] = [arg.slice(0, eq), arg.slice(eq + 1)];
  const model = createModel({ preset: "tiny", seed: 0 });
  try {
    await loadAblationWeights(model, path);
    for (const visualBeta of betas) {
      const r = await perSourceLocalization(model, duets, {
        beta: betaEnd,
        background,
        extraVisualCenters,
        visualBeta,
      });
      console.log(
        `${label}  ${visualBeta}  ${r.ownObjectCIoU.toFixed(3)}  ${
          r.otherObjectCIoU.toFixed(3)
        }  ` +
          r.onOwnObject.toFixed(2),
      );
    }
  } finally {
    model.params.dispose();
  }
}
