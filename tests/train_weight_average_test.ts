// Weight averaging (a recipe's `weightAverage`): the moving average itself (bias correction,
// state, reset), the trainer keeping it beside the online weights (which train as without it),
// returning the average as the trained model, checkpointing it so that an interrupted run
// resumes to the same bytes, and refusing to resume a checkpoint of another averaging; the run
// cache's chains (`C2(C1)`) continuing from the parent's online weights while the parent is
// evaluated with its average.
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
  latestCheckpoint,
  loadModel,
  resolveRecipe,
  trainCurriculum,
  type TrainOptions,
  WeightAverage,
} from "../lib/train/mod.ts";
import { fixtureWorld } from "./model_fixture_world.ts";
import { RunContext } from "../lib/experiments/_run_cache.ts";
import { resolveExperimentOptions } from "../lib/experiments/experiment_options.ts";

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

Deno.test("resolveExperimentOptions: the scale's weightAverage keys the runners' recipe, 0 as absent", () => {
  const full = { quick: false };
  // the full scale averages its long first stages as quick does
  const fullRun = resolveExperimentOptions(full);
  assertEquals(fullRun.recipe, resolveRecipe({ weightAverage: 0.99 }));
  assertEquals(fullRun.scale.firstStageSteps, 2000);
  // no averaging is the default recipe, so the cache reuses the same models
  const off = resolveExperimentOptions({ ...full, scale: { weightAverage: 0 } });
  assertEquals([off.recipe, off.scale.weightAverage], [resolveRecipe(), undefined]);
  assertEquals(
    resolveExperimentOptions({ ...full, scale: { weightAverage: 0.9 } }).recipe.weightAverage,
    0.9,
  );
  assertThrows(
    () => resolveExperimentOptions({ scale: { weightAverage: 1 } }),
    Error,
    "experiment: opts.scale.weightAverage must be a decay",
  );
  // the quick scale averages its long first stages; a smoke run's `steps` drops both
  const quick = resolveExperimentOptions({ quick: true });
  assertEquals([quick.scale.firstStageSteps, quick.recipe.weightAverage], [800, 0.99]);
  const smoke = resolveExperimentOptions({ quick: true, scale: { steps: 2 } });
  assertEquals([smoke.scale.firstStageSteps, smoke.recipe.weightAverage], [undefined, undefined]);
  const kept = resolveExperimentOptions({ quick: true, scale: { steps: 2, weightAverage: 0.9 } });
  assertEquals(kept.recipe.weightAverage, 0.9);
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

/**
 * Assert two weight vectors equal bit for bit, naming the first difference (assertEquals'
 * diff of 100k floats would take minutes to print on a failure).
 */
function assertSameWeights(got: Float32Array | undefined, want: Float32Array, what: string) {
  assert(got !== undefined, `${what}: no weights`);
  assertEquals(got.length, want.length, `${what}: length`);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const k = a.findIndex((x, i) => x !== b[i]);
  assert(k < 0, `${what}: differs first at ${k} (${got[k]} vs ${want[k]})`);
}

Deno.test("run cache: a chain continues from its parent's online weights, the parent is evaluated with its average", async () => {
  const dirs = { plain: await Deno.makeTempDir(), avg: await Deno.makeTempDir() };
  const scale = { seeds: [0], steps: 3, batchSize: 4, datasetSize: 8 };
  const C1 = [{ level: 1 as const }], C2C1 = [{ level: 1 as const }, { level: 2 as const }];
  const open = (outDir: string, weightAverage?: number) =>
    RunContext.open("chain", {
      quick: true,
      world: { ...world, name: "fixture", identity: "fixture-5" },
      outDir,
      scale: { ...scale, weightAverage },
    });
  const stage = (level: 1 | 2, n: number, recipe?: TrainOptions["recipe"]) => ({
    data: world,
    stages: [{ level, steps: 3 }],
    batchSize: 4,
    datasetSize: 8,
    seed: n, // the run cache's seed of the chain's n-th stage: seed * 1000 + n, seed 0
    recipe,
  });
  const trained: { params: { dispose(): void } }[] = [];
  const flat = async (m: { model: ReturnType<typeof createModel> }) => {
    trained.push(m.model);
    return await m.model.params.toFlat();
  };
  /** The newest checkpoint of a cached model, `C1-s0-*` or `C1.C2-s0-*`. */
  const ckptOf = async (outDir: string, slug: string) => {
    for await (const e of Deno.readDir(`${outDir}/models`)) {
      if (e.name.startsWith(`${slug}-s0-`)) return `${outDir}/models/${e.name}/checkpoints`;
    }
    throw new Error(`no ${slug} model in ${outDir}`);
  };
  try {
    await assertRejects(
      () => open(dirs.plain, 1),
      Error,
      "opts.scale.weightAverage must be a decay",
    );
    // without averaging (the default, the cache keyed as before), the chain is its stages run
    // one after the other, each a fresh trainCurriculum (a fresh Adam) on the previous weights
    const plain = await open(dirs.plain);
    assertEquals(plain.recipe, resolveRecipe());
    const c1Plain = await flat(await plain.trainedModel(C1, 0));
    const c2Plain = await flat(await plain.trainedModel(C2C1, 0));
    const byHand = createModel({ preset: "tiny", seed: 0 });
    await trainCurriculum(byHand, stage(1, 1));
    assertSameWeights(await byHand.params.toFlat(), c1Plain, "plain C1: by hand vs the cache");
    await trainCurriculum(byHand, stage(2, 2));
    assertSameWeights(await byHand.params.toFlat(), c2Plain, "plain C2(C1): by hand vs the cache");

    // with averaging: C2(C1) asked first (C1 trained on the way), then C1 from the cache
    const avg = await open(dirs.avg, DECAY);
    assertEquals(avg.recipe.weightAverage, DECAY);
    const c2Avg = await flat(await avg.trainedModel(C2C1, 0));
    const c1Avg = await flat(await avg.trainedModel(C1, 0));
    // C1's checkpoint continues from the online weights, which trained as without averaging;
    // C1 is evaluated with its average (trainedModel, loadModel)
    const c1Online = new Float32Array(
      (await Deno.readFile(`${await latestCheckpoint(await ckptOf(dirs.avg, "C1"))}/weights.bin`))
        .buffer,
    );
    assertSameWeights(c1Online, c1Plain, "C1 online (weights.bin) vs plain C1");
    const c1Hand = createModel({ preset: "tiny", seed: 0 });
    const r1 = await trainCurriculum(c1Hand, stage(1, 1, avgRecipe));
    assertSameWeights(r1.onlineWeights, c1Plain, "C1 online by hand vs plain C1");
    assertSameWeights(c1Avg, await c1Hand.params.toFlat(), "C1 average: the cache vs by hand");
    assert(c1Avg.some((x, k) => x !== c1Plain[k]), "C1's average is not its online weights");
    const c1Loaded = await loadModel(await ckptOf(dirs.avg, "C1"));
    trained.push(c1Loaded);
    assertSameWeights(await c1Loaded.params.toFlat(), c1Avg, "C1: loadModel vs trainedModel");
    // C2 continued from C1's online weights: its online weights are the plain chain's C2, bit
    // for bit (continuing from C1's average would change every one), and the model is C2's
    // average, the same as one trainCurriculum stage from C1's online weights
    const c2Ckpt = await ckptOf(dirs.avg, "C1.C2");
    const c2Online = new Float32Array(
      (await Deno.readFile(`${await latestCheckpoint(c2Ckpt)}/weights.bin`)).buffer,
    );
    assertSameWeights(c2Online, c2Plain, "C2(C1) online (weights.bin) vs plain C2(C1)");
    c1Hand.params.fromFlat(r1.onlineWeights!);
    const r2 = await trainCurriculum(c1Hand, stage(2, 2, avgRecipe));
    assertSameWeights(r2.onlineWeights, c2Plain, "C2(C1) online by hand vs plain C2(C1)");
    assertSameWeights(c2Avg, await c1Hand.params.toFlat(), "C2(C1) average: the cache vs by hand");
    const c2Loaded = await loadModel(c2Ckpt);
    trained.push(c2Loaded);
    assertSameWeights(await c2Loaded.params.toFlat(), c2Avg, "C2(C1): loadModel vs trainedModel");
    // asked again (C2 resumed from its finished checkpoint): the same average
    const again = await open(dirs.avg, DECAY);
    const resumed = await flat(await again.trainedModel(C2C1, 0));
    assertSameWeights(resumed, c2Avg, "C2(C1) average: resumed vs trained");
    for (const m of [byHand, c1Hand, ...trained]) m.params.dispose();
    for (const ctx of [plain, avg, again]) await ctx.close();
  } finally {
    for (const d of Object.values(dirs)) await Deno.remove(d, { recursive: true });
  }
});
