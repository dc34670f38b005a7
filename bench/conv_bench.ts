/**
 * What tfjs-backend-wasm's `Conv2D` (XNNPACK) costs in the tiny preset's training step, and what
 * a convolution kernel of our own could win there (issue 13). wasm, ratios in the same run:
 *
 * - **share of the step** (batch 8 and 16): one training step (forward, backward, Adam; fixed
 *   inputs, as `train_bench.ts`) against the `Conv2D` calls that step makes (read from
 *   `tf.profile`: the forward convolutions and the input gradients' convolutions, each with a
 *   fresh filter) run alone. This bounds what any faster convolution can save.
 * - **operator re-creation** (batch 8): the wasm backend caches XNNPACK's convolution operator
 *   (with its packed, transposed filter) by the filter tensor's id, so a new filter tensor (every
 *   Adam update, every input gradient's rearranged filter) means transposing and packing it and
 *   deleting the operator when the tensor goes. Per convolution of the step: the same filter as
 *   the previous call (baseline) against a fresh filter tensor each call (made outside the timed
 *   region; its disposal, which deletes the operator, inside).
 * - **polyphase zeros** (batch 8): the stride-2 input gradient (`conv2dSame`) is one stride-1
 *   convolution with a 2 x 2 tap filter for all four phases, where 7 of the 16 taps per channel
 *   pair are zeros, against the four phases as separate convolutions of 2 x 2, 2 x 1, 1 x 2 and
 *   1 x 1 taps (no zeros, before their outputs are interleaved).
 *
 *   deno bench -A bench/conv_bench.ts
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { contrastiveLoss, createModel, pairDistances } from "../lib/model/mod.ts";
import { Adam } from "../lib/train/mod.ts";

await initBackend("wasm");

type Shape4 = [number, number, number, number];
type Padding = [[number, number], [number, number], [number, number], [number, number]];
/** One `Conv2D` call of the step: input, filter, stride, explicit padding. */
interface ConvCall {
  x: Shape4;
  w: Shape4;
  stride: number;
  padding: Padding;
}

/** The tiny preset's training step on fixed random inputs of `batch` clips. */
function trainingStep(batch: number): () => tf.Scalar {
  const model = createModel({ preset: "tiny", seed: 0 });
  const c = model.config;
  const images = tf.randomUniform([batch, c.imageSize, c.imageSize, 3], 0, 1, "float32", 1);
  const logMel = tf.randomNormal([batch, 63, c.nMels], 0, 1, "float32", 2);
  const labels = tf.concat([tf.ones([batch]), tf.zeros([batch])]) as tf.Tensor1D;
  const opt = new Adam(model.params.variables(), { lr: 1e-4 });
  return () =>
    opt.minimize(() => {
      const d = pairDistances(model, images as tf.Tensor4D, logMel as tf.Tensor3D, {
        kAudio: 1,
        kVisual: 2,
      });
      return contrastiveLoss(tf.concat([d.positive2, d.negative2]) as tf.Tensor1D, labels);
    });
}

/** Every `Conv2D` call of one step, from `tf.profile` (stride from the shapes, padding split). */
async function stepConvolutions(step: () => tf.Scalar): Promise<ConvCall[]> {
  const info = await tf.profile(() => step());
  tf.dispose(info.result);
  const calls: ConvCall[] = [];
  for (const k of info.kernels) {
    if (k.name !== "Conv2D") continue;
    const [x, w] = k.inputShapes as Shape4[];
    const y = k.outputShapes[0] as Shape4;
    const stride = Math.round(x[1] / y[1]);
    const split = (n: number, out: number, kernel: number): [number, number] => {
      const total = Math.max((out - 1) * stride + kernel - n, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    calls.push({
      x,
      w,
      stride,
      padding: [[0, 0], split(x[1], y[1], w[0]), split(x[2], y[2], w[1]), [0, 0]],
    });
  }
  if (calls.length === 0) throw new Error("conv_bench.ts: the step ran no Conv2D kernel");
  return calls;
}

/** Random inputs and filters for `calls`. */
function operands(calls: ConvCall[]): { inputs: tf.Tensor4D[]; filters: tf.Tensor4D[] } {
  return {
    inputs: calls.map((c, i) => tf.randomNormal(c.x, 0, 1, "float32", 10 + i) as tf.Tensor4D),
    filters: calls.map((c, i) => tf.randomNormal(c.w, 0, 0.1, "float32", 50 + i) as tf.Tensor4D),
  };
}

/** The batch-8 step's `Conv2D` calls, for the per-convolution groups below. */
let calls: ConvCall[] = [];
for (const batch of [8, 16]) {
  const step = trainingStep(batch);
  for (let i = 0; i < 2; i++) tf.dispose(step()); // warm-up
  const stepCalls = await stepConvolutions(step);
  if (batch === 8) calls = stepCalls;
  const { inputs, filters } = operands(stepCalls);
  const group = `tiny x${batch}: training step vs its ${stepCalls.length} Conv2D calls`;
  Deno.bench({
    name: `${group}: training step`,
    group,
    baseline: true,
    n: 30,
    warmup: 2,
    fn: async () => {
      const loss = step();
      await loss.data();
      loss.dispose();
    },
  });
  Deno.bench({
    name: `${group}: its Conv2D calls alone (fresh filters)`,
    group,
    n: 30,
    warmup: 2,
    fn: (b) => {
      const fresh = filters.map((w) => tf.add(w, 0) as tf.Tensor4D); // new ids, same values
      b.start();
      stepCalls.forEach((c, i) => {
        tf.conv2d(inputs[i], fresh[i], c.stride, c.padding).dispose();
        fresh[i].dispose();
      });
      b.end();
    },
  });
}

const BATCH = 8;
const { inputs, filters } = operands(calls);

// each distinct convolution once: same filter (cached operator) vs a fresh one
const seen = new Set<string>();
calls.forEach((c, i) => {
  const key = `x [${c.x}] w [${c.w}] stride ${c.stride}`;
  if (seen.has(key)) return;
  seen.add(key);
  const group = `Conv2D ${key}`;
  Deno.bench({
    name: `${group}: same filter (cached XNNPACK operator)`,
    group,
    baseline: true,
    n: 200,
    warmup: 20,
    fn: () => tf.conv2d(inputs[i], filters[i], c.stride, c.padding).dispose(),
  });
  Deno.bench({
    name: `${group}: fresh filter each call (as in training)`,
    group,
    n: 200,
    warmup: 20,
    fn: (b) => {
      const fresh = tf.add(filters[i], 0) as tf.Tensor4D;
      b.start();
      tf.conv2d(inputs[i], fresh, c.stride, c.padding).dispose();
      fresh.dispose(); // deletes the operator, as after a step
      b.end();
    },
  });
});

// the visual trunk's stride-2 input gradient: output gradient [8, 16, 16, 32], filter 3 x 3,
// 16 input channels: polyphase (2 x 2 taps, 4 x 16 outputs) vs the four phases apart
const dy = tf.randomNormal([BATCH, 16, 16, 32], 0, 1, "float32", 90) as tf.Tensor4D;
const polyphase = tf.randomNormal([2, 2, 32, 64], 0, 0.1, "float32", 91) as tf.Tensor4D;
const phases = [[2, 2], [2, 1], [1, 2], [1, 1]].map(([a, b], i) =>
  tf.randomNormal([a, b, 32, 16], 0, 0.1, "float32", 92 + i) as tf.Tensor4D
);
const phaseGroup = `stride-2 input gradient, dy [${dy.shape}], 3 x 3 filter to 16 channels`;
Deno.bench({
  name: `${phaseGroup}: one polyphase convolution (7 of 16 taps zero)`,
  group: phaseGroup,
  baseline: true,
  n: 200,
  warmup: 20,
  fn: (b) => {
    const w = tf.add(polyphase, 0) as tf.Tensor4D;
    b.start();
    tf.conv2d(dy, w, 1, [[0, 0], [1, 0], [1, 0], [0, 0]]).dispose();
    w.dispose();
    b.end();
  },
});
Deno.bench({
  name: `${phaseGroup}: four phase convolutions (no zeros; not interleaved)`,
  group: phaseGroup,
  n: 200,
  warmup: 20,
  fn: (b) => {
    const ws = phases.map((w) => tf.add(w, 0) as tf.Tensor4D);
    b.start();
    for (const w of ws) {
      const [a, c] = w.shape;
      tf.conv2d(dy, w, 1, [[0, 0], [a - 1, 0], [c - 1, 0], [0, 0]]).dispose();
      w.dispose();
    }
    b.end();
  },
});
