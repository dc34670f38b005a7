// Table 1 must measure something: on the labelled synthetic set an untrained audio net stays
// well below pooled MFCCs, so learned features have room above it (read out over time per
// frequency column, `pooledAudioFeatures`: 78.5 / 76.0 / 77.5% for seeds 0-2 at 4 clips per
// class and fold, MFCCs 92.0%; pooled over frequency too, as before, it scored 42.5-49.0%).
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import { classifyFrozenFeatures } from "../lib/metrics/mod.ts";
import { pooledAudioFeatures } from "../lib/model/mod.ts";
import { pooledMfccFeatures } from "../lib/baselines/mod.ts";

await initBackend("wasm");

Deno.test("classificationSet: an untrained net well below MFCCs, both well above chance", async () => {
  const set = synthWorld({ seed: 0 }).classificationSet(4);
  assert.equal(set.length, 5 * 10 * 4);
  const y = set.map((c) => c.target), folds = set.map((c) => c.fold);
  const model = createModel({ preset: "tiny", seed: 0 });
  let untrained: number;
  try {
    untrained = classifyFrozenFeatures(await pooledAudioFeatures(model, set), y, folds)
      .meanAccuracy;
  } finally {
    model.params.dispose();
  }
  assert.ok(untrained > 0.2, `untrained ${untrained} (chance 0.1)`);
  const mfcc = classifyFrozenFeatures(pooledMfccFeatures(set), y, folds).meanAccuracy;
  assert.ok(mfcc > 0.5, `MFCC ${mfcc}`);
  assert.ok(untrained <= mfcc - 0.1, `untrained ${untrained} not 10 points below MFCC ${mfcc}`);
});
