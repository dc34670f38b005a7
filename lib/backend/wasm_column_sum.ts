/**
 * `Sum` over leading axes on tfjs's wasm backend without a transpose: tfjs-backend-wasm moves
 * the reduced axes innermost with a `Transpose` and then sums each output's values in order;
 * a sum over the leading axes of `[R, C]` (a bias's gradient, `[2048, 32] -> [32]` in the tiny
 * preset: 0.2-0.3 ms of a training step) is the same sums, row after row in order, read
 * straight from the heap: bit-identical (float32 additions in the same order, checked in
 * `tests/backend_test.ts`), without the transposed copy. Importing this module registers the
 * kernel (replacing the stock registration); other sums run the stock kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { wrapStockWasmKernel } from "./_wrap_stock_kernel.ts";

/** What the kernel uses of the wasm backend: new outputs and views of the heap. */
interface Heap {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** The number of leading axes `axes` are (0, 1, ..., m - 1 in any order), else 0. */
function leadingAxes(axes: number[]): number {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  return sorted.every((a, i) => a === i) ? sorted.length : 0;
}

wrapStockWasmKernel(tf.Sum, (stockSum) => (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const m = leadingAxes(tf.util.parseAxisParam(axis, x.shape));
  // only a sum over some but not all axes, where the stock kernel transposes
  if (x.dtype !== "float32" || m === 0 || m === x.shape.length) {
    return stockSum(args);
  }
  const heap = args.backend as unknown as Heap;
  const rows = x.shape.slice(0, m).reduce((a, b) => a * b, 1);
  const cols = x.shape.slice(m).reduce((a, b) => a * b, 1);
  const shape = keepDims ? [...x.shape.slice(0, m).map(() => 1), ...x.shape.slice(m)] : x.shape
    .slice(m);
  const out = heap.makeOutput(shape, "float32");
  // views after the allocation (which may grow the heap)
  const xv = heap.typedArrayFromHeap(x), sums = heap.typedArrayFromHeap(out);
  // each sum from zero, the rows in order; a float32 store after each float64 addition of
  // two float32 values is the float32 addition (double rounding is exact at these widths)
  sums.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) sums[c] += xv[o + c];
  }
  return out;
});
