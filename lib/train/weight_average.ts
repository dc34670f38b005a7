/**
 * Weight averaging (Polyak averaging with an exponential moving average, "EMA"): a copy of
 * the network's weights that follows the trained ("online") weights with a decay, so the model
 * shipped is the average of the last few hundred steps' weights rather than the last step's.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Saved state of a {@linkcode WeightAverage}: its update count and its raw (zero-started)
 * moving average of every variable, flattened in variable order.
 *
 * @category training
 */
export interface WeightAverageState {
  /** Updates applied since the last reset. */
  step: number;
  /** The raw moving averages, concatenated in variable order (not bias-corrected). */
  average: Float32Array;
}

/**
 * Check a weight-average decay: finite, in [0, 1) (0: no averaging).
 *
 * @param what the argument's name for the error (e.g. `recipe: weightAverage`).
 * @param decay the decay.
 * @throws Error naming `what` when the decay is not in [0, 1).
 * @category training
 */
export function checkWeightAverageDecay(what: string, decay: number): void {
  if (!(typeof decay === "number" && Number.isFinite(decay) && decay >= 0 && decay < 1)) {
    throw new Error(`${what} must be a decay in [0, 1) (0: no averaging), got ${decay}`);
  }
}

/**
 * The bias-corrected average of a saved state: each raw value divided by `1 - decay^step`
 * (float32, correctly rounded).
 *
 * @param state a state of {@linkcode WeightAverage.getState} with at least one update.
 * @param decay the decay it was averaged with.
 * @returns the averaged weights, flattened in variable order.
 * @category training
 */
export function correctedAverage(state: WeightAverageState, decay: number): Float32Array {
  if (!(state.step >= 1)) throw new Error("correctedAverage: the average holds no update");
  const correction = Math.fround(1 - Math.pow(decay, state.step));
  return state.average.map((x) => x / correction); // a Float32Array: rounded per element
}

/**
 * An exponential moving average of a fixed, ordered list of variables, bias-corrected as
 * Adam's moments are: after `t` updates, `raw_t = decay raw_{t-1} + (1 - decay) w_t` from
 * `raw_0 = 0`, and the average is `raw_t / (1 - decay^t)`, the weighted mean of the `t`
 * weights seen with weights proportional to `decay^(t - i)` (no pull towards zero or towards
 * the weights before the first update). State saved and restored bit-exactly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { WeightAverage } from "@avscene/avscene/train";
 * const w = tf.variable(tf.scalar(1));
 * const avg = new WeightAverage([w], 0.5);
 * avg.update(); // sees 1
 * w.assign(tf.scalar(3));
 * avg.update(); // sees 3: (0.5 * 1 + 3) / 1.5
 * assert.ok(Math.abs((await avg.averageFlat())[0] - 7 / 3) < 1e-6);
 * avg.dispose();
 * ```
 * @category training
 */
export class WeightAverage {
  /** The averaged variables, in the order of the saved state. */
  readonly variables: tf.Variable[];
  /** The decay, in (0, 1). */
  readonly decay: number;
  #step = 0;
  #raw: tf.Variable[];

  /**
   * An average of `variables` with no update yet.
   *
   * @param variables the variables to follow.
   * @param decay the decay, in (0, 1) (e.g. 0.99: about the last 100 updates).
   */
  constructor(variables: tf.Variable[], decay: number) {
    checkWeightAverageDecay("WeightAverage: decay", decay);
    if (decay === 0) throw new Error("WeightAverage: decay 0 averages nothing (use none)");
    this.variables = variables;
    this.decay = decay;
    this.#raw = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** Updates applied since the last reset. */
  get step(): number {
    return this.#step;
  }

  /** Fold the variables' current values into the average. */
  update(): void {
    this.#step++;
    const d = this.decay;
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        this.#raw[i].assign(tf.add(tf.mul(this.#raw[i], d), tf.mul(w, 1 - d)));
      });
    });
  }

  /** Forget every update (the next one starts a new average). */
  reset(): void {
    this.#step = 0;
    tf.tidy(() => this.#raw.forEach((r) => r.assign(tf.zerosLike(r))));
  }

  /**
   * The bias-corrected average of every variable, flattened in variable order (the variables'
   * own values before any update).
   *
   * @returns a new array.
   */
  async averageFlat(): Promise<Float32Array> {
    if (this.#step === 0) {
      const n = this.variables.reduce((a, v) => a + v.size, 0);
      const out = new Float32Array(n);
      let o = 0;
      for (const v of this.variables) {
        out.set(await v.data() as Float32Array, o);
        o += v.size;
      }
      return out;
    }
    return correctedAverage(await this.getState(), this.decay);
  }

  /**
   * The state to save: the update count and the raw averages.
   *
   * @returns a copy of the state.
   */
  async getState(): Promise<WeightAverageState> {
    const n = this.variables.reduce((a, v) => a + v.size, 0);
    const average = new Float32Array(n);
    let o = 0;
    for (let i = 0; i < this.variables.length; i++) {
      average.set(await this.#raw[i].data() as Float32Array, o);
      o += this.variables[i].size;
    }
    return { step: this.#step, average };
  }

  /**
   * Restore a state from {@linkcode WeightAverage.getState}.
   *
   * @param state update count and raw averages of the same variables.
   */
  setState(state: WeightAverageState): void {
    const n = this.variables.reduce((a, v) => a + v.size, 0);
    if (state.average.length !== n) {
      throw new Error(
        `WeightAverage.setState: state has ${state.average.length} values, expected ${n}`,
      );
    }
    let o = 0;
    this.variables.forEach((w, i) => {
      tf.tidy(() => this.#raw[i].assign(tf.tensor(state.average.subarray(o, o + w.size), w.shape)));
      o += w.size;
    });
    this.#step = state.step;
  }

  /** Release the average's variables. */
  dispose(): void {
    tf.dispose(this.#raw);
  }
}
