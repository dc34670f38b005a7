/**
 * The cpu and wasm implementation of the {@linkcode AdamUpdate} kernel: one loop over a
 * variable's values instead of the ~20 tfjs ops (and scalar uploads) of the composed update,
 * whose per-op overhead was a large share of a small model's training step. Importing this
 * module registers it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { AdamUpdate, type AdamUpdateAttrs, AdamUpdates } from "./kernel_names.ts";

/** What the kernel uses of a tfjs backend: read a tensor's values, write a new one. */
interface PlainBackend {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  write(values: Float32Array, shape: number[], dtype: "float32"): unknown;
}

function adamUpdate(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo[] {
  const backend = args.backend as PlainBackend;
  const { w, g, m, v } = args.inputs as Record<string, tf.TensorInfo>;
  const { lr, beta1, beta2, epsilon, weightDecay } = args.attrs as AdamUpdateAttrs;
  const read = (t: tf.TensorInfo) => backend.readSync(t.dataId) as Float32Array;
  const [wv, gv, mv, vv] = [read(w), read(g), read(m), read(v)];
  const n = wv.length;
  const w2 = new Float32Array(n), m2 = new Float32Array(n), v2 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const gi = gv[i] + weightDecay * wv[i];
    const mi = beta1 * mv[i] + (1 - beta1) * gi;
    const vi = beta2 * vv[i] + (1 - beta2) * gi * gi;
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = wv[i] - lr * (mi / (Math.sqrt(vi) + epsilon));
  }
  const out = (values: Float32Array): tf.TensorInfo => ({
    dataId: backend.write(values, w.shape, "float32") as object,
    shape: w.shape,
    dtype: "float32",
  });
  return [out(w2), out(m2), out(v2)];
}

/** {@linkcode AdamUpdates}: the loop above for each variable `i` (inputs `wi, gi, mi, vi`). */
function adamUpdates(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo[] {
  const n = Object.keys(args.inputs).length / 4;
  return Array.from({ length: n }, (_, i) => {
    const { [`w${i}`]: w, [`g${i}`]: g, [`m${i}`]: m, [`v${i}`]: v } = args.inputs;
    return adamUpdate({ ...args, inputs: { w, g, m, v } });
  }).flat();
}

for (const backendName of ["cpu", "wasm"]) {
  tf.registerKernel({ kernelName: AdamUpdate, backendName, kernelFunc: adamUpdate });
  tf.registerKernel({ kernelName: AdamUpdates, backendName, kernelFunc: adamUpdates });
}
