// After the C2 and C3 stages each sound's map still lands on its own object: the tiny model
// trained C1 -> C2 -> C3 with the trainer's defaults (the `ours` recipe: K_visual = K_audio + 2,
// the largest-mass visual center a background never aligned, the softmax loss at temperature 2;
// batch 16), 300 steps per stage, seed 0 (the default, not chosen), on wasm. It fails if the
// aligned map flips to the background (its AUC on the 64 single-source test images falls to
// within 5 points of the background center's) or, in two-source scenes, leaves its own object
// for the other one. The test takes 57 s on 2 shared cores (65 s wall with its type check; 61-68
// s per seed measured).
import { assert } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { createModel, oursHeatmaps } from "../lib/model/mod.ts";
import { trainCurriculum } from "../lib/train/mod.ts";
import { clipCIoUs, localizationScores } from "../lib/metrics/mod.ts";
import { perSourceLocalization } from "../lib/experiments/mod.ts";

await initBackend("wasm");

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

Deno.test("C1 -> C2 -> C3 on tiny: each sound stays on its object, not the background", async () => {
  const model = createModel({ preset: "tiny", seed: 0 });
  try {
    const world = synthWorld({ seed: 0 });
    const { history } = await trainCurriculum(model, {
      data: world,
      stages: ([1, 2, 3] as const).map((level) => ({ level, steps: 300 })),
    });
    const stageAccuracy = [0, 1, 2].map((s) =>
      mean(history.filter((h) => h.stage === s).slice(-50).map((h) => h.accuracy))
    );
    const test = world.localizationSet(64);
    const aligned = localizationScores(clipCIoUs(test, await oursHeatmaps(model, test, "aligned")));
    const background = localizationScores(
      clipCIoUs(test, await oursHeatmaps(model, test, "unaligned")),
    );
    const duets = Array.from({ length: 16 }, (_, i) => world.scene(i, 2, "test"));
    const per = await perSourceLocalization(model, duets);
    console.log({ stageAccuracy, aligned, background, ...per });
    // Measured (this code, fused multiply-add kernels; seeds 0 / 1 / 2, the same command as
    // `deno task ablate --steps 300 --variants "ours+kv2 C3(C2(C1))"`): AUC aligned 22.2 / 20.5
    // / 23.1% vs background center 11.5 / 13.4 / 12.7% (margins 10.7 / 7.0 / 10.5 points); at
    // 200 steps per stage seed 0's margin shrinks to 4.8 (19.1 vs 14.2), so 300 it is. The
    // margin asserted is 5 points: a flip puts the background above the aligned map, and 10
    // points (the pretrained test's) would fail seed 1 and pass seed 0 by 0.7 points only.
    assert(
      aligned.auc > background.auc + 0.05,
      `AUC aligned ${aligned.auc} vs background ${background.auc}: flipped to the background`,
    );
    // Two-source scenes, each sound heard alone: its aligned map overlaps its own object more
    // than the other one (measured mean cIoU 0.103 vs 0.090, 0.082 vs 0.068, 0.125 vs 0.088).
    // Beating every unaligned center on its own object is near chance (16, 7 and 20 of 32
    // sounds): not asserted. Training accuracy of the stages' last 50 steps: C1 0.703 / 0.703 /
    // 0.738, C2 0.691 / 0.653 / 0.590, C3 0.669 / 0.654 / 0.571. All these with the margin loss;
    // with the softmax loss (the default since; seed 0): training accuracy 0.711 / 0.718 / 0.710,
    // AUC aligned 20.1% vs background 13.7% (6.4 points), own vs other object 0.106 vs 0.070.
    assert(
      per.ownObjectCIoU > per.otherObjectCIoU,
      `own object ${per.ownObjectCIoU} vs other ${per.otherObjectCIoU}`,
    );
  } finally {
    model.params.dispose();
  }
});
