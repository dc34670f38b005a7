/**
 * What tfjs-backend-wasm's `Conv2D` (XNNPACK) costs in the tiny preset's training step, and what
 * a convolution kernel of our own could win there (issue 13). Each case interleaves what it
 * compares, round by round in one process, and prints medians and ratios (wasm, 1 thread):
 *
 * - **share of the step** (batch 8 and 16): one training step (forward, backward, Adam; fixed
 *   inputs, as `train_bench.ts`) against the `Conv2D` calls that step makes (read from
 *   `tf.profile`: the forward convolutions and the input gradients' convolutions, each with a
 *   fresh filter) run alone. This bounds what any faster convolution can save.
 * - **operator re-creation** (same cases): the wasm backend caches XNNPACK's convolution
 *   operator (with its packed, transposed filter) by the filter tensor's id, so a new filter
 *   tensor (every Adam update, every input gradient's rearranged filter) means transposing and
 *   packing it and deleting the operator when the tensor goes. Per convolution of the step: the
 *   same filter as the previous call against a fresh filter tensor (made outside the timed
 *   region; its disposal, which deletes the operator, inside), paired call by call; and the
 *   multiply-accumulates per second XNNPACK reaches (zero taps counted).
 * - **polyphase zeros** (batch 8): the stride-2 input gradient as one stride-1 convolution with
 *   a 2 x 2 tap filter for all four phases, where 7 of the 16 taps per channel pair are zeros
 *   (`conv2dSame`'s form before), against the four phases as separate convolutions of 2 x 2,
 *   2 x 1, 1 x 2 and 1 x 1 taps (no zeros, before their outputs are interleaved; its form now).
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

const median = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
const ms = (v: number) => v.toFixed(3);
/** Wall milliseconds of `f` (synchronous: the wasm kernels finish before they return). */
const time = (f: () => void) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
/** `Conv2D` of `call` with the filter `w`, output freed. */
const conv = (call: ConvCall, x: tf.Tensor4D, w: tf.Tensor4D) =>
  tf.conv2d(x, w, call.stride, call.padding).dispose();

for (const batch of [8, 16]) {
  let done = false;
  Deno.bench({
    name: `tiny x${batch}: Conv2D in the training step`,
    n: 1,
    warmup: 0,
    async fn() {
      if (done) return; // deno bench may call it again; one measurement is printed
      done = true;
      const step = trainingStep(batch);
      for (let i = 0; i < 3; i++) tf.dispose(step()); // warm-up
      const calls = await stepConvolutions(step);
      const { inputs, filters } = operands(calls);
      const steps: number[] = [],
        convs: number[] = [],
        same: number[][] = [],
        fresh: number[][] = [];
      const diff: number[][] = calls.map(() => []);
      calls.forEach(() => (same.push([]), fresh.push([])));
      const rounds = 40, repeats = 5;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const loss = step();
        await loss.data();
        steps.push(performance.now() - t0);
        loss.dispose();
        const news = filters.map((w) => tf.add(w, 0) as tf.Tensor4D); // new ids, same values
        convs.push(time(() =>
          calls.forEach((c, i) => {
            conv(c, inputs[i], news[i]);
            news[i].dispose();
          })
        ));
        calls.forEach((c, i) => {
          for (let k = 0; k < repeats; k++) {
            const w = tf.add(filters[i], 0) as tf.Tensor4D;
            const a = time(() => conv(c, inputs[i], filters[i]));
            const b = time(() => (conv(c, inputs[i], w), w.dispose()));
            same[i].push(a), fresh[i].push(b), diff[i].push(b - a);
          }
        });
      }
      const step1 = median(steps), conv1 = median(convs);
      const recreate = diff.reduce((sum, d) => sum + median(d), 0);
      console.log(
        `tiny x${batch}: step ${ms(step1)} ms, its ${calls.length} Conv2D calls alone (fresh ` +
          `filters) ${ms(conv1)} ms = ${(100 * conv1 / step1).toFixed(1)}% of the step; ` +
          `re-creating XNNPACK's operator for a fresh filter (paired: fresh - same, median per ` +
          `call, summed over the step's calls) ${ms(recreate)} ms = ` +
          `${(100 * recreate / step1).toFixed(1)}% of the step; ${rounds} rounds, medians; ` +
          `load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
      );
      calls.forEach((c, i) => {
        const macs = c.x[0] * Math.ceil(c.x[1] / c.stride) * Math.ceil(c.x[2] / c.stride) *
          c.w[0] * c.w[1] * c.w[2] * c.w[3];
        console.log(
          `  Conv2D x [${c.x}] w [${c.w}] stride ${c.stride}: same filter ${ms(median(same[i]))}` +
            ` ms, fresh ${ms(median(fresh[i]))} ms (paired difference ${ms(median(diff[i]))} ms)` +
            `, ${(macs / 1e6 / Math.min(...same[i])).toFixed(1)} GMAC/s at best`,
        );
      });
      tf.dispose([...inputs, ...filters]);
    },
  });
}

// the visual trunk's stride-2 input gradient: output gradient [8, 16, 16, 32], filter 3 x 3,
// 16 input channels: polyphase (2 x 2 taps, 4 x 16 outputs) vs the four phases apart
let phasesDone = false;
Deno.bench({
  name: "tiny x8: stride-2 input gradient, polyphase vs four phase convolutions",
  n: 1,
  warmup: 0,
  fn() {
    if (phasesDone) return;
    phasesDone = true;
    const dy = tf.randomNormal([8, 16, 16, 32], 0, 1, "float32", 90) as tf.Tensor4D;
    const polyphase = tf.randomNormal([2, 2, 32, 64], 0, 0.1, "float32", 91) as tf.Tensor4D;
    const phases = [[2, 2], [2, 1], [1, 2], [1, 1]].map(([a, b], i) =>
      tf.randomNormal([a, b, 32, 16], 0, 0.1, "float32", 92 + i) as tf.Tensor4D
    );
    const one: number[] = [], four: number[] = [];
    for (let r = 0; r < 320; r++) {
      const w = tf.add(polyphase, 0) as tf.Tensor4D;
      const ws = phases.map((p) => tf.add(p, 0) as tf.Tensor4D);
      const t1 = time(() => {
        tf.conv2d(dy, w, 1, [[0, 0], [1, 0], [1, 0], [0, 0]]).dispose();
        w.dispose();
      });
      const t4 = time(() =>
        ws.forEach((p) => {
          const [a, b] = p.shape;
          tf.conv2d(dy, p, 1, [[0, 0], [a - 1, 0], [b - 1, 0], [0, 0]]).dispose();
          p.dispose();
        })
      );
      if (r >= 20) one.push(t1), four.push(t4);
    }
    console.log(
      `stride-2 input gradient, dy [8,16,16,32], 3 x 3 filter to 16 channels: one polyphase ` +
        `convolution (7 of 16 taps zero) ${ms(median(one))} ms (best ${ms(Math.min(...one))}), ` +
        `four phase convolutions (no zeros, not interleaved) ${ms(median(four))} ms (best ` +
        `${ms(Math.min(...four))}): ${(median(one) / median(four)).toFixed(2)}x; 300 rounds, ` +
        `medians; load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
    );
    tf.dispose([dy, polyphase, ...phases]);
  },
});
