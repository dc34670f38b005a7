/**
 * Running hand-written wasm kernels (`kernels/*.wat`) on tfjs-backend-wasm's own heap: the
 * module imports the backend's memory, so it reads its inputs and writes its outputs where
 * the backend keeps tensors, without a copy. Not for tfjs's threaded build (its memory is
 * shared; a kernel then returns null here and its caller takes the plain path).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * What the kernels use of tfjs's wasm backend.
 *
 * @category kernels
 */
export interface WasmHeapBackend {
  /** The emscripten module: its memory and allocator. */
  wasm: {
    asm: { memory: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(pointer: number): void;
  };
  /** Where each tensor's values are. */
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  /** A new float32 tensor in the heap. */
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/**
 * Compile module bytes given as base64 (the build's output, `kernels/_build_wasm.ts`).
 *
 * @category kernels
 */
export function compileBase64(base64: string): WebAssembly.Module {
  return new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

const instances = new WeakMap<WebAssembly.Module, WeakMap<WebAssembly.Memory, unknown>>();

/**
 * The exports of `module` instantiated on `backend`'s memory (one instance per memory: a new
 * wasm backend brings a new one), or null where it cannot run: not tfjs's wasm backend, or
 * a shared memory (the threaded build). `imports` are the module's other `env` imports.
 *
 * @category kernels
 */
export function heapExports<T>(
  module: WebAssembly.Module,
  backend: unknown,
  imports: Record<string, WebAssembly.ImportValue> = {},
): T | null {
  const memory = (backend as Partial<WasmHeapBackend>).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer) {
    return null;
  }
  let perMemory = instances.get(module);
  if (perMemory === undefined) instances.set(module, perMemory = new WeakMap());
  let exports = perMemory.get(memory);
  if (exports === undefined) {
    exports = new WebAssembly.Instance(module, { env: { ...imports, memory } }).exports;
    perMemory.set(memory, exports);
  }
  return exports as T;
}

/**
 * Byte offset of a tensor's values in the wasm heap.
 *
 * @category kernels
 */
export function heapOffset(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
