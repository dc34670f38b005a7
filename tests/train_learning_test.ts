// Learning really happens: C1 training on the tiny preset beats chance within a minute, and the
// visual center aligned to the sound lands on the sounding object (cIoU above the unaligned
// center's). Fixed seeds; margins, not exact values. Runs on wasm (the fastest trainer here).
import { assert } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel, localize } from "../lib/model/mod.ts";
import { trainCurriculum } from "../lib/train/mod.ts";
import { cIoU, upsampleHeatmap } from "../lib/eval/mod.ts";
import { fixtureWorld } from "./model_fixture_world.ts";

await initBackend("wasm");

Deno.test("C1 training on tiny: accuracy clearly above chance, aligned map on the object", async () => {
  const model = createModel({ preset: "tiny", seed: 1 });
  const world = fixtureWorld({ seed: 3, imageSize: 64, sampleRate: 8000, duration: 1 });
  const { history } = await trainCurriculum(model, {
    data: world,
    stages: [{ level: 1, steps: 200 }],
    batchSize: 16,
    datasetSize: 128,
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const early = mean(history.slice(0, 10).map((h) => h.accuracy));
  const late = mean(history.slice(-30).map((h) => h.accuracy));
  const lossEarly = mean(history.slice(0, 10).map((h) => h.loss));
  const lossLate = mean(history.slice(-30).map((h) => h.loss));
  assert(late > 0.7, `training accuracy of the last 30 steps ${late} (chance 0.5)`);
  assert(lossLate < 0.85 * lossEarly, `loss ${lossEarly} -> ${lossLate}`);

  const clips = world.curriculumSet(1, 32, 5000); // held out
  const maps = await localize(model, clips, { kAudio: 1, kVisual: 2 });
  let aligned = 0, unaligned = 0;
  maps.forEach((m, i) => {
    const gt = Float32Array.from(clips[i].masks![0]);
    aligned += cIoU(upsampleHeatmap(m.aligned[0], m.height, m.width, 64, 64), gt) / clips.length;
    unaligned += cIoU(upsampleHeatmap(m.unaligned[0], m.height, m.width, 64, 64), gt) /
      clips.length;
  });
  console.log({ early, late, lossEarly, lossLate, aligned, unaligned });
  assert(aligned > unaligned + 0.08, `mean cIoU aligned ${aligned} vs unaligned ${unaligned}`);
  model.params.dispose();
});
