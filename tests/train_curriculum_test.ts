import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects, assertThrows } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import {
  Adam,
  curriculumStages,
  loadCheckpoint,
  loadModel,
  saveCheckpoint,
  stageCenters,
  type StageSpec,
  trainCurriculum,
  type TrainOptions,
} from "../lib/train/mod.ts";
import { fixtureWorld } from "./model_fixture_world.ts";

await initBackend("cpu");

const world = fixtureWorld({ seed: 5, imageSize: 64, sampleRate: 8000, duration: 1 });
const base = (): Omit<TrainOptions, "outDir"> => ({
  data: world,
  stages: curriculumStages("C1,C2", 3),
  batchSize: 4,
  datasetSize: 8,
  checkpointEvery: 2,
});

Deno.test("curriculumStages: orders, the C2(C1) notation and stage centers", () => {
  assertEquals(curriculumStages("C1,C2", 5).map((s) => s.level), [1, 2]);
  assertEquals(curriculumStages("C2(C1)", 5).map((s) => s.level), [1, 2]);
  assertEquals(curriculumStages("C3(C2(C1))", [1, 2, 3]).map((s) => [s.level, s.steps]), [
    [1, 1],
    [2, 2],
    [3, 3],
  ]);
  assertEquals(curriculumStages("C3,C2", 1).map((s) => s.level), [3, 2]);
  assertEquals(curriculumStages("U", 1)[0].level, "uncurated");
  assertEquals(stageCenters({ level: 3, steps: 1 }), { kAudio: 3, kVisual: 4 });
  assertEquals(stageCenters({ level: 3, steps: 1 }, 2), { kAudio: 3, kVisual: 5 });
  assertEquals(stageCenters({ level: 1, steps: 1, kVisual: 2 }, 2), { kAudio: 1, kVisual: 2 });
  assertThrows(() => curriculumStages("C5", 1), Error, "C5");
  assertThrows(() => curriculumStages("C1,C2", [1]), Error, "step counts");
});

Deno.test("a run aborted mid-stage resumes from its checkpoint with the uninterrupted history", async () => {
  const full = await Deno.makeTempDir();
  const cut = await Deno.makeTempDir();
  const m1 = createModel({ preset: "tiny", seed: 9 });
  const counts: number[] = [];
  const r1 = await trainCurriculum(m1, {
    ...base(),
    outDir: full,
    onProgress: () => counts.push(tf.memory().numTensors),
  });
  assert(r1.completed);
  assertEquals(r1.history.length, 6);
  assertEquals(new Set(counts).size, 1, `tensors per step ${counts}`);
  const lines = (await Deno.readTextFile(`${full}/history.jsonl`)).trim().split("\n");
  assertEquals(lines.map((l) => JSON.parse(l)), r1.history);

  // "kill" after global step 4 (stage 2, step 1); the last checkpoint is at global step 4
  const m2 = createModel({ preset: "tiny", seed: 9 });
  const ctrl = new AbortController();
  const r2 = await trainCurriculum(m2, {
    ...base(),
    outDir: cut,
    signal: ctrl.signal,
    onProgress: (p) => {
      if (p.globalStep === 5) ctrl.abort();
    },
  });
  assertEquals(r2.completed, false);
  assertEquals(r2.history.length, 5);
  m2.params.dispose();
  const m3 = createModel({ preset: "tiny", seed: 123 }); // other init: must be overwritten
  const r3 = await trainCurriculum(m3, { ...base(), outDir: cut, resume: true });
  assert(r3.completed);
  assertEquals(r3.history, r1.history); // exact, loss and accuracy included
  assertEquals(await m3.params.toFlat(), await m1.params.toFlat());
  const cutLines = (await Deno.readTextFile(`${cut}/history.jsonl`)).trim().split("\n");
  assertEquals(cutLines.map((l) => JSON.parse(l)), r1.history);
  for (const m of [m1, m3]) m.params.dispose();
  await Deno.remove(full, { recursive: true });
  await Deno.remove(cut, { recursive: true });
});

Deno.test("checkpoints: round trip, another preset or a truncated file is a clear error", async () => {
  const dir = await Deno.makeTempDir();
  const model = createModel({ preset: "tiny", seed: 3 });
  const opt = new Adam(model.params.variables(), { lr: 1e-3 });
  opt.minimize(() => tf.sum(tf.square(model.params.get("visual.proj.w"))) as tf.Scalar).dispose();
  const path = await saveCheckpoint(dir, { model, optimizer: opt, step: 7, trainer: { at: 7 } });
  assert(path.endsWith("ckpt-00000007"));
  const restored = await loadModel(dir);
  assertEquals(await restored.params.toFlat(), await model.params.toFlat());
  const opt2 = new Adam(restored.params.variables());
  const { trainer, step } = await loadCheckpoint(dir, restored, opt2);
  assertEquals([trainer, step], [{ at: 7 }, 7]);
  const [s1, s2] = [await opt.getState(), await opt2.getState()];
  assertEquals([s2.step, s2.m, s2.v], [s1.step, s1.m, s1.v]);

  const small = createModel({ preset: "small", seed: 3 });
  await assertRejects(() => loadCheckpoint(dir, small), Error, `"tiny" model`);
  const wide = createModel({ preset: "tiny", seed: 3, config: { embedding: 16 } });
  await assertRejects(() => loadCheckpoint(dir, wide), Error, "different parameters");

  const weights = `${path}/weights.bin`;
  const bytes = await Deno.readFile(weights);
  await Deno.writeFile(weights, bytes.subarray(0, bytes.length - 100));
  await assertRejects(() => loadCheckpoint(dir, restored), Error, "truncated");
  await Deno.writeTextFile(`${path}/manifest.json`, '{"format": "avscene-chec');
  await assertRejects(() => loadModel(dir), Error, "manifest.json is not valid JSON");
  opt.dispose();
  opt2.dispose();
  for (const m of [model, restored, small, wide]) m.params.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trainCurriculum: bad options are named", async () => {
  const model = createModel({ preset: "tiny" });
  await assertRejects(
    () => trainCurriculum(model, { ...base(), batchSize: 1 }),
    Error,
    "batchSize",
  );
  await assertRejects(
    () => trainCurriculum(model, { ...base(), datasetSize: 2 }),
    Error,
    "datasetSize",
  );
  await assertRejects(() => trainCurriculum(model, { ...base(), margin: 0 }), Error, "margin");
  // hand-built stages: 1.5 or -3 steps, an unknown level, a fractional center count
  for (
    const [stage, msg] of [
      [{ level: 1, steps: 1.5 }, "stages[0].steps must be an integer >= 1, got 1.5"],
      [{ level: 1, steps: -3 }, "stages[0].steps must be an integer >= 1, got -3"],
      [{ level: 5, steps: 1 }, "stages[0].level must be 1, 2, 3, 4"],
      [{ level: 2, steps: 1, kAudio: 0.5 }, "stages[0].kAudio must be an integer >= 1"],
    ] as const
  ) {
    await assertRejects(
      () => trainCurriculum(model, { ...base(), stages: [stage as unknown as StageSpec] }),
      RangeError,
      `trainCurriculum: ${msg}`,
    );
  }
  await assertRejects(() => trainCurriculum(model, { ...base(), stages: [] }), RangeError, "empty");
  model.params.dispose();
});
