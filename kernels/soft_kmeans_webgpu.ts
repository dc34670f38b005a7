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
import type { SoftKMeansDims } from "./_soft_kmeans_layout.ts";
import { SoftKMeansForwardProgram } from "./_soft_kmeans_forward_program.ts";
import { SoftKMeansBackwardProgram } from "./_soft_kmeans_backward_program.ts";
import { SoftKMeansInputGradProgram } from "./_soft_kmeans_input_grad_program.ts";
import { ExtractOutputsProgram } from "./_extract_outputs_program.ts";

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
  const trace = backend.runWebGPUProgram(new SoftKMeansForwardProgram(dims), [x], "float32", beta);
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
  const sweep = backend.runWebGPUProgram(
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
