/**
 * What the convolutions cost in the tiny preset's training step on wasm: tfjs-backend-wasm's
 * `Conv2D` (XNNPACK) against the direct kernel `conv2dDirect` (wasm SIMD with fused
 * multiply-adds, which `conv2dSame` runs on wasm; issue 13). Each case interleaves what it
 * compares, round by round in one process, and prints medians and ratios (wasm, 1 thread):
 *
 * - **the step's convolutions** (batch 8 and 16): the convolutions one training step makes
 *   (forward, backward, Adam; fixed inputs, as `train_bench.ts`; read from `tf.profile`: the
 *   forward convolutions; the input gradients run as one `AvsceneConvInputGrad` kernel each,
 *   below) run alone in a row, by XNNPACK with fresh filters (as in training) and by the direct
 *   kernel, beside the whole step.
 * - **per convolution** (same cases): XNNPACK with the same filter as the previous call and
 *   with a fresh filter tensor (the wasm backend caches XNNPACK's operator, with its packed
 *   filter, by the filter tensor's id: every Adam update and every input gradient's rearranged
 *   filter packs anew), and the direct kernel, with the multiply-accumulates per second each
 *   reaches at best (zero taps counted).
 * - **the step's input gradients** (batch 8 and 16): each `convInputGrad` call of the step
 *   against the same phases' convolutions on XNNPACK with fresh filters, without the copies
 *   that interleave them (a lower bound of that path).
 * - **polyphase zeros** (batch 8): the stride-2 input gradient as one stride-1 convolution with
 *   a 2 x 2 tap filter for all four phases, where 7 of the 16 taps per channel pair are zeros
 *   (`conv2dSame`'s form before), against the four phases as separate convolutions of 2 x 2,
 *   2 x 1, 1 x 2 and 1 x 1 taps (no zeros, before their outputs are interleaved; its form off
 *   wasm, and on wasm where the channels are not a multiple of 16).
 *
 *   deno bench -A bench/conv_bench.ts
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { contrastiveLoss, createModel, pairDistances } from "../lib/model/mod.ts";
import { Adam } from "../lib/train/mod.ts";
import { Conv2dDirect, conv2dDirect, ConvInputGrad, convInputGrad } from "../kernels/mod.ts";

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

/**
 * Every convolution of one step, from `tf.profile`: the direct kernel's calls and any `Conv2D`
 * left to XNNPACK (stride from the shapes, the padding split as "same"; an input gradient's
 * asymmetric padding moves a row between the sides, the same work).
 */
async function stepConvolutions(step: () => tf.Scalar): Promise<ConvCall[]> {
  const info = await tf.profile(() => step());
  tf.dispose(info.result);
  const calls: ConvCall[] = [];
  for (const k of info.kernels) {
    if (k.name !== "Conv2D" && k.name !== Conv2dDirect) continue;
    const [x, w] = k.inputShapes as Shape4[];
    const y = k.outputShapes[0] as Shape4;
    const stride = Math.max(1, Math.round(x[1] / y[1]));
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
  if (calls.length === 0) throw new Error("conv_bench.ts: the step ran no convolution");
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
/** `Conv2D` (XNNPACK) of `call` with the filter `w`, output freed. */
const conv = (call: ConvCall, x: tf.Tensor4D, w: tf.Tensor4D) =>
  tf.conv2d(x, w, call.stride, call.padding).dispose();
/** The direct kernel ({@linkcode conv2dDirect}) of `call` with the filter `w`, output freed. */
const direct = (call: ConvCall, x: tf.Tensor4D, w: tf.Tensor4D) => {
  const [, [top, bottom], [left, right]] = call.padding;
  const y = conv2dDirect(x, w, {
    stride: call.stride,
    top,
    left,
    outHeight: Math.floor((call.x[1] + top + bottom - call.w[0]) / call.stride) + 1,
    outWidth: Math.floor((call.x[2] + left + right - call.w[1]) / call.stride) + 1,
  });
  if (y === null) throw new Error(`conv_bench.ts: the direct kernel does not take [${call.w}]`);
  y.dispose();
};

for (const batch of [8, 16]) {
  let done = false;
  Deno.bench({
    name: `tiny x${batch}: the training step's convolutions, XNNPACK vs the direct kernel`,
    n: 1,
    warmup: 0,
    async fn() {
      if (done) return; // deno bench may call it again; one measurement is printed
      done = true;
      const step = trainingStep(batch);
      for (let i = 0; i < 3; i++) tf.dispose(step()); // warm-up
      const calls = await stepConvolutions(step);
      const { inputs, filters } = operands(calls);
      const steps: number[] = [], xnnpack: number[] = [], ours: number[] = [];
      const same = calls.map((): number[] => []), fresh = calls.map((): number[] => []);
      const mine = calls.map((): number[] => []);
      const rounds = 40, repeats = 5;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const loss = step();
        await loss.data();
        steps.push(performance.now() - t0);
        loss.dispose();
        // the step's calls in a row, each with a fresh filter (as in training), by either kernel
        const news = filters.map((w) => tf.add(w, 0) as tf.Tensor4D); // new ids, same values
        xnnpack.push(time(() =>
          calls.forEach((c, i) => {
            conv(c, inputs[i], news[i]);
            news[i].dispose();
          })
        ));
        ours.push(time(() => calls.forEach((c, i) => direct(c, inputs[i], filters[i]))));
        calls.forEach((c, i) => {
          for (let k = 0; k < repeats; k++) {
            const w = tf.add(filters[i], 0) as tf.Tensor4D;
            same[i].push(time(() => conv(c, inputs[i], filters[i])));
            fresh[i].push(time(() => (conv(c, inputs[i], w), w.dispose())));
            mine[i].push(time(() => direct(c, inputs[i], filters[i])));
          }
        });
      }
      const step1 = median(steps), x1 = median(xnnpack), d1 = median(ours);
      console.log(
        `tiny x${batch}: step ${ms(step1)} ms; its ${calls.length} convolutions in a row: ` +
          `XNNPACK (fresh filters) ${ms(x1)} ms, the direct kernel ${ms(d1)} ms: ` +
          `${(x1 / d1).toFixed(2)}x; ${rounds} rounds, medians; load average ` +
          `${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
      );
      calls.forEach((c, i) => {
        const oh = Math.floor((c.x[1] + c.padding[1][0] + c.padding[1][1] - c.w[0]) / c.stride);
        const ow = Math.floor((c.x[2] + c.padding[2][0] + c.padding[2][1] - c.w[1]) / c.stride);
        const macs = c.x[0] * (oh + 1) * (ow + 1) * c.w[0] * c.w[1] * c.w[2] * c.w[3];
        const gmacs = (v: number[]) => (macs / 1e6 / Math.min(...v)).toFixed(1);
        console.log(
          `  x [${c.x}] w [${c.w}] stride ${c.stride}: XNNPACK same filter ` +
            `${ms(median(same[i]))} ms, fresh ${ms(median(fresh[i]))} ms (${gmacs(fresh[i])} ` +
            `GMAC/s at best); direct ${ms(median(mine[i]))} ms (${gmacs(mine[i])} GMAC/s): ` +
            `${(median(fresh[i]) / median(mine[i])).toFixed(2)}x`,
        );
      });
      tf.dispose([...inputs, ...filters]);
    },
  });
}

/** One input gradient of the step: output gradient, forward filter, input, stride, padding. */
interface InputGradCall {
  dy: Shape4;
  w: Shape4;
  dx: Shape4;
  stride: number;
  top: number;
  left: number;
}

/** Every `AvsceneConvInputGrad` call of one step, from `tf.profile` ("same" padding). */
async function stepInputGradients(step: () => tf.Scalar): Promise<InputGradCall[]> {
  const info = await tf.profile(() => step());
  tf.dispose(info.result);
  return info.kernels.filter((k) => k.name === ConvInputGrad).map((k) => {
    const [dy, w] = k.inputShapes as Shape4[];
    const dx = k.outputShapes[0] as Shape4;
    const stride = Math.max(1, Math.round(dx[1] / dy[1]));
    const before = (n: number, out: number) =>
      Math.floor(Math.max((out - 1) * stride + w[0] - n, 0) / 2);
    return { dy, w, dx, stride, top: before(dx[1], dy[1]), left: before(dx[2], dy[2]) };
  });
}

/** The phases' filter shapes `[My, Mx, O, C]` of `call` (`My = ceil((k - ry) / s)`). */
const phaseShapes = ({ w: [k, , c, o], stride: s }: InputGradCall): Shape4[] => {
  const shapes: Shape4[] = [];
  for (let ry = 0; ry < s; ry++) {
    for (let rx = 0; rx < s; rx++) {
      shapes.push([Math.ceil((k - ry) / s), Math.ceil((k - rx) / s), o, c]);
    }
  }
  return shapes.filter(([my, mx]) => my > 0 && mx > 0);
};

// the step's input gradients: the direct kernel's one call (each phase written into dx) against
// the phases' convolutions on XNNPACK with fresh filters alone, without the stacking,
// interleaving and cropping conv2dSame composes around them there (so a lower bound of that
// path)
for (const batch of [8, 16]) {
  let done = false;
  Deno.bench({
    name: `tiny x${batch}: the training step's input gradients, XNNPACK phases vs convInputGrad`,
    n: 1,
    warmup: 0,
    async fn() {
      if (done) return;
      done = true;
      const step = trainingStep(batch);
      for (let i = 0; i < 3; i++) tf.dispose(step()); // warm-up
      const calls = await stepInputGradients(step);
      if (calls.length === 0) {
        throw new Error("conv_bench.ts: the step ran no AvsceneConvInputGrad");
      }
      const dys = calls.map((c, i) =>
        tf.randomNormal(c.dy, 0, 1, "float32", 70 + i) as tf.Tensor4D
      );
      const ws = calls.map((c, i) =>
        tf.randomNormal(c.w, 0, 0.1, "float32", 80 + i) as tf.Tensor4D
      );
      const phases = calls.map((c) => phaseShapes(c).map((f) => tf.randomNormal(f, 0, 0.1)));
      const xnn = calls.map((): number[] => []), mine = calls.map((): number[] => []);
      for (let r = 0; r < 200; r++) {
        calls.forEach((c, i) => {
          const fresh = phases[i].map((f) => tf.add(f, 0) as tf.Tensor4D);
          xnn[i].push(time(() =>
            fresh.forEach((f) => {
              const [my, mx] = f.shape;
              tf.conv2d(dys[i], f, 1, [[0, 0], [my - 1, 0], [mx - 1, 0], [0, 0]]).dispose();
              f.dispose();
            })
          ));
          mine[i].push(time(() => {
            const { stride, top, left, dx } = c;
            convInputGrad(dys[i], ws[i], { stride, top, left, height: dx[1], width: dx[2] })!
              .dispose();
          }));
        });
      }
      const sum = (v: number[][]) => v.reduce((t, x) => t + median(x), 0);
      console.log(
        `tiny x${batch}: its ${calls.length} input gradients: XNNPACK's phase convolutions ` +
          `${ms(sum(xnn))} ms, convInputGrad ${ms(sum(mine))} ms: ` +
          `${(sum(xnn) / sum(mine)).toFixed(2)}x (medians of 200 rounds, summed); load average ` +
          `${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
      );
      calls.forEach((c, i) =>
        console.log(
          `  dy [${c.dy}] w [${c.w}] stride ${c.stride}: XNNPACK ${ms(median(xnn[i]))} ms, ` +
            `convInputGrad ${ms(median(mine[i]))} ms: ` +
            `${(median(xnn[i]) / median(mine[i])).toFixed(2)}x`,
        )
      );
      tf.dispose([...dys, ...ws, ...phases.flat()]);
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
