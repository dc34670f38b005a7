// Weight averaging (a recipe's `weightAverage`): the moving average itself (bias correction,
// state, reset), the trainer keeping it beside the online weights (which train as without it),
// returning the average as the trained model, checkpointing it so that an interrupted run
// resumes to the same bytes, and refusing to resume a checkpoint of another averaging.
import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import {
  correctedAverage,
  curriculumStages,
  loadModel,
  resolveRecipe,
  trainCurriculum,
  type TrainOptions,
  WeightAverage,
} from "../lib/train/mod.ts";
import { fixtureWorld } from "./model_fixture_world.ts";

await initBackend("cpu");

Deno.test("WeightAverage: the bias-corrected weighted mean, state round trip, reset", async () => {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const avg = new WeightAverage([w], 0.9);
  // before any update: the variables themselves
  assertEquals([...await avg.averageFlat()], [1, -2]);
  const seen = [[1, -2], [3, 0], [-1, 4]];
  for (const [i, x] of seen.entries()) {
    w.assign(tf.tensor1d(x));
    avg.update();
    // expected: sum_j 0.9^(i - j) x_j / sum_j 0.9^(i - j)
    const weights = seen.slice(0, i + 1).map((_, j) => Math.pow(0.9, i - j));
    const total = weights.reduce((a, b) => a + b, 0);
    const got = await avg.averageFlat();
    for (let k = 0; k < 2; k++) {
      const want = seen.slice(0, i + 1).reduce((a, s, j) => a + weights[j] * s[k], 0) / total;
      assertAlmostEquals(got[k], want, 1e-5);
    }
  }
  assertEquals(avg.step, 3);
  // the state restores bit-exactly into another average of the same variables
  const state = await avg.getState();
  const other = new WeightAverage([w], 0.9);
  other.setState(state);
  assertEquals(await other.getState(), state);
  assertEquals(await other.averageFlat(), await avg.averageFlat());
  assertEquals(correctedAverage(state, 0.9), await avg.averageFlat());
  assertThrows(() => other.setState({ step: 1, average: new Float32Array(3) }), Error, "3 values");
  other.reset();
  assertEquals(other.step, 0);
  w.assign(tf.tensor1d([5, 6]));
  other.update(); // a new average: the one value seen since the reset
  assertEquals([...await other.averageFlat()], [5, 6]);
  for (const bad of [0, 1, -0.5, NaN]) {
    assertThrows(() => new WeightAverage([w], bad), Error, "decay");
  }
  avg.dispose();
  other.dispose();
  w.dispose();
});

Deno.test("resolveRecipe: weightAverage is a decay in [0, 1), off by default", () => {
  assertEquals(resolveRecipe().weightAverage, undefined);
  assertEquals(resolveRecipe({ weightAverage: 0.99 }).weightAverage, 0.99);
  assertEquals(resolveRecipe({ weightAverage: 0 }).weightAverage, 0);
  for (const bad of [1, 1.5, -0.1, NaN, Infinity]) {
    assertThrows(() => resolveRecipe({ weightAverage: bad }), Error, "recipe: weightAverage");
  }
});

const world = fixtureWorld({ seed: 5, imageSize: 64, sampleRate: 8000, duration: 1 });
const base = (recipe: TrainOptions["recipe"]): Omit<TrainOptions, "outDir"> => ({
  data: world,
  stages: curriculumStages("C1,C2", 3),
  batchSize: 4,
  datasetSize: 8,
  checkpointEvery: 2,
  recipe,
});
const DECAY = 0.8;
const avgRecipe = { weightAverage: DECAY };

const flatOf = (m: ReturnType<typeof createModel>) =>
  Float32Array.from(m.params.variables().flatMap((v) => [...v.dataSync() as Float32Array]));

Deno.test("trainCurriculum: the online weights train as without averaging, the model returned is their per-stage average", async () => {
  const plain = createModel({ preset: "tiny", seed: 9 });
  const r0 = await trainCurriculum(plain, base(undefined));
  assertEquals(r0.onlineWeights, undefined);
  // weightAverage 0 is off: the same run
  const zero = createModel({ preset: "tiny", seed: 9 });
  const rz = await trainCurriculum(zero, base({ weightAverage: 0 }));
  assertEquals(rz.history, r0.history);
  assertEquals(rz.onlineWeights, undefined);
  assertEquals(await zero.params.toFlat(), await plain.params.toFlat());

  const model = createModel({ preset: "tiny", seed: 9 });
  const online: Float32Array[] = []; // the online weights after each step
  const r = await trainCurriculum(model, {
    ...base(avgRecipe),
    onProgress: () => online.push(flatOf(model)),
  });
  assert(r.completed);
  assertEquals(r.history, r0.history); // the online weights' steps, loss and accuracy: unchanged
  assertEquals(r.onlineWeights, await plain.params.toFlat());
  // the model holds the average of the last stage's (C2's 3 steps') online weights
  const got = await model.params.toFlat();
  const stage = online.slice(3);
  const weights = stage.map((_, j) => Math.pow(DECAY, stage.length - 1 - j));
  const total = weights.reduce((a, b) => a + b, 0);
  let maxErr = 0, moved = 0;
  for (let k = 0; k < got.length; k++) {
    const want = stage.reduce((a, s, j) => a + weights[j] * s[k], 0) / total;
    maxErr = Math.max(maxErr, Math.abs(got[k] - want));
    moved = Math.max(moved, Math.abs(got[k] - r.onlineWeights![k]));
  }
  assert(maxErr < 1e-5, `the average is off by ${maxErr}`);
  assert(moved > 1e-4, "the average differs from the online weights");
  for (const m of [plain, zero, model]) m.params.dispose();
});

Deno.test("trainCurriculum: a run with a weight average killed mid-stage resumes to the same bytes", async () => {
  const full = await Deno.makeTempDir();
  const cut = await Deno.makeTempDir();
  const plainDir = await Deno.makeTempDir();
  try {
    const m1 = createModel({ preset: "tiny", seed: 9 });
    const r1 = await trainCurriculum(m1, { ...base(avgRecipe), outDir: full });
    // the checkpoint holds both: the online weights (to continue from) and the average
    const latest = `${full}/checkpoints/ckpt-00000006`;
    const manifest = JSON.parse(await Deno.readTextFile(`${latest}/manifest.json`));
    assertEquals(manifest.average, { decay: DECAY, step: 3 });
    const weightsBin = new Float32Array((await Deno.readFile(`${latest}/weights.bin`)).buffer);
    assertEquals(weightsBin, r1.onlineWeights);
    // loadModel gives the trained model: the average
    const loaded = await loadModel(`${full}/checkpoints`);
    assertEquals(await loaded.params.toFlat(), await m1.params.toFlat());

    // "kill -9" after global step 5: no checkpoint at the kill, the last one is step 4's
    const m2 = createModel({ preset: "tiny", seed: 9 });
    await assertRejects(
      () =>
        trainCurriculum(m2, {
          ...base(avgRecipe),
          outDir: cut,
          onProgress: (p) => {
            if (p.globalStep === 5) throw new Error("killed");
          },
        }),
      Error,
      "killed",
    );
    // resumed under a recipe without the average, or with another decay: refused
    for (
      const [recipe, msg] of [
        [undefined, "it holds a weight average of decay 0.8, the run asks for no weight average"],
        [{ weightAverage: 0.9 }, "the run asks for a weight average of decay 0.9"],
      ] as const
    ) {
      const m = createModel({ preset: "tiny", seed: 9 });
      await assertRejects(
        () => trainCurriculum(m, { ...base(recipe), outDir: cut, resume: true }),
        Error,
        msg,
      );
      m.params.dispose();
    }
    const m3 = createModel({ preset: "tiny", seed: 123 }); // other init: must be overwritten
    const r3 = await trainCurriculum(m3, { ...base(avgRecipe), outDir: cut, resume: true });
    assert(r3.completed);
    assertEquals(r3.history, r1.history);
    assertEquals(r3.onlineWeights, r1.onlineWeights);
    assertEquals(await m3.params.toFlat(), await m1.params.toFlat());
    const ckpt = `${cut}/checkpoints/ckpt-00000006`;
    for (const file of ["weights.bin", "optimizer.bin", "average.bin", "trainer.json"]) {
      assertEquals(
        await Deno.readFile(`${ckpt}/${file}`),
        await Deno.readFile(`${latest}/${file}`),
      );
    }
    // the manifests alike but for the seed the model was created with (123, overwritten)
    const manifestOf = async (dir: string) => {
      const { seed: _, ...rest } = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
      return rest;
    };
    assertEquals(await manifestOf(ckpt), await manifestOf(latest));
    // a run without the average writes no average.bin, and cannot be resumed with one
    const m4 = createModel({ preset: "tiny", seed: 9 });
    await trainCurriculum(m4, {
      ...base(undefined),
      stages: curriculumStages("C1", 2),
      outDir: plainDir,
    });
    const plainCkpt = `${plainDir}/checkpoints/ckpt-00000002`;
    assert(!JSON.parse(await Deno.readTextFile(`${plainCkpt}/manifest.json`)).average);
    await assertRejects(() => Deno.stat(`${plainCkpt}/average.bin`), Deno.errors.NotFound);
    const m5 = createModel({ preset: "tiny", seed: 9 });
    await assertRejects(
      () =>
        trainCurriculum(m5, {
          ...base(avgRecipe),
          stages: curriculumStages("C1", 4),
          outDir: plainDir,
          resume: true,
        }),
      Error,
      "it holds no weight average, the run asks for a weight average of decay 0.8",
    );
    for (const m of [m1, loaded, m2, m3, m4, m5]) m.params.dispose();
  } finally {
    for (const d of [full, cut, plainDir]) await Deno.remove(d, { recursive: true });
  }
});
