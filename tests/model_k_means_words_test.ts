import assert from "node:assert/strict";
import {
  kMeansWords,
  nearestWord,
  wordNeighbours,
} from "../lib/model/separation/_k_means_words.ts";
import { Rng } from "../lib/random/rng.ts";

/** The plain loops `visualCodebook` ran before the early-stopping searches (the reference). */
function plainKMeans(
  xf: Float32Array,
  n: number,
  d: number,
  words: number,
  iterations: number,
  rng: Rng,
): Float32Array {
  const x = xf;
  const dist = (i: number, w: Float32Array, j: number) => {
    let s = 0;
    for (let e = 0; e < d; e++) s += (x[i * d + e] - w[j * d + e]) ** 2;
    return s;
  };
  const w = new Float32Array(words * d);
  const first = rng.int(0, n - 1);
  w.set(x.subarray(first * d, (first + 1) * d), 0);
  const near = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < words; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += near[i] = Math.min(near[i], dist(i, w, j - 1));
    let r = rng.uniform() * total, pick = n - 1;
    for (let i = 0; i < n; i++) {
      if ((r -= near[i]) <= 0) {
        pick = i;
        break;
      }
    }
    w.set(x.subarray(pick * d, (pick + 1) * d), j * d);
  }
  const owner = new Int32Array(n).fill(-1);
  for (let it = 0; it < iterations; it++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let best = Infinity, arg = 0;
      for (let j = 0; j < words; j++) {
        const s = dist(i, w, j);
        if (s < best) best = s, arg = j;
      }
      if (owner[i] !== arg) owner[i] = arg, moved++;
    }
    if (moved === 0) break;
    const sum = new Float64Array(words * d), count = new Int32Array(words);
    for (let i = 0; i < n; i++) {
      count[owner[i]]++;
      for (let e = 0; e < d; e++) sum[owner[i] * d + e] += x[i * d + e];
    }
    for (let j = 0; j < words; j++) {
      if (count[j] > 0) { for (let e = 0; e < d; e++) w[j * d + e] = sum[j * d + e] / count[j]; }
    }
  }
  return w;
}

/** Rows from `value(rng)`, as float32. */
function rows(n: number, d: number, seed: number, value: (r: Rng) => number): Float32Array {
  const r = new Rng(seed), x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = value(r);
  return x;
}

Deno.test("kMeansWords: the same words as the plain loops, bit for bit, ties and repeated rows included", () => {
  const cases: { name: string; x: Float32Array; n: number; d: number; words: number }[] = [
    // clustered normals (as features are), d a multiple of 4 and not
    ...[32, 7].map((d) => {
      const n = 600, centers = rows(12, d, 1, (r) => 3 * r.normal());
      const x = rows(n, d, 2, (r) => 0.7 * r.normal());
      for (let i = 0; i < n; i++) {
        for (let e = 0; e < d; e++) x[i * d + e] += centers[(i % 12) * d + e];
      }
      return { name: `clustered d=${d}`, x, n, d, words: 24 };
    }),
    // small integers: squared distances are integers, so exact ties are everywhere
    { name: "integer grid", x: rows(400, 5, 3, (r) => r.int(0, 2)), n: 400, d: 5, words: 16 },
    // fewer distinct rows than words: k-means++ draws repeated words, every distance ties
    { name: "repeated rows", x: rows(50, 4, 4, (r) => r.int(0, 1)), n: 50, d: 4, words: 20 },
    { name: "one word", x: rows(30, 3, 5, (r) => r.uniform()), n: 30, d: 3, words: 1 },
  ];
  for (const c of cases) {
    for (const seed of [0, 7]) {
      const want = plainKMeans(c.x, c.n, c.d, c.words, 20, new Rng(seed));
      const got = kMeansWords(Float64Array.from(c.x), c.n, c.d, c.words, 20, new Rng(seed));
      assert.deepEqual(
        new Uint8Array(got.buffer),
        new Uint8Array(want.buffer),
        `${c.name}, seed ${seed}`,
      );
    }
  }
});

Deno.test("nearestWord: the first nearest word from any start, ties and repeated words included", () => {
  // small integers: squared distances are integers, ties everywhere; 16 words on 3^3 points
  const d = 3, words = 16, n = 200;
  const wd = Float64Array.from(rows(words, d, 8, (r) => r.int(0, 2)));
  const x = Float64Array.from(rows(n, d, 9, (r) => r.int(0, 2) + (r.uniform() < 0.2 ? 0.5 : 0)));
  const nb = wordNeighbours(wd, d, words);
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const dist = (j: number) => {
      let s = 0;
      for (let e = 0; e < d; e++) s += (x[i * d + e] - wd[j * d + e]) ** 2;
      return s;
    };
    let want = 0;
    for (let j = 1; j < words; j++) if (dist(j) < dist(want)) want = j;
    for (let j = want + 1; j < words; j++) if (dist(j) === dist(want)) ties++;
    for (let first = 0; first < words; first++) {
      assert.equal(nearestWord(x, i * d, wd, d, nb, first), want, `row ${i}, start ${first}`);
    }
  }
  assert.ok(ties > 50, `the rows tie with a later word ${ties} times`);
});
