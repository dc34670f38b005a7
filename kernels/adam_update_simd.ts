/**
 * The {@linkcode AdamUpdate} and {@linkcode AdamUpdates} kernels of tfjs's wasm backend in wasm
 * SIMD (`_adam_update_simd.wat`) on the backend's own heap: the plain kernel's float64
 * arithmetic two values at a time, bit-identical to it, without copying the four inputs out of
 * the heap and the three outputs back in (the plain kernel's reads and writes were most of the
 * optimiser's 1 ms of a tiny-preset training step in `bench/train_profile.ts`). Importing this
 * module registers both kernels on `wasm` (replacing the plain registrations).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { AdamUpdate, type AdamUpdateAttrs, AdamUpdates } from "./kernel_names.ts";
import "./adam_update_plain.ts";
import { ADAM_UPDATE_SIMD } from "./_adam_update_simd_wasm.ts";
import { heapModule, heapOffset, replaceWasmKernel, type WasmHeapBackend } from "./_wasm_heap.ts";

/** The export of `_adam_update_simd.wat`. */
interface SimdExports {
  adamUpdate(
    w: number,
    g: number,
    m: number,
    v: number,
    w2: number,
    m2: number,
    v2: number,
    n: number,
    lr: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    epsilon: number,
    weightDecay: number,
  ): void;
}

const simd = heapModule<SimdExports>(ADAM_UPDATE_SIMD);

/** tfjs's kernel arguments. */
interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Update `groups` of `[w, g, m, v]`; outputs `[w', m', v']` of each, in order. */
function update(args: KernelArgs, groups: tf.TensorInfo[][]): tf.TensorInfo[] {
  const backend = args.backend as WasmHeapBackend;
  const kernels = simd.on(backend);
  if (kernels === null) throw new Error(`${AdamUpdates}: needs tfjs's wasm backend`);
  const { lr, beta1, beta2, epsilon, weightDecay } = args.attrs as AdamUpdateAttrs;
  return groups.flatMap(([w, g, m, v]) => {
    const out = [w, m, v].map(() => backend.makeOutput(w.shape, "float32"));
    const at = (t: tf.TensorInfo) => heapOffset(backend, t);
    kernels.adamUpdate(
      at(w),
      at(g),
      at(m),
      at(v),
      at(out[0]),
      at(out[1]),
      at(out[2]),
      w.shape.reduce((a, b) => a * b, 1),
      lr,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      epsilon,
      weightDecay,
    );
    return out;
  });
}

replaceWasmKernel(AdamUpdate, (args) => {
  const { w, g, m, v } = args.inputs as Record<string, tf.TensorInfo>;
  return update(args, [[w, g, m, v]]);
});
replaceWasmKernel(AdamUpdates, (args) => {
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const n = Object.keys(inputs).length / 4;
  return update(
    args,
    Array.from({ length: n }, (_, i) => ["w", "g", "m", "v"].map((k) => inputs[`${k}${i}`])),
  );
});
