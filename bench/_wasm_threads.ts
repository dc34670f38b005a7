/**
 * Private helper of the training bench: tfjs-backend-wasm's threaded SIMD build under Deno,
 * which tfjs itself never loads there (it sees `process`, takes Deno for Node and turns threads
 * off). Forcing it through tfjs fails three ways, each worked around here:
 *
 * 1. tfjs hands emscripten the pthread worker script as a `blob:` URL, which
 *    `node:worker_threads` refuses (`ERR_WORKER_PATH`): the script is written to a temporary
 *    `.cjs` file instead (CommonJS, so its `require("worker_threads")` works), and the main
 *    script the worker imports likewise.
 * 2. In the worker the script assigns `location` on Deno's worker global, which has only a
 *    getter: that assignment is skipped (emscripten does not read it under Node).
 * 3. tfjs caps XNNPACK's threads at half of `os.cpus().length` (it assumes two hardware threads
 *    per core), read when the module is instantiated: one thread on a 2-core machine. The cap
 *    is lifted for the instantiation only.
 *
 * The result replaces the registered `wasm` backend (same kernels, same name), so everything
 * that checks for wasm takes the same paths. Benchmark use only.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BackendWasm, getThreadsCount, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import * as threadedSimd from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js";
import { wasmWorkerContents } from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js";
import os from "node:os";

/** The emscripten factory of the threaded SIMD build (a CommonJS default export). */
// deno-lint-ignore no-explicit-any
type Factory = (config: Record<string, unknown>) => Promise<any>;
const factory = ((threadedSimd as unknown as { default?: Factory }).default ??
  threadedSimd) as unknown as Factory;

/**
 * Make `wasm` tfjs's threaded SIMD build with `threads` XNNPACK threads and select it; returns
 * the thread count XNNPACK reports.
 */
export async function useThreadedWasm(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`useThreadedWasm: threads must be a positive integer, got ${threads}`);
  }
  const dir = await Deno.makeTempDir({ prefix: "avscene-wasm-threads-" });
  const worker = `${dir}/tfjs-backend-wasm-threaded-simd.worker.cjs`;
  const main = `${dir}/tfjs-backend-wasm-threaded-simd.main.js`;
  // as tfjs does before making its blob: keep the "\n" escapes of the script's strings
  await Deno.writeTextFile(
    worker,
    (wasmWorkerContents as string).replace(/\n/g, "\\n").replace(
      "Object.assign(global,{",
      "(o=>{for(const k in o){try{global[k]=o[k]}catch(_){}}})({",
    ),
  );
  await Deno.writeTextFile(main, `var WasmBackendModuleThreadedSimd = ${factory.toString()}`);
  const cpus = os.cpus;
  // deno-lint-ignore no-explicit-any
  let module: any;
  try {
    (os as { cpus: () => unknown[] }).cpus = () =>
      Array.from({ length: 2 * Math.max(threads, cpus().length) }, () => cpus()[0]);
    module = await factory({
      locateFile: (path: string, prefix: string) =>
        path.endsWith(".worker.js") ? worker : prefix + path,
      mainScriptUrlOrBlob: main,
    });
  } finally {
    os.cpus = cpus;
    // every pool worker has read both scripts once the module resolved (or it failed)
    await Deno.remove(dir, { recursive: true });
  }
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  tf.removeBackend("wasm"); // the SIMD build tfjs registered (initialised or not)
  setThreadsCount(threads);
  tf.registerBackend("wasm", () => new BackendWasm(module), 2);
  if (!(await tf.setBackend("wasm"))) throw new Error("useThreadedWasm: the backend did not start");
  // XNNPACK's pool threads live as long as the module; emscripten refs their workers, which
  // would keep the process from ever exiting
  for (const w of module.PThread.runningWorkers) w.unref();
  return getThreadsCount();
}
