/**
 * Why Fig. 3 is not judged on the training loss: an untrained tiny network's margin loss (the
 * paper's recipe: beta 30, K_visual = K_audio + 1, the next clip's frame as the negative) on the
 * same 16 C1 training clips, clustered at K_audio = 1, 2 and 3, grows with K before any learning
 * (a measurement, not a timed bench; `notebooks/01_fig3_curriculum.ipynb` quotes it). Rerun with
 *
 *   deno run -A bench/untrained_margin_loss.ts [--seed 0]
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import {
  contrastiveLoss,
  createModel,
  modelInputs,
  pairDistances,
  presetConfig,
} from "../lib/model/mod.ts";

const { values } = parseArgs({ args: Deno.args, options: { seed: { type: "string" } } });
const seed = Number(values.seed ?? 0);
if (!Number.isInteger(seed) || seed < 0) {
  throw new Error(`--seed must be an integer >= 0, got ${values.seed}`);
}
await initBackend("wasm");
const config = presetConfig("tiny");
const world = synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
const model = createModel({ preset: "tiny", seed });
const source = world.trainingClips(1, 16);
const clips = await Promise.all(Array.from({ length: source.size }, (_, i) => source.clip(i)));
const { images, logMel } = modelInputs(model, clips);
for (const kAudio of [1, 2, 3]) {
  const loss = tf.tidy(() => {
    const d = pairDistances(model, images, logMel, { kAudio, kVisual: kAudio + 1, beta: 30 });
    const labels = tf.concat([tf.ones([clips.length]), tf.zeros([clips.length])]) as tf.Tensor1D;
    const distance2 = tf.concat([d.positive2, d.negative2]) as tf.Tensor1D;
    return contrastiveLoss(distance2, labels).dataSync()[0];
  });
  console.log(`K_audio ${kAudio}: margin loss ${loss.toFixed(2)} (model seed ${seed})`);
}
