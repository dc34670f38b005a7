/**
 * A named, ordered set of trainable tfjs variables with seeded initialisers and a flat binary
 * form for checkpoints.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../random/mod.ts";

/**
 * Name and shape of one parameter, in the store's order.
 *
 * @category model
 */
export interface ParamSpec {
  /** Unique name (`visual.0.conv.w`). */
  name: string;
  /** Shape of the variable. */
  shape: number[];
}

/**
 * Trainable parameters of a model: variables in creation order, each created from a seeded
 * draw so that the same seed gives the same initial weights on every backend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParamStore } from "@avscene/avscene/model";
 * const p = new ParamStore(1);
 * const w = p.heNormal("w", [3, 3, 1, 4], 9);
 * assert.deepEqual(w.shape, [3, 3, 1, 4]);
 * assert.equal(p.size, 36);
 * p.dispose();
 * ```
 * @category model
 */
export class ParamStore {
  #vars = new Map<string, tf.Variable>();
  #rng: Rng;

  /** Start an empty store whose initialisers draw from `seed`. */
  constructor(seed: number) {
    this.#rng = new Rng(seed);
  }

  #add(name: string, shape: number[], values: Float32Array): tf.Variable {
    if (this.#vars.has(name)) throw new Error(`ParamStore: parameter "${name}" already exists`);
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
    this.#vars.set(name, v);
    return v;
  }

  /**
   * A variable drawn from N(0, 2 / fanIn) (He initialisation, for ReLU layers).
   *
   * @param name unique parameter name.
   * @param shape variable shape.
   * @param fanIn inputs per output unit.
   * @returns the new variable.
   */
  heNormal(name: string, shape: number[], fanIn: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const std = Math.sqrt(2 / fanIn);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = std * this.#rng.normal();
    return this.#add(name, shape, values);
  }

  /**
   * A variable drawn uniformly from +-sqrt(6 / (fanIn + fanOut)) (Glorot, for linear layers).
   *
   * @param name unique parameter name.
   * @param shape variable shape.
   * @param fanIn inputs per output unit.
   * @param fanOut outputs per input unit.
   * @returns the new variable.
   */
  glorotUniform(name: string, shape: number[], fanIn: number, fanOut: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = this.#rng.range(-limit, limit);
    return this.#add(name, shape, values);
  }

  /**
   * A variable filled with `value` (biases: 0, norm scales: 1).
   *
   * @param name unique parameter name.
   * @param shape variable shape.
   * @param value the fill value.
   * @returns the new variable.
   */
  constant(name: string, shape: number[], value: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.#add(name, shape, new Float32Array(n).fill(value));
  }

  /**
   * The variable called `name`.
   *
   * @param name a parameter name.
   * @returns the variable; throws naming it when absent.
   */
  get(name: string): tf.Variable {
    const v = this.#vars.get(name);
    if (!v) throw new Error(`ParamStore: no parameter named "${name}"`);
    return v;
  }

  /** All variables in creation order. */
  variables(): tf.Variable[] {
    return [...this.#vars.values()];
  }

  /** Names and shapes in creation order. */
  specs(): ParamSpec[] {
    return [...this.#vars.entries()].map(([name, v]) => ({ name, shape: v.shape.slice() }));
  }

  /** Total number of scalar parameters. */
  get size(): number {
    let n = 0;
    for (const v of this.#vars.values()) n += v.size;
    return n;
  }

  /**
   * All values concatenated in creation order (row-major per variable).
   *
   * @returns `size` floats.
   */
  async toFlat(): Promise<Float32Array> {
    const out = new Float32Array(this.size);
    let o = 0;
    for (const v of this.#vars.values()) {
      out.set(await v.data() as Float32Array, o);
      o += v.size;
    }
    return out;
  }

  /**
   * Overwrite all values from the flat form of {@linkcode ParamStore.toFlat}.
   *
   * @param flat `size` floats in creation order.
   */
  fromFlat(flat: Float32Array): void {
    if (flat.length !== this.size) {
      throw new Error(`ParamStore.fromFlat: got ${flat.length} values, expected ${this.size}`);
    }
    let o = 0;
    for (const v of this.#vars.values()) {
      const part = flat.subarray(o, o + v.size);
      tf.tidy(() => v.assign(tf.tensor(part, v.shape)));
      o += v.size;
    }
  }

  /** Dispose every variable. */
  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
  }
}
