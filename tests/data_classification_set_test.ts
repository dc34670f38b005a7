// Table 1 must measure something: on the labelled synthetic set an untrained audio net stays
// far from saturation (<= 60%; 42-49% measured for seeds 0-2 at 4 clips per class and fold).
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import { classifyFrozenFeatures } from "../lib/metrics/mod.ts";
import { pooledAudioFeatures } from "../lib/model/mod.ts";
import { pooledMfccFeatures } from "../lib/baselines/mod.ts";

await initBackend("wasm");

Deno.test("classificationSet: an untrained net scores <= 60%, MFCCs well above chance", async () => {
  const set = synthWorld({ seed: 0 }).classificationSet(4);
  assert.equal(set.length, 5 * 10 * 4);
  const y = set.map((c) => c.target), folds = set.map((c) => c.fold);
  const model = createModel({ preset: "tiny", seed: 0 });
  try {
    const untrained = classifyFrozenFeatures(await pooledAudioFeatures(model, set), y, folds);
    assert.ok(untrained.meanAccuracy <= 0.6, `untrained ${untrained.meanAccuracy}`);
    assert.ok(untrained.meanAccuracy > 0.2, `untrained ${untrained.meanAccuracy} (chance 0.1)`);
  } finally {
    model.params.dispose();
  }
  const mfcc = classifyFrozenFeatures(pooledMfccFeatures(set), y, folds);
  assert.ok(mfcc.meanAccuracy > 0.5, `MFCC ${mfcc.meanAccuracy}`);
});
