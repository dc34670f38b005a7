import assert from "node:assert/strict";
import { centrePrior } from "../lib/baselines/mod.ts";
import { cIoU, consensusMap } from "../lib/metrics/mod.ts";

Deno.test("centrePrior: peak at the centre, symmetric, falls off with distance", () => {
  const m = centrePrior(8, 6);
  assert.equal(m.length, 48);
  const at = (y: number, x: number) => m[y * 6 + x];
  // pixel centres 3.5 and 4.5 are equally far from the centre row 4
  assert.equal(at(3, 2), at(4, 3));
  assert.equal(at(0, 0), at(7, 5));
  assert.ok(at(3, 2) > at(2, 2) && at(2, 2) > at(0, 2));
  assert.ok(m.every((v) => v > 0 && v <= 1));
  assert.throws(() => centrePrior(0, 4), /height/);
  assert.throws(() => centrePrior(4, 1.5), /width/);
  assert.throws(() => centrePrior(4, 4, 0), /sigma/);
});

Deno.test("centrePrior: scores a centred object well and a corner object at zero", () => {
  const prior = centrePrior(64, 64);
  const centred = cIoU(prior, consensusMap([[[20, 20, 44, 44]]], 64, 64));
  const corner = cIoU(prior, consensusMap([[[0, 0, 12, 12]]], 64, 64));
  // top half = the central disc of radius sqrt(2048 / pi) ~ 25.5 px: holds the 24x24 box
  assert.ok(Math.abs(centred - 576 / 2048) < 0.01, `centred ${centred}`);
  assert.equal(corner, 0);
});
