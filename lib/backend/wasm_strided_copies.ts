/**
 * `Concat`, `Slice` and `SplitV` on tfjs's wasm backend as plain copy loops over views of the
 * heap. The stock kernels run in JS too, but copy each innermost row with a new `subarray` and
 * a `set`, and `Slice` (which `SplitV` runs per part) first copies its whole input out of the
 * heap (`readSync`). For a channel concatenation (the separation U-Net's skip connections,
 * `[8, 64, 16, 32]` and `[8, 64, 16, 16]` along the channels) that is one `subarray` per pixel
 * and input, and its gradient (`SplitV`) copies the whole upstream gradient once per part:
 * 0.5-1% of a quick reproduce's CPU, and garbage for the collector. The loops here copy the
 * same 32-bit patterns (through `Int32Array` views, so float32 values, NaN payloads included,
 * are moved bit for bit) to the same places: the outputs are identical (`tests/backend_test.ts`
 * compares them with the stock kernels'). Importing this module registers the kernels
 * (replacing the stock registrations); other dtypes, empty tensors and ranks above 4 run the
 * stock kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { wrapStockWasmKernel } from "./_wrap_stock_kernel.ts";

/** What the kernels use of the wasm backend: new outputs and views of the heap. */
interface Heap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

/** Rows at least this long are copied with `set` (a memmove), shorter ones element by element. */
const SET_ROW = 64;

/** The tensor's 32-bit patterns on the heap (a view: take it after the last allocation). */
function bits(heap: Heap, t: tf.TensorInfo): Int32Array {
  const v = heap.typedArrayFromHeap(t);
  return new Int32Array(v.buffer, v.byteOffset, v.length);
}

/** The dtypes whose elements are 32-bit patterns on the heap. */
function fourBytes(dtype: tf.DataType): boolean {
  return dtype === "float32" || dtype === "int32";
}

/** Copy `n` values from `src[from..]` to `dst[to..]`. */
function copyRow(dst: Int32Array, to: number, src: Int32Array, from: number, n: number): void {
  if (n >= SET_ROW) {
    dst.set(src.subarray(from, from + n), to);
    return;
  }
  for (let e = 0; e < n; e++) dst[to + e] = src[from + e];
}

/**
 * The block of `x` at `begin` of `size` (rank 1-4) into a new output, or undefined where the
 * stock kernel should run.
 */
function sliceInto(
  heap: Heap,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo | undefined {
  const rank = x.shape.length;
  if (!fourBytes(x.dtype) || rank < 1 || rank > 4 || tf.util.sizeFromShape(size) === 0) {
    return undefined;
  }
  const out = heap.makeOutput(size, x.dtype);
  const src = bits(heap, x), dst = bits(heap, out);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    // one block: one copy from the heap (the stock kernel copies all of x out first)
    const from = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    dst.set(src.subarray(from, from + dst.length));
    return out;
  }
  // as rank 4, leading axes of 1
  const pad = 4 - rank;
  const shape = [...Array(pad).fill(1), ...x.shape];
  const b = [...Array(pad).fill(0), ...begin], s = [...Array(pad).fill(1), ...size];
  const s2 = shape[3], s1 = shape[2] * s2, s0 = shape[1] * s1;
  let o = 0;
  for (let i = b[0]; i < b[0] + s[0]; i++) {
    for (let j = b[1]; j < b[1] + s[1]; j++) {
      for (let k = b[2]; k < b[2] + s[2]; k++) {
        copyRow(dst, o, src, i * s0 + j * s1 + k * s2 + b[3], s[3]);
        o += s[3];
      }
    }
  }
  return out;
}

wrapStockWasmKernel(tf.Concat, (stockConcat) => (args) => {
  const inputs = args.inputs as unknown as tf.TensorInfo[];
  const dtype = inputs[0]?.dtype;
  if (
    inputs.length < 2 || !fourBytes(dtype) ||
    inputs.some((t) => t.dtype !== dtype || tf.util.sizeFromShape(t.shape) === 0)
  ) {
    return stockConcat(args);
  }
  const shapes = inputs.map((t) => t.shape);
  const axis = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, shapes[0])[0];
  tf.backend_util.assertParamsConsistent(shapes, axis);
  const heap = args.backend as unknown as Heap;
  const out = heap.makeOutput(tf.backend_util.computeOutShape(shapes, axis), dtype);
  // views after the allocation (which may grow the heap)
  const dst = bits(heap, out), srcs = inputs.map((t) => bits(heap, t));
  // [outer, inner_i] blocks side by side along the axis, as the stock kernel lays them out
  const outer = tf.util.sizeFromShape(shapes[0].slice(0, axis));
  const inner = shapes.map((s) => tf.util.sizeFromShape(s.slice(axis)));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (let i = 0; i < srcs.length; i++) {
      copyRow(dst, o, srcs[i], r * inner[i], inner[i]);
      o += inner[i];
    }
  }
  return out;
});

wrapStockWasmKernel(tf.Slice, (stockSlice) => (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceInto(args.backend as unknown as Heap, x, b, s) ?? stockSlice(args);
});

wrapStockWasmKernel(tf.SplitV, (stockSplit) => (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { numOrSizeSplits, axis } = args.attrs as {
    numOrSizeSplits: number | number[];
    axis: number;
  };
  const rank = x.shape.length;
  if (!fourBytes(x.dtype) || rank < 1 || rank > 4 || tf.util.sizeFromShape(x.shape) === 0) {
    return stockSplit(args);
  }
  const a = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
  if (sizes.some((n) => n === 0)) return stockSplit(args);
  const heap = args.backend as unknown as Heap;
  const begin = new Array(rank).fill(0);
  return sizes.map((n) => {
    const size = x.shape.slice();
    size[a] = n;
    const part = sliceInto(heap, x, begin.slice(), size)!;
    begin[a] += n;
    return part;
  });
});
