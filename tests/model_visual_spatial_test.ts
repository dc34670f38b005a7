import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import type { AVClip } from "../lib/data/mod.ts";
import {
  clusteringFeatures,
  createModel,
  featureCenters,
  gridCoordinates,
  localize,
  modelInputs,
  pairDistances,
  smoothFeatureMap,
  smoothingMatrix1d,
} from "../lib/model/mod.ts";
import { softKMeans } from "../kernels/mod.ts";
import {
  type CurriculumData,
  curriculumStages,
  type Recipe,
  RECIPES,
  resolveRecipe,
  trainCurriculum,
} from "../lib/train/mod.ts";
import { fixtureWorld } from "./model_fixture_world.ts";

await initBackend("cpu");

const world = fixtureWorld({ seed: 5, imageSize: 64, sampleRate: 8000, duration: 1 });

/**
 * An 8 x 8 map of D 2: background (0, 0), a 4 x 4 object (1, 0) at rows 2-5, columns 0-3 (the
 * grid start of the second of two centers, position 32, inside it).
 */
function objectMap(hole?: [number, number]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      const inside = i >= 2 && i <= 5 && j <= 3 && !(hole?.[0] === i && hole[1] === j);
      out.push(inside ? [1, 0] : [0, 0]);
    }
  }
  return out;
}

Deno.test("smoothingMatrix1d: Gaussian rows normalised inside the frame", () => {
  const m = smoothingMatrix1d(6, 1);
  for (let i = 0; i < 6; i++) {
    const row = [...m.subarray(i * 6, i * 6 + 6)];
    assertAlmostEquals(row.reduce((a, b) => a + b, 0), 1, 1e-6);
    // symmetric falloff around i, the largest weight at i
    assert(row.every((w) => w <= row[i]));
  }
  // inside the frame: weights in the ratio of the Gaussian's, exp(-1/2) one cell away
  assertAlmostEquals(m[2 * 6 + 3] / m[2 * 6 + 2], Math.exp(-0.5), 1e-6);
  // the border row renormalised: only the cells inside count
  assertAlmostEquals(m[0] / m[1], Math.exp(0.5), 1e-6);
});

Deno.test("smoothFeatureMap: a hole in an object filled, a constant map kept, the grid's axes right", () => {
  const x = tf.tensor3d([objectMap([3, 2])]);
  const s = smoothFeatureMap(x, 8, 8, 1).arraySync()[0];
  // the hole takes mostly the object's feature, the far corner stays background
  assert(s[3 * 8 + 2][0] > 0.5, `hole ${s[3 * 8 + 2][0]}`);
  assert(s[7][0] < 0.05, `corner ${s[7][0]}`);
  // separable, so a map varying along columns only stays so
  const cols = tf.tensor3d([Array.from({ length: 12 }, (_, n) => [n % 4])]); // 3 x 4 grid
  const c = smoothFeatureMap(cols, 3, 4, 0.5).arraySync()[0];
  for (let i = 1; i < 3; i++) {
    for (let j = 0; j < 4; j++) assertAlmostEquals(c[i * 4 + j][0], c[j][0], 1e-5);
  }
  // a column-constant map is smoothed along the columns only: (0, 1, 2, 3) pulled inward
  assert(c[0][0] > 0 && c[3][0] < 3 && Math.abs(c[0][0] + c[3][0] - 3) < 1e-5);
  tf.dispose([x, cols]);
});

Deno.test("clusteringFeatures: off is the features themselves; smoothing lets the object's center take its hole", () => {
  const features = tf.tensor3d([objectMap([3, 2])]);
  const visual = { features, rows: 8, cols: 8 };
  assertEquals(clusteringFeatures(visual, {}), features);
  assertEquals(clusteringFeatures(visual, { visualSmoothing: 0, visualCoordinates: 0 }), features);
  const object = (opts: { visualSmoothing?: number }) => {
    const k = softKMeans(clusteringFeatures(visual, opts), 2, { beta: 5 });
    const a = k.assignments.arraySync()[0];
    // the object's center: the one heavier on cell (2, 0)
    const o = a[0][2 * 8] > a[1][2 * 8] ? 0 : 1;
    return { hole: a[o][3 * 8 + 2], corner: a[o][7] };
  };
  const plain = object({}), smooth = object({ visualSmoothing: 1 });
  assert(plain.hole < 0.5 && smooth.hole > 0.5, `hole ${plain.hole} -> ${smooth.hole}`);
  // the far background corner stays off the object's center (beta 5: soft, not 0)
  assert(smooth.corner < 0.2 && smooth.hole - smooth.corner > 0.5, `corner ${smooth.corner}`);
  features.dispose();
});

Deno.test("clusteringFeatures: coordinates split two look-alike objects apart, dropped from the centers", () => {
  // 8 x 8: two 2 x 2 objects of the same feature (1, 0) at opposite corners, background (0, 0)
  const map: number[][] = [];
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) map.push((i < 2 && j < 2) || (i >= 6 && j >= 6) ? [1, 0] : [0, 0]);
  }
  const features = tf.tensor3d([map]);
  const visual = { features, rows: 8, cols: 8 };
  const u = clusteringFeatures(visual, { visualCoordinates: 1 });
  assertEquals(u.shape, [1, 64, 4]);
  // the first D channels are the features, the last two the scaled (x, y)
  const ua = u.arraySync()[0];
  assertEquals(ua.map((r) => r.slice(0, 2)), map);
  const p = gridCoordinates(8, 8);
  const ratio = ua[0][2] / p[0];
  assert(ratio > 0);
  ua.forEach((r, n) => {
    assertAlmostEquals(r[2], ratio * p[2 * n], 1e-5);
    assertAlmostEquals(r[3], ratio * p[2 * n + 1], 1e-5);
  });
  // lambda 1: the coordinates' mean squared distance to their mean (0) is the features'
  const mean = map.reduce((a, r) => a + r[0], 0) / 64;
  const fSpread2 = map.reduce((a, r) => a + (r[0] - mean) ** 2, 0) / 64;
  const cSpread2 = ua.reduce((a, r) => a + r[2] ** 2 + r[3] ** 2, 0) / 64;
  assertAlmostEquals(cSpread2, fSpread2, 1e-5);
  // three centers: without coordinates the look-alikes share one; with them they part
  const sameCenter = (x: tf.Tensor3D) => {
    const a = softKMeans(x, 3, { beta: 30, iterations: 8 }).assignments.arraySync()[0];
    const best = (n: number) => [0, 1, 2].reduce((b, k) => a[k][n] > a[b][n] ? k : b, 0);
    return best(0) === best(63);
  };
  assert(sameCenter(features), "the look-alikes apart without coordinates");
  assert(!sameCenter(clusteringFeatures(visual, { visualCoordinates: 2 })), "not split");
  // the centers' coordinate part dropped: D channels again
  const k = softKMeans(u, 2);
  assertEquals(featureCenters(k.centers, 2).shape, [1, 2, 2]);
  assertEquals(featureCenters(features, 2), features);
  features.dispose();
});

/** The losses of two C1 steps of a fresh tiny model (seed 4, batch 4) under `recipe`. */
async function twoStepLosses(recipe: Partial<Recipe>): Promise<number[]> {
  const endless = {
    batches: () => [],
    trainingClips: (_level: 1, size: number) => ({
      size,
      entry: (i: number) => ({ id: `fresh-${i}`, count: 1 }),
      clip: (i: number) => Promise.resolve(world.scene(i, 1) as AVClip),
    }),
  };
  const m = createModel({ preset: "tiny", seed: 4 });
  const { history } = await trainCurriculum(m, {
    data: endless as unknown as CurriculumData,
    stages: curriculumStages("C1", 2),
    batchSize: 4,
    recipe,
  });
  m.params.dispose();
  return history.map((h) => h.loss);
}

Deno.test("visualSmoothing / visualCoordinates: checked, off by default and bit-identical at 0, acting in pairDistances, localize and training", async () => {
  for (const key of ["visualSmoothing", "visualCoordinates"] as const) {
    for (const bad of [-1, NaN, Infinity]) {
      assertThrows(() => resolveRecipe({ [key]: bad }), Error, `${key} must be`);
    }
    assert(!(key in RECIPES.ours) && !(key in RECIPES.paper));
    assertThrows(
      () => resolveRecipe({ [key]: 1, visualInit: "audio" }),
      Error,
      "need the grid visualInit",
    );
  }
  assertEquals(resolveRecipe({ visualSmoothing: 0.5 }).visualSmoothing, 0.5);
  const model = createModel({ preset: "tiny", seed: 3 });
  const { images, logMel } = modelInputs(model, world.curriculumSet(1, 4));
  const d2 = (opts: { visualSmoothing?: number; visualCoordinates?: number }) => {
    const d = pairDistances(model, images, logMel, {
      kAudio: 1,
      kVisual: 3,
      beta: 5,
      background: "largest",
      negatives: "all",
      matrix: true,
      ...opts,
    });
    const out = [...d.distance2!.dataSync()];
    tf.dispose(Object.values(d));
    return out;
  };
  const base = d2({});
  assertEquals(d2({ visualSmoothing: 0, visualCoordinates: 0 }), base);
  for (const o of [{ visualSmoothing: 1 }, { visualCoordinates: 1 }]) {
    const on = d2(o);
    assert(on.every(Number.isFinite) && on.some((x, i) => x !== base[i]), JSON.stringify(o));
  }
  assertThrows(
    () =>
      pairDistances(model, images, logMel, {
        kAudio: 1,
        kVisual: 3,
        visualInit: "audio",
        visualCoordinates: 1,
      }),
    Error,
    "need the grid visualInit",
  );
  // localize: the same maps at 0, others with a prior
  const clips = world.curriculumSet(1, 2);
  const maps = async (opts: { visualSmoothing?: number; visualCoordinates?: number }) =>
    (await localize(model, clips, { kAudio: 1, ...opts })).map((m) => [...m.aligned[0]]);
  const plain = await maps({});
  assertEquals(await maps({ visualSmoothing: 0 }), plain);
  for (const o of [{ visualSmoothing: 1 }, { visualCoordinates: 1 }]) {
    assert(JSON.stringify(await maps(o)) !== JSON.stringify(plain), JSON.stringify(o));
  }
  tf.dispose([images, logMel]);
  model.params.dispose();
  // training: 0 is ours to the bit, a prior another (finite) loss
  const ours = await twoStepLosses({});
  assertEquals(await twoStepLosses({ visualSmoothing: 0, visualCoordinates: 0 }), ours);
  for (const o of [{ visualSmoothing: 1 }, { visualCoordinates: 0.5 }]) {
    const l = await twoStepLosses(o);
    assert(l.every(Number.isFinite) && l[0] !== ours[0], `${JSON.stringify(o)}: ${l} vs ${ours}`);
  }
});
