/**
 * The {@linkcode SoftKMeans} and {@linkcode SoftKMeansGrad} kernels of tfjs's wasm backend in
 * wasm SIMD (`_soft_kmeans_simd.wat`): the plain kernels' loops and float64 arithmetic, the
 * loops over the D features two float64 lanes at a time, on the backend's own heap (no copy
 * of the input, the trace or the outputs; each sample's x is read once into a float64 scratch
 * copy per call). The plain JavaScript kernels took 8 ms of a 65 ms
 * tiny-preset training step (batch 8) in `bench/train_profile.ts`. D not a multiple of 4 runs
 * the plain kernels. Same trace layout as the plain kernels. Importing this module registers
 * the kernels on `wasm` (replacing the plain ones).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { SoftKMeans, type SoftKMeansAttrs, SoftKMeansGrad } from "./kernel_names.ts";
import { MIN_MASS, MIN_SQUARED_DISTANCE } from "./_soft_kmeans_layout.ts";
import { type KernelArgs, softKMeansGradPlain, softKMeansPlain } from "./soft_kmeans_plain.ts";
import { SOFT_KMEANS_SIMD } from "./_soft_kmeans_simd_wasm.ts";
import { heapModule, heapOffset, replaceWasmKernel, type WasmHeapBackend } from "./_wasm_heap.ts";

/** The exports of `_soft_kmeans_simd.wat`. */
interface SimdExports {
  softKMeans(
    x: number,
    centers: number,
    assignments: number,
    trace: number,
    b: number,
    n: number,
    d: number,
    k: number,
    t: number,
    beta: number,
    minSquaredDistance: number,
    minMass: number,
    scratch: number,
  ): void;
  softKMeansGrad(
    x: number,
    trace: number,
    dCenters: number,
    dAssignments: number,
    dx: number,
    b: number,
    n: number,
    d: number,
    k: number,
    t: number,
    beta: number,
    minMass: number,
    scratch: number,
  ): void;
}

const simd = heapModule<SimdExports>(SOFT_KMEANS_SIMD);

/** Floats of one sample's trace (as the plain kernels' `traceOffsets`). */
const traceSize = (n: number, d: number, k: number, t: number) =>
  (t + 1) * k * d + 2 * t * k * n + t * k;

function softKMeansSimd(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmHeapBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const { k, iterations: t, beta } = args.attrs as unknown as SoftKMeansAttrs;
  const [b, n, d] = x.shape;
  const kernels = simd.on(backend);
  if (kernels === null || d % 4 !== 0 || b * n === 0) return softKMeansPlain(args);
  const centers = backend.makeOutput([b, k, d], "float32");
  const assignments = backend.makeOutput([b, k, n], "float32");
  const trace = backend.makeOutput([b, traceSize(n, d, k, t)], "float32");
  const scratch = backend.wasm._malloc(8 * (n * d + n + 2 * k * d + 2 * k * n + k));
  try {
    kernels.softKMeans(
      heapOffset(backend, x),
      heapOffset(backend, centers),
      heapOffset(backend, assignments),
      heapOffset(backend, trace),
      b,
      n,
      d,
      k,
      t,
      beta,
      MIN_SQUARED_DISTANCE,
      MIN_MASS,
      scratch,
    );
  } finally {
    backend.wasm._free(scratch);
  }
  return [centers, assignments, trace];
}

function softKMeansGradSimd(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmHeapBackend;
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const { k, iterations: t, beta } = args.attrs as unknown as SoftKMeansAttrs;
  const [b, n, d] = inputs.x.shape;
  const kernels = simd.on(backend);
  if (kernels === null || d % 4 !== 0 || b * n === 0) return softKMeansGradPlain(args);
  const dx = backend.makeOutput([b, n, d], "float32");
  const scratch = backend.wasm._malloc(8 * (4 * k * d + k + k * n + 2 * n * d));
  try {
    kernels.softKMeansGrad(
      heapOffset(backend, inputs.x),
      heapOffset(backend, inputs.trace),
      heapOffset(backend, inputs.dCenters),
      heapOffset(backend, inputs.dAssignments),
      heapOffset(backend, dx),
      b,
      n,
      d,
      k,
      t,
      beta,
      MIN_MASS,
      scratch,
    );
  } finally {
    backend.wasm._free(scratch);
  }
  return dx;
}

replaceWasmKernel(SoftKMeans, softKMeansSimd);
replaceWasmKernel(SoftKMeansGrad, softKMeansGradSimd as unknown as tf.KernelFunc);
