/**
 * Adam with L2 weight decay added to the gradient (PyTorch's `torch.optim.Adam(weight_decay)`,
 * as in the paper's code), with state that can be saved and restored bit-exactly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type AdamUpdateAttrs, adamUpdates } from "../../kernels/mod.ts";

/**
 * Hyper-parameters of {@linkcode Adam}.
 *
 * @category training
 */
export interface AdamOptions {
  /** Learning rate (paper code: 1e-4). */
  lr?: number;
  /** L2 weight decay added to each gradient (paper code: 1e-4). */
  weightDecay?: number;
  /** First-moment decay (0.9). */
  beta1?: number;
  /** Second-moment decay (0.999). */
  beta2?: number;
  /** Denominator epsilon (1e-8). */
  epsilon?: number;
}

/**
 * The paper code's learning rate.
 *
 * @category training
 */
export const PAPER_LR = 1e-4;

/**
 * The paper code's weight decay.
 *
 * @category training
 */
export const PAPER_WEIGHT_DECAY = 1e-4;

/**
 * Saved optimiser state: the step count and both moments of every variable, flattened.
 *
 * @category training
 */
export interface AdamState {
  /** Updates applied so far. */
  step: number;
  /** First moments, concatenated in variable order. */
  m: Float32Array;
  /** Second moments, concatenated in variable order. */
  v: Float32Array;
}

/**
 * Adam over a fixed, ordered list of variables.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { Adam } from "@avscene/avscene/train";
 * const w = tf.variable(tf.scalar(3));
 * const opt = new Adam([w], { lr: 0.1, weightDecay: 0 });
 * for (let i = 0; i < 50; i++) opt.minimize(() => tf.square(w) as tf.Scalar).dispose();
 * assert.ok(Math.abs(w.dataSync()[0]) < 1);
 * ```
 * @category training
 */
export class Adam {
  /** The variables, in the order of the saved state. */
  readonly variables: tf.Variable[];
  /** Learning rate. */
  lr: number;
  /** L2 weight decay. */
  readonly weightDecay: number;
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #eps: number;
  #step = 0;
  #m: tf.Variable[];
  #v: tf.Variable[];

  /** An optimiser for `variables`, with zero moments. */
  constructor(variables: tf.Variable[], opts: AdamOptions = {}) {
    this.variables = variables;
    this.lr = opts.lr ?? PAPER_LR;
    this.weightDecay = opts.weightDecay ?? PAPER_WEIGHT_DECAY;
    this.#beta1 = opts.beta1 ?? 0.9;
    this.#beta2 = opts.beta2 ?? 0.999;
    this.#eps = opts.epsilon ?? 1e-8;
    for (const [name, value] of [["lr", this.lr], ["weightDecay", this.weightDecay]] as const) {
      if (!(Number.isFinite(value) && value >= 0)) {
        throw new Error(`Adam: ${name} must be finite and >= 0, got ${value}`);
      }
    }
    this.#m = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.#v = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** Updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Compute the gradients of `loss` with respect to the variables and apply one update.
   *
   * @param loss a function returning a scalar loss; may return extra tensors through closure.
   * @returns the loss value (the caller disposes it).
   */
  minimize(loss: () => tf.Scalar): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, this.variables);
    this.#step++;
    const t = this.#step;
    const b1 = this.#beta1, b2 = this.#beta2;
    const lrT = this.lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
    // one fused kernel over all variables where the backend has it (cpu, wasm), else tfjs ops
    const attrs: AdamUpdateAttrs = {
      lr: lrT,
      beta1: b1,
      beta2: b2,
      epsilon: this.#eps,
      weightDecay: this.weightDecay,
    };
    tf.tidy(() => {
      // variables unused by this loss have no gradient and no update
      const used = this.variables.flatMap((w, i) => grads[w.name] ? [i] : []);
      const updated = adamUpdates(
        used.map((i) => ({
          w: this.variables[i],
          g: grads[this.variables[i].name],
          m: this.#m[i],
          v: this.#v[i],
        })),
        attrs,
      );
      used.forEach((i, j) => {
        const [w2, m2, v2] = updated[j];
        this.#m[i].assign(m2);
        this.#v[i].assign(v2);
        this.variables[i].assign(w2);
      });
    });
    tf.dispose(grads);
    return value;
  }

  /**
   * The state to save: step and moments.
   *
   * @returns a copy of the state.
   */
  async getState(): Promise<AdamState> {
    const n = this.variables.reduce((a, v) => a + v.size, 0);
    const m = new Float32Array(n), v = new Float32Array(n);
    let o = 0;
    for (let i = 0; i < this.variables.length; i++) {
      m.set(await this.#m[i].data() as Float32Array, o);
      v.set(await this.#v[i].data() as Float32Array, o);
      o += this.variables[i].size;
    }
    return { step: this.#step, m, v };
  }

  /**
   * Restore a state from {@linkcode Adam.getState}.
   *
   * @param state step and moments of the same variables.
   */
  setState(state: AdamState): void {
    const n = this.variables.reduce((a, v) => a + v.size, 0);
    if (state.m.length !== n || state.v.length !== n) {
      throw new Error(
        `Adam.setState: state has ${state.m.length}/${state.v.length} moments, expected ${n}`,
      );
    }
    let o = 0;
    this.variables.forEach((w, i) => {
      tf.tidy(() => {
        this.#m[i].assign(tf.tensor(state.m.subarray(o, o + w.size), w.shape));
        this.#v[i].assign(tf.tensor(state.v.subarray(o, o + w.size), w.shape));
      });
      o += w.size;
    });
    this.#step = state.step;
  }

  /** Release the moment variables. */
  dispose(): void {
    tf.dispose([...this.#m, ...this.#v]);
  }
}
