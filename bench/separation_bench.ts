/**
 * Separation throughput on the wasm backend (tiny preset): one mix-and-separate training step
 * (8 mixtures of 2 clips: STFTs, targets, forward, backward, Adam) for ours-style `product`
 * conditioning and Co-Separation-style `bottleneck` conditioning, and the separation of 8 test
 * mixtures (masks, warp back, iSTFT).
 *
 *   deno bench -A bench/separation_bench.ts
 */
import { initBackend } from "../lib/backend/mod.ts";
import { createAvMixSep, createSoundOfPixels } from "../lib/baselines/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { mixtureBatch, separateMixtures } from "../lib/model/separation/mod.ts";
import { trainSeparation } from "../lib/train/mod.ts";

await initBackend("wasm");
const world = synthWorld({ seed: 0 });
const clips = world.separationSet("solo", 32, "train");
const pairs = Array.from({ length: 8 }, (_, i) => [clips[2 * i], clips[2 * i + 1]]);

for (
  const [name, create] of [["product (SoP)", createSoundOfPixels], [
    "bottleneck (AV-Mix-Sep)",
    createAvMixSep,
  ]] as const
) {
  const method = create({ preset: "tiny", seed: 0 });
  Deno.bench({
    name: `train step ${name}, 8 mixtures`,
    group: "train",
    n: 5,
    warmup: 1,
    async fn() {
      await trainSeparation(method.model, {
        conditioner: method.conditioner,
        clips,
        steps: 1,
        batchSize: 8,
      });
    },
  });
  Deno.bench({
    name: `separate 8 mixtures, ${name}`,
    group: "separate",
    n: 5,
    warmup: 1,
    async fn() {
      const out = await separateMixtures(
        method.model,
        method.conditioner,
        mixtureBatch(method.model, pairs),
      );
      if (out.length !== 8) throw new Error(`separated ${out.length} mixtures, expected 8`);
    },
  });
}
