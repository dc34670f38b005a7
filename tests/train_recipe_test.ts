import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import type { AVClip } from "../lib/data/mod.ts";
import {
  alignCenters,
  createModel,
  embedAudio,
  embedVisual,
  localize,
  LOCALIZE_DEFAULTS,
  modelInputs,
  oursHeatmaps,
  ownAligned,
  pairDistances,
  visualStarts,
} from "../lib/model/mod.ts";
import { softKMeans } from "../kernels/mod.ts";
import {
  type CurriculumData,
  curriculumStages,
  type Recipe,
  recipeBeta,
  recipeClustering,
  recipeLearningRate,
  RECIPES,
  recipeTemperature,
  resolveRecipe,
  trainCurriculum,
} from "../lib/train/mod.ts";
import { fixtureWorld } from "./model_fixture_world.ts";
import { cropFrames, jitterAudio, jitterColours } from "../lib/train/_augment.ts";
import { Rng } from "../lib/random/mod.ts";

await initBackend("cpu");

const world = fixtureWorld({ seed: 5, imageSize: 64, sampleRate: 8000, duration: 1 });

/**
 * The fixture world as endless data (it has `batches`, the synthetic world's sign), its
 * training clips made lazily, recording the index of every clip decoded.
 */
function freshWorld(seen: number[]): CurriculumData {
  const endless = {
    batches: () => [],
    trainingClips: (level: 1 | 2 | 3 | 4 | "uncurated", size: number) => ({
      size,
      entry: (i: number) => ({ id: `fresh-${i}`, count: level === "uncurated" ? 2 : level }),
      clip: (i: number) => {
        seen.push(i);
        return Promise.resolve(world.scene(i, level === "uncurated" ? 2 : level) as AVClip);
      },
    }),
  };
  return endless as CurriculumData;
}

/** The losses of two C1 steps of a fresh tiny model (seed 4, batch 4) under `recipe`. */
async function twoStepLosses(recipe: Partial<Recipe>): Promise<number[]> {
  const m = createModel({ preset: "tiny", seed: 4 });
  const { history } = await trainCurriculum(m, {
    data: freshWorld([]),
    stages: curriculumStages("C1", 2),
    batchSize: 4,
    recipe,
  });
  m.params.dispose();
  return history.map((h) => h.loss);
}

Deno.test("resolveRecipe: names, partial overrides of ours, bad fields named", () => {
  assertEquals(resolveRecipe("paper"), { ...RECIPES.paper });
  assertEquals(resolveRecipe(), { ...RECIPES.ours });
  const next = resolveRecipe({ negatives: "next", loss: "margin" });
  assertEquals([next.negatives, next.betaStart], ["next", RECIPES.ours.betaStart]);
  assertThrows(() => resolveRecipe("fast" as "ours"), Error, '"fast"');
  assertThrows(() => resolveRecipe({ betaStart: 0 }), Error, "betaStart");
  assertThrows(() => resolveRecipe({ warmupSteps: 1.5 }), Error, "warmupSteps");
  assertThrows(() => resolveRecipe({ negatives: "some" as "all" }), Error, "negatives");
  assertThrows(() => resolveRecipe({ background: "edge" as "none" }), Error, "background");
  assertThrows(() => resolveRecipe({ inFrameNegative: -1 }), Error, "inFrameNegative");
  assertThrows(() => resolveRecipe({ inFrameNegative: NaN }), Error, "inFrameNegative");
  assertThrows(() => resolveRecipe({ extraVisualCenters: 0 }), Error, "extraVisualCenters");
  assertThrows(() => resolveRecipe({ extraVisualCenters: 1.5 }), Error, "extraVisualCenters");
  assertEquals(resolveRecipe({ inFrameNegative: 0.5, loss: "margin" }).inFrameNegative, 0.5);
  assertThrows(() => resolveRecipe({ loss: "hinge" as "margin" }), Error, "loss must be one of");
  assertThrows(() => resolveRecipe({ loss: "softmax", temperature: 0 }), Error, "temperature");
  assertThrows(() => resolveRecipe({ temperature: -1 }), Error, "temperature");
  assertThrows(
    () => resolveRecipe({ loss: "softmax-symmetric", negatives: "next" }),
    Error,
    'needs negatives "all"',
  );
  assertThrows(
    () => resolveRecipe({ loss: "softmax", inFrameNegative: 0.5 }),
    Error,
    "inFrameNegative 0.5",
  );
  assertEquals(resolveRecipe({ loss: "softmax", temperature: 2 }).temperature, 2);
  assertThrows(() => resolveRecipe({ alignTemperature: -1 }), Error, "alignTemperature");
  // soft alignment mixes centers: ours' one-to-one choice has to be turned off for it
  assertThrows(() => resolveRecipe({ alignTemperature: 4 }), Error, "distinctAlignment is a hard");
  assertEquals(
    resolveRecipe({ alignTemperature: 4, distinctAlignment: false }).alignTemperature,
    4,
  );
  assertEquals(resolveRecipe({ background: "border" }).background, "border");
  assertThrows(() => resolveRecipe({ gainJitter: -1 }), Error, "gainJitter");
  assertThrows(() => resolveRecipe({ timeShift: 0.75 }), Error, "timeShift");
  assertThrows(() => resolveRecipe({ colorJitter: 1 }), Error, "colorJitter");
  // no augmentation beyond the measured ones in either recipe
  for (const r of [RECIPES.ours, RECIPES.paper]) {
    assertEquals([r.gainJitter, r.timeShift, r.colorJitter], [0, 0, 0]);
  }
  // localize's defaults are how the default recipe trains
  assertEquals(LOCALIZE_DEFAULTS.beta, RECIPES.ours.betaEnd);
  assertEquals(LOCALIZE_DEFAULTS.background, RECIPES.ours.background);
  assertEquals(LOCALIZE_DEFAULTS.extraVisualCenters, RECIPES.ours.extraVisualCenters);
  assertEquals(LOCALIZE_DEFAULTS.iterations, RECIPES.ours.iterations);
  assertEquals(LOCALIZE_DEFAULTS.distinctAlignment, RECIPES.ours.distinctAlignment);
  // ours: two soft K-means iterations, one-to-one alignment; the paper's recipe leaves both
  // absent (the kernels' 4, the nearest rule), so its resolved recipe is as it was measured
  assertEquals([RECIPES.ours.iterations, RECIPES.ours.distinctAlignment], [2, true]);
  assert(!("iterations" in RECIPES.paper) && !("distinctAlignment" in RECIPES.paper));
  // the paper's recipe: beta 30, one negative, recycled clips, one background center
  assertEquals(RECIPES.paper.extraVisualCenters, 1);
  assertEquals(RECIPES.paper.betaStart, 30);
  assertEquals(RECIPES.paper.negatives, "next");
  assertEquals(RECIPES.paper.freshScenes, false);
  // ours trains with the softmax loss at temperature 2, the paper's recipe with the margin loss
  assertEquals([RECIPES.ours.loss, RECIPES.ours.temperature], ["softmax", 2]);
  assertEquals(RECIPES.paper.loss, "margin");
  assertThrows(() => resolveRecipe({ negatives: "next" }), Error, 'loss "margin"');
});

Deno.test("recipeClustering: ours is localize's defaults, paper its own; the visual fields travel", () => {
  // ours: beta 5, the largest center never aligned, K_visual = K_audio + 2, two iterations,
  // one-to-one alignment (LOCALIZE_DEFAULTS)
  const ours = { beta: 5, background: "largest", extraVisualCenters: 2 } as const;
  const oursRead = { ...ours, iterations: 2, distinctAlignment: true };
  assertEquals(recipeClustering(RECIPES.ours), { ...LOCALIZE_DEFAULTS });
  assertEquals(recipeClustering(resolveRecipe("ours")), oursRead);
  // paper: beta 30, every visual center alignable, K_visual = K_audio + 1, and explicitly the
  // paper's 4 iterations and nearest rule (not localize's defaults)
  const paperRead = { beta: 30, background: "none", extraVisualCenters: 1, iterations: 4 };
  assertEquals(recipeClustering(resolveRecipe("paper")), {
    ...paperRead,
    distinctAlignment: false,
  });
  // a beta schedule is read at its end, as the model was last trained
  assertEquals(recipeClustering(resolveRecipe({ betaStart: 30, betaEnd: 10 })).beta, 10);
  // each visual clustering setting the recipe sets is passed, and only those
  const visual = {
    visualBeta: 2.5,
    visualCoupling: 1,
    visualSmoothing: 0.5,
    visualCoordinates: 0.25,
  };
  assertEquals(recipeClustering(resolveRecipe({ ...visual, background: "border" })), {
    ...oursRead,
    background: "border",
    ...visual,
  });
  const own = recipeClustering(resolveRecipe({ visualInit: "audio-own" }, "paper"));
  assertEquals(own, { ...paperRead, distinctAlignment: false, visualInit: "audio-own" });
  assert(!("visualBeta" in recipeClustering(RECIPES.paper)), "an absent field stays absent");
});

Deno.test("recipeBeta and recipeLearningRate: schedules hit their ends", () => {
  const r = resolveRecipe({ betaStart: 5, betaEnd: 30, warmupSteps: 10, lrDecay: "cosine" });
  assertEquals(recipeBeta(r, 0, 100), 5);
  assert(Math.abs(recipeBeta(r, 99, 100) - 30) < 1e-9);
  assert(Math.abs(recipeBeta(r, 49.5, 100) - Math.sqrt(150)) < 1e-9, "geometric midpoint");
  assertEquals(recipeBeta(resolveRecipe("paper"), 7, 100), 30);
  assert(Math.abs(recipeLearningRate(r, 1, 0, 100) - 0.1) < 1e-12);
  assertEquals(recipeLearningRate(r, 1, 9, 100), 1);
  assertEquals(recipeLearningRate(r, 1, 10, 100), 1);
  assert(Math.abs(recipeLearningRate(r, 1, 99, 100) - 0.1) < 1e-12);
  assertEquals(recipeLearningRate(resolveRecipe("paper"), 0.5, 3, 100), 0.5);
});

Deno.test("recipeTemperature: geometric from temperature to temperatureEnd, checked", () => {
  const r = resolveRecipe({ temperature: 4, temperatureEnd: 1 });
  assertEquals(recipeTemperature(r, 0, 100), 4);
  assert(Math.abs(recipeTemperature(r, 99, 100) - 1) < 1e-12);
  assert(Math.abs(recipeTemperature(r, 49.5, 100) - 2) < 1e-12, "geometric midpoint");
  assertEquals(recipeTemperature(r, 500, 100), 1, "clamped past the stage's end");
  // absent: the temperature throughout (ours, and a one-step stage)
  assertEquals(recipeTemperature(resolveRecipe(), 99, 100), RECIPES.ours.temperature);
  assertEquals(recipeTemperature(r, 0, 1), 1);
  for (const bad of [0, -1, NaN, Infinity]) {
    assertThrows(() => resolveRecipe({ temperatureEnd: bad }), Error, "temperatureEnd must be");
  }
});

Deno.test("pairDistances: all negatives are the off-diagonal (audio i, frame j) distances", () => {
  const model = createModel({ preset: "tiny", seed: 2 });
  const clips = world.curriculumSet(1, 4);
  const { images, logMel } = modelInputs(model, clips);
  const positives: number[][] = [];
  for (const background of ["none", "largest"] as const) {
    const opts = { kAudio: 1, kVisual: 2, background };
    const all = pairDistances(model, images, logMel, { ...opts, negatives: "all" });
    const next = pairDistances(model, images, logMel, opts);
    assertEquals(next.allNegative2, undefined);
    const a = all.allNegative2!.arraySync(), n = next.negative2.arraySync();
    assertEquals(a.length, 12);
    // row i holds frames j != i in order: (i, i + 1) sits at i * 3 + i for i < 3, and (3, 0)
    // at 9; with a background center, frame j's own background is excluded in both
    for (let i = 0; i < 4; i++) {
      const j = (i + 1) % 4;
      const at = i * 3 + (j < i ? j : j - 1);
      const close = Math.abs(a[at] - n[i]) <= 1e-4 * Math.max(1, n[i]);
      assert(close, `${background} (${i}, ${j}): ${a[at]} vs ${n[i]}`);
    }
    positives.push(all.positive2.arraySync());
    tf.dispose([all.positive2, all.negative2, all.allNegative2!, next.positive2, next.negative2]);
  }
  // excluding a center can only lengthen the distance to the nearest one; with `largest` each
  // positive is the distance to the nearer of the centers that are not the largest-mass one
  positives[0].forEach((p, i) => assert(positives[1][i] >= p - 1e-6, `${positives[1][i]} < ${p}`));
  const expected = tf.tidy(() => {
    const vk = softKMeans(embedVisual(model, images).features, 2, { beta: 30 });
    const ak = softKMeans(embedAudio(model, logMel).features, 1, { beta: 30 });
    const d = alignCenters(vk.centers, ak.centers).distances.arraySync();
    const mass = tf.sum(vk.assignments, 2).arraySync() as number[][];
    return d.map((dv, i) => dv[mass[i][0] >= mass[i][1] ? 1 : 0][0]);
  });
  expected.forEach((e, i) => assert(Math.abs(positives[1][i] - e) <= 1e-4 * Math.max(1, e)));
  tf.dispose([images, logMel]);
  model.params.dispose();
});

Deno.test("pairDistances: in-frame negatives are each audio center's distance to its frame's unaligned centers", () => {
  const model = createModel({ preset: "tiny", seed: 3 });
  const clips = world.curriculumSet(2, 3);
  const { images, logMel } = modelInputs(model, clips);
  for (const [background, kVisual] of [["largest", 3], ["none", 3], ["largest", 4]] as const) {
    const opts = { kAudio: 2, kVisual, beta: 5, background };
    const d = pairDistances(model, images, logMel, { ...opts, inFrameNegatives: true });
    assertEquals(pairDistances(model, images, logMel, opts).inFrame2, undefined);
    const got = d.inFrame2!.arraySync();
    assertEquals(got.length, 3 * 2); // [batch * K_audio]
    const expected = tf.tidy(() => {
      const vk = softKMeans(embedVisual(model, images).features, kVisual, { beta: 5 });
      const ak = softKMeans(embedAudio(model, logMel).features, 2, { beta: 5 });
      const dist = alignCenters(vk.centers, ak.centers).distances.arraySync();
      const mass = tf.sum(vk.assignments, 2).arraySync() as number[][];
      // row-major over (clip i, audio center k): the nearest center of frame i that neither
      // audio center is aligned to (the largest-mass center is never aligned under `largest`)
      return dist.flatMap((dv, i) => {
        const bg = background === "largest" ? mass[i].indexOf(Math.max(...mass[i])) : -1;
        const js = [...Array(kVisual).keys()];
        const aligned = [0, 1].map((k) =>
          js.filter((j) => j !== bg).reduce(
            (best, j) => dv[j][k] < dv[best][k] ? j : best,
            bg === 0 ? 1 : 0,
          )
        );
        const unaligned = js.filter((j) => !aligned.includes(j));
        assert(background === "none" || unaligned.includes(bg));
        return [0, 1].map((k) => Math.min(...unaligned.map((j) => dv[j][k])));
      });
    });
    expected.forEach((e, i) => {
      assert(
        Math.abs(got[i] - e) <= 1e-4 * Math.max(1, e),
        `${background} ${kVisual} ${i}: ${got[i]} vs ${e}`,
      );
    });
    tf.dispose([d.positive2, d.negative2, d.inFrame2!]);
  }
  const opts = { kAudio: 2, kVisual: 3, background: "largest" as const, inFrameNegatives: true };
  for (const bad of [{ kVisual: 2 }, { alignment: "scene" as const }]) {
    assertThrows(
      () => pairDistances(model, images, logMel, { ...opts, ...bad }),
      Error,
      "inFrameNegatives needs a visual center no sound is aligned to",
    );
  }
  tf.dispose([images, logMel]);
  model.params.dispose();
});

Deno.test("pairDistances: the matrix holds the positives on its diagonal, the negatives off it", () => {
  const model = createModel({ preset: "tiny", seed: 2 });
  const { images, logMel } = modelInputs(model, world.curriculumSet(1, 4));
  const opts = { kAudio: 1, kVisual: 3, background: "largest" as const, negatives: "all" as const };
  assertEquals(pairDistances(model, images, logMel, opts).distance2, undefined);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
  // the same under the border rule and a soft alignment (its scene distances differ)
  const hard = pairDistances(model, images, logMel, { ...opts, matrix: true }).positive2;
  for (
    const extra of [{}, { background: "border" as const }, { alignTemperature: 1 }]
  ) {
    const d = pairDistances(model, images, logMel, { ...opts, ...extra, matrix: true });
    const m = d.distance2!.arraySync(), p = d.positive2.arraySync();
    const all = d.allNegative2!.arraySync();
    assertEquals(d.distance2!.shape, [4, 4]);
    m.forEach((row, i) => assert(close(row[i], p[i]), `(${i}, ${i}): ${row[i]} vs ${p[i]}`));
    assertEquals(m.flatMap((row, i) => row.filter((_, j) => j !== i)), all);
    if ("alignTemperature" in extra) {
      // a mix of the alignable centers, not the nearest one
      assert(p.some((x, i) => !close(x, hard.arraySync()[i])), "soft = hard distances");
    }
    tf.dispose([d.positive2, d.negative2, d.allNegative2!, d.distance2!]);
  }
  tf.dispose([hard, images, logMel]);
  model.params.dispose();
});

Deno.test("fresh scenes: a new batch every step, and an aborted run resumes exactly", async () => {
  const seen: number[] = [];
  const opts = () => ({
    data: freshWorld(seen),
    stages: curriculumStages("C1,C2", 3),
    batchSize: 4,
    checkpointEvery: 2,
    recipe: "ours" as const,
  });
  const full = await Deno.makeTempDir(), cut = await Deno.makeTempDir();
  try {
    const m1 = createModel({ preset: "tiny", seed: 9 });
    const r1 = await trainCurriculum(m1, { ...opts(), outDir: full });
    // two stages of three fresh batches of 4: 24 distinct clips, consecutive within a stage,
    // disjoint across stages
    const distinct = [...new Set(seen)].sort((x, y) => x - y);
    assertEquals(distinct.length, 24);
    assertEquals(distinct[11] - distinct[0], 11);
    assert(distinct[12] - distinct[0] >= 1_000_000, `stage starts ${distinct[0]}, ${distinct[12]}`);
    const ctrl = new AbortController();
    const m2 = createModel({ preset: "tiny", seed: 9 });
    await trainCurriculum(m2, {
      ...opts(),
      outDir: cut,
      signal: ctrl.signal,
      onProgress: (p) => p.globalStep === 5 && ctrl.abort(),
    });
    m2.params.dispose();
    const m3 = createModel({ preset: "tiny", seed: 1 });
    const r3 = await trainCurriculum(m3, { ...opts(), outDir: cut, resume: true });
    assertEquals(r3.history, r1.history);
    assertEquals(await m3.params.toFlat(), await m1.params.toFlat());
    for (const m of [m1, m3]) m.params.dispose();
  } finally {
    await Deno.remove(full, { recursive: true });
    await Deno.remove(cut, { recursive: true });
  }
});

Deno.test("recipes differ in what a step computes; data without batches falls back to a set", async () => {
  const run = async (recipe: "ours" | "paper" | Partial<Recipe>, data: CurriculumData) => {
    const model = createModel({ preset: "tiny", seed: 4 });
    const { history } = await trainCurriculum(model, {
      data,
      stages: curriculumStages("C1", 2),
      batchSize: 4,
      datasetSize: 8,
      recipe,
    });
    model.params.dispose();
    return history.map((h) => h.loss);
  };
  const paper = await run("paper", world);
  const ours = await run("ours", world); // no batches(): recycled clips, ours otherwise
  const oursFresh = await run("ours", freshWorld([]));
  assert(paper[0] !== ours[0], "beta and negatives change the loss");
  assert(ours[1] !== oursFresh[1], "fresh scenes change the second batch");
  // a background center that is never aligned: gradients flow through the masked alignment
  const background = await run({ background: "largest" }, freshWorld([]));
  assert(background.every(Number.isFinite), `${background}`);
  // in-frame negatives add a term to the margin loss (same batches, same first weights)
  const margin = await run({ background: "largest", loss: "margin" }, freshWorld([]));
  const inFrame = await run(
    { background: "largest", loss: "margin", inFrameNegative: 1 },
    freshWorld([]),
  );
  assert(inFrame.every(Number.isFinite), `${inFrame}`);
  assert(inFrame[0] > margin[0], `${inFrame[0]} vs ${margin[0]}`);
  // the softmax losses train on the same batches with another loss, symmetric or not
  const softmax = await run({ loss: "softmax", temperature: 2 }, freshWorld([]));
  const symmetric = await run({ loss: "softmax-symmetric", temperature: 2 }, freshWorld([]));
  assert(softmax.every(Number.isFinite) && symmetric.every(Number.isFinite));
  assert(softmax[0] !== margin[0] && symmetric[0] !== softmax[0], `${softmax} ${symmetric}`);
  // an annealed temperature: the stage's first step at tau 4, its last (of 2) at tau 1
  const t4 = await run({ loss: "softmax", temperature: 4 }, freshWorld([]));
  const annealed = await run(
    { loss: "softmax", temperature: 4, temperatureEnd: 1 },
    freshWorld([]),
  );
  assertEquals(annealed[0], t4[0]);
  assert(annealed[1] !== t4[1], `${annealed} vs ${t4}`);
  // same-sound negatives left out: at a cosine just above 0 the pairs the net hears closer
  // than the batch's mean leave the softmax (a lower loss); a cosine nothing exceeds leaves
  // the loss as it was, to the bit
  const alike = await run(
    { loss: "softmax", temperature: 4, sameSoundCosine: 1e-6 },
    freshWorld([]),
  );
  assert(alike[0] < t4[0], `${alike} vs ${t4}`);
  const never = await run(
    { loss: "softmax", temperature: 4, sameSoundCosine: 0.99999999 },
    freshWorld([]),
  );
  assertEquals(never, t4);
  // ours clusters frames into K_audio + 2 centers: K_audio + 1 (the paper's) is another loss
  assertEquals(RECIPES.ours.extraVisualCenters, 2);
  const kv2 = await run({ background: "largest", extraVisualCenters: 1 }, freshWorld([]));
  assert(kv2.every(Number.isFinite) && kv2[0] !== background[0], `${kv2} vs ${background}`);
  const model = createModel({ preset: "tiny" });
  await assertRejects(
    () =>
      trainCurriculum(model, {
        data: world,
        stages: curriculumStages("C1", 1),
        recipe: { betaEnd: -1 },
      }),
    Error,
    "betaEnd",
  );
  model.params.dispose();
});

Deno.test("augmentations: gain and circular shift of the audio, colour jitter of frames", () => {
  const audio = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) + 0.01 * i);
  const clip = { ...world.scene(0, 1), audio } as AVClip;
  // the same draws as jitterAudio makes: a gain in dB, then a share of the length
  const draws = new Rng(3);
  const gain = Math.pow(10, draws.range(-6, 6) / 20);
  const by = ((Math.round(draws.range(-0.25, 0.25) * 100) % 100) + 100) % 100;
  const [out] = jitterAudio([clip], new Rng(3), 6, 0.25);
  assert(out.audio !== audio && clip.audio === audio, "new arrays; the clip is not changed");
  assert(by !== 0 && gain !== 1, `draws ${by}, ${gain}`);
  for (let i = 0; i < 100; i++) {
    assertAlmostEquals(out.audio[(i + by) % 100], Math.fround(gain * audio[i]), 1e-6);
  }
  // zero jitter: the clip's audio as it was
  assertEquals(jitterAudio([clip], new Rng(3), 0, 0)[0].audio, audio);
  // colour: in [0, 1], per frame, and no change at strength 0
  const images = tf.randomUniform([3, 4, 4, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const same = jitterColours(images, new Rng(1), 0);
  const jittered = jitterColours(images, new Rng(1), 0.5);
  const [x, y, z] = [images.dataSync(), same.dataSync(), jittered.dataSync()];
  for (let i = 0; i < x.length; i++) assertAlmostEquals(y[i], x[i], 1e-6);
  assert(z.every((v) => v >= 0 && v <= 1), "clipped to [0, 1]");
  assert(z.some((v, i) => Math.abs(v - x[i]) > 0.01), "strength 0.5 changes the frames");
  // a grey frame stays grey (saturation has nothing to act on; brightness and contrast keep
  // the channels equal)
  const grey = tf.tile(tf.randomUniform([1, 4, 4, 1], 0.2, 0.8, "float32", 2), [1, 1, 1, 3]);
  const g = jitterColours(grey as tf.Tensor4D, new Rng(5), 0.5).dataSync();
  for (let i = 0; i < g.length; i += 3) {
    assertAlmostEquals(g[i + 1], g[i], 1e-6);
    assertAlmostEquals(g[i + 2], g[i], 1e-6);
  }
  tf.dispose([images, same, jittered, grey]);
});

Deno.test("augmentations: random crops keep the frame's size and cut a window of it", () => {
  // a horizontal ramp: a crop of width share s starting at x0 maps column j to x0 + s j
  const [h, w] = [8, 16];
  const ramp = tf.tile(tf.reshape(tf.linspace(0, 1, w), [1, 1, w, 1]), [2, h, 1, 3]);
  const cropped = cropFrames(ramp as tf.Tensor4D, new Rng(7), 0.25);
  assertEquals(cropped.shape, [2, h, w, 3]);
  const v = cropped.dataSync();
  for (let b = 0; b < 2; b++) {
    const row = Array.from({ length: w }, (_, j) => v[((b * h + 3) * w + j) * 3]);
    const steps = row.slice(1).map((x, j) => x - row[j]);
    // linear in the column, a zoom (narrower than the frame), inside [0, 1]
    for (const d of steps) assertAlmostEquals(d, steps[0], 1e-5);
    assert(row[w - 1] - row[0] < 1 - 1e-3 && row[w - 1] - row[0] >= 0.5 - 1e-5, `${row}`);
    assert(row[0] >= 0 && row[w - 1] <= 1 + 1e-6);
  }
  // no change at share 1 but for the draws' position: the whole frame
  const whole = cropFrames(ramp as tf.Tensor4D, new Rng(7), 1 - 1e-9).dataSync();
  const r = ramp.dataSync();
  for (let i = 0; i < r.length; i++) assertAlmostEquals(whole[i], r[i], 1e-4);
  tf.dispose([ramp, cropped]);
});

Deno.test("augmentations change a step's loss and are deterministic by seed", async () => {
  const run = async (recipe: Partial<Recipe>) => {
    const model = createModel({ preset: "tiny", seed: 4 });
    const { history } = await trainCurriculum(model, {
      data: freshWorld([]),
      stages: curriculumStages("C1", 2),
      batchSize: 4,
      recipe,
    });
    model.params.dispose();
    return history.map((h) => h.loss);
  };
  const none = await run({});
  for (
    const aug of [
      { flip: true },
      { gainJitter: 6 },
      { timeShift: 0.25 },
      { colorJitter: 0.3 },
      { cropScale: 0.5 },
    ]
  ) {
    const a = await run(aug), b = await run(aug);
    assertEquals(a, b, `${JSON.stringify(aug)}: the same seed, the same losses`);
    assert(a[0] !== none[0], `${JSON.stringify(aug)} changes the first step's loss`);
  }
});

Deno.test("visualBeta: checked, absent from the named recipes, the visual clustering's beta alone", async () => {
  for (const bad of [-1, NaN, Infinity]) {
    assertThrows(() => resolveRecipe({ visualBeta: bad }), Error, "visualBeta must be");
  }
  assertEquals(resolveRecipe({ visualBeta: 0 }).visualBeta, 0);
  assertEquals(resolveRecipe({ visualBeta: 10 }).visualBeta, 10);
  // absent, not 0, in both named recipes: their resolved recipes (the ablation's cache keys)
  // stay as they were measured before the field came
  assert(!("visualBeta" in RECIPES.ours) && !("visualBeta" in RECIPES.paper));
  const model = createModel({ preset: "tiny", seed: 3 });
  const { images, logMel } = modelInputs(model, world.curriculumSet(2, 4));
  const d2 = (opts: { kAudio: number; beta: number; visualBeta?: number }) => {
    const d = pairDistances(model, images, logMel, {
      kVisual: opts.kAudio + 2,
      background: "largest",
      ...opts,
    });
    const out = [...d.positive2.dataSync(), ...d.negative2.dataSync()];
    tf.dispose([d.positive2, d.negative2]);
    return out;
  };
  // one audio center is its features' mean whatever the beta: the visual beta is all that acts
  assertEquals(d2({ kAudio: 1, beta: 5, visualBeta: 20 }), d2({ kAudio: 1, beta: 20 }));
  assert(
    d2({ kAudio: 1, beta: 5, visualBeta: 20 }).some((x, i) => x !== d2({ kAudio: 1, beta: 5 })[i]),
    "visualBeta 20 = beta 5",
  );
  assertEquals(d2({ kAudio: 1, beta: 5, visualBeta: 0 }), d2({ kAudio: 1, beta: 5 }));
  // two audio centers keep `beta`: visual 20 with audio 5 is neither 5 nor 20 for both
  const mixed = d2({ kAudio: 2, beta: 5, visualBeta: 20 }), both20 = d2({ kAudio: 2, beta: 20 });
  assert(mixed.some((x, i) => x !== both20[i]), "the audio clustering took visualBeta");
  // localize clusters the frames at visualBeta too
  const clips = world.curriculumSet(1, 2);
  const maps = async (opts: { beta: number; visualBeta?: number }) =>
    (await localize(model, clips, { kAudio: 1, ...opts })).map((m) => [...m.aligned[0]]);
  assertEquals(await maps({ beta: 5, visualBeta: 20 }), await maps({ beta: 20 }));
  assert(
    JSON.stringify(await maps({ beta: 5, visualBeta: 20 })) !==
      JSON.stringify(await maps({ beta: 5 })),
    "localize ignored visualBeta",
  );
  tf.dispose([images, logMel]);
  model.params.dispose();
  // in training: visualBeta 5 is ours to the bit, 20 another loss
  const ours = await twoStepLosses({});
  assertEquals(await twoStepLosses({ visualBeta: 5 }), ours);
  const sharp = await twoStepLosses({ visualBeta: 20 });
  assert(sharp.every(Number.isFinite) && sharp[0] !== ours[0], `${sharp} vs ${ours}`);
});

Deno.test("iterations: checked, absent from the named recipes, in training, localize and oursHeatmaps", async () => {
  for (const bad of [0, 1.5, -2, NaN]) {
    assertThrows(() => resolveRecipe({ iterations: bad }), Error, "iterations must be");
  }
  // absent (the kernels' 4) in the paper recipe: its cache keys stay as measured
  assert(!("iterations" in RECIPES.paper));
  assertEquals(recipeClustering(resolveRecipe({ iterations: 3 })).iterations, 3);
  const model = createModel({ preset: "tiny", seed: 3 });
  const clips = world.curriculumSet(1, 2);
  const maps = async (iterations?: number) =>
    JSON.stringify((await localize(model, clips, { kAudio: 1, iterations }))[0].aligned);
  const heat = async (iterations?: number) =>
    JSON.stringify(await oursHeatmaps(model, clips, "aligned", { iterations }));
  // localize's default is ours' 2
  assertEquals(await maps(2), await maps(undefined));
  assert(await maps(4) !== await maps(2), "localize ignored iterations");
  assertEquals(await heat(2), await heat(undefined));
  assert(await heat(4) !== await heat(2), "oursHeatmaps ignored iterations");
  model.params.dispose();
  // in training: absent is the kernels' 4 to the bit (the paper's), 1 another loss
  const four = await twoStepLosses({ iterations: 4 });
  assertEquals(await twoStepLosses({ iterations: undefined }), four);
  assertEquals((await twoStepLosses({ iterations: 2 }))[0], (await twoStepLosses({}))[0]);
  const one = await twoStepLosses({ iterations: 1 });
  assert(one.every(Number.isFinite) && one[0] !== four[0], `${one} vs ${four}`);
});

Deno.test("distinctAlignment: checked; two sounds never share a center in localize; one sound unchanged; training runs", async () => {
  assertThrows(
    () => resolveRecipe({ distinctAlignment: "yes" as unknown as boolean }),
    Error,
    "distinctAlignment must be a boolean",
  );
  assertThrows(
    () => resolveRecipe({ distinctAlignment: true, alignTemperature: 1 }),
    Error,
    "distinctAlignment is a hard choice",
  );
  assert(!("distinctAlignment" in RECIPES.paper));
  assertEquals(
    recipeClustering(resolveRecipe({ distinctAlignment: true })).distinctAlignment,
    true,
  );
  const model = createModel({ preset: "tiny", seed: 3 });
  const duets = world.curriculumSet(2, 6);
  const aligned = async (kAudio: number, distinct: boolean) =>
    (await localize(model, kAudio === 1 ? world.curriculumSet(1, 3) : duets, {
      kAudio,
      distinctAlignment: distinct,
    })).map((m) => m.alignedIndex);
  for (const idx of await aligned(2, true)) assertEquals(new Set(idx).size, 2, `${idx}`);
  assertEquals(await aligned(1, true), await aligned(1, false));
  // in pairDistances, two sounds: the matrix's diagonal is the positives, as without it
  const { images, logMel } = modelInputs(model, duets);
  const d = pairDistances(model, images, logMel, {
    kAudio: 2,
    kVisual: 4,
    background: "largest",
    negatives: "all",
    matrix: true,
    distinctAlignment: true,
  });
  const m = d.distance2!.arraySync(), pos = d.positive2.arraySync() as number[];
  pos.forEach((p, i) => assertAlmostEquals(m[i][i], p, 1e-4));
  tf.dispose([images, logMel, d.positive2, d.negative2, d.distance2!, d.allNegative2!]);
  model.params.dispose();
  // training: C1 (one sound) is the nearest rule to the bit
  assertEquals(await twoStepLosses({ distinctAlignment: false }), await twoStepLosses({}));
});

Deno.test("visualCoupling: checked, absent from the named recipes, off is bit-identical, on acts in pairs, localize and training", async () => {
  for (const bad of [-1, NaN, Infinity]) {
    assertThrows(() => resolveRecipe({ visualCoupling: bad }), Error, "visualCoupling must be");
  }
  assertEquals(resolveRecipe({ visualCoupling: 0 }).visualCoupling, 0);
  assertEquals(resolveRecipe({ visualCoupling: 3 }).visualCoupling, 3);
  assert(!("visualCoupling" in RECIPES.ours) && !("visualCoupling" in RECIPES.paper));
  const model = createModel({ preset: "tiny", seed: 3 });
  const { images, logMel } = modelInputs(model, world.curriculumSet(2, 4));
  const d2 = (opts: { kAudio: number; visualCoupling?: number }) => {
    const d = pairDistances(model, images, logMel, {
      kVisual: opts.kAudio + 2,
      beta: 5,
      background: "largest",
      negatives: "all",
      ...opts,
    });
    const out = [...d.positive2.dataSync(), ...d.negative2.dataSync()];
    tf.dispose([d.positive2, d.negative2, d.allNegative2!]);
    return out;
  };
  const off = d2({ kAudio: 2 });
  assertEquals(d2({ kAudio: 2, visualCoupling: 0 }), off);
  const on = d2({ kAudio: 2, visualCoupling: 3 });
  assert(on.every(Number.isFinite) && on.some((x, i) => x !== off[i]), "the coupling did nothing");
  // localize: 0 is today's maps to the bit; 10 another, spatially smoother map (its aligned
  // map differs less from its 4-neighbours' mean)
  const clips = world.curriculumSet(1, 2);
  const maps = async (visualCoupling?: number) =>
    (await localize(model, clips, { kAudio: 1, beta: 5, visualCoupling })).map((m) => m.aligned[0]);
  const plain = await maps(), coupled = await maps(10);
  assertEquals(await maps(0), plain);
  const roughness = (ms: Float32Array[]) => {
    let sum = 0;
    for (const m of ms) {
      const side = Math.round(Math.sqrt(m.length));
      for (let r = 0; r < side; r++) {
        for (let c = 0; c + 1 < side; c++) {
          sum += Math.abs(m[r * side + c] - m[r * side + c + 1]) +
            Math.abs(m[c * side + r] - m[(c + 1) * side + r]);
        }
      }
    }
    return sum;
  };
  assert(
    roughness(coupled) < roughness(plain),
    `coupled maps no smoother: ${roughness(coupled)} vs ${roughness(plain)}`,
  );
  tf.dispose([images, logMel]);
  model.params.dispose();
  // in training: 0 is ours to the bit, 3 another loss
  const ours = await twoStepLosses({});
  assertEquals(await twoStepLosses({ visualCoupling: 0 }), ours);
  const coupledLoss = await twoStepLosses({ visualCoupling: 3 });
  assert(
    coupledLoss.every(Number.isFinite) && coupledLoss[0] !== ours[0],
    `${coupledLoss} vs ${ours}`,
  );
});

Deno.test("visualInit: checked; audio-started visual centers in pairDistances, localize and training", async () => {
  assertThrows(
    () => resolveRecipe({ visualInit: "sound" as "audio" }),
    Error,
    "visualInit must be",
  );
  assertThrows(
    () => resolveRecipe({ visualInit: "audio", loss: "margin", inFrameNegative: 0.5 }),
    Error,
    "in-frame negatives",
  );
  assertEquals(resolveRecipe({ visualInit: "audio-own" }).visualInit, "audio-own");
  assert(!("visualInit" in RECIPES.ours) && !("visualInit" in RECIPES.paper));
  const model = createModel({ preset: "tiny", seed: 3 });
  const { images, logMel } = modelInputs(model, world.curriculumSet(1, 4));
  const base = { kAudio: 1, kVisual: 3, beta: 5, background: "largest" as const };
  const full = pairDistances(model, images, logMel, {
    ...base,
    visualInit: "audio",
    negatives: "all",
    matrix: true,
  });
  const m = full.distance2!.arraySync();
  const pos = [...full.positive2.dataSync()], neg = [...full.negative2.dataSync()];
  const all = [...full.allNegative2!.dataSync()];
  // the matrix holds the positives on its diagonal, the next frame and all negatives off it
  m.forEach((row, i) => {
    assertAlmostEquals(pos[i], row[i], 1e-6);
    assertAlmostEquals(neg[i], row[(i + 1) % 4], 1e-6);
    row.filter((_, j) => j !== i).forEach((x, k) => assertAlmostEquals(all[i * 3 + k], x, 1e-6));
  });
  // entry (i, j): frame j clustered with its first center started at audio i's center
  tf.tidy(() => {
    const v = embedVisual(model, images).features;
    const ac = softKMeans(embedAudio(model, logMel).features, 1, { beta: 5 }).centers;
    for (const [i, j] of [[0, 0], [1, 3], [3, 2]]) {
      const vj = tf.slice(v, [j, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const ai = tf.slice(ac, [i, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const k = softKMeans(vj, 3, { beta: 5, init: ai });
      const mass = k.assignments.sum(2).dataSync();
      const bg = tf.oneHot([mass.indexOf(Math.max(...mass))], 3).toFloat() as tf.Tensor2D;
      const want = alignCenters(k.centers, ai, bg).sceneDistance2.dataSync()[0];
      assertAlmostEquals(m[i][j], want, 1e-4 * Math.max(1, want));
    }
  });
  // the 2 B clusterings of the next-frame protocol give the same positives and negatives
  const next = pairDistances(model, images, logMel, { ...base, visualInit: "audio" });
  next.positive2.dataSync().forEach((x, i) => assertAlmostEquals(x, pos[i], 1e-4 * pos[i]));
  next.negative2.dataSync().forEach((x, i) => assertAlmostEquals(x, neg[i], 1e-4 * neg[i]));
  // another clustering than the grid's; "grid" is the default to the bit
  const grid = pairDistances(model, images, logMel, base);
  assert(grid.positive2.dataSync().some((x, i) => Math.abs(x - pos[i]) > 1e-6), "init ignored");
  const gridNamed = pairDistances(model, images, logMel, { ...base, visualInit: "grid" });
  assertEquals([...gridNamed.positive2.dataSync()], [...grid.positive2.dataSync()]);
  // audio-own: each sound to the center it started, whatever the background rule says
  const own = pairDistances(model, images, logMel, { ...base, visualInit: "audio-own" });
  const ownNone = pairDistances(model, images, logMel, {
    ...base,
    background: "none",
    visualInit: "audio-own",
  });
  assertEquals([...own.positive2.dataSync()], [...ownNone.positive2.dataSync()]);
  assertThrows(
    () =>
      pairDistances(model, images, logMel, { ...base, visualInit: "audio", alignment: "scene" }),
    Error,
    "needs source alignment",
  );
  assertThrows(
    () => pairDistances(model, images, logMel, { ...base, visualInit: "start" as "audio" }),
    Error,
    "opts.visualInit must be one of",
  );
  tf.dispose([full, next, grid, gridNamed, own, ownNone].flatMap((d) => Object.values(d)));
  tf.dispose([images, logMel]);
  // localize: audio-own aligns each sound to the center it started
  const duets = world.curriculumSet(2, 2);
  for (const m of await localize(model, duets, { kAudio: 2, visualInit: "audio-own" })) {
    assertEquals(m.alignedIndex, [0, 1]);
  }
  const maps = async (visualInit?: "audio") =>
    JSON.stringify(
      (await localize(model, duets, { kAudio: 2, visualInit })).map((m) => [...m.aligned[0]]),
    );
  assert((await maps("audio")) !== (await maps()), "localize ignored visualInit");
  await assertRejects(
    () => localize(model, duets, { visualInit: "x" as "audio" }),
    Error,
    "visualInit",
  );
  model.params.dispose();
  // in training: "grid" is ours to the bit, "audio" another finite loss
  const ours = await twoStepLosses({});
  assertEquals(await twoStepLosses({ visualInit: "grid" }), ours);
  const audio = await twoStepLosses({ visualInit: "audio" });
  assert(audio.every(Number.isFinite) && audio[0] !== ours[0], `${audio} vs ${ours}`);
});

Deno.test("visualInitPairs / visualInitDetach / visualInitAfter: checked; own pairs cluster each frame from its own sound", async () => {
  // recipe: each named in its error, and each needs an audio visualInit
  assertThrows(
    () => resolveRecipe({ visualInit: "audio-own", visualInitPairs: "mine" as "own" }),
    Error,
    "visualInitPairs must be one of",
  );
  assertThrows(
    () => resolveRecipe({ visualInit: "audio-own", visualInitDetach: 1 as unknown as boolean }),
    Error,
    "visualInitDetach must be a boolean",
  );
  for (const bad of [-1, 1.5, NaN]) {
    assertThrows(
      () => resolveRecipe({ visualInit: "audio-own", visualInitAfter: bad }),
      Error,
      "visualInitAfter must be an integer >= 0",
    );
  }
  for (
    const extra of [
      { visualInitPairs: "own" as const },
      { visualInitDetach: true },
      { visualInitAfter: 10 },
    ]
  ) {
    const key = Object.keys(extra)[0];
    assertThrows(() => resolveRecipe(extra), Error, `${key}`);
    assertThrows(() => resolveRecipe({ ...extra, visualInit: "grid" }), Error, "needs an audio");
    assertEquals(resolveRecipe({ ...extra, visualInit: "audio-own" }).visualInit, "audio-own");
  }
  // the defaults written out are accepted with grid
  assertEquals(
    resolveRecipe({ visualInitPairs: "all", visualInitDetach: false, visualInitAfter: 0 })
      .visualInitAfter,
    0,
  );

  const model = createModel({ preset: "tiny", seed: 3 });
  const { images, logMel } = modelInputs(model, world.curriculumSet(1, 4));
  const base = { kAudio: 1, kVisual: 3, beta: 5, negatives: "all" as const, matrix: true };
  assertThrows(
    () => pairDistances(model, images, logMel, { ...base, visualInitPairs: "own" }),
    Error,
    "opts.visualInitPairs",
  );
  assertThrows(
    () =>
      pairDistances(model, images, logMel, {
        ...base,
        visualInit: "audio-own",
        visualInitPairs: "x" as "own",
      }),
    Error,
    "opts.visualInitPairs must be one of",
  );
  const each = pairDistances(model, images, logMel, { ...base, visualInit: "audio-own" });
  const own = pairDistances(model, images, logMel, {
    ...base,
    visualInit: "audio-own",
    visualInitPairs: "own",
  });
  const me = each.distance2!.arraySync(), mo = own.distance2!.arraySync();
  const close = (a: number, b: number) => assertAlmostEquals(a, b, 1e-4 * Math.max(1, b));
  // the positives and the accuracy's next frame (frame i + 1 from audio i) are the B x B's
  own.positive2.dataSync().forEach((x, i) => close(x, me[i][i]));
  own.negative2.dataSync().forEach((x, i) => close(x, me[i][(i + 1) % 4]));
  mo.forEach((row, i) => close(row[i], me[i][i]));
  const all = [...own.allNegative2!.dataSync()];
  // off the diagonal: audio i against frame j's center started by audio j (one sound, K_a 1)
  tf.tidy(() => {
    const v = embedVisual(model, images).features;
    const ac = softKMeans(embedAudio(model, logMel).features, 1, { beta: 5 }).centers;
    const started = softKMeans(v, 3, { beta: 5, init: ac }).centers.slice([0, 0, 0], [-1, 1, -1]);
    const c = started.arraySync() as number[][][], a = ac.arraySync() as number[][][];
    for (const [i, j] of [[0, 1], [2, 0], [3, 2]]) {
      const want = c[j][0].reduce((s, x, d) => s + (x - a[i][0][d]) ** 2, 0);
      close(mo[i][j], want);
      close(all[i * 3 + (j < i ? j : j - 1)], want);
    }
  });
  assert(mo.some((row, i) => row.some((x, j) => i !== j && Math.abs(x - me[i][j]) > 1e-3)));
  // a detached start changes no forward value
  const detached = pairDistances(model, images, logMel, {
    ...base,
    visualInit: "audio-own",
    visualInitPairs: "own",
    visualInitDetach: true,
  });
  assertEquals([...detached.distance2!.dataSync()], [...own.distance2!.dataSync()]);
  tf.dispose([each, own, detached].flatMap((d) => Object.values(d)));
  // ... but takes the start's gradient away: the audio net's gradient changes
  const audioGrad = (visualInitDetach: boolean) =>
    tf.tidy(() => {
      const audioVars = model.params.specs().filter((s) => s.name.startsWith("audio."))
        .map((s) => model.params.get(s.name));
      const { grads } = tf.variableGrads(() =>
        tf.sum(
          pairDistances(model, images, logMel, {
            ...base,
            visualInit: "audio-own",
            visualInitPairs: "own",
            visualInitDetach,
          }).positive2,
        ) as tf.Scalar, audioVars);
      return Object.values(grads).map((g) => g.abs().sum().dataSync()[0]);
    });
  const withStart = audioGrad(false), without = audioGrad(true);
  assert(withStart.length > 0 && withStart.some((g, i) => Math.abs(g - without[i]) > 1e-6));
  tf.dispose([images, logMel]);
  model.params.dispose();
  // in training: after 1 grid step the audio start; own pairs another finite loss
  const ours = await twoStepLosses({});
  const audioOwn = await twoStepLosses({ visualInit: "audio-own" });
  const warm = await twoStepLosses({ visualInit: "audio-own", visualInitAfter: 1 });
  assertEquals(warm[0], ours[0]);
  assertEquals(warm[1] === ours[1], false);
  const ownPairs = await twoStepLosses({ visualInit: "audio-own", visualInitPairs: "own" });
  assert(ownPairs.every(Number.isFinite) && ownPairs[0] !== audioOwn[0], `${ownPairs}`);
});

Deno.test("visualInit feature-own: each sound's visual center starts at the frame's feature nearest its audio center", async () => {
  // visualStarts: the nearest feature of each frame, shared or from every audio
  const v = tf.tensor3d([[[0, 0], [5, 5], [9, 0]], [[1, 1], [2, 8], [7, 7]]]); // [2, 3, 2]
  const ac = tf.tensor3d([[[8, 1]], [[1, 9]]]); // [2, 1, 2]
  assertEquals(visualStarts(v, ac, "audio-own"), ac);
  assertEquals(visualStarts(v, ac, "feature-own").arraySync(), [[[9, 0]], [[2, 8]]]);
  // each: frame b from audio a -> [B, A, Ka, D]
  assertEquals(visualStarts(v, ac, "feature-own", true).arraySync(), [
    [[[9, 0]], [[5, 5]]],
    [[[7, 7]], [[2, 8]]],
  ]);
  tf.dispose([v, ac]);
  assert(ownAligned("feature-own") && ownAligned("audio-own") && !ownAligned("audio"));
  assertEquals(resolveRecipe({ visualInit: "feature-own" }).visualInit, "feature-own");

  const model = createModel({ preset: "tiny", seed: 3 });
  const { images, logMel } = modelInputs(model, world.curriculumSet(1, 4));
  const base = { kAudio: 1, kVisual: 3, beta: 5, visualInit: "feature-own" as const };
  const full = pairDistances(model, images, logMel, { ...base, negatives: "all", matrix: true });
  const m = full.distance2!.arraySync();
  const close = (a: number, b: number) => assertAlmostEquals(a, b, 1e-4 * Math.max(1, b));
  // entry (i, j): frame j clustered from its feature nearest audio i's center, own-aligned
  tf.tidy(() => {
    const vf = embedVisual(model, images).features;
    const a = softKMeans(embedAudio(model, logMel).features, 1, { beta: 5 }).centers;
    const vs = vf.arraySync() as number[][][], as = a.arraySync() as number[][][];
    for (const [i, j] of [[0, 0], [1, 3], [3, 2]]) {
      const dist = vs[j].map((f) => f.reduce((s, x, d) => s + (x - as[i][0][d]) ** 2, 0));
      const start = tf.tensor3d([[vs[j][dist.indexOf(Math.min(...dist))]]]);
      const vj = tf.slice(vf, [j, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const c = softKMeans(vj, 3, { beta: 5, init: start }).centers.arraySync()[0][0];
      close(m[i][j], c.reduce((s, x, d) => s + (x - as[i][0][d]) ** 2, 0));
    }
  });
  // the next-frame protocol (2 B clusterings) and own pairs agree with the B x B
  const next = pairDistances(model, images, logMel, base);
  next.positive2.dataSync().forEach((x, i) => close(x, m[i][i]));
  next.negative2.dataSync().forEach((x, i) => close(x, m[i][(i + 1) % 4]));
  const own = pairDistances(model, images, logMel, {
    ...base,
    matrix: true,
    negatives: "all",
    visualInitPairs: "own",
  });
  own.negative2.dataSync().forEach((x, i) => close(x, m[i][(i + 1) % 4]));
  own.distance2!.arraySync().forEach((row, i) => close(row[i], m[i][i]));
  // another start than audio-own's
  const audioOwn = pairDistances(model, images, logMel, { ...base, visualInit: "audio-own" });
  assert(audioOwn.positive2.dataSync().some((x, i) => Math.abs(x - m[i][i]) > 1e-4));
  tf.dispose([full, next, own, audioOwn].flatMap((d) => Object.values(d)));
  tf.dispose([images, logMel]);
  const duets = world.curriculumSet(2, 2);
  for (const maps of await localize(model, duets, { kAudio: 2, visualInit: "feature-own" })) {
    assertEquals(maps.alignedIndex, [0, 1]);
  }
  model.params.dispose();
  const losses = await twoStepLosses({ visualInit: "feature-own" });
  assert(losses.every(Number.isFinite), `${losses}`);
});
