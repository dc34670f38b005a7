/**
 * The cpu and wasm implementation of the {@linkcode FeatureNorm} and
 * {@linkcode FeatureNormGrad} kernels: a few loops over the feature map (float64 sums) instead
 * of the ~10 tfjs ops forward and ~15 backward of the composed normalisation, affine and ReLU,
 * whose per-op overhead dominated small feature maps. Importing this module registers them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FeatureNorm, type FeatureNormAttrs, FeatureNormGrad } from "./kernel_names.ts";

/** What the kernels use of a tfjs backend: read a tensor's values, write a new one. */
interface PlainBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  write(values: Float32Array, shape: number[], dtype: "float32"): unknown;
}

/**
 * A `[B, H, W, C]` map as `[outer, middle, groups, width]` in memory order, each normalised
 * set being (outer, group) over middle x width: per position (`groups = 0`: outer `B H W`,
 * middle 1, one group of `C`) or per sample and channel group (outer `B`, middle `H W`).
 * `sets = outer * groups`.
 */
function layout(shape: number[], groups: number) {
  const [b, h, w, c] = shape;
  return groups === 0
    ? { outer: b * h * w, middle: 1, groups: 1, width: c, sets: b * h * w }
    : { outer: b, middle: h * w, groups, width: c / groups, sets: b * groups };
}

/**
 * The arguments tfjs passes a kernel function.
 *
 * @category kernels
 */
export type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
};

function out(backend: PlainBackend, values: Float32Array, shape: number[]): tf.TensorInfo {
  return { dataId: backend.write(values, shape, "float32") as object, shape, dtype: "float32" };
}

/**
 * The plain {@linkcode FeatureNorm} kernel function: outputs `[y, xhat, inv]`.
 *
 * @category kernels
 */
export function featureNormPlain(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as PlainBackend;
  const { x, gamma, beta } = args.inputs as Record<string, tf.TensorInfo>;
  const { epsilon, relu } = args.attrs as FeatureNormAttrs;
  const read = (t: tf.TensorInfo) => backend.readSync(t.dataId) as Float32Array;
  const [xv, gv, bv] = [read(x), read(gamma), read(beta)];
  const { outer, middle, groups, width, sets } = layout(x.shape, args.attrs!.groups as number);
  const count = middle * width, n = xv.length;
  const mean = new Float64Array(sets), inv = new Float32Array(sets);
  // sums over each set in memory order: i = ((o middle + m) groups + g) width + j
  for (let o = 0, i = 0; o < outer; o++) {
    for (let m = 0; m < middle; m++) {
      for (let g = 0; g < groups; g++) {
        let s = 0;
        for (let j = 0; j < width; j++) s += xv[i++];
        mean[o * groups + g] += s;
      }
    }
  }
  for (let s = 0; s < sets; s++) mean[s] /= count;
  const sq = new Float64Array(sets);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let m = 0; m < middle; m++) {
      for (let g = 0; g < groups; g++) {
        const mu = mean[o * groups + g];
        let s = 0;
        for (let j = 0; j < width; j++) {
          const d = xv[i++] - mu;
          s += d * d;
        }
        sq[o * groups + g] += s;
      }
    }
  }
  for (let s = 0; s < sets; s++) inv[s] = 1 / Math.sqrt(sq[s] / count + epsilon);
  const xhat = new Float32Array(n), y = new Float32Array(n);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let m = 0; m < middle; m++) {
      for (let g = 0; g < groups; g++) {
        const set = o * groups + g, mu = mean[set], iv = inv[set];
        for (let j = 0, ch = g * width; j < width; j++, ch++, i++) {
          const v = (xv[i] - mu) * iv;
          xhat[i] = v;
          const a = v * gv[ch] + bv[ch];
          // a multiply, not a branch (random signs mispredict); + 0 turns -0 into 0 as max(a, 0)
          y[i] = relu ? a * +(a > 0) + 0 : a;
        }
      }
    }
  }
  return [out(backend, y, x.shape), out(backend, xhat, x.shape), out(backend, inv, [sets])];
}

/**
 * The plain {@linkcode FeatureNormGrad} kernel function: outputs `[dx, dgamma, dbeta]`
 * (`dgamma` and `dbeta` in `gamma`'s shape).
 *
 * @category kernels
 */
export function featureNormGradPlain(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as PlainBackend;
  const { dy, y, xhat, inv, gamma } = args.inputs as Record<string, tf.TensorInfo>;
  const { relu } = args.attrs as FeatureNormAttrs;
  const read = (t: tf.TensorInfo) => backend.readSync(t.dataId) as Float32Array;
  const [dyv, yv, xh, iv, gv] = [read(dy), read(y), read(xhat), read(inv), read(gamma)];
  const { outer, middle, groups, width, sets } = layout(dy.shape, args.attrs!.groups as number);
  const c = groups * width, count = middle * width, n = dyv.length;
  // g = dy through the ReLU (its gradient is 0 where the output is 0, as tfjs's step(x));
  // dbeta = Σ g, dgamma = Σ g xhat, dxhat = g gamma; per set the sums of dxhat, dxhat xhat
  const dxhat = new Float32Array(n);
  const dgamma = new Float64Array(c), dbeta = new Float64Array(c);
  const sumD = new Float64Array(sets), sumDX = new Float64Array(sets);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let m = 0; m < middle; m++) {
      for (let g = 0; g < groups; g++) {
        let sd = 0, sdx = 0;
        for (let j = 0, ch = g * width; j < width; j++, ch++, i++) {
          const gi = relu ? dyv[i] * +(yv[i] > 0) : dyv[i];
          const x = xh[i];
          dbeta[ch] += gi;
          dgamma[ch] += gi * x;
          const d = gi * gv[ch];
          dxhat[i] = d;
          sd += d;
          sdx += d * x;
        }
        sumD[o * groups + g] += sd;
        sumDX[o * groups + g] += sdx;
      }
    }
  }
  // dx = inv (dxhat - mean(dxhat) - xhat mean(dxhat xhat))
  const dx = new Float32Array(n);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let m = 0; m < middle; m++) {
      for (let g = 0; g < groups; g++) {
        const set = o * groups + g, ivs = iv[set];
        const md = sumD[set] / count, mdx = sumDX[set] / count;
        for (let j = 0; j < width; j++, i++) dx[i] = ivs * (dxhat[i] - md - xh[i] * mdx);
      }
    }
  }
  return [
    out(backend, dx, dy.shape),
    out(backend, Float32Array.from(dgamma), gamma.shape),
    out(backend, Float32Array.from(dbeta), gamma.shape),
  ];
}

/** The backends with these kernels. */
export const FEATURE_NORM_BACKENDS = ["cpu", "wasm"] as const;

for (const backendName of FEATURE_NORM_BACKENDS) {
  tf.registerKernel({ kernelName: FeatureNorm, backendName, kernelFunc: featureNormPlain });
  tf.registerKernel({ kernelName: FeatureNormGrad, backendName, kernelFunc: featureNormGradPlain });
}
