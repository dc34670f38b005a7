/**
 * The seeded generator behind every draw in avscene.
 *
 * @module
 */

/**
 * A small, fast, seeded generator (mulberry32) with the draws avscene needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "@avscene/avscene/random";
 * const a = new Rng(7), b = new Rng(7);
 * assert.ok(a.uniform() === b.uniform());
 * ```
 * @category data
 */
export class Rng {
  #state: number;

  /** Start a generator from an integer seed. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    this.#state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** A float uniform in [0, 1). */
  uniform(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** An integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick: items is empty");
    return items[Math.floor(this.uniform() * items.length)];
  }

  /** A shuffled copy of `items` (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A new generator whose stream is independent of this one's but fixed by it. */
  fork(): Rng {
    return new Rng(Math.floor(this.uniform() * 4294967296));
  }

  /** An integer seed drawn from this stream (e.g. for tfjs initialisers). */
  seed(): number {
    return Math.floor(this.uniform() * 2147483647);
  }
}
