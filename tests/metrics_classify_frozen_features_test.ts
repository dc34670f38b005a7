import assert from "node:assert/strict";
import {
  classifyFrozenFeatures,
  fitLogisticRegression,
  predictLogisticRegression,
} from "../lib/metrics/mod.ts";
import { Rng } from "../lib/random/mod.ts";

/** Gaussian blobs: `perClassPerFold` clips per class per fold, class means `spread` apart. */
function blobs(
  seed: number,
  classes: number,
  dim: number,
  perClassPerFold: number,
  spread: number,
) {
  const rng = new Rng(seed);
  const means = Array.from(
    { length: classes },
    () => Float64Array.from({ length: dim }, () => spread * rng.normal()),
  );
  const features: Float32Array[] = [], targets: number[] = [], folds: number[] = [];
  for (let fold = 1; fold <= 5; fold++) {
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < perClassPerFold; k++) {
        // an offset and scale per feature checks that standardisation is applied
        features.push(
          Float32Array.from(means[c], (m, d) => 100 * d + (1 + d) * (m + rng.normal())),
        );
        targets.push(c);
        folds.push(fold);
      }
    }
  }
  return { features, targets, folds, rng };
}

Deno.test("classifyFrozenFeatures: separable classes are classified (near) perfectly", () => {
  const { features, targets, folds } = blobs(1, 4, 8, 12, 4);
  const r = classifyFrozenFeatures(features, targets, folds);
  assert.deepEqual(r.folds, [1, 2, 3, 4, 5]);
  assert.equal(r.foldAccuracies.length, 5);
  for (const a of r.foldAccuracies) assert.ok(a >= 0.95, `fold accuracy ${a}`);
  const mean = r.foldAccuracies.reduce((a, b) => a + b) / 5;
  assert.ok(Math.abs(r.meanAccuracy - mean) < 1e-15);
});

Deno.test("classifyFrozenFeatures: labels independent of the features score near chance", () => {
  const { features, folds, rng } = blobs(2, 4, 8, 16, 0);
  const targets = features.map(() => rng.int(0, 3));
  const r = classifyFrozenFeatures(features, targets, folds);
  assert.ok(r.meanAccuracy > 0.1 && r.meanAccuracy < 0.4, `chance is 0.25, got ${r.meanAccuracy}`);
});

Deno.test("classifyFrozenFeatures: deterministic, and fold ids are just names", () => {
  const { features, targets, folds } = blobs(3, 3, 5, 6, 1);
  const a = classifyFrozenFeatures(features, targets, folds);
  const b = classifyFrozenFeatures(features, targets, folds);
  assert.deepEqual(a, b);
  const renamed = classifyFrozenFeatures(features, targets, folds.map((f) => 10 * f));
  assert.deepEqual(renamed.foldAccuracies, a.foldAccuracies);
  assert.deepEqual(renamed.folds, [10, 20, 30, 40, 50]);
});

Deno.test("classifyFrozenFeatures: inconsistent inputs are errors naming the argument", () => {
  const { features, targets, folds } = blobs(4, 2, 3, 2, 1);
  assert.throws(() => classifyFrozenFeatures(features, targets, folds.slice(1)), /folds has 19/);
  assert.throws(() => classifyFrozenFeatures(features, targets.slice(2), folds), /targets has 18/);
  assert.throws(
    () => classifyFrozenFeatures(features, targets, folds.map(() => 1)),
    /at least 2 distinct/,
  );
  assert.throws(
    () => classifyFrozenFeatures(features, targets, folds.map((f, i) => (i === 3 ? 1.5 : f))),
    /folds\[3\]/,
  );
  assert.throws(
    () => classifyFrozenFeatures([...features.slice(1), new Float32Array(2)], targets, folds),
    /features\[19\] has 2 values/,
  );
  assert.throws(
    () => classifyFrozenFeatures(features, targets, folds, { classes: 1 }),
    /opts.classes/,
  );
  assert.throws(() => classifyFrozenFeatures([], [], []), /features is empty/);
});

Deno.test("fitLogisticRegression reaches a stationary point of the penalised objective", () => {
  const rng = new Rng(7);
  const classes = 3, dim = 4, n = 60, c = 0.5;
  const x = Array.from({ length: n }, () => Float64Array.from({ length: dim }, () => rng.normal()));
  const y = x.map((row) => (row[0] + 0.5 * rng.normal() > 0.5 ? 2 : row[1] > 0 ? 1 : 0));
  const model = fitLogisticRegression(x, y, classes, { c, tolerance: 1e-9 });
  // independent objective: 0.5 |W|^2 + C sum CE, differentiated numerically
  const objective = (w: Float64Array, b: Float64Array) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: classes }, (_, k) => {
        let s = b[k];
        for (let d = 0; d < dim; d++) s += w[k * dim + d] * x[i][d];
        return s;
      });
      const m = Math.max(...z);
      total += m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0)) - z[y[i]];
    }
    let reg = 0;
    for (const v of w) reg += v * v;
    return 0.5 * reg + c * total;
  };
  const h = 1e-6;
  const params: ["w" | "b", number][] = [
    ...[...model.weights.keys()].map((i): ["w" | "b", number] => ["w", i]),
    ...[...model.bias.keys()].map((i): ["w" | "b", number] => ["b", i]),
  ];
  for (const [kind, i] of params) {
    const w1 = model.weights.slice(), w2 = model.weights.slice();
    const b1 = model.bias.slice(), b2 = model.bias.slice();
    if (kind === "w") {
      w1[i] += h;
      w2[i] -= h;
    } else {
      b1[i] += h;
      b2[i] -= h;
    }
    const g = (objective(w1, b1) - objective(w2, b2)) / (2 * h);
    assert.ok(Math.abs(g) < 1e-4 * n * c, `d objective / d ${kind}[${i}] = ${g}`);
  }
  // and it fits the training data better than chance
  const acc = x.filter((row, i) => predictLogisticRegression(model, row) === y[i]).length / n;
  assert.ok(acc > 0.7, `training accuracy ${acc}`);
});
