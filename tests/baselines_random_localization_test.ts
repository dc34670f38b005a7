import assert from "node:assert/strict";
import { randomLocalization } from "../lib/baselines/mod.ts";
import { cIoU, consensusMap } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/random/mod.ts";

Deno.test("randomLocalization is seeded, uniform in [0, 1), and sized", () => {
  const a = randomLocalization(8, 5, 3), b = randomLocalization(8, 5, 3);
  assert.equal(a.length, 40);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, randomLocalization(8, 5, 4));
  assert.ok(a.every((v) => v >= 0 && v < 1));
  const big = randomLocalization(100, 100, 1);
  const mean = big.reduce((s, v) => s + v, 0) / big.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.throws(() => randomLocalization(0, 5, 1), /height/);
  assert.throws(() => randomLocalization(5, 2.5, 1), /width/);
});

Deno.test("randomLocalization scores the chance cIoU a / (1 + a) of a box covering share a", () => {
  const rng = new Rng(8);
  const g = consensusMap([[[0, 0, 32, 32]]], 64, 64); // a = 1/4
  const scores = Array.from({ length: 20 }, () => cIoU(randomLocalization(64, 64, rng.seed()), g));
  const mean = scores.reduce((s, v) => s + v, 0) / scores.length;
  // half of the box is hit, half of the background is a false positive: 0.25 / 1.25
  assert.ok(Math.abs(mean - 0.2) < 0.01, `mean cIoU ${mean}`);
});
