/**
 * Table 3's visual codebook fit (`visualCodebook`: 128 words, k-means++ then Lloyd, over the
 * frozen model's visual features of every position of the training frames) at the quick scale:
 * the pretrained tiny model (or a checkpoint, `--model`, e.g. a reproduce cache's
 * `models/C1-s0-*\/checkpoints/ckpt-*`), the quick world's 128 solo + 64 duet training clips (ours
 * (solo+duet)'s fit; `--solo` for ours' 128 solo clips alone). Not a `deno bench`: one fit per
 * process, run with
 *
 *   deno run -A bench/codebook_bench.ts [--solo] [--repeat 3] [--model CHECKPOINT_DIR]
 *
 * Prints each fit's CPU seconds (user + system of the process over the fit) and wall seconds,
 * and the SHA-256 of the words' bytes, so code that must fit the same words bit for bit can be
 * compared before and after.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { loadPretrained, presetConfig, visualCodebook } from "../lib/model/mod.ts";
import { separationClips, TABLE3_CUE_WORDS, table3Scale } from "../lib/experiments/run_table3.ts";
import { separationConfig } from "../lib/model/separation/mod.ts";
import { loadModel } from "../lib/train/checkpoint.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    solo: { type: "boolean" },
    repeat: { type: "string", default: "1" },
    model: { type: "string" },
  },
});
await initBackend("wasm");
const model = args.values.model ? await loadModel(args.values.model) : await loadPretrained("tiny");
const config = presetConfig("tiny");
const world = synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
const sep = table3Scale(true);
const clips = separationClips([
  ...world.separationSet("solo", sep.soloTrainSize, "train"),
  ...(args.values.solo ? [] : world.separationSet("duet", sep.duetTrainSize, "train")),
], separationConfig("tiny"));
for (let r = 0; r < Number(args.values.repeat); r++) {
  const c0 = cpuUsage(), t0 = performance.now();
  const words = await visualCodebook(model, clips, TABLE3_CUE_WORDS, { seed: 0 });
  const c = cpuUsage(c0), t = performance.now() - t0;
  const sha = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", words.buffer as ArrayBuffer)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  console.log(
    `${clips.length} clips, ${TABLE3_CUE_WORDS} words: CPU ${
      ((c.user + c.system) / 1e6).toFixed(2)
    } s, wall ${(t / 1e3).toFixed(2)} s, words sha256 ${sha}`,
  );
}
model.params.dispose();
