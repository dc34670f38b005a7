/**
 * The cpu and wasm implementations of the {@linkcode SoftKMeans} and {@linkcode SoftKMeansGrad}
 * kernels: plain loops over each sample (float64 arithmetic, float32 results), forward and a
 * hand-written backward pass through all T iterations. One kernel call replaces the ~30 tfjs
 * ops per iteration (and their tape and gradient ops) of the composed implementation, whose
 * per-op overhead dominated a tiny-preset training step on wasm. Importing this module
 * registers them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { SoftKMeans, type SoftKMeansAttrs, SoftKMeansGrad } from "./kernel_names.ts";
import { MIN_MASS, MIN_SQUARED_DISTANCE } from "./_soft_kmeans_layout.ts";

/**
 * The backends the plain kernels are registered on.
 *
 * @category kernels
 */
export const PLAIN_BACKENDS = ["cpu", "wasm"] as const;

/** What the kernels use of a tfjs backend: read a tensor's values, write a new one. */
interface PlainBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  write(values: Float32Array, shape: number[], dtype: "float32"): unknown;
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

function output(backend: PlainBackend, values: Float32Array, shape: number[]): tf.TensorInfo {
  return { dataId: backend.write(values, shape, "float32") as object, shape, dtype: "float32" };
}

function read(backend: PlainBackend, t: tf.TensorInfo): Float32Array {
  return backend.readSync(t.dataId) as Float32Array;
}

/**
 * One iteration for sample `x` (`[N, D]` at offset `xo`): from centers `o` (`[K, D]`) the
 * distances `dist` (`[K, N]`, with `clamped` marking d^2 below the floor), assignments `c`
 * (`[K, N]`), raw masses `mass` (`[K]`) and the new centers `next` (`[K, D]`).
 */
function iterate(
  x: Float32Array,
  xo: number,
  xsq: Float64Array,
  o: Float64Array,
  n: number,
  d: number,
  k: number,
  beta: number,
  out: { dist: Float64Array; clamped: Uint8Array; c: Float64Array; mass: Float64Array },
  next: Float64Array,
): void {
  const { dist, clamped, c, mass } = out;
  for (let j = 0; j < k; j++) {
    let osq = 0;
    for (let e = 0; e < d; e++) osq += o[j * d + e] * o[j * d + e];
    for (let p = 0; p < n; p++) {
      let dot = 0;
      const xp = xo + p * d;
      for (let e = 0; e < d; e++) dot += o[j * d + e] * x[xp + e];
      const sq = osq - 2 * dot + xsq[p];
      clamped[j * n + p] = sq < MIN_SQUARED_DISTANCE ? 1 : 0;
      dist[j * n + p] = Math.sqrt(Math.max(sq, MIN_SQUARED_DISTANCE));
    }
  }
  for (let p = 0; p < n; p++) {
    let top = -Infinity;
    for (let j = 0; j < k; j++) top = Math.max(top, -beta * dist[j * n + p]);
    let z = 0;
    for (let j = 0; j < k; j++) {
      const v = Math.exp(-beta * dist[j * n + p] - top);
      c[j * n + p] = v;
      z += v;
    }
    for (let j = 0; j < k; j++) c[j * n + p] /= z;
  }
  next.fill(0);
  for (let j = 0; j < k; j++) {
    let m = 0;
    for (let p = 0; p < n; p++) {
      const w = c[j * n + p];
      m += w;
      const xp = xo + p * d;
      for (let e = 0; e < d; e++) next[j * d + e] += w * x[xp + e];
    }
    mass[j] = m;
    const den = Math.max(m, MIN_MASS);
    for (let e = 0; e < d; e++) next[j * d + e] /= den;
  }
}

function squaredNorms(x: Float32Array, xo: number, n: number, d: number): Float64Array {
  const xsq = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let s = 0;
    for (let e = 0; e < d; e++) s += x[xo + p * d + e] * x[xo + p * d + e];
    xsq[p] = s;
  }
  return xsq;
}

function workspace(n: number, k: number) {
  return {
    dist: new Float64Array(k * n),
    clamped: new Uint8Array(k * n),
    c: new Float64Array(k * n),
    mass: new Float64Array(k),
  };
}

/**
 * Per-sample trace layout (floats): the centers o^0..o^T (`(T+1) K D`), then per iteration the
 * assignments c^t (`T K N`), the distances (`T K N`, negated where d^2 was below the floor, so
 * no gradient flows there) and the masses sum_n c_kn (`T K`): everything the backward pass
 * needs, so it does not recompute the iterations.
 */
function traceOffsets(n: number, d: number, k: number, t: number) {
  const c = (t + 1) * k * d, dist = c + t * k * n, mass = dist + t * k * n;
  return { c, dist, mass, size: mass + t * k };
}

/**
 * Forward kernel: outputs `[centers [B, K, D], assignments [B, K, N], trace [B, size]]` (see
 * {@linkcode traceOffsets}).
 *
 * @category kernels
 */
export function softKMeansPlain(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as PlainBackend;
  const xInfo = args.inputs.x as tf.TensorInfo;
  const { k, iterations: t, beta } = args.attrs as SoftKMeansAttrs;
  const [b, n, d] = xInfo.shape;
  const x = read(backend, xInfo);
  const at = traceOffsets(n, d, k, t);
  const centers = new Float32Array(b * k * d);
  const assignments = new Float32Array(b * k * n);
  const trace = new Float32Array(b * at.size);
  const ws = workspace(n, k);
  let o = new Float64Array(k * d), next = new Float64Array(k * d);
  for (let s = 0; s < b; s++) {
    const xo = s * n * d, to = s * at.size;
    const xsq = squaredNorms(x, xo, n, d);
    for (let j = 0; j < k; j++) {
      const p = Math.floor((j * n) / k);
      for (let e = 0; e < d; e++) o[j * d + e] = x[xo + p * d + e];
    }
    for (let it = 0; it < t; it++) {
      trace.set(o, to + it * k * d); // o^it, rounded to float32 as the kernel's input
      for (let i = 0; i < k * d; i++) o[i] = trace[to + it * k * d + i];
      iterate(x, xo, xsq, o, n, d, k, beta, ws, next);
      trace.set(ws.c, to + at.c + it * k * n);
      const distAt = to + at.dist + it * k * n;
      for (let i = 0; i < k * n; i++) trace[distAt + i] = ws.clamped[i] ? -ws.dist[i] : ws.dist[i];
      trace.set(ws.mass, to + at.mass + it * k);
      [o, next] = [next, o];
    }
    trace.set(o, to + t * k * d);
    centers.set(o, s * k * d);
    assignments.set(ws.c, s * k * n);
  }
  return [
    output(backend, centers, [b, k, d]),
    output(backend, assignments, [b, k, n]),
    output(backend, trace, [b, at.size]),
  ];
}

/**
 * Gradient kernel: dL/dx `[B, N, D]` from dL/d(centers) and dL/d(assignments), back through
 * the T iterations (softmax, distance floor and mass floor as the composed implementation's
 * autodiff treats them) to the initial centers, which are copies of positions floor(j N / K).
 *
 * @category kernels
 */
export function softKMeansGradPlain(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as PlainBackend;
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const { k, iterations: t, beta } = args.attrs as SoftKMeansAttrs;
  const [b, n, d] = inputs.x.shape;
  const x = read(backend, inputs.x);
  const trace = read(backend, inputs.trace);
  const dCenters = read(backend, inputs.dCenters);
  const dAssignments = read(backend, inputs.dAssignments);
  const dx = new Float32Array(b * n * d);
  const at = traceOffsets(n, d, k, t);
  const gO = new Float64Array(k * d), gOPrev = new Float64Array(k * d);
  const gNum = new Float64Array(k * d), gMass = new Float64Array(k);
  const gc = new Float64Array(k * n), gx = new Float64Array(n * d);
  for (let s = 0; s < b; s++) {
    const xo = s * n * d, to = s * at.size;
    gx.fill(0);
    for (let i = 0; i < k * d; i++) gO[i] = dCenters[s * k * d + i];
    for (let it = t - 1; it >= 0; it--) {
      const o = trace.subarray(to + it * k * d, to + (it + 1) * k * d);
      const next = trace.subarray(to + (it + 1) * k * d, to + (it + 2) * k * d);
      const c = trace.subarray(to + at.c + it * k * n, to + at.c + (it + 1) * k * n);
      const dist = trace.subarray(to + at.dist + it * k * n, to + at.dist + (it + 1) * k * n);
      const mass = trace.subarray(to + at.mass + it * k, to + at.mass + (it + 1) * k);
      // next_j = num_j / max(mass_j, MIN_MASS), num_j = sum_p c_jp x_p, mass_j = sum_p c_jp
      for (let j = 0; j < k; j++) {
        const den = Math.max(mass[j], MIN_MASS);
        let dot = 0;
        for (let e = 0; e < d; e++) {
          gNum[j * d + e] = gO[j * d + e] / den;
          dot += gO[j * d + e] * next[j * d + e];
        }
        gMass[j] = mass[j] >= MIN_MASS ? -dot / den : 0;
      }
      // dL/dc_jp, and the x_p term of num
      for (let j = 0; j < k; j++) {
        for (let p = 0; p < n; p++) {
          const xp = xo + p * d;
          let g = gMass[j];
          for (let e = 0; e < d; e++) {
            g += gNum[j * d + e] * x[xp + e];
            gx[p * d + e] += c[j * n + p] * gNum[j * d + e];
          }
          gc[j * n + p] = g + (it === t - 1 ? dAssignments[s * k * n + j * n + p] : 0);
        }
      }
      // softmax over j of -beta dist, square root, floor, then d^2 = |o|^2 - 2 o.x + |x|^2
      gOPrev.fill(0);
      for (let p = 0; p < n; p++) {
        let cg = 0;
        for (let j = 0; j < k; j++) cg += c[j * n + p] * gc[j * n + p];
        const xp = xo + p * d;
        for (let j = 0; j < k; j++) {
          if (dist[j * n + p] < 0) continue; // d^2 below the floor: no gradient
          const gz = c[j * n + p] * (gc[j * n + p] - cg);
          const gsq = (-beta * gz) / (2 * dist[j * n + p]);
          for (let e = 0; e < d; e++) {
            const diff = o[j * d + e] - x[xp + e];
            gOPrev[j * d + e] += 2 * gsq * diff;
            gx[p * d + e] -= 2 * gsq * diff;
          }
        }
      }
      gO.set(gOPrev);
    }
    for (let j = 0; j < k; j++) {
      const p = Math.floor((j * n) / k);
      for (let e = 0; e < d; e++) gx[p * d + e] += gO[j * d + e];
    }
    dx.set(gx, xo);
  }
  return output(backend, dx, [b, n, d]);
}

for (const backendName of PLAIN_BACKENDS) {
  tf.registerKernel({ kernelName: SoftKMeans, backendName, kernelFunc: softKMeansPlain });
  tf.registerKernel({ kernelName: SoftKMeansGrad, backendName, kernelFunc: softKMeansGradPlain });
}
