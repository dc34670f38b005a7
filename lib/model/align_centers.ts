/**
 * Structural alignment (DESIGN step 3): each audio center is aligned to its nearest visual
 * center; the scene distance is the sum of those squared distances. With K_visual = K_audio +
 * 1 one visual center is meant for the background: {@linkcode backgroundCenters} can name it
 * (the center of largest assignment mass), and an alignment given that mask never aligns a
 * sound to it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Which visual centers a sound may be aligned to. `none` (the paper's rule): every visual
 * center, the nearest wins. The others name one visual center the background, never aligned,
 * when there are more visual centers than audio centers: `largest`, the center with the
 * largest assignment mass (the most positions of the frame); `border`, the center with the
 * largest share of its assignment mass on the border ring of the feature grid (its first and
 * last rows and columns); `spread`, the center whose assignments are spread widest over the
 * frame (the largest spatial variance of its normalised assignment map).
 *
 * @category model
 */
export type BackgroundRule = "none" | "largest" | "border" | "spread";

/**
 * The names of {@linkcode BackgroundRule}.
 *
 * @category model
 */
export const BACKGROUND_RULES: readonly BackgroundRule[] = ["none", "largest", "border", "spread"];

/**
 * The alignment of one batch of scenes.
 *
 * @category model
 */
export interface Alignment {
  /** Squared distances D_jk^2 between visual center j and audio center k `[batch, Kv, Ka]`. */
  distances: tf.Tensor3D;
  /** Index j of the visual center aligned to each audio center `[batch, Ka]` (int32). */
  nearest: tf.Tensor2D;
  /** Scene distance d^2 = sum_k min_j D_jk^2 over the alignable centers j `[batch]`. */
  sceneDistance2: tf.Tensor1D;
}

/**
 * The background mask of a rule: 1 for the visual center no sound may be aligned to, per
 * sample. `largest`: the center whose soft assignments sum highest over the frame's positions;
 * `border`: the center with the largest share of its assignment mass on the grid's border
 * ring; `spread`: the center with the largest spatial variance of its assignments (each a
 * constant of the step: no gradient flows through the choice).
 *
 * @param rule the background rule.
 * @param assignments visual soft assignments `[batch, Kv, positions]`, positions row-major
 * over the feature grid.
 * @param kAudio audio centers K_audio: with Kv <= K_audio no center is background.
 * @param grid the feature grid's rows and columns (`border` and `spread`; default a square
 * grid, rows = cols = sqrt(positions)).
 * @returns the mask `[batch, Kv]` (float32, 0 or 1), or undefined when no center is excluded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { backgroundCenters } from "@avscene/avscene/model";
 * // center 1 takes 3 of 4 positions: it is the background
 * const assign = tf.tensor3d([[[1, 0, 0, 0], [0, 1, 1, 1]]]);
 * assert.deepEqual(backgroundCenters("largest", assign, 1)!.arraySync(), [[0, 1]]);
 * assert.equal(backgroundCenters("none", assign, 1), undefined);
 * // on a 2 x 2 grid every position is on the border ring: a tie, the first center wins
 * assert.deepEqual(backgroundCenters("border", assign, 1)!.arraySync(), [[1, 0]]);
 * ```
 * @category model
 */
export function backgroundCenters(
  rule: BackgroundRule,
  assignments: tf.Tensor3D,
  kAudio: number,
  grid?: { rows: number; cols: number },
): tf.Tensor2D | undefined {
  if (!BACKGROUND_RULES.includes(rule)) {
    throw new Error(`backgroundCenters: rule must be one of ${BACKGROUND_RULES}, got "${rule}"`);
  }
  const [, kv, positions] = assignments.shape;
  if (rule === "none" || kv <= kAudio) return undefined;
  if (rule === "largest") {
    return tf.tidy(() => {
      const mass = tf.sum(assignments, 2); // argMax passes no gradient
      return tf.oneHot(tf.argMax(mass, 1), kv).toFloat() as tf.Tensor2D;
    });
  }
  const side = Math.round(Math.sqrt(positions));
  const { rows, cols } = grid ?? { rows: side, cols: side };
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows * cols !== positions) {
    throw new Error(
      `backgroundCenters: rule "${rule}" needs the feature grid: ${positions} positions are ` +
        `not ${grid ? `rows ${rows} x cols ${cols}` : "a square grid"}`,
    );
  }
  return tf.tidy(() => {
    const mass = tf.add(tf.sum(assignments, 2), 1e-12); // [B, Kv]
    let value: tf.Tensor2D;
    if (rule === "border") {
      const ring = borderWeights(rows, cols);
      value = tf.div(tf.sum(tf.mul(assignments, ring), 2), mass) as tf.Tensor2D;
    } else {
      // variance of each center's normalised map over (row, col) in grid units
      const [y, x] = gridCoordinates(rows, cols);
      const moment = (f: tf.Tensor1D) => tf.div(tf.sum(tf.mul(assignments, f), 2), mass);
      const vy = tf.sub(moment(tf.square(y)), tf.square(moment(y)));
      const vx = tf.sub(moment(tf.square(x)), tf.square(moment(x)));
      value = tf.add(vy, vx) as tf.Tensor2D;
    }
    return tf.oneHot(tf.argMax(value, 1), kv).toFloat() as tf.Tensor2D;
  });
}

/** 1 on the border ring of a `rows x cols` grid (first/last row or column), else 0 `[rows * cols]`. */
function borderWeights(rows: number, cols: number): tf.Tensor1D {
  const w = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      w[r * cols + c] = r === 0 || c === 0 || r === rows - 1 || c === cols - 1 ? 1 : 0;
    }
  }
  return tf.tensor1d(w);
}

/** The row and column index of each position of a `rows x cols` grid, row-major `[rows * cols]` each. */
function gridCoordinates(rows: number, cols: number): [tf.Tensor1D, tf.Tensor1D] {
  const y = new Float32Array(rows * cols), x = new Float32Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) {
    y[i] = Math.floor(i / cols);
    x[i] = i % cols;
  }
  return [tf.tensor1d(y), tf.tensor1d(x)];
}

/** Larger than any squared distance of float32 features that soft K-means accepts. */
const EXCLUDED = 3e38;

/**
 * Align audio centers to visual centers.
 *
 * @param visualCenters `[batch, Kv, D]`.
 * @param audioCenters `[batch, Ka, D]`.
 * @param background optional mask `[batch, Kv]` (1: a background center, never aligned; see
 * {@linkcode backgroundCenters}); at least one center per sample must stay alignable.
 * @param temperature soft alignment (> 0; default 0, the hard nearest): the scene distance
 * takes each sound's visual center as the softmin-weighted mix of the alignable centers (see
 * {@linkcode softAlignedDistance2}); `nearest` stays the hard choice.
 * @param distinct each sound to a different visual center (default false: each to its
 * nearest, the paper's rule; see {@linkcode distinctAlignment}); not with a `temperature`.
 * @returns squared center distances, aligned visual center per audio center, scene distance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { alignCenters } from "@avscene/avscene/model";
 * const v = tf.tensor3d([[[0, 0], [3, 4]]]); // two visual centers
 * const a = tf.tensor3d([[[3, 3]]]); // one audio center
 * const { nearest, sceneDistance2 } = alignCenters(v, a);
 * assert.deepEqual([nearest.arraySync(), sceneDistance2.arraySync()], [[[1]], [1]]);
 * // center 1 is the background: the sound aligns to center 0
 * const bg = alignCenters(v, a, tf.tensor2d([[0, 1]]));
 * assert.deepEqual([bg.nearest.arraySync(), bg.sceneDistance2.arraySync()], [[[0]], [18]]);
 * // two sounds both nearest center 1: one-to-one, the first takes center 0 (18 + 1 < 1 + 34)
 * const two = alignCenters(v, tf.tensor3d([[[3, 3], [3, 5]]]), undefined, 0, true);
 * assert.deepEqual([two.nearest.arraySync(), two.sceneDistance2.arraySync()], [[[0, 1]], [19]]);
 * ```
 * @category model
 */
export function alignCenters(
  visualCenters: tf.Tensor3D,
  audioCenters: tf.Tensor3D,
  background?: tf.Tensor2D,
  temperature = 0,
  distinct = false,
): Alignment {
  const [b, kv, d] = visualCenters.shape;
  if (audioCenters.shape[0] !== b || audioCenters.shape[2] !== d) {
    throw new Error(
      `alignCenters: audioCenters [${audioCenters.shape}] does not match visualCenters [${visualCenters.shape}] in batch and channels`,
    );
  }
  if (background && (background.shape[0] !== b || background.shape[1] !== kv)) {
    throw new Error(`alignCenters: background [${background.shape}] must be [${b}, ${kv}]`);
  }
  if (!(Number.isFinite(temperature) && temperature >= 0)) {
    throw new Error(`alignCenters: temperature must be finite and >= 0, got ${temperature}`);
  }
  if (distinct && temperature > 0) {
    throw new Error(`alignCenters: a distinct alignment is hard; got temperature ${temperature}`);
  }
  return tf.tidy(() => {
    const v = tf.expandDims(visualCenters, 2), a = tf.expandDims(audioCenters, 1);
    const distances = tf.sum(tf.square(tf.sub(v, a)), 3) as tf.Tensor3D; // [B, Kv, Ka]
    const alignable = background ? excludeBackground(distances, background, 1) : distances;
    // one sound: one-to-one is the nearest (the same arithmetic, bit for bit)
    if (distinct && audioCenters.shape[1] > 1) {
      const one = distinctAlignment(alignable);
      return {
        distances,
        nearest: one.nearest as tf.Tensor2D,
        sceneDistance2: one.sceneDistance2 as tf.Tensor1D,
      };
    }
    const nearest = tf.argMin(alignable, 1) as tf.Tensor2D;
    const sceneDistance2 = (temperature > 0
      ? softAlignedDistance2(v, a, alignable, temperature)
      : tf.sum(tf.min(alignable, 1), 1)) as tf.Tensor1D;
    return { distances, nearest, sceneDistance2 };
  });
}

/**
 * The one-to-one alignment: each audio center to a different alignable visual center, the
 * assignment of least total squared distance, found by trying every injective map
 * (K_visual! / (K_visual - K_audio)! of them: 12 for two sounds among four centers, 60 for
 * three among five). Where sounds' nearest centers differ it is the nearest rule; where two
 * sounds share a nearest center one of them takes its next best, so two sounds are never
 * explained by one visual center. The choice passes no gradient; the chosen distances do.
 * Leading axes broadcast.
 *
 * @param alignable squared distances `[..., Kv, Ka]`, the background's entries excluded (see
 * {@linkcode excludeBackground}); Kv >= Ka.
 * @returns the scene distance `[...]` (the chosen distances' sum) and each audio center's
 * visual center `[..., Ka]` (int32).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { distinctAlignment } from "@avscene/avscene/model";
 * // both sounds nearest center 0 (1 and 2); apart, the cheapest is sound 1 on center 1
 * const d2 = tf.tensor3d([[[1, 2], [9, 4]]]); // [1, Kv 2, Ka 2]
 * const { nearest, sceneDistance2 } = distinctAlignment(d2);
 * assert.deepEqual([nearest.arraySync(), sceneDistance2.arraySync()], [[[0, 1]], [5]]);
 * ```
 * @category model
 */
export function distinctAlignment(
  alignable: tf.Tensor,
): { sceneDistance2: tf.Tensor; nearest: tf.Tensor } {
  const r = alignable.rank;
  const [kv, ka] = alignable.shape.slice(r - 2);
  if (r < 2 || kv < ka) {
    throw new Error(
      `distinctAlignment: needs [..., Kv, Ka] with Kv >= Ka, got [${alignable.shape}]`,
    );
  }
  const maps = injectiveMaps(kv, ka);
  // selection p: 1 at (j, k) when map p aligns audio center k to visual center j
  const select = new Float32Array(maps.length * kv * ka);
  maps.forEach((m, p) => m.forEach((j, k) => select[p * kv * ka + j * ka + k] = 1));
  return tf.tidy(() => {
    const lead = alignable.shape.slice(0, r - 2);
    const flat = tf.reshape(alignable, [-1, kv * ka]);
    const cost = tf.matMul(flat, tf.tensor2d(select, [maps.length, kv * ka]), false, true);
    const best = tf.argMin(cost, 1);
    const nearest = tf.gather(tf.tensor2d(maps.flat(), [maps.length, ka], "int32"), best);
    return {
      sceneDistance2: tf.reshape(tf.min(cost, 1), lead),
      nearest: tf.reshape(nearest, [...lead, ka]),
    };
  });
}

/** Every injective map of `ka` audio centers to `kv` visual centers (map[k] = visual center). */
function injectiveMaps(kv: number, ka: number): number[][] {
  if (ka === 0) return [[]];
  return injectiveMaps(kv, ka - 1).flatMap((m) =>
    Array.from({ length: kv }, (_, j) => j).filter((j) => !m.includes(j)).map((j) => [...m, j])
  );
}

/**
 * `distances` with the background centers' entries replaced by a value no minimum picks (and
 * no gradient reaches): `background` `[batch, Kv]` is broadcast to `distances` with the visual
 * center axis at `axis` and the batch axis just before it.
 *
 * @param distances squared distances, visual centers along `axis`.
 * @param background the mask `[batch, Kv]`.
 * @param axis the visual-center axis of `distances` (>= 1).
 * @returns the masked distances, same shape.
 * @category model
 */
export function excludeBackground(
  distances: tf.Tensor,
  background: tf.Tensor2D,
  axis: number,
): tf.Tensor {
  return tf.tidy(() => {
    const shape = distances.shape.map(() => 1);
    shape[axis - 1] = background.shape[0];
    shape[axis] = background.shape[1];
    const mask = tf.reshape(background, shape);
    // arithmetic, not tf.where on a comparison: tfjs has no gradient for comparisons
    return tf.add(tf.mul(distances, tf.sub(1, mask)), tf.mul(mask, EXCLUDED));
  });
}

/**
 * The soft alignment's scene distance: each audio center k is compared with the mix of the
 * visual centers weighted by softmin_j(D_jk^2 / `temperature`) over the alignable centers
 * (the background's entries of `alignable` are excluded, weight 0), so that a sound aligned
 * to the wrong center still passes gradient to the others: `sum_k |sum_j w_jk v_j - a_k|^2`.
 * Leading axes broadcast, so one call serves a batch's own pairs and every (audio, frame)
 * pair.
 *
 * @param visual visual centers `[..., Kv, 1, D]`.
 * @param audio audio centers `[..., 1, Ka, D]`.
 * @param alignable squared distances `[..., Kv, Ka]`, the background's entries excluded (see
 * {@linkcode excludeBackground}).
 * @param temperature the softmin temperature (> 0; toward 0 the hard nearest).
 * @returns the scene distances `[...]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { softAlignedDistance2 } from "@avscene/avscene/model";
 * // two visual centers at 0 and 2 on a line, the sound at 0: weights e^0, e^-4 (tau 1)
 * const v = tf.tensor4d([[[[0]], [[2]]]]), a = tf.tensor4d([[[[0]]]]);
 * const w = Math.exp(-4) / (1 + Math.exp(-4));
 * const d2 = softAlignedDistance2(v, a, tf.tensor3d([[[0], [4]]]), 1).arraySync() as number[];
 * assert.ok(Math.abs(d2[0] - (2 * w) ** 2) < 1e-6);
 * ```
 * @category model
 */
export function softAlignedDistance2(
  visual: tf.Tensor,
  audio: tf.Tensor,
  alignable: tf.Tensor,
  temperature: number,
): tf.Tensor {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new Error(`softAlignedDistance2: temperature must be finite and > 0, got ${temperature}`);
  }
  return tf.tidy(() => {
    const r = alignable.rank;
    const logits = tf.div(tf.neg(alignable), temperature);
    const w = tf.exp(tf.sub(logits, tf.logSumExp(logits, r - 2, true))); // softmin over Kv
    const mix = tf.sum(tf.mul(tf.expandDims(w, r), visual), r - 2); // [..., Ka, D]
    const diff = tf.sub(mix, tf.squeeze(audio, [r - 2]));
    return tf.sum(tf.square(diff), [r - 2, r - 1]);
  });
}
