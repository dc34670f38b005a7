/**
 * The k-means of `visualCodebook` (Table 3's visual words): k-means++ then Lloyd's iterations
 * in float64 over float32 feature vectors, with searches that stop early but choose exactly
 * what the plain loops choose.
 *
 * @module
 */
import type { Rng } from "../../random/rng.ts";

/**
 * `|x_i - w_j|^2` in float64, term by term in feature order, stopping (and returning the partial
 * sum) once it exceeds `bound` (`orEqual`: once it reaches `bound`): the partial sums never
 * decrease (each term is >= 0 and rounding is monotone), so a stopped sum's full value is past
 * the bound too.
 */
function _distUpTo(
  x: Float64Array,
  xi: number,
  w: Float64Array,
  wj: number,
  d: number,
  bound: number,
  orEqual: boolean,
): number {
  let s = 0, e = 0;
  // four terms between checks: the same additions in the same order, fewer branches
  if (orEqual) {
    for (; e + 4 <= d && s < bound; e += 4) {
      const t0 = x[xi + e] - w[wj + e], t1 = x[xi + e + 1] - w[wj + e + 1];
      const t2 = x[xi + e + 2] - w[wj + e + 2], t3 = x[xi + e + 3] - w[wj + e + 3];
      s += t0 * t0, s += t1 * t1, s += t2 * t2, s += t3 * t3;
    }
  } else {
    for (; e + 4 <= d && s <= bound; e += 4) {
      const t0 = x[xi + e] - w[wj + e], t1 = x[xi + e + 1] - w[wj + e + 1];
      const t2 = x[xi + e + 2] - w[wj + e + 2], t3 = x[xi + e + 3] - w[wj + e + 3];
      s += t0 * t0, s += t1 * t1, s += t2 * t2, s += t3 * t3;
    }
  }
  if (e + 4 <= d) return s; // stopped at the bound
  for (; e < d; e++) {
    const t = x[xi + e] - w[wj + e];
    s += t * t;
  }
  return s;
}

/**
 * k-means++ then Lloyd over `n` rows of `x` (`[n, d]`, float64 holding float32 values) into
 * `words` float32 words. Every distance is the float64 sum of squared differences in feature
 * order; each row's word is the nearest, the lowest index among equals; a word is the float32
 * mean of its rows. The searches start each row at its last word (or k-means++'s nearest),
 * skip the words the triangle inequality rules out, and stop a sum once it cannot win, which
 * changes no choice: the words are those of the plain loops (every distance in full, the
 * first nearest word), bit for bit, in a fifth to a tenth of their time (docs/performance.md,
 * "Where the quick reproduce spends its time").
 *
 * @param x the rows, `[n, d]` row-major, float32 values (widened exactly).
 * @param n rows.
 * @param d entries per row.
 * @param words how many words (<= n).
 * @param iterations at most this many Lloyd iterations (fewer when no row changes its word).
 * @param rng draws the k-means++ seeds (one `int`, then one `uniform` per further word).
 * @returns the words, `[words, d]` row-major.
 */
export function kMeansWords(
  x: Float64Array,
  n: number,
  d: number,
  words: number,
  iterations: number,
  rng: Rng,
): Float32Array {
  const w = new Float32Array(words * d);
  const wd = new Float64Array(words * d); // w widened (exact), read by the distances
  const setWord = (j: number, i: number) => {
    for (let e = 0; e < d; e++) w[j * d + e] = x[i * d + e], wd[j * d + e] = w[j * d + e];
  };
  // k-means++: each next word drawn with probability proportional to the squared distance
  setWord(0, rng.int(0, n - 1));
  const near = new Float64Array(n).fill(Infinity);
  const guess = new Int32Array(n); // the nearest word so far: where the first search starts
  for (let j = 1; j < words; j++) {
    let total = 0;
    const wj = (j - 1) * d;
    for (let i = 0; i < n; i++) {
      // min(near, dist): a sum stopped at near[i] leaves near[i]
      const s = _distUpTo(x, i * d, wd, wj, d, near[i], true);
      if (s < near[i]) near[i] = s, guess[i] = j - 1;
      total += near[i];
    }
    let r = rng.uniform() * total, pick = n - 1;
    for (let i = 0; i < n; i++) {
      if ((r -= near[i]) <= 0) {
        pick = i;
        break;
      }
    }
    setWord(j, pick);
  }
  const owner = new Int32Array(n).fill(-1);
  for (let it = 0; it < iterations; it++) {
    const nb = wordNeighbours(wd, d, words);
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const arg = nearestWord(x, i * d, wd, d, nb, owner[i] >= 0 ? owner[i] : guess[i]);
      if (owner[i] !== arg) owner[i] = arg, moved++;
    }
    // no vector changed its word: the words stay as they are
    if (moved === 0) break;
    const sum = new Float64Array(words * d), count = new Int32Array(words);
    for (let i = 0; i < n; i++) {
      count[owner[i]]++;
      for (let e = 0; e < d; e++) sum[owner[i] * d + e] += x[i * d + e];
    }
    // a word that lost every vector keeps its place
    for (let j = 0; j < words; j++) {
      if (count[j] > 0) {
        // the float32 mean, and its float64 copy from the rounded value
        for (let e = 0; e < d; e++) {
          w[j * d + e] = sum[j * d + e] / count[j], wd[j * d + e] = w[j * d + e];
        }
      }
    }
  }
  return w;
}

/** Each word's other words, nearest first: {@linkcode wordNeighbours}. */
export interface WordNeighbours {
  /** Words W. */
  words: number;
  /** `[W, W - 1]`: row a lists the words other than a by their distance to word a. */
  order: Int32Array;
  /** `[W, W - 1]`: those distances (Euclidean, float64). */
  gap: Float64Array;
}

/**
 * Each word's other words sorted by their distance to it, for {@linkcode nearestWord}'s
 * triangle-inequality cut.
 *
 * @param wd the words, `[words, d]` row-major.
 * @param d entries per word.
 * @param words how many words.
 * @returns the sorted lists and their distances.
 */
export function wordNeighbours(wd: Float64Array, d: number, words: number): WordNeighbours {
  const order = new Int32Array(words * (words - 1)), gap = new Float64Array(words * (words - 1));
  const cc = new Float64Array(words), idx = Array.from({ length: words }, (_, j) => j);
  for (let a = 0; a < words; a++) {
    for (let b = 0; b < words; b++) {
      cc[b] = Math.sqrt(_distUpTo(wd, a * d, wd, b * d, d, Infinity, true));
    }
    const others = idx.filter((b) => b !== a).sort((p, q) => cc[p] - cc[q]);
    for (let k = 0; k < words - 1; k++) {
      order[a * (words - 1) + k] = others[k], gap[a * (words - 1) + k] = cc[others[k]];
    }
  }
  return { words, order, gap };
}

/**
 * The word nearest to row `x[xi .. xi + d)`: the lowest index among the words at the least
 * float64 sum of squared differences (in feature order), whatever word the search starts at.
 *
 * @param x the rows.
 * @param xi where the row starts in `x`.
 * @param wd the words, `[words, d]` row-major.
 * @param d entries per row.
 * @param nb the words' {@linkcode wordNeighbours}.
 * @param first the word the search starts at (the nearer it is, the fewer sums are taken).
 * @returns the nearest word's index.
 */
export function nearestWord(
  x: Float64Array,
  xi: number,
  wd: Float64Array,
  d: number,
  nb: WordNeighbours,
  first: number,
): number {
  const { order, gap } = nb, m = nb.words - 1;
  let arg = first, best = _distUpTo(x, xi, wd, arg * d, d, Infinity, true);
  // |x - w_j| >= |w_a - w_j| - |x - w_a| for the start word a: a word farther from w_a than
  // |x - w_a| + the best distance is farther from x than the best (by a relative margin 1e-9,
  // far above the sums' rounding, so no tie is skipped); w_a's list is sorted by that
  // distance, so the words after it are too
  const start = arg * m, r0 = Math.sqrt(best);
  let limit = 2 * r0 * (1 + 1e-9);
  for (let k = 0; k < m; k++) {
    if (gap[start + k] > limit) break;
    const j = order[start + k];
    // a word below the current one wins a tie (the lowest index among equals), above it not
    const tieWins = j < arg;
    const s = _distUpTo(x, xi, wd, j * d, d, best, !tieWins);
    if (s < best || (tieWins && s === best)) {
      best = s, arg = j, limit = (r0 + Math.sqrt(best)) * (1 + 1e-9);
    }
  }
  return arg;
}
