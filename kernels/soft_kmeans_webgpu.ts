/**
 * The webgpu implementations of the {@linkcode SoftKMeans} and {@linkcode SoftKMeansGrad}
 * kernels (WGSL programs run through `WebGPUBackend.runWebGPUProgram`; data stays on the GPU).
 * Importing this module registers them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { SoftKMeans, type SoftKMeansAttrs, SoftKMeansGrad } from "./kernel_names.ts";
import {
  type SoftKMeansDims,
  type SoftKMeansSplit,
  splitFor,
  xComponents,
} from "./_soft_kmeans_layout.ts";
import { SoftKMeansForwardProgram, SWEEP_WORKGROUP } from "./_soft_kmeans_forward_program.ts";
import { SoftKMeansBackwardProgram } from "./_soft_kmeans_backward_program.ts";
import { SoftKMeansInputGradProgram } from "./_soft_kmeans_input_grad_program.ts";
import { ExtractOutputsProgram } from "./_extract_outputs_program.ts";
import { SoftKMeansSplitProgram, type SplitPass } from "./_soft_kmeans_split_program.ts";
import {
  assignPass,
  centerPartialsSize,
  centersPass,
  centerSumsPass,
  distancePartialsSize,
  distancesPass,
  preparePass,
} from "./_soft_kmeans_split_forward_program.ts";
import {
  centerGradPartialsSize,
  centerGradsPass,
  centerGradSumsPass,
  initPass,
  massProjectionsPass,
  projectionsPass,
  softmaxGradPass,
} from "./_soft_kmeans_split_backward_program.ts";

/**
 * Largest K the WGSL kernels take (per-cluster values live in workgroup memory); larger K runs
 * the composed tfjs implementation instead.
 * @category kernels
 */
export const WEBGPU_MAX_CLUSTERS = 1024;

/**
 * Largest batch the WGSL kernels take (one workgroup per sample, one dispatch dimension).
 *
 * @category kernels
 */
export const WEBGPU_MAX_BATCH = 65535;

/**
 * tfjs flag: when the WGSL soft K-means kernels split each sample's channels and positions
 * over several workgroups (a pass per phase of each iteration, partial sums added by a
 * following pass) instead of running one workgroup per sample: `"auto"` (default: see
 * {@linkcode softKMeansSplitWanted}), `"always"` or `"never"`.
 *
 * @category kernels
 */
export const WEBGPU_SOFT_KMEANS_SPLIT = "AVSCENE_WEBGPU_SOFT_KMEANS_SPLIT";

/**
 * Invocations a split pass aims for: 128 threads on each of 128 compute units, what a
 * current GPU needs in flight to hide its memory latency.
 *
 * @category kernels
 */
export const WEBGPU_TARGET_INVOCATIONS = 128 * 128;

/**
 * Fewest input values B x N x D for which `"auto"` splits: below it a call is a few
 * microseconds of GPU work, and the split's extra dispatches (5 per iteration forward, 5
 * backward, instead of 1 in all) cost more than idle compute units do.
 *
 * @category kernels
 */
export const WEBGPU_SPLIT_MIN_VALUES = 4 * WEBGPU_TARGET_INVOCATIONS;

tf.env().registerFlag(WEBGPU_SOFT_KMEANS_SPLIT, () => "auto", (value) => {
  if (!["auto", "always", "never"].includes(value as string)) {
    throw new Error(`${WEBGPU_SOFT_KMEANS_SPLIT} must be auto, always or never, got ${value}`);
  }
});

/**
 * Whether `"auto"` splits a problem of `batch` x `positions` x `channels`: when one workgroup
 * of {@linkcode SWEEP_WORKGROUP} threads per sample falls short of
 * {@linkcode WEBGPU_TARGET_INVOCATIONS} and the input has at least
 * {@linkcode WEBGPU_SPLIT_MIN_VALUES} values (at the paper shape, N = 196 and D = 512, every
 * B from 1 to 127).
 *
 * @category kernels
 */
export function softKMeansSplitWanted(batch: number, positions: number, channels: number): boolean {
  return batch * SWEEP_WORKGROUP < WEBGPU_TARGET_INVOCATIONS &&
    batch * positions * channels >= WEBGPU_SPLIT_MIN_VALUES;
}

/** The split the WGSL kernels use for `dims` under the flag, or null for one workgroup per sample. */
function splitOf(dims: SoftKMeansDims): SoftKMeansSplit | null {
  const mode = tf.env().get(WEBGPU_SOFT_KMEANS_SPLIT);
  const wanted = mode === "always" ||
    (mode === "auto" && softKMeansSplitWanted(dims.batch, dims.positions, dims.channels));
  return wanted ? splitFor(dims, WEBGPU_TARGET_INVOCATIONS) : null;
}

/** Run one split pass; `into` is written in place (else a new output); returns the output. */
function runPass(
  backend: WebGPUBackend,
  dims: SoftKMeansDims,
  split: SoftKMeansSplit,
  pass: SplitPass,
  inputs: tf.TensorInfo[],
  uniforms: { beta: number; t: number },
  into?: tf.TensorInfo,
): tf.TensorInfo {
  return backend.runWebGPUProgram(
    new SoftKMeansSplitProgram(dims, split, pass),
    inputs,
    "float32",
    [{ type: "float32", data: [uniforms.beta] }, { type: "int32", data: [uniforms.t] }],
    into,
  );
}

/** A new float32 `[B, 4 * size / B]` buffer for vec4 partial sums. */
function partials(backend: WebGPUBackend, dims: SoftKMeansDims, size: number): tf.TensorInfo {
  return backend.makeTensorInfo([dims.batch, (4 * size) / dims.batch], "float32");
}

/** The split forward: the trace `[B, 4 * traceSize]`, as the per-sample program leaves it. */
function splitForward(
  backend: WebGPUBackend,
  x: tf.TensorInfo,
  dims: SoftKMeansDims,
  split: SoftKMeansSplit,
  beta: number,
): tf.TensorInfo {
  const xc = xComponents(dims);
  const trace = runPass(backend, dims, split, preparePass(dims, xc), [x], { beta, t: 0 });
  const distances = partials(backend, dims, distancePartialsSize(dims, split));
  const sums = partials(backend, dims, centerPartialsSize(dims, split));
  for (let t = 1; t <= dims.iterations; t++) {
    const u = { beta, t };
    runPass(backend, dims, split, distancesPass(dims, split), [trace], u, distances);
    runPass(backend, dims, split, assignPass(dims), [distances], u, trace);
    runPass(backend, dims, split, centerSumsPass(dims, split, xc), [x, trace], u, sums);
    runPass(backend, dims, split, centersPass(dims), [sums], u, trace);
  }
  backend.disposeData(distances.dataId);
  backend.disposeData(sums.dataId);
  return trace;
}

/** The split backward sweep `[B, 4 * sweepSize]`, as the per-sample program leaves it. */
function splitBackward(
  backend: WebGPUBackend,
  inputs: Record<string, tf.TensorInfo>,
  dims: SoftKMeansDims,
  split: SoftKMeansSplit,
  beta: number,
): tf.TensorInfo {
  const { x, trace, dCenters, dAssignments } = inputs;
  const xc = xComponents(dims);
  const sweep = runPass(backend, dims, split, initPass(dims), [dCenters], { beta, t: 0 });
  const gu = partials(backend, dims, distancePartialsSize(dims, split));
  const sums = partials(backend, dims, centerGradPartialsSize(dims, split));
  for (let t = dims.iterations; t >= 1; t--) {
    const u = { beta, t };
    runPass(backend, dims, split, projectionsPass(dims, split, gu.shape), [trace, sweep], u, gu);
    runPass(backend, dims, split, massProjectionsPass(dims), [trace, gu], u, sweep);
    runPass(backend, dims, split, softmaxGradPass(dims), [trace, gu, dAssignments], u, sweep);
    runPass(backend, dims, split, centerGradSumsPass(dims, split, xc), [x, trace, sweep], u, sums);
    runPass(backend, dims, split, centerGradsPass(dims), [sums], u, sweep);
  }
  backend.disposeData(gu.dataId);
  backend.disposeData(sums.dataId);
  return sweep;
}

function dimsOf(x: tf.TensorInfo, attrs: SoftKMeansAttrs): SoftKMeansDims {
  const [batch, positions, channels] = x.shape;
  return { batch, positions, channels, clusters: attrs.k, iterations: attrs.iterations };
}

function forwardKernel(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as SoftKMeansAttrs;
  const dims = dimsOf(x, attrs);
  const beta = [{ type: "float32", data: [attrs.beta] }];
  const split = splitOf(dims);
  const trace = split
    ? splitForward(backend, x, dims, split, attrs.beta)
    : backend.runWebGPUProgram(new SoftKMeansForwardProgram(dims), [x], "float32", beta);
  const centers = backend.runWebGPUProgram(
    new ExtractOutputsProgram(dims, "centers"),
    [trace],
    "float32",
  );
  const assignments = backend.runWebGPUProgram(
    new ExtractOutputsProgram(dims, "assignments"),
    [trace],
    "float32",
  );
  return [centers, assignments, trace];
}

function gradKernel(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as WebGPUBackend;
  const { x, trace, dCenters, dAssignments } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as SoftKMeansAttrs;
  const dims = dimsOf(x, attrs);
  const split = splitOf(dims);
  const sweep = split
    ? splitBackward(backend, { x, trace, dCenters, dAssignments }, dims, split, attrs.beta)
    : backend.runWebGPUProgram(
      new SoftKMeansBackwardProgram(dims),
      [x, trace, dCenters, dAssignments],
      "float32",
      [{ type: "float32", data: [attrs.beta] }],
    );
  const dx = backend.runWebGPUProgram(
    new SoftKMeansInputGradProgram(dims),
    [x, trace, sweep],
    "float32",
    [{ type: "int32", data: [dims.batch] }],
  );
  backend.disposeData(sweep.dataId);
  return dx;
}

tf.registerKernel({ kernelName: SoftKMeans, backendName: "webgpu", kernelFunc: forwardKernel });
tf.registerKernel({ kernelName: SoftKMeansGrad, backendName: "webgpu", kernelFunc: gradKernel });
