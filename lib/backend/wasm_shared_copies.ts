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
import { wrapStockWasmKernel } from "./_wrap_stock_kernel.ts";

/** The part of the wasm backend the kernels use: its reference count of a buffer. */
interface RefCounted {
  incRef(dataId: unknown): void;
}

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

wrapStockWasmKernel(
  tf.Identity,
  () => ({ inputs, backend }) => share(inputs.x as tf.TensorInfo, backend),
);
wrapStockWasmKernel(tf.Cast, (stockCast) => (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  return x.dtype === (args.attrs as { dtype: string }).dtype
    ? share(x, args.backend)
    : stockCast(args);
});
