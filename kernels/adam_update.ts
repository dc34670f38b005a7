/**
 * One Adam step of one variable, or of several in one kernel call, as tfjs ops: the fused
 * {@linkcode AdamUpdate} / {@linkcode AdamUpdates} kernels where the backend has them (cpu: a
 * plain loop; wasm: wasm SIMD on the heap), else the same formulas composed from tfjs ops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { AdamUpdate, type AdamUpdateAttrs, AdamUpdates } from "./kernel_names.ts";
import "./adam_update_plain.ts";
import "./adam_update_simd.ts";

/**
 * The Adam update with L2 weight decay (PyTorch's `Adam(weight_decay)`) of one variable:
 * g' = g + weightDecay w, m' = beta1 m + (1 - beta1) g', v' = beta2 v + (1 - beta2) g'^2,
 * w' = w - lr m' / (sqrt(v') + epsilon), `lr` having the bias corrections folded in.
 *
 * @param w the variable's value (any shape).
 * @param g its gradient (same shape).
 * @param m the first moment (same shape).
 * @param v the second moment (same shape).
 * @param attrs step size, decays, epsilon and weight decay.
 * @returns the new `[w, m, v]` (new tensors; the caller assigns and disposes them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { adamUpdate } from "@avscene/avscene/kernels";
 * const [w, m, v] = adamUpdate(tf.scalar(1), tf.scalar(2), tf.scalar(0), tf.scalar(0), {
 *   lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0,
 * });
 * // m' = 0.1 * 2, v' = 0.001 * 4, w' = 1 - lr m' / sqrt(v') (lr has no bias correction folded in here)
 * assert.ok(Math.abs(w.dataSync()[0] - (1 - 0.1 * 0.2 / Math.sqrt(0.004))) < 1e-5);
 * assert.ok(Math.abs(m.dataSync()[0] - 0.2) < 1e-6 && Math.abs(v.dataSync()[0] - 0.004) < 1e-6);
 * tf.dispose([w, m, v]);
 * ```
 * @category kernels
 */
export function adamUpdate(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  attrs: AdamUpdateAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  for (const [name, t] of [["g", g], ["m", m], ["v", v]] as const) {
    if (!tf.util.arraysEqual(t.shape, w.shape)) {
      throw new Error(`adamUpdate: ${name} [${t.shape}] does not match w [${w.shape}]`);
    }
  }
  if (tf.getKernel(AdamUpdate, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(AdamUpdate, { w, g, m, v }, attrs) as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
  }
  return composedUpdate(w, g, m, v, attrs);
}

/** {@linkcode adamUpdate}'s formulas composed from tfjs ops. */
function composedUpdate(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  attrs: AdamUpdateAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const { lr, beta1, beta2, epsilon, weightDecay } = attrs;
  return tf.tidy(() => {
    const gd = weightDecay > 0 ? tf.add(g, tf.mul(w, weightDecay)) : g;
    const m2 = tf.add(tf.mul(m, beta1), tf.mul(gd, 1 - beta1));
    const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gd), 1 - beta2));
    const w2 = tf.sub(w, tf.mul(lr, tf.div(m2, tf.add(tf.sqrt(v2), epsilon))));
    return [w2, m2, v2] as [tf.Tensor, tf.Tensor, tf.Tensor];
  });
}

/**
 * {@linkcode adamUpdate} of several variables: one {@linkcode AdamUpdates} kernel call where the
 * backend has it (one call instead of one per variable: tfjs's bookkeeping per kernel call
 * is a share of a small model's training step), else {@linkcode adamUpdate} of each. Same
 * values as {@linkcode adamUpdate} of each variable.
 *
 * @param variables each variable's value `w`, gradient `g` and moments `m`, `v` (one shape
 *   per variable).
 * @param attrs step size, decays, epsilon and weight decay.
 * @returns the new `[w, m, v]` of each variable, in order (new tensors; the caller assigns
 *   and disposes them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { adamUpdates } from "@avscene/avscene/kernels";
 * const [[w]] = adamUpdates([{ w: tf.scalar(1), g: tf.scalar(2), m: tf.scalar(0), v: tf.scalar(0) }], {
 *   lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0,
 * });
 * assert.ok(Math.abs(w.dataSync()[0] - (1 - 0.1 * 0.2 / Math.sqrt(0.004))) < 1e-5);
 * ```
 * @category kernels
 */
export function adamUpdates(
  variables: readonly { w: tf.Tensor; g: tf.Tensor; m: tf.Tensor; v: tf.Tensor }[],
  attrs: AdamUpdateAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor][] {
  const inputs: tf.NamedTensorMap = {};
  variables.forEach(({ w, g, m, v }, i) => {
    for (const [name, t] of [["g", g], ["m", m], ["v", v]] as const) {
      if (!tf.util.arraysEqual(t.shape, w.shape)) {
        throw new Error(
          `adamUpdates: variable ${i}: ${name} [${t.shape}] does not match w [${w.shape}]`,
        );
      }
    }
    Object.assign(inputs, { [`w${i}`]: w, [`g${i}`]: g, [`m${i}`]: m, [`v${i}`]: v });
  });
  if (variables.length === 0) return [];
  if (tf.getKernel(AdamUpdates, tf.getBackend()) === undefined) {
    return variables.map(({ w, g, m, v }) => composedUpdate(w, g, m, v, attrs));
  }
  const out = tf.engine().runKernel(AdamUpdates, inputs, attrs) as tf.Tensor[];
  return variables.map((_, i) => [out[3 * i], out[3 * i + 1], out[3 * i + 2]]);
}
