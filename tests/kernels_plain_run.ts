// Shared by the SIMD kernel tests: run a plain (JS) kernel function directly on the active
// backend, and compare float32 outputs with a relative tolerance.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

/** Run a plain kernel function on the active backend: its outputs' values, freed after. */
export function runPlain<Attrs>(
  kernel: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | tf.TensorInfo[],
  inputs: Record<string, tf.Tensor>,
  attrs: Attrs,
): Float32Array[] {
  const backend = tf.backend();
  const out = kernel({ inputs, backend, attrs: attrs as unknown as tf.NamedAttrMap });
  const infos = Array.isArray(out) ? out : [out];
  const values = infos.map((t) => backend.readSync(t.dataId) as Float32Array);
  for (const t of infos) backend.disposeData(t.dataId);
  return values;
}

/** Largest |a - b| / (1 + |b|) over the values. */
export function maxRelative(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  }
  return worst;
}
