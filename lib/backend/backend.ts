/**
 * Backend choice for avscene: tfjs on Deno's WebGPU when an adapter exists, else the wasm
 * backend, else the plain cpu backend. `AVSCENE_BACKEND=webgpu|wasm|cpu` forces one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import "@tensorflow/tfjs-backend-wasm";
import "./wasm_shared_copies.ts";
import "./wasm_transposed_matmul.ts";
import "./wasm_column_sum.ts";
import "./wasm_strided_copies.ts";

/**
 * The tfjs backends avscene knows how to run on, in order of preference.
 *
 * @category kernels
 */
export const BACKENDS = ["webgpu", "wasm", "cpu"] as const;

/**
 * One of {@linkcode BACKENDS}.
 *
 * @category kernels
 */
export type BackendName = typeof BACKENDS[number];

/**
 * What {@linkcode initBackend} chose, and the GPU adapter behind it when there is one.
 *
 * @category kernels
 */
export interface BackendInfo {
  /** The active tfjs backend. */
  backend: BackendName;
  /** The GPU adapter's description (vendor, device, driver), or `null` off webgpu. */
  adapter: string | null;
  /** True when the adapter is a software fallback (e.g. lavapipe/llvmpipe). */
  fallbackAdapter: boolean;
}

let active: BackendInfo | null = null;

function envBackend(): BackendName | undefined {
  let value: string | undefined;
  try {
    value = Deno.env.get("AVSCENE_BACKEND");
  } catch {
    return undefined; // no --allow-env: no override
  }
  if (value === undefined || value === "") return undefined;
  if (!(BACKENDS as readonly string[]).includes(value)) {
    throw new Error(
      `AVSCENE_BACKEND=${value} is not a backend; use one of ${BACKENDS.join(", ")}`,
    );
  }
  return value as BackendName;
}

async function adapterInfo(): Promise<{ adapter: string | null; fallback: boolean }> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { adapter: null, fallback: false };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { adapter: null, fallback: false };
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device, info.description]
    .filter((p) => p !== undefined && p !== "");
  // deno-lint-ignore no-explicit-any
  const fallback = Boolean((info as any).isFallbackAdapter ?? (adapter as any).isFallbackAdapter);
  return { adapter: parts.join(" / "), fallback };
}

async function trySetBackend(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Choose and initialise the tfjs backend: `preferred`, else `AVSCENE_BACKEND`, else the first of
 * webgpu, wasm, cpu that works, except that a software WebGPU adapter (lavapipe/llvmpipe, which
 * reports itself as a fallback adapter) is passed over for wasm: it runs the same math on the
 * same CPU cores several times slower (a tiny-preset training step: 468 ms against 95 ms in
 * `bench/train_bench.ts`). Ask for `webgpu` explicitly to use it anyway (the kernel tests do).
 * A backend asked for explicitly that cannot start is an error. Idempotent: later calls with no
 * preference return the backend already chosen.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * const info = await initBackend("cpu");
 * assert.equal(info.backend, "cpu");
 * ```
 * @category kernels
 */
export async function initBackend(preferred?: BackendName): Promise<BackendInfo> {
  if (preferred !== undefined && !(BACKENDS as readonly string[]).includes(preferred)) {
    throw new Error(`backend "${preferred}" is not one of ${BACKENDS.join(", ")}`);
  }
  const forced = preferred ?? envBackend();
  if (active && (forced === undefined || forced === active.backend)) return active;
  const candidates = forced ? [forced] : [...BACKENDS];
  for (const name of candidates) {
    // the adapter is asked for once: whether there is one, and whether it is a software one
    const { adapter, fallback } = name === "webgpu"
      ? await adapterInfo()
      : { adapter: null, fallback: false };
    if (name === "webgpu" && (adapter === null || (fallback && !forced))) continue;
    if (await trySetBackend(name)) {
      active = { backend: name, adapter, fallbackAdapter: fallback };
      return active;
    }
  }
  if (forced) {
    const why = forced === "webgpu"
      ? "no WebGPU adapter (on a GPU-less Linux machine install mesa-vulkan-drivers)"
      : "tfjs could not initialise it";
    throw new Error(`backend "${forced}" was asked for but is unavailable: ${why}`);
  }
  throw new Error("no tfjs backend could be initialised (tried webgpu, wasm, cpu)");
}

/**
 * The backend chosen by {@linkcode initBackend}, or `null` before it ran.
 *
 * @category kernels
 */
export function backendInfo(): BackendInfo | null {
  return active;
}

/**
 * A one-line description of the active backend and adapter, for logs and reports.
 *
 * @category kernels
 */
export function describeBackend(): string {
  if (!active) return "no backend initialised";
  if (active.backend !== "webgpu") return active.backend;
  return `webgpu on ${active.adapter ?? "unknown adapter"}${
    active.fallbackAdapter ? " (software fallback)" : ""
  }`;
}
