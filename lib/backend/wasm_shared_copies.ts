/**
 * Copy-free `Identity` and same-dtype `Cast` on tfjs's wasm backend. Its stock kernels copy the
 * tensor into a new heap allocation; tfjs runs `Identity` on every tensor it saves for the
 * backward pass (about 200 per tiny-preset training step). Tensors are immutable and the wasm
 * backend counts references to its buffers (its `Reshape` already shares the input's buffer),
 * so both kernels can return the input's buffer with one more reference, as tfjs's cpu backend
 * does. A `Cast` to another dtype still runs the stock kernel. Importing this module registers
 * them (replacing the stock registrations).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

/** The part of the wasm backend the kernels use: its reference count of a buffer. */
interface RefCounted {
  incRef(dataId: unknown): void;
}

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const stockCast = tf.getKernel(tf.Cast, "wasm");
if (stockCast === undefined) throw new Error("tfjs-backend-wasm registers no Cast kernel");

for (const name of [tf.Identity, tf.Cast]) {
  if (tf.getKernel(name, "wasm") !== undefined) tf.unregisterKernel(name, "wasm");
}
tf.registerKernel({
  kernelName: tf.Identity,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => share(inputs.x as tf.TensorInfo, backend),
});
tf.registerKernel({
  kernelName: tf.Cast,
  backendName: "wasm",
  kernelFunc: (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === (args.attrs as { dtype: string }).dtype
      ? share(x, args.backend)
      : stockCast.kernelFunc(args);
  },
});
