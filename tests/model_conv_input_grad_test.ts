// conv2dSame's input gradient: its strided form (each phase of the output gradient convolved
// with only its own taps) against a float64 sum on cpu and wasm, bit for bit against one
// polyphase convolution (the form it replaced, whose zero taps add exact zeros) through the same
// convolution kernel on wasm, and a few training steps on wasm that give the same weights twice.
import { assert, assertEquals } from "./model_assert.ts";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { contrastiveLoss, conv2dSame, createModel, pairDistances } from "../lib/model/mod.ts";
import { Adam } from "../lib/train/mod.ts";
import { conv2dDirect } from "../kernels/mod.ts";
import { convInputGradReference } from "./kernels_conv_reference.ts";

/** tfjs's "same" padding before the first row: floor(total / 2). */
const top = (n: number, k: number, s: number) =>
  Math.floor(Math.max((Math.ceil(n / s) - 1) * s + k - n, 0) / 2);

/**
 * The input gradient as one stride-1 convolution of `r` with the polyphase filter
 * `[M, M, O, (ry, rx, c)]` (`M = ceil(k / s)`, zeros past the kernel), interleaved and cropped.
 */
function polyphase(r: tf.Tensor4D, w: tf.Tensor4D, s: number, [h, wd]: number[]): tf.Tensor4D {
  const [k, , c, o] = w.shape;
  const [b, oh, ow] = r.shape;
  const m = Math.ceil(k / s);
  const wv = w.dataSync();
  const f = new Float32Array(m * m * o * s * s * c);
  for (let a = 0; a < m; a++) {
    for (let bb = 0; bb < m; bb++) {
      for (let oi = 0; oi < o; oi++) {
        for (let ry = 0; ry < s; ry++) {
          for (let rx = 0; rx < s; rx++) {
            const ky = (m - 1 - a) * s + ry, kx = (m - 1 - bb) * s + rx;
            if (ky >= k || kx >= k) continue;
            for (let ci = 0; ci < c; ci++) {
              f[(((a * m + bb) * o + oi) * s * s + ry * s + rx) * c + ci] =
                wv[((ky * k + kx) * c + ci) * o + oi];
            }
          }
        }
      }
    }
  }
  const t = [top(h, k, s), top(wd, k, s)];
  const q0 = t.map((v) => Math.floor(v / s));
  const q1 = [h, wd].map((n, i) => Math.ceil((n + t[i]) / s) - 1);
  const filter = tf.tensor4d(f, [m, m, o, s * s * c]);
  const pad = [m - 1 - q0[0], q1[0] - (oh - 1), m - 1 - q0[1], q1[1] - (ow - 1)];
  const rows = q1[0] - q0[0] + 1, cols = q1[1] - q0[1] + 1;
  // the convolution conv2dSame runs: the direct kernel where it runs, else tfjs's Conv2D
  const z = conv2dDirect(r, filter, {
    stride: 1,
    top: pad[0],
    left: pad[2],
    outHeight: rows,
    outWidth: cols,
  }) ?? tf.conv2d(r, filter, 1, [[0, 0], [pad[0], pad[1]], [pad[2], pad[3]], [0, 0]]);
  const full = tf.reshape(
    tf.transpose(tf.reshape(z, [b, rows, cols, s, s, c]), [0, 1, 3, 2, 4, 5]),
    [b, rows * s, cols * s, c],
  );
  return tf.slice(full, [0, t[0] - q0[0] * s, t[1] - q0[1] * s, 0], [-1, h, wd, -1]) as tf.Tensor4D;
}

/** conv2dSame's input gradient for the output gradient `r`. */
const inputGradient = (x: tf.Tensor4D, w: tf.Tensor4D, s: number, r: tf.Tensor) =>
  tf.grad((a: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, w, s), r)))(x);

// [x shape, kernel, stride, out channels]: the tiny trunks' stride-2 layers, odd sizes, a 5 x 5
// filter, stride 3, a 1 x 1 filter at stride 2 (phases without taps: one polyphase convolution),
// a 2 x 2 filter and stride 1
const CASES: [[number, number, number, number], number, number, number][] = [
  [[2, 8, 8, 16], 3, 2, 32],
  [[1, 9, 7, 32], 3, 2, 16],
  [[2, 9, 8, 3], 3, 2, 16],
  [[2, 7, 6, 1], 3, 2, 16],
  [[2, 9, 7, 4], 5, 2, 8],
  [[2, 10, 9, 3], 3, 3, 4],
  [[1, 6, 6, 8], 1, 2, 16],
  [[2, 7, 6, 2], 2, 2, 8],
  [[2, 5, 4, 8], 3, 1, 8],
];

for (const [shape, k, s, o] of CASES) {
  const name = `x [${shape}] k ${k} s ${s} O ${o}`;
  Deno.test(`conv2dSame's input gradient equals the float64 sum on cpu and wasm: ${name}`, async () => {
    for (const backend of ["cpu", "wasm"] as const) {
      await initBackend(backend);
      tf.tidy(() => {
        const [b, h, wd, c] = shape;
        const x = tf.randomNormal(shape, 0, 1, "float32", 1) as tf.Tensor4D;
        const w = tf.randomNormal([k, k, c, o], 0, 1, "float32", 2) as tf.Tensor4D;
        const oShape = [b, Math.ceil(h / s), Math.ceil(wd / s), o];
        const r = tf.randomNormal(oShape, 0, 1, "float32", 3);
        const mine = inputGradient(x, w, s, r).dataSync();
        const ref = convInputGradReference(
          r.dataSync() as Float32Array,
          oShape,
          w.dataSync() as Float32Array,
          k,
          [h, wd, c],
          s,
          top(h, k, s),
          top(wd, k, s),
        );
        let worst = 0;
        mine.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - ref.y[i]) / (ref.scale[i] + 1e-30));
        });
        assert(worst < 1e-5, `${name} on ${backend}: relative error ${worst}`);
      });
    }
  });
}

Deno.test("conv2dSame's strided input gradient on wasm equals one polyphase convolution bit for bit", async () => {
  await initBackend("wasm");
  // where both forms run the same convolution kernel: the direct kernel takes output channels
  // (C per phase, s^2 C for the polyphase filter) in multiples of 16, XNNPACK the others
  const sameKernel = (c: number, s: number) => (c % 16 === 0) === ((s * s * c) % 16 === 0);
  const cases = CASES.filter(([shape, , s]) => s > 1 && sameKernel(shape[3], s));
  assert(cases.length >= 4, "enough cases");
  for (const [shape, k, s, o] of cases) {
    tf.tidy(() => {
      const [b, h, wd, c] = shape;
      const x = tf.randomNormal(shape, 0, 1, "float32", 4) as tf.Tensor4D;
      const w = tf.randomNormal([k, k, c, o], 0, 1, "float32", 5) as tf.Tensor4D;
      const r = tf.randomNormal([b, Math.ceil(h / s), Math.ceil(wd / s), o], 0, 1, "float32", 6);
      const mine = inputGradient(x, w, s, r).dataSync();
      const old = polyphase(r as tf.Tensor4D, w, s, [h, wd]).dataSync();
      assertEquals(mine.length, old.length);
      const differ = mine.findIndex((v, i) => !Object.is(v, old[i]));
      assertEquals(differ, -1, `x [${shape}] k ${k} s ${s}: first difference at ${differ}`);
    });
  }
});

Deno.test("training on wasm: the same seed gives the same weights, bit for bit", async () => {
  await initBackend("wasm");
  const train = async () => {
    const model = createModel({ preset: "tiny", seed: 3 });
    const c = model.config;
    const images = tf.randomUniform([4, c.imageSize, c.imageSize, 3], 0, 1, "float32", 1);
    const logMel = tf.randomNormal([4, 63, c.nMels], 0, 1, "float32", 2);
    const labels = tf.concat([tf.ones([4]), tf.zeros([4])]) as tf.Tensor1D;
    const opt = new Adam(model.params.variables(), { lr: 1e-3 });
    for (let i = 0; i < 3; i++) {
      tf.dispose(opt.minimize(() => {
        const d = pairDistances(model, images as tf.Tensor4D, logMel as tf.Tensor3D, {
          kAudio: 1,
          kVisual: 2,
        });
        return contrastiveLoss(tf.concat([d.positive2, d.negative2]) as tf.Tensor1D, labels);
      }));
    }
    const flat = await model.params.toFlat();
    opt.dispose();
    model.params.dispose();
    tf.dispose([images, logMel, labels]);
    return flat;
  };
  const [a, b] = [await train(), await train()];
  const init = createModel({ preset: "tiny", seed: 3 });
  const start = await init.params.toFlat();
  init.params.dispose();
  assert(a.some((v, i) => v !== start[i]), "the steps changed no weight");
  assertEquals(a.findIndex((v, i) => !Object.is(v, b[i])), -1);
});
