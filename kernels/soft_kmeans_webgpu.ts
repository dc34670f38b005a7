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
import { type SoftKMeansDims, traceLayout } from "./_soft_kmeans_layout.ts";
import { SoftKMeansForwardProgram } from "./_soft_kmeans_forward_program.ts";
import { SoftKMeansBackwardProgram } from "./_soft_kmeans_backward_program.ts";
import { SoftKMeansInputGradProgram } from "./_soft_kmeans_input_grad_program.ts";
import { SliceRowsProgram } from "./_slice_rows_program.ts";
import { TransposePositionsProgram } from "./_transpose_positions_program.ts";

/**
 * Largest K the WGSL kernels take (per-cluster values live in workgroup memory); larger K runs
 * the composed tfjs implementation instead.
 */
export const WEBGPU_MAX_CLUSTERS = 1024;

/** Largest batch the WGSL kernels take (one workgroup per sample, one dispatch dimension). */
export const WEBGPU_MAX_BATCH = 65535;

function dimsOf(x: tf.TensorInfo, attrs: SoftKMeansAttrs): SoftKMeansDims {
  const [batch, positions, channels] = x.shape;
  return { batch, positions, channels, clusters: attrs.k, iterations: attrs.iterations };
}

function transposePositions(
  backend: WebGPUBackend,
  x: tf.TensorInfo,
  dims: SoftKMeansDims,
): tf.TensorInfo {
  return backend.runWebGPUProgram(
    new TransposePositionsProgram(dims.batch, dims.positions, dims.channels),
    [x],
    "float32",
  );
}

function forwardKernel(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as SoftKMeansAttrs;
  const dims = dimsOf(x, attrs);
  const layout = traceLayout(dims);
  const beta = [{ type: "float32", data: [attrs.beta] }];
  const xT = transposePositions(backend, x, dims);
  const trace = backend.runWebGPUProgram(
    new SoftKMeansForwardProgram(dims),
    [x, xT],
    "float32",
    beta,
  );
  backend.disposeData(xT.dataId);
  const { batch: b, positions: n, channels: d, clusters: k, iterations: t } = dims;
  const centers = backend.runWebGPUProgram(
    new SliceRowsProgram(b, [k, d], layout.size, layout.centers + t * k * d),
    [trace],
    "float32",
  );
  const assignments = backend.runWebGPUProgram(
    new SliceRowsProgram(b, [k, n], layout.size, layout.assignments + (t - 1) * k * n),
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
  const xT = transposePositions(backend, x, dims);
  const sweep = backend.runWebGPUProgram(
    new SoftKMeansBackwardProgram(dims),
    [x, xT, trace, dCenters, dAssignments],
    "float32",
    [{ type: "float32", data: [attrs.beta] }],
  );
  backend.disposeData(xT.dataId);
  const dx = backend.runWebGPUProgram(
    new SoftKMeansInputGradProgram(dims),
    [x, trace, sweep],
    "float32",
  );
  backend.disposeData(sweep.dataId);
  return dx;
}

tf.registerKernel({ kernelName: SoftKMeans, backendName: "webgpu", kernelFunc: forwardKernel });
tf.registerKernel({ kernelName: SoftKMeansGrad, backendName: "webgpu", kernelFunc: gradKernel });
