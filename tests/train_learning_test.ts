// Learning really happens on the synthetic world: C1 training on the tiny preset (300 steps,
// about a minute on wasm) gets clearly above chance and below the loss of a net that cannot tell
// pairs apart, and the visual center aligned to the sound lands on the sounding object (cIoU
// above the unaligned center's, with either alignment rule). Fixed seeds; margins, not exact
// values.
import { assert } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel, localize } from "../lib/model/mod.ts";
import { trainCurriculum } from "../lib/train/mod.ts";
import { cIoU, upsampleHeatmap } from "../lib/metrics/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";

await initBackend("wasm");

Deno.test("C1 training on tiny: accuracy clearly above chance, aligned map on the object", async () => {
  const model = createModel({ preset: "tiny", seed: 1 });
  const world = synthWorld({ seed: 3 }); // the tiny preset's 64x64 frames, 1 s at 8 kHz
  const { history } = await trainCurriculum(model, {
    data: world,
    stages: [{ level: 1, steps: 300 }],
    batchSize: 16,
    datasetSize: 128,
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const early = mean(history.slice(0, 10).map((h) => h.accuracy));
  const late = mean(history.slice(-100).map((h) => h.accuracy));
  const lossEarly = mean(history.slice(0, 10).map((h) => h.loss));
  const lossLate = mean(history.slice(-100).map((h) => h.loss));
  // 100 steps x 16 pairs: chance would stay within 0.5 +- 0.04 (3 standard errors).
  assert(late > 0.58, `training accuracy of the last 100 steps ${late} (chance 0.5)`);
  // A net that cannot tell pairs apart settles at d = m / 2 for every pair, where the loss is
  // m^2 / 8 (3.125 at m = 5): learning means getting clearly below that floor.
  assert(lossLate < 5 ** 2 / 8 - 0.1, `loss ${lossEarly} -> ${lossLate} (floor 3.125)`);

  const clips = world.localizationSet(32); // held-out test scenes, one sounding object
  const meanCIoUs = async (background: "none" | "largest") => {
    const maps = await localize(model, clips, { kAudio: 1, kVisual: 2, background });
    let aligned = 0, unaligned = 0;
    maps.forEach((m, i) => {
      const gt = Float32Array.from(clips[i].masks![0]);
      aligned += cIoU(upsampleHeatmap(m.aligned[0], m.height, m.width, 64, 64), gt) / clips.length;
      unaligned += cIoU(upsampleHeatmap(m.unaligned[0], m.height, m.width, 64, 64), gt) /
        clips.length;
    });
    return { aligned, unaligned };
  };
  // The learned matching itself (the sound's nearest visual center; measured 0.174 vs 0.029)
  const nearest = await meanCIoUs("none");
  // and with the default background rule (the largest visual center never aligned; measured
  // 0.183 vs 0.021). Only "not inverted" is asserted: the rule can exclude the object's cluster
  // (before this round's kernel changes altered float rounding, this model scored 0.105 vs 0.092 with it
  // and 0.144 vs 0.054 with the nearest rule)
  const rule = await meanCIoUs("largest");
  console.log({ early, late, lossEarly, lossLate, nearest, rule });
  assert(
    nearest.aligned > nearest.unaligned + 0.08,
    `nearest rule: mean cIoU aligned ${nearest.aligned} vs unaligned ${nearest.unaligned}`,
  );
  assert(
    rule.aligned > rule.unaligned,
    `background rule: mean cIoU aligned ${rule.aligned} vs unaligned ${rule.unaligned}`,
  );
  model.params.dispose();
});
