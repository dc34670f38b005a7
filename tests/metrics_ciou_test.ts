import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { cIoU, consensusMap, localizationScores, upsampleHeatmap } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/random/mod.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);

Deno.test("consensusMap: one annotator is its own box map (union of its boxes)", () => {
  const g = consensusMap([[[0, 0, 2, 1], [3, 1, 4, 2]]], 2, 4);
  assert.deepEqual(Array.from(g), [1, 1, 0, 0, 0, 0, 0, 1]);
});

Deno.test("consensusMap: min(sum / 2, 1) over several annotators", () => {
  // 1 x 4 image: A covers cols 0-1, B cols 1-2, C cols 1-3
  const two = consensusMap([[[0, 0, 2, 1]], [[1, 0, 3, 1]]], 1, 4);
  assert.deepEqual(Array.from(two), [0.5, 1, 0.5, 0]);
  const three = consensusMap([[[0, 0, 2, 1]], [[1, 0, 3, 1]], [[1, 0, 4, 1]]], 1, 4);
  assert.deepEqual(Array.from(three), [0.5, 1, 1, 0.5]);
  // an annotator with overlapping boxes still counts once per pixel
  const dup = consensusMap([[[0, 0, 2, 1], [0, 0, 2, 1]], [[3, 0, 4, 1]]], 1, 4);
  assert.deepEqual(Array.from(dup), [0.5, 0.5, 0, 0.5]);
});

Deno.test("consensusMap: pixel centres decide fractional boxes; boxes are clipped", () => {
  // centres at 0.5, 1.5, 2.5, 3.5: [0.6, 2.5) holds 1.5 only; [-3, 0.5) holds none... 0.5 excl.
  assert.deepEqual(Array.from(consensusMap([[[0.6, 0, 2.5, 1]]], 1, 4)), [0, 1, 0, 0]);
  assert.deepEqual(Array.from(consensusMap([[[-3, -3, 0.5, 9]]], 1, 4)), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(consensusMap([[[-3, -3, 0.51, 9]]], 1, 4)), [1, 0, 0, 0]);
  assert.deepEqual(Array.from(consensusMap([[[2, 0, 99, 99]]], 2, 3)), [0, 0, 1, 0, 0, 1]);
});

Deno.test("consensusMap: bad arguments are named", () => {
  assert.throws(() => consensusMap([], 2, 2), /annotatorBoxes/);
  assert.throws(() => consensusMap([[[0, 0, 1, 1]]], 0, 2), /height/);
  assert.throws(() => consensusMap([[[0, 0, 1, 1]]], 2, 1.5), /width/);
  assert.throws(
    () => consensusMap([[[0, 0, 1, 1]], [[0, NaN, 1, 1]]], 2, 2),
    /annotatorBoxes\[1\]\[0\]/,
  );
});

Deno.test("upsampleHeatmap: hand case and agreement with tfjs resizeBilinear(halfPixelCenters)", () => {
  assert.deepEqual(Array.from(upsampleHeatmap(new Float32Array([0, 1]), 1, 2, 1, 4)), [
    0,
    0.25,
    0.75,
    1,
  ]);
  const rng = new Rng(3);
  const h = 3, w = 5, H = 14, W = 9;
  const map = Float32Array.from({ length: h * w }, () => rng.uniform());
  const ours = upsampleHeatmap(map, h, w, H, W);
  const ref = tf.tidy(() =>
    tf.image.resizeBilinear(tf.tensor3d(map, [h, w, 1]), [H, W], false, true).dataSync()
  );
  for (let i = 0; i < ours.length; i++) close(ours[i], ref[i], 1e-6);
  assert.deepEqual(upsampleHeatmap(map, h, w, h, w), map);
  assert.throws(() => upsampleHeatmap(map, 4, 4, 8, 8), /map has 15 values/);
  assert.throws(() => upsampleHeatmap(map, h, w, 0, 8), /H must be/);
});

Deno.test("cIoU: hand-computed single-annotator case (top half of a 4x4 map)", () => {
  const g = consensusMap([[[0, 0, 2, 2]]], 4, 4); // 4 pixels, top-left
  const heat = new Float32Array(16);
  for (let p = 0; p < 16; p++) heat[p] = p; // background ramp
  for (const p of [0, 1, 4, 5]) heat[p] = 100 + p; // the box: strongest
  for (const p of [8, 9, 10, 11]) heat[p] = 50 + p; // row 2: next strongest
  // top 8 = box (4 hits) + row 2 (4 false positives): 4 / (4 + 4)
  close(cIoU(heat, g), 0.5);
  // only the box above an explicit threshold between the two groups
  const normBetween = (70 - 2) / (105 - 2); // between row 2 (58..61) and the box (100..105)
  close(cIoU(heat, g, { threshold: normBetween }), 1);
});

Deno.test("cIoU: consensus weights, min-max invariance", () => {
  const g = consensusMap([[[0, 0, 2, 1]], [[1, 0, 3, 1]]], 1, 4); // [0.5, 1, 0.5, 0]
  const heat = new Float32Array([4, 3, 2, 1]); // median 2.5 -> pred {0, 1}
  close(cIoU(heat, g), (0.5 + 1) / 2);
  const shifted = heat.map((v) => 7 * v - 3);
  close(cIoU(shifted, g), 0.75);
  // the prediction on the half-weight pixels only: 0.5 / (2 + 1 false positive)
  close(cIoU(new Float32Array([3, 0, 1, 2]), g), (0.5 + 0) / (2 + 1));
});

Deno.test("cIoU: a constant heatmap is no prediction, not a full-image one", () => {
  const g = consensusMap([[[0, 0, 4, 3]]], 4, 4); // 12 of 16 pixels
  const flat = new Float32Array(16).fill(0.3);
  assert.equal(cIoU(flat, g), 0);
  // even at the lowest threshold: the full-image pitfall would score 12 / (12 + 4)
  assert.equal(cIoU(new Float32Array(16), g, { threshold: 0 }), 0);
});

Deno.test("cIoU: the threshold is sorted[n / 2] and ties with it are positive (LVS)", () => {
  const g = new Float32Array([1, 1, 1, 0, 0, 0]);
  // sorted [0, 1, 1, 1, 1, 2], sorted[3] = 1: the 2 and all four tied 1s are positive
  close(cIoU(new Float32Array([2, 1, 1, 1, 1, 0]), g), 3 / (3 + 2));
  close(cIoU(new Float32Array([0, 1, 1, 1, 1, 2]), g), 2 / (3 + 3));
  // odd count: sorted[2] is the middle value, at or above it -> 3 positives of 5
  close(cIoU(new Float32Array([5, 4, 3, 2, 1]), new Float32Array([1, 1, 0, 0, 0])), 2 / 3);
  // distinct scores, even count: exactly the top half
  close(cIoU(new Float32Array([4, 3, 2, 1]), new Float32Array([1, 1, 0, 0])), 1);
});

Deno.test("cIoU: a saturated map keeps its tied maxima (more than half the image)", () => {
  // 4x4 image, the object is the 2x3 block at the top-left (6 pixels)
  const g = consensusMap([[[0, 0, 3, 2]]], 4, 4);
  // soft K-means with a sharp beta: the object and 4 background pixels sit at the maximum
  // (10 of 16 tied), the rest is low; strictly-above-the-median would predict nothing
  const heat = new Float32Array(16).fill(0.02);
  for (const p of [0, 1, 2, 4, 5, 6, 3, 7, 8, 9]) heat[p] = 1;
  close(cIoU(heat, g), 6 / (6 + 4));
  // the same saturation on the background instead of the object scores low, not high
  const wrong = new Float32Array(16).fill(0.02);
  for (const p of [3, 7, 8, 9, 10, 11, 12, 13, 14, 15]) wrong[p] = 1;
  close(cIoU(wrong, g), 0 / (6 + 10));
  // a near-constant map with one dip predicts everything else (15 of 16): ties are kept
  const dip = new Float32Array(16).fill(1);
  dip[15] = 0;
  close(cIoU(dip, g), 6 / (6 + 9));
});

Deno.test("cIoU: bad inputs are named", () => {
  const g = new Float32Array([1, 0, 0, 0]);
  assert.throws(() => cIoU(new Float32Array([1, 2, NaN, 0]), g), /heatmap\[2\]/);
  assert.throws(() => cIoU(new Float32Array([1, 2, 3]), g), /groundTruth has 4 values/);
  assert.throws(
    () => cIoU(new Float32Array([1, 2, 3, 4]), new Float32Array(4)),
    /groundTruth is all zero/,
  );
  assert.throws(
    () => cIoU(new Float32Array([1, 2, 3, 4]), new Float32Array([0, 2, 0, 0])),
    /groundTruth\[1\]/,
  );
  assert.throws(() => cIoU(new Float32Array(4), g, { threshold: NaN }), /opts.threshold/);
  // the map is min-max normalised: thresholds outside [0, 1] predict all or nothing
  for (const threshold of [2, -1, 1.0001]) {
    assert.throws(
      () => cIoU(new Float32Array([1, 2, 3, 4]), g, { threshold }),
      (e) => e instanceof RangeError && /opts.threshold must be in \[0, 1\]/.test(e.message),
    );
  }
  close(cIoU(new Float32Array([4, 3, 2, 1]), g, { threshold: 0.9 }), 1);
  assert.throws(() => cIoU(new Float32Array(0), new Float32Array(0)), /heatmap is empty/);
});

Deno.test("localizationScores: cIoU@0.5 and the 21-point trapezoid AUC", () => {
  // rate(0) = 1, rate(t) = 1/2 for t = 0.05..1: 0.05 * 1.5 / 2 + 19 * 0.05 * 0.5
  const a = localizationScores([1, 0]);
  close(a.ciou50, 0.5);
  close(a.auc, 0.5125);
  const perfect = localizationScores([1, 1, 1]);
  close(perfect.ciou50, 1);
  close(perfect.auc, 1);
  // by linearity, AUC is the mean of per-image AUCs; one image with cIoU c off the grid has
  // k = floor(c / 0.05) full steps at rate 1 and one half step: 0.05 k + 0.025
  const s = localizationScores([0.26, 0.74, 0, 1]);
  close(s.ciou50, 0.5);
  close(s.auc, (0.275 + 0.725 + 0.025 + 1) / 4);
  // exactly 0.5 counts for cIoU@0.5
  close(localizationScores([0.5, 0.49]).ciou50, 0.5);
  assert.throws(() => localizationScores([]), /cious is empty/);
  assert.throws(() => localizationScores([0.2, 1.5]), /cious\[1\]/);
});
