/**
 * Running hand-written wasm kernels (`kernels/*.wat`) on tfjs-backend-wasm's own heap: the
 * module imports the backend's memory, so it reads its inputs and writes its outputs where
 * the backend keeps tensors, without a copy. Each source is built twice
 * (`kernels/_build_wasm.ts`): for the plain memory of tfjs's single-threaded build and for the
 * shared memory of its threaded build; the kernels run on the calling thread either way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * What the kernels use of tfjs's wasm backend.
 *
 * @category kernels
 */
export interface WasmHeapBackend {
  /**
   * The emscripten module: its memory (exported by the single-threaded build, created and
   * kept as `wasmMemory` by the threaded one) and allocator.
   */
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
  };
  /** Where each tensor's values are. */
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  /** A new float32 tensor in the heap. */
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/**
 * A kernel module built for both memories: `on(backend)` gives its exports instantiated on
 * that backend's memory (one instance per memory: a new wasm backend brings a new one), or
 * null when `backend` is not tfjs's wasm backend.
 *
 * @param bytes the build's base64 modules (plain and shared memory).
 * @param imports the module's `env` imports besides its memory.
 * @category kernels
 */
export function heapModule<T>(
  bytes: { plain: string; shared: string },
  imports: Record<string, WebAssembly.ImportValue> = {},
): { on(backend: unknown): T | null } {
  const compiled: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};
  const instances = new WeakMap<WebAssembly.Memory, T>();
  return {
    on(backend: unknown): T | null {
      const wasm = (backend as Partial<WasmHeapBackend>).wasm;
      const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
      if (!(memory instanceof WebAssembly.Memory)) return null;
      let exports = instances.get(memory);
      if (exports === undefined) {
        const kind = typeof SharedArrayBuffer !== "undefined" &&
            memory.buffer instanceof SharedArrayBuffer
          ? "shared"
          : "plain";
        const module = compiled[kind] ??= new WebAssembly.Module(
          Uint8Array.from(atob(bytes[kind]), (c) => c.charCodeAt(0)),
        );
        exports = new WebAssembly.Instance(module, { env: { ...imports, memory } })
          .exports as T;
        instances.set(memory, exports);
      }
      return exports;
    },
  };
}

/**
 * Byte offset of a tensor's values in the wasm heap.
 *
 * @category kernels
 */
export function heapOffset(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/**
 * Register `kernelFunc` as tfjs's wasm kernel `kernelName`, replacing the one registered before
 * (the plain kernel, which the SIMD kernel keeps calling for shapes it does not take).
 *
 * @param kernelName the kernel's name.
 * @param kernelFunc the SIMD kernel.
 */
export function replaceWasmKernel(kernelName: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(kernelName, "wasm") !== undefined) tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
}
