import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import {
  alignCenters,
  audioTrunk,
  backgroundCenters,
  contrastiveLoss,
  conv2dSame,
  createModel,
  distinctAlignment,
  embedAudio,
  embedVisual,
  evaluateCounting,
  fitCountingModel,
  fitPoissonRegression,
  groupNorm,
  localize,
  MAP_SMOOTHING,
  modelInputs,
  oursHeatmaps,
  pairAccuracy,
  pairDistances,
  poissonRate,
  positionNorm,
  smoothGridMap,
  smoothingMatrix1d,
  softmaxContrastiveLoss,
} from "../lib/model/mod.ts";
import { Rng } from "../lib/random/mod.ts";
import { fixtureWorld } from "./model_fixture_world.ts";

await initBackend("cpu");

Deno.test("createModel: same seed, same weights; another seed, other weights", async () => {
  const a = createModel({ preset: "tiny", seed: 4 });
  const b = createModel({ preset: "tiny", seed: 4 });
  const c = createModel({ preset: "tiny", seed: 5 });
  const [fa, fb, fc] = [await a.params.toFlat(), await b.params.toFlat(), await c.params.toFlat()];
  assertEquals(fa, fb);
  assert(fa.some((v, i) => v !== fc[i]));
  assertEquals(a.params.specs(), c.params.specs());
  for (const m of [a, b, c]) m.params.dispose();
});

Deno.test("embedding shapes of the tiny preset: 16x16 visual and 16x8 audio grids, D = 32", () => {
  const model = createModel({ preset: "tiny" });
  const v = embedVisual(model, tf.zeros([2, 64, 64, 3]) as tf.Tensor4D);
  const a = embedAudio(model, tf.randomNormal([2, 63, 32], 0, 1, "float32", 1) as tf.Tensor3D);
  assertEquals(v.features.shape, [2, 256, 32]);
  assertEquals([v.rows, v.cols], [16, 16]);
  assertEquals(a.features.shape, [2, 128, 32]);
  assertEquals([a.rows, a.cols], [16, 8]);
  tf.dispose([v.features, a.features]);
  model.params.dispose();
});

Deno.test("audioTrunk: the map embedAudio projects; depth runs the first layers", async () => {
  const model = createModel({ preset: "tiny", seed: 3 });
  const logMel = tf.randomNormal([2, 63, 32], 0, 1, "float32", 4) as tf.Tensor3D;
  const h = audioTrunk(model, logMel);
  assertEquals(h.shape, [2, 16, 8, 32]);
  const first = audioTrunk(model, logMel, 1);
  assertEquals(first.shape, [2, 32, 16, 16]);
  const a = embedAudio(model, logMel);
  const projected = tf.tidy(() =>
    tf.add(
      tf.matMul(tf.reshape(h, [2 * 128, 32]), model.params.get("audio.proj.w") as tf.Tensor2D),
      model.params.get("audio.proj.b"),
    )
  );
  const [want, got] = [await projected.data(), await a.features.data()];
  assert(want.every((v, i) => Math.abs(v - got[i]) < 1e-5));
  assertThrows(() => audioTrunk(model, logMel, 0), Error, "depth must be an integer in 1..3");
  assertThrows(() => audioTrunk(model, logMel, 4), Error, "depth must be an integer in 1..3");
  tf.dispose([logMel, h, first, a.features, projected]);
  model.params.dispose();
});

Deno.test("frequencyChannel: the audio features of a flat spectrogram depend on the mel band", async () => {
  // a flat spectrogram standardises to zeros: without the channel every position is alike
  const flat = tf.fill([1, 63, 32], 3) as tf.Tensor3D;
  const columnSpread = async (frequencyChannel: boolean) => {
    const model = createModel({ preset: "tiny", seed: 2, config: { frequencyChannel } });
    const a = embedAudio(model, flat);
    const f = await a.features.array();
    tf.dispose(a.features);
    model.params.dispose();
    // row 8 of the 16 x 8 grid, columns 2 and 5 (both away from the zero padding)
    const row = f[0].slice(8 * a.cols, 9 * a.cols);
    return Math.max(...row[2].map((v, i) => Math.abs(v - row[5][i])));
  };
  assertEquals(await columnSpread(false), 0);
  assert(await columnSpread(true) > 1e-3);
  flat.dispose();
});

Deno.test("audioGroups: group norm in the audio trunk only; bad values named", async () => {
  const logMel = tf.randomNormal([2, 63, 32], 0, 1, "float32", 3) as tf.Tensor3D;
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const features = async (config: { groups?: number; audioGroups?: number }) => {
    const model = createModel({ preset: "tiny", seed: 2, config });
    const a = embedAudio(model, logMel), v = embedVisual(model, images);
    const out = { audio: await a.features.data(), visual: await v.features.data() };
    tf.dispose([a.features, v.features]);
    model.params.dispose();
    return out;
  };
  const positional = await features({});
  const audioOnly = await features({ audioGroups: 4 });
  const both = await features({ groups: 4 });
  // the visual trunk keeps positional normalisation; the audio trunk is the groups-4 one
  assertEquals(audioOnly.visual, positional.visual);
  assertEquals(audioOnly.audio, both.audio);
  assert(audioOnly.audio.some((x, i) => x !== positional.audio[i]), "group norm changes audio");
  assertThrows(() => createModel({ config: { audioGroups: -1 } }), Error, "config.audioGroups");
  assertThrows(() => createModel({ config: { groups: 1.5 } }), Error, "config.groups");
  tf.dispose([logMel, images]);
});

Deno.test("embeddingNorm: every position's feature scaled to the norm, its direction kept; bad values named", async () => {
  const logMel = tf.randomNormal([2, 63, 32], 0, 1, "float32", 3) as tf.Tensor3D;
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const features = async (embeddingNorm?: number) => {
    const model = createModel({ preset: "tiny", seed: 2, config: { embeddingNorm } });
    const a = embedAudio(model, logMel), v = embedVisual(model, images);
    const out = [await a.features.array(), await v.features.array()].map((f) => f.flat());
    tf.dispose([a.features, v.features]);
    model.params.dispose();
    return out;
  };
  const plain = await features(), scaled = await features(4), off = await features(0);
  assertEquals(off, plain);
  for (const [m, rows] of scaled.entries()) {
    rows.forEach((row, n) => {
      const norm = Math.hypot(...plain[m][n]);
      assertAlmostEquals(Math.hypot(...row), 4, 1e-4);
      // the same direction: the plain feature times 4 / its norm
      row.forEach((x, i) => assertAlmostEquals(x, 4 * plain[m][n][i] / norm, 1e-4));
    });
  }
  assertThrows(() => createModel({ config: { embeddingNorm: -1 } }), Error, "embeddingNorm");
  assertThrows(() => createModel({ config: { embeddingNorm: NaN } }), Error, "embeddingNorm");
  tf.dispose([logMel, images]);
});
Deno.test("conv2dSame matches tf.conv2d 'same' and its gradients on cpu and wasm", async () => {
  const cases = [
    [7, 6, 3, 2],
    [8, 8, 3, 2],
    [5, 5, 3, 1],
    [9, 7, 5, 2],
    [6, 6, 1, 2],
    [7, 7, 1, 2],
    [10, 9, 5, 3],
  ];
  const inputs = ([h, w, k, s]: number[]) => ({
    x: tf.randomNormal([2, h, w, 3], 0, 1, "float32", 1) as tf.Tensor4D,
    f: tf.randomNormal([k, k, 3, 4], 0, 1, "float32", 2) as tf.Tensor4D,
    r: tf.randomNormal([2, Math.ceil(h / s), Math.ceil(w / s), 4], 0, 1, "float32", 3),
  });
  // references from tfjs's own conv2d and its gradients on cpu (wasm has no filter gradient)
  await initBackend("cpu");
  const refs = cases.map((c) =>
    tf.tidy(() => {
      const { x, f, r } = inputs(c);
      const g = tf.grads((a, b) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c[3], "same"), r))
      )([x, f]);
      return [tf.conv2d(x, f, c[3], "same"), g[0], g[1]].map((t) => t.dataSync() as Float32Array);
    })
  );
  const err = (p: tf.Tensor, q: Float32Array) =>
    (p.dataSync() as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - q[i])), 0);
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    cases.forEach((c, i) => {
      tf.tidy(() => {
        const { x, f, r } = inputs(c);
        const s = c[3];
        const loss = (inputGradient: boolean) => (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, s, { inputGradient }), r));
        const mine = tf.grads(loss(true))([x, f]);
        const dataOnly = tf.grads(loss(false))([x, f]);
        const at = `${c.join(",")} (h,w,k,s) on ${backend}`;
        const [value, dx, dw] = refs[i];
        assert(err(conv2dSame(x, f, s), value) < 1e-4, `value ${at}`);
        assert(err(mine[0], dx) < 1e-4, `input grad ${at}`);
        assert(err(mine[1], dw) < 1e-4, `filter grad ${at}`);
        assertEquals(tf.max(tf.abs(dataOnly[0])).dataSync()[0], 0, `no input grad ${at}`);
        assert(err(dataOnly[1], dw) < 1e-4, `filter grad without input grad ${at}`);
      });
    });
  }
  await initBackend("cpu");
});

Deno.test("groupNorm and positionNorm (and their ReLU): values and gradients equal autodiff through tf.moments", async () => {
  // the normalisations as first written: tf.moments, differentiated by tfjs
  const reference = (
    x: tf.Tensor4D,
    gamma: tf.Tensor,
    beta: tf.Tensor,
    groups: number,
    relu: boolean,
  ) => {
    const [b, h, w, c] = x.shape;
    const grouped = groups === 0 ? x : tf.reshape(x, [b, h, w, groups, c / groups]);
    const axes = groups === 0 ? [3] : [1, 2, 4];
    const { mean, variance } = tf.moments(grouped, axes, true);
    const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5)));
    const y = tf.add(tf.mul(tf.reshape(normed, x.shape), gamma), beta) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  };
  const mine = (
    x: tf.Tensor4D,
    gamma: tf.Tensor,
    beta: tf.Tensor,
    groups: number,
    relu: boolean,
  ) =>
    groups === 0
      ? positionNorm(x, gamma, beta, { relu })
      : groupNorm(x, gamma, beta, groups, { relu });
  // the fused kernels (webgpu runs the composed ops the kernels replaced)
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    for (const groups of [0, 1, 4]) {
      for (const relu of [false, true]) {
        tf.tidy(() => {
          const x = tf.randomNormal([2, 5, 3, 8], 1, 2, "float32", 4) as tf.Tensor4D;
          const gamma = tf.randomNormal([8], 1, 0.5, "float32", 5);
          const beta = tf.randomNormal([8], 0, 0.5, "float32", 6);
          const r = tf.randomNormal([2, 5, 3, 8], 0, 1, "float32", 7);
          const run = (f: typeof mine) => {
            const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(f(a as tf.Tensor4D, g, b, groups, relu), r));
            return [f(x, gamma, beta, groups, relu), ...tf.grads(loss)([x, gamma, beta])];
          };
          const want = run(reference), got = run(mine);
          ["value", "dx", "dgamma", "dbeta"].forEach((name, i) => {
            const err = tf.max(tf.abs(tf.sub(want[i], got[i]))).dataSync()[0];
            assert(err < 1e-4, `${name} groups=${groups} relu=${relu} on ${backend}: ${err}`);
          });
        });
      }
    }
  }
  await initBackend("cpu");
});

Deno.test("alignCenters: each audio center to its nearest visual center, d^2 = sum of minima", () => {
  const v = tf.tensor3d([[[0, 0], [3, 4], [10, 0]]]); // Kv = 3
  const a = tf.tensor3d([[[3, 3], [9, 1]]]); // Ka = 2
  const { distances, nearest, sceneDistance2 } = alignCenters(v, a);
  assertEquals(distances.shape, [1, 3, 2]);
  assertEquals(nearest.arraySync(), [[1, 2]]);
  assertAlmostEquals(sceneDistance2.arraySync()[0], 1 + 2, 1e-5);
  assertThrows(() => alignCenters(v, tf.zeros([1, 2, 3]) as tf.Tensor3D), Error, "audioCenters");
  tf.dispose([v, a, distances, nearest, sceneDistance2]);
});

Deno.test("distinct alignment: the injective assignment of least total distance, against brute force; one sound is the nearest", () => {
  const rng = new Rng(7);
  for (const [kv, ka] of [[4, 2], [5, 3], [3, 3], [6, 4]]) {
    const b = 20;
    const values = Array.from({ length: b * kv * ka }, () => Math.round(rng.uniform() * 20));
    // sample 0: every sound nearest center 0, so the nearest rule would share it
    for (let k = 0; k < ka; k++) values[k] = 0;
    const d2 = tf.tensor3d(values, [b, kv, ka]);
    const { nearest, sceneDistance2 } = distinctAlignment(d2);
    const got = nearest.arraySync() as number[][], sum = sceneDistance2.arraySync() as number[];
    for (let s = 0; s < b; s++) {
      const at = (j: number, k: number) => values[s * kv * ka + j * ka + k];
      // brute force over every map of sounds to centers, distinct ones only
      let best = Infinity;
      const walk = (k: number, used: number[], total: number) => {
        if (k === ka) return void (best = Math.min(best, total));
        for (let j = 0; j < kv; j++) {
          if (!used.includes(j)) walk(k + 1, [...used, j], total + at(j, k));
        }
      };
      walk(0, [], 0);
      assertEquals(sum[s], best, `Kv ${kv} Ka ${ka} sample ${s}`);
      assertEquals(new Set(got[s]).size, ka, `sounds share a center: ${got[s]}`);
      assertEquals(got[s].reduce((t, j, k) => t + at(j, k), 0), best);
    }
    tf.dispose([d2, nearest, sceneDistance2]);
  }
  assertThrows(() => distinctAlignment(tf.zeros([1, 2, 3])), Error, "Kv >= Ka");
  // one sound: alignCenters' distinct rule is the nearest, bit for bit, gradient included
  const v = tf.tensor3d([[[0, 0], [3, 4], [10, 0]]]), a = tf.tensor3d([[[3, 3]]]);
  const bg = tf.tensor2d([[0, 1, 0]]);
  const grad = (distinct: boolean) =>
    tf.grad((x: tf.Tensor) =>
      alignCenters(x as tf.Tensor3D, a, bg, 0, distinct).sceneDistance2.sum()
    )(v).arraySync();
  assertEquals(grad(true), grad(false));
  // two sounds on the background-free centers: the gradient reaches the chosen centers only
  const two = tf.tensor3d([[[3, 3], [3, 5]]]);
  const g = tf.grad((x: tf.Tensor) =>
    alignCenters(x as tf.Tensor3D, two, undefined, 0, true).sceneDistance2.sum()
  )(v).arraySync() as number[][][];
  // sound 0 to center 0 (18), sound 1 to center 1 (1): 2 (v - a) at each, center 2 untouched
  assertEquals(g[0].map((c) => c.map((x) => x + 0)), [[-6, -6], [0, -2], [0, 0]]);
  assertThrows(() => alignCenters(v, two, undefined, 1, true), Error, "distinct alignment is hard");
  tf.dispose([v, a, bg, two]);
});

Deno.test("background center: the largest-mass visual center is never aligned, no gradient to it", () => {
  // two samples, Kv = 3 over 4 positions; sample 0's center 1 and sample 1's center 2 hold most
  const assign = tf.tensor3d([
    [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]],
    [[0.5, 0, 0, 0], [0.5, 0, 0, 0], [0, 1, 1, 1]],
  ]);
  const bg = backgroundCenters("largest", assign, 2)!;
  assertEquals(bg.arraySync(), [[0, 1, 0], [0, 0, 1]]);
  assertEquals(backgroundCenters("none", assign, 2), undefined);
  // as many visual as audio centers: none is background
  assertEquals(backgroundCenters("largest", assign, 3), undefined);
  assertThrows(() => backgroundCenters("middle" as "none", assign, 2), Error, "middle");
  // the audio center sits on each sample's background center: it must align elsewhere
  const v = tf.tensor3d([[[0, 0], [3, 4], [10, 0]], [[0, 0], [3, 4], [10, 0]]]);
  const a = tf.tensor3d([[[3, 4]], [[10, 0]]]);
  const nearestOf = (mask?: tf.Tensor2D) =>
    tf.tidy(() => alignCenters(v, a, mask).nearest.arraySync());
  assertEquals(nearestOf(), [[1], [2]]);
  assertEquals(nearestOf(bg), [[0], [1]]);
  const d2 = alignCenters(v, a, bg).sceneDistance2;
  assertEquals(d2.arraySync(), [25, 65]); // |(3,4)|^2; |(10,0) - (3,4)|^2
  // the gradient reaches the aligned centers only
  const g = tf.grad((x: tf.Tensor) => alignCenters(x as tf.Tensor3D, a, bg).sceneDistance2.sum())(
    v,
  );
  const grad = (g.arraySync() as number[][][]).map((s) => s.map((c) => c.map((x) => x + 0)));
  assertEquals(grad, [[[-6, -8], [0, 0], [0, 0]], [[0, 0], [-14, 8], [0, 0]]]);
  assertThrows(() => alignCenters(v, a, tf.zeros([2, 2]) as tf.Tensor2D), Error, "background");
  tf.dispose([assign, bg, v, a, d2, g]);
});

Deno.test("background center: border and spread rules pick the frame's surround, not a large object", () => {
  // 4 x 4 grid, row-major; ring: the 12 border positions, inner: the 4 middle ones
  const cell = (f: (r: number, c: number) => boolean) =>
    Array.from({ length: 16 }, (_, i) => f(Math.floor(i / 4), i % 4) ? 1 : 0);
  const ring = cell((r, c) => r === 0 || c === 0 || r === 3 || c === 3);
  // sample 0: a large object (8 positions, 4 of them on the left and bottom border) and a
  // background split in two: top (the top row and the right column's rows 1-2, 6 positions)
  // and bottom (the bottom row's last 2 positions)
  const object = cell((r, c) => r >= 1 && r <= 2 && c <= 2 || r === 3 && c <= 1);
  const top = cell((r, c) => r === 0 || (c === 3 && r <= 2));
  const bottom = cell((r, c) => r === 3 && c >= 2);
  // sample 1: the surround (12) and a centred object (4)
  const assign = tf.tensor3d([[object, top, bottom], [
    ring,
    cell((r, c) => !ring[r * 4 + c]),
    cell(() => false),
  ]]);
  // largest takes sample 0's object (8 of 16 positions) for the background
  assertEquals(backgroundCenters("largest", assign, 1)!.arraySync(), [[1, 0, 0], [1, 0, 0]]);
  // border: top has all its mass on the ring (bottom too: the first of the ties); the object 1/2
  assertEquals(backgroundCenters("border", assign, 1)!.arraySync(), [[0, 1, 0], [1, 0, 0]]);
  // spread: top is an L over 4 columns and 3 rows, wider than the object's block
  assertEquals(backgroundCenters("spread", assign, 1)!.arraySync(), [[0, 1, 0], [1, 0, 0]]);
  // a non-square grid is given explicitly; 16 positions are not 3 x 5
  const wide = backgroundCenters("border", assign, 1, { rows: 2, cols: 8 })!;
  assertEquals(wide.shape, [2, 3]);
  assertThrows(
    () => backgroundCenters("border", assign, 1, { rows: 3, cols: 5 }),
    Error,
    "rows 3 x cols 5",
  );
  assertThrows(
    () => backgroundCenters("spread", tf.zeros([1, 3, 12]) as tf.Tensor3D, 1),
    Error,
    "square grid",
  );
  tf.dispose([assign, wide]);
});

Deno.test("soft alignment: a softmin-weighted mix of the alignable centers, gradient to every one", () => {
  // Kv = 3 on a line at 0, 1 and 10; one sound at 0.4; center 2 is the background
  const v = tf.tensor3d([[[0], [1], [10]]]);
  const a = tf.tensor3d([[[0.4]]]);
  const bg = tf.tensor2d([[0, 0, 1]]);
  const tau = 0.5;
  // D^2 = 0.16, 0.36 (and 92.16, excluded): weights softmin(D^2 / tau) over centers 0 and 1
  const e0 = Math.exp(-0.16 / tau), e1 = Math.exp(-0.36 / tau);
  const mix = e1 / (e0 + e1); // the mixed center sits at 0 * w0 + 1 * w1
  const soft = alignCenters(v, a, bg, tau);
  assertAlmostEquals(soft.sceneDistance2.arraySync()[0], (mix - 0.4) ** 2, 1e-5);
  assertEquals(soft.nearest.arraySync(), [[0]]); // the hard choice is kept for localization
  // toward tau -> 0 the soft distance is the hard one
  const sharp = alignCenters(v, a, bg, 1e-4).sceneDistance2;
  assertAlmostEquals(sharp.arraySync()[0], 0.16, 1e-4);
  // the gradient reaches the non-nearest alignable center, not the background
  const g = tf.grad((x: tf.Tensor) =>
    alignCenters(x as tf.Tensor3D, a, bg, tau).sceneDistance2.sum()
  )(v);
  const gv = g.arraySync() as number[][][];
  assertEquals(gv[0][1][0] !== 0 && gv[0][0][0] !== 0, true);
  assertEquals(gv[0][2][0], 0);
  assertThrows(() => alignCenters(v, a, bg, -1), Error, "temperature");
  tf.dispose([v, a, bg, soft.distances, soft.nearest, soft.sceneDistance2, sharp, g]);
});

Deno.test("contrastiveLoss: 0.5[y d^2 + (1 - y) max(0, m - d)^2], margin configurable", () => {
  const d2 = tf.tensor1d([4, 9, 49]);
  const y = tf.tensor1d([1, 0, 0]);
  // pairs: 0.5*4 = 2; 0.5*(5-3)^2 = 2; beyond margin 0 -> mean 4/3
  assertAlmostEquals(contrastiveLoss(d2, y).arraySync(), 4 / 3, 1e-5);
  // m = 8: 2; 0.5*25 = 12.5; 0.5*1 = 0.5 -> 15/3
  assertAlmostEquals(contrastiveLoss(d2, y, 8).arraySync(), 5, 1e-5);
  assertThrows(() => contrastiveLoss(d2, y, -1), Error, "margin");
  assertEquals(pairAccuracy([1, 5, 2], [2, 4, 3]), 2 / 3);
  tf.dispose([d2, y]);
});

Deno.test("softmaxContrastiveLoss: cross-entropy of each audio's own frame, its gradient (I - P) / (tau n)", () => {
  const m = [[1, 4, 2], [3, 0.5, 6], [2, 2, 5]];
  const tau = 2;
  // float64 reference: row i's softmax over -d2_ij / tau, its -log at the diagonal
  const softmax = (xs: number[]) => {
    const e = xs.map((x) => Math.exp(-x / tau));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  };
  const p = m.map(softmax);
  const columns = m.map((_, j) => softmax(m.map((r) => r[j])));
  const rows = -p.reduce((a, r, i) => a + Math.log(r[i]), 0) / 3;
  const cols = -columns.reduce((a, c, j) => a + Math.log(c[j]), 0) / 3;
  const d2 = tf.tensor2d(m);
  assertAlmostEquals(softmaxContrastiveLoss(d2, tau).arraySync(), rows, 1e-5);
  assertAlmostEquals(softmaxContrastiveLoss(d2, tau, true).arraySync(), (rows + cols) / 2, 1e-5);
  // a harder negative (a smaller off-diagonal distance) weighs more: a larger loss
  const harder = tf.tensor2d([[1, 1.5, 2], [3, 0.5, 6], [2, 2, 5]]);
  assert(softmaxContrastiveLoss(harder, tau).arraySync() > rows);
  // gradient of the row loss: (delta_ij - p_ij) / (tau n), finite, pulls the positive in
  const g = tf.grad((x: tf.Tensor) => softmaxContrastiveLoss(x as tf.Tensor2D, tau))(d2);
  const got = g.arraySync() as number[][];
  got.forEach((r, i) =>
    r.forEach((x, j) => {
      assert(Number.isFinite(x));
      assertAlmostEquals(x, ((i === j ? 1 : 0) - p[i][j]) / (tau * 3), 1e-6);
    })
  );
  assertThrows(() => softmaxContrastiveLoss(d2, 0), Error, "temperature");
  assertThrows(() => softmaxContrastiveLoss(d2, NaN), Error, "temperature");
  const wide = tf.zeros([2, 3]) as tf.Tensor2D;
  assertThrows(() => softmaxContrastiveLoss(wide, 1), Error, "square");
  tf.dispose([d2, harder, g, wide]);
});

Deno.test("same-sound negatives: the model's audio cosine finds a repeated sound; left out, it is no negative", () => {
  const model = createModel({ preset: "tiny", seed: 2 });
  // clips 0 and 2 sound the same (one spectrogram) under different frames; clip 1 another
  const images = tf.randomUniform([3, 64, 64, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const two = tf.randomNormal([2, 63, 32], 0, 1, "float32", 4) as tf.Tensor3D;
  const logMel = tf.concat([two, tf.slice(two, 0, 1)]) as tf.Tensor3D;
  const opts = { kAudio: 1, kVisual: 3, beta: 5, matrix: true, audioCosine: true };
  const d = pairDistances(model, images, logMel, opts);
  const cos = d.audioCosine!.arraySync();
  for (let i = 0; i < 3; i++) {
    assertAlmostEquals(cos[i][i], 1, 1e-5);
    for (let j = 0; j < 3; j++) assertAlmostEquals(cos[i][j], cos[j][i], 1e-6);
  }
  assertAlmostEquals(cos[0][2], 1, 1e-5);
  assert(cos[0][1] < cos[0][2] && cos[1][2] < cos[0][2], `cosines ${cos}`);
  // leaving out the pairs above 0.99 (never the diagonal) is the float64 softmax without them
  const leftOut = tf.tensor2d(cos.map((r, i) => r.map((c, j) => (i !== j && c > 0.99 ? 1 : 0))));
  const m = d.distance2!.arraySync(), tau = 2;
  let want = 0;
  m.forEach((r, i) => {
    const kept = r.filter((_, j) => j === i || leftOut.arraySync()[i][j] === 0);
    want += Math.log(kept.reduce((a, x) => a + Math.exp(-x / tau), 0)) + r[i] / tau;
  });
  const got = softmaxContrastiveLoss(d.distance2!, tau, false, leftOut).arraySync();
  assertAlmostEquals(got, want / 3, 1e-4);
  assert(got < softmaxContrastiveLoss(d.distance2!, tau).arraySync());
  // no gradient through the cosine; its shape is checked; audio-started clustering refuses it
  const g = tf.grad((x) =>
    tf.sum(pairDistances(model, images, x as tf.Tensor3D, opts).audioCosine!)
  )(logMel);
  assertEquals(tf.max(tf.abs(g)).arraySync(), 0);
  assertThrows(
    () => softmaxContrastiveLoss(d.distance2!, tau, false, tf.zeros([2, 2])),
    Error,
    "leftOut",
  );
  assertThrows(
    () => pairDistances(model, images, logMel, { ...opts, visualInit: "audio" }),
    Error,
    "audioCosine needs the grid visualInit",
  );
  tf.dispose([images, two, logMel, leftOut, g, ...Object.values(d)]);
  model.params.dispose();
});

Deno.test("pairDistances: no tensors leak across forward and backward steps", () => {
  const model = createModel({ preset: "tiny", seed: 2 });
  const images = tf.randomUniform([3, 64, 64, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const logMel = tf.randomNormal([3, 63, 32], 0, 1, "float32", 4) as tf.Tensor3D;
  const labels = tf.tensor1d([1, 1, 1, 0, 0, 0]);
  const counts: number[] = [];
  for (const alignment of ["source", "scene"] as const) {
    for (let i = 0; i < 2; i++) {
      const { value, grads } = tf.variableGrads(() => {
        const d = pairDistances(model, images, logMel, { kAudio: 2, kVisual: 3, alignment });
        return contrastiveLoss(tf.concat([d.positive2, d.negative2]) as tf.Tensor1D, labels);
      }, model.params.variables());
      assert(Number.isFinite(value.dataSync()[0]));
      assertEquals(Object.keys(grads).length, model.params.variables().length);
      tf.dispose([value, ...Object.values(grads)]);
      counts.push(tf.memory().numTensors);
    }
  }
  assertEquals(new Set(counts).size, 1, `tensor counts ${counts}`);
  assertThrows(
    () =>
      pairDistances(model, tf.slice(images, 0, 1), tf.slice(logMel, 0, 1), {
        kAudio: 1,
        kVisual: 2,
      }),
    Error,
    "batch",
  );
  tf.dispose([images, logMel, labels]);
  model.params.dispose();
});

Deno.test("localize: one aligned and the other unaligned maps; assignments sum to 1 per position", async () => {
  const model = createModel({ preset: "tiny", seed: 1 });
  const world = fixtureWorld({ seed: 1, imageSize: 64, sampleRate: 8000, duration: 1 });
  const before = tf.memory().numTensors;
  const maps = await localize(model, world.curriculumSet(2, 2), { kAudio: 2 });
  assertEquals(tf.memory().numTensors, before);
  assertEquals(maps.length, 2);
  for (const m of maps) {
    assertEquals([m.height, m.width], [16, 16]);
    assertEquals(m.aligned.length, 2);
    assertEquals(m.alignedIndex.length + m.unalignedIndex.length >= 4, true);
    const all = new Map<number, Float32Array>();
    m.alignedIndex.forEach((j, i) => all.set(j, m.aligned[i]));
    m.unalignedIndex.forEach((j, i) => all.set(j, m.unaligned[i]));
    assertEquals(all.size, 4); // K_visual defaults to K_audio + 2, as the default recipe trains
    for (let p = 0; p < 256; p++) {
      let s = 0;
      for (const map of all.values()) s += map[p];
      assertAlmostEquals(s, 1, 1e-4);
    }
  }
  model.params.dispose();
});

Deno.test("localize: maps smoothed by MAP_SMOOTHING of the side by default, raw at 0, the alignment the same", async () => {
  const model = createModel({ preset: "tiny", seed: 1 });
  const world = fixtureWorld({ seed: 1, imageSize: 64, sampleRate: 8000, duration: 1 });
  const clips = world.curriculumSet(2, 2);
  const raw = await localize(model, clips, { kAudio: 2, mapSmoothing: 0 });
  const smooth = await localize(model, clips, { kAudio: 2 });
  const wider = await localize(model, clips, { kAudio: 2, mapSmoothing: 2 * MAP_SMOOTHING });
  raw.forEach((r, b) => {
    assertEquals(smooth[b].alignedIndex, r.alignedIndex);
    assertEquals(smooth[b].unalignedIndex, r.unalignedIndex);
    r.aligned.forEach((map, k) => {
      assertEquals([...smooth[b].aligned[k]], [...smoothGridMap(map, 16, 16, MAP_SMOOTHING)]);
      // smoothing moves every cell toward its neighbours: less spread than the raw map
      const spread = (m: Float32Array) => Math.max(...m) - Math.min(...m);
      assert(spread(wider[b].aligned[k]) <= spread(smooth[b].aligned[k]) + 1e-6);
      assert(spread(smooth[b].aligned[k]) <= spread(map) + 1e-6);
    });
  });
  for (const bad of [-0.1, Number.NaN]) {
    await assertRejects(
      () => localize(model, clips, { kAudio: 2, mapSmoothing: bad }),
      Error,
      "opts.mapSmoothing must be finite and >= 0",
    );
  }
  model.params.dispose();
});

Deno.test("smoothGridMap: separable Gaussian of a share of each side; constants and per-position sums kept", () => {
  // a hot cell at (2, 5) of a 4 x 8 grid: sigma 0.25 x 4 = 1 cell down, 0.25 x 8 = 2 across
  const map = new Float32Array(32);
  map[2 * 8 + 5] = 1;
  const s = smoothGridMap(map, 4, 8, 0.25);
  const rows = smoothingMatrix1d(4, 1), cols = smoothingMatrix1d(8, 2);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 8; j++) {
      assertAlmostEquals(s[i * 8 + j], rows[i * 4 + 2] * cols[j * 8 + 5], 1e-7);
    }
  }
  // wider across than down: two cells across keep more than one cell down
  assert(s[2 * 8 + 3] > s[0 * 8 + 5]);
  // a constant stays constant; two maps summing to 1 at each cell still do
  assert(
    smoothGridMap(new Float32Array(32).fill(0.3), 4, 8).every((v) => Math.abs(v - 0.3) < 1e-6),
  );
  const other = map.map((v) => 1 - v);
  const t = smoothGridMap(other, 4, 8, 0.25);
  assert(s.every((v, p) => Math.abs(v + t[p] - 1) < 1e-6));
  // 0: a copy of the map
  const copy = smoothGridMap(map, 4, 8, 0);
  assertEquals([...copy], [...map]);
  assert(copy !== map);
  assertThrows(() => smoothGridMap(map, 4, 7), Error, "map has 32 values, expected 4 x 7");
  assertThrows(() => smoothGridMap(map, 4, 8, -1), Error, "share must be finite and >= 0");
  assertThrows(() => smoothGridMap(map, 0, 8), Error, "height and width must be positive integers");
});

Deno.test("oursHeatmaps: extraVisualCenters sets K_visual - K_audio; 2 by default, as training", async () => {
  const model = createModel({ preset: "tiny", seed: 1 });
  const world = fixtureWorld({ seed: 1, imageSize: 64, sampleRate: 8000, duration: 1 });
  const clips = world.curriculumSet(1, 3);
  for (const extra of [undefined, 1, 2]) {
    const kVisual = 1 + (extra ?? 2);
    const maps = await localize(model, clips, { kAudio: 1, kVisual, mapSmoothing: 0 });
    const opts = extra === undefined ? {} : { extraVisualCenters: extra };
    const aligned = await oursHeatmaps(model, clips, "aligned", opts);
    const unaligned = await oursHeatmaps(model, clips, "unaligned", opts);
    const rawUnaligned = await oursHeatmaps(model, clips, "unaligned", {
      ...opts,
      mapSmoothing: 0,
    });
    maps.forEach((m, i) => {
      assertEquals(m.unaligned.length, kVisual - 1);
      assertEquals([...aligned[i].heatmap], [...smoothGridMap(m.aligned[0], 16, 16)]);
      // the background: the union (pixelwise maximum) of every center not aligned, smoothed
      // once as a whole
      const union = m.unaligned[0].map((v, p) => Math.max(v, ...m.unaligned.map((u) => u[p])));
      assertEquals([...rawUnaligned[i].heatmap], [...union]);
      assertEquals([...unaligned[i].heatmap], [...smoothGridMap(union, 16, 16)]);
    });
  }
  for (const bad of [0, 1.5]) {
    await assertRejects(
      () => oursHeatmaps(model, clips, "aligned", { extraVisualCenters: bad }),
      Error,
      `extraVisualCenters must be an integer >= 1, got ${bad}`,
    );
  }
  model.params.dispose();
});

Deno.test("modelInputs: frames and log-mels of the preset; wrong sample rate names the clip", () => {
  const model = createModel({ preset: "tiny" });
  const world = fixtureWorld({ seed: 1, imageSize: 48, sampleRate: 8000, duration: 1 });
  const x = modelInputs(model, world.curriculumSet(1, 2));
  assertEquals(x.images.shape, [2, 64, 64, 3]); // resized from 48
  assertEquals(x.logMel.shape, [2, 63, 32]);
  tf.dispose([x.images, x.logMel]);
  const bad = { ...world.scene(0, 1), sampleRate: 16000 };
  assertThrows(() => modelInputs(model, [bad]), Error, "sample rate");
  model.params.dispose();
});

Deno.test("fitPoissonRegression recovers a log-linear rate", () => {
  const rng = new Rng(3);
  const xs: Float32Array[] = [], ys: number[] = [];
  for (let i = 0; i < 400; i++) {
    const x = Float32Array.from([rng.range(-1, 1), rng.range(-1, 1)]);
    const rate = Math.exp(0.5 + 0.8 * x[0] - 0.3 * x[1]);
    // Poisson draw by inversion
    let k = 0, p = Math.exp(-rate), s = p;
    const u = rng.uniform();
    while (u > s) {
      k++;
      p *= rate / k;
      s += p;
    }
    xs.push(x);
    ys.push(k);
  }
  const m = fitPoissonRegression(xs, ys, { l2: 0 });
  const probe = Float32Array.from([0.5, -0.5]);
  assertAlmostEquals(poissonRate(m, probe), Math.exp(0.5 + 0.4 + 0.15), 0.35);
  assertThrows(() => fitPoissonRegression(xs, ys.slice(1)), Error, "counts");
});

Deno.test("counting model: confusion matrix consistent with accuracy and held-out counts", async () => {
  const model = createModel({ preset: "tiny", seed: 1 });
  const world = fixtureWorld({ seed: 2, imageSize: 64, sampleRate: 8000, duration: 1 });
  const train = [1, 2, 3].flatMap((n) => world.curriculumSet(n as 1 | 2 | 3, 12));
  const test = [1, 2, 3].flatMap((n) => world.curriculumSet(n as 1 | 2 | 3, 6, 100));
  const counter = await fitCountingModel(model, train);
  const ev = await evaluateCounting(counter, test);
  assertEquals(ev.labels, [1, 2, 3]);
  assertEquals(ev.confusion.map((r) => r.reduce((a, b) => a + b, 0)), [6, 6, 6]);
  const trace = ev.confusion.reduce((a, r, i) => a + r[i], 0);
  assertAlmostEquals(ev.accuracy, trace / 18, 1e-12);
  // The counts are audible (each source adds a tone): even random features of the mixture
  // carry them, so the fit must beat chance (1/3).
  assert(ev.accuracy > 0.5, `counting accuracy ${ev.accuracy}`);
  model.params.dispose();
});

Deno.test("createModel: bad arguments are named", () => {
  // deno-lint-ignore no-explicit-any
  assertThrows(() => createModel({ preset: "huge" as any }), Error, "huge");
  assertThrows(() => createModel({ seed: 1.5 }), Error, "seed");
});

Deno.test("checkpoint errors are clear (see train tests for the round trip)", async () => {
  await assertRejects(
    async () => (await import("../lib/train/mod.ts")).loadModel("/nonexistent-avscene-dir"),
    Error,
    "no checkpoint",
  );
});
