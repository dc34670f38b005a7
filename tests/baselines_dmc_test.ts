// The trained localization baselines on our model: DMC (our trainer configured with fixed
// clusters on the uncurated set) and Attention (Senocak, its own loss) train end to end and
// give one heatmap per clip on the visual grid.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  attentionLocalize,
  DMC_K_AUDIO,
  DMC_K_VISUAL,
  dmcHeatmaps,
  dmcStages,
  trainAttentionBaseline,
  trainDMC,
} from "../lib/baselines/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { createModel, localize, smoothGridMap, unionOf } from "../lib/model/mod.ts";

await initBackend("wasm");

const world = synthWorld({ seed: 2 });

Deno.test("dmcStages: one uncurated stage with Simplified_DMC's fixed clusters", () => {
  assert.deepEqual(dmcStages(7), [{
    level: "uncurated",
    steps: 7,
    kAudio: DMC_K_AUDIO,
    kVisual: DMC_K_VISUAL,
  }]);
  assert.deepEqual(dmcStages(3, { kAudio: 1, kVisual: 2 })[0].kVisual, 2);
  assert.throws(() => dmcStages(0), /steps must be an integer >= 1/);
  assert.throws(() => dmcStages(5, { kVisual: 0 }), /clusters.kVisual must be a positive integer/);
});

Deno.test("unionOf: pixelwise maximum, sizes checked", () => {
  const u = unionOf([Float32Array.from([0.1, 0.9, 0.3]), Float32Array.from([0.5, 0.2, 0.3])]);
  assert.deepEqual(Array.from(u), [0.5, 0.9, 0.3].map(Math.fround));
  assert.throws(() => unionOf([]), /maps is empty/);
  assert.throws(() => unionOf([new Float32Array(2), new Float32Array(3)]), /maps\[1\] has 3/);
});

Deno.test("trainDMC trains on the uncurated set; dmcHeatmaps gives grid-sized maps", async () => {
  const model = createModel({ preset: "tiny", seed: 3 });
  const before = tf.memory().numTensors;
  const dir = await Deno.makeTempDir({ prefix: "avscene-dmc-" });
  try {
    const result = await trainDMC(model, {
      data: world,
      steps: 3,
      batchSize: 4,
      datasetSize: 8,
      outDir: dir,
    });
    assert.equal(result.history.length, 3);
    assert.ok(result.history.every((h) => h.level === "U" && Number.isFinite(h.loss)));
    // trained through our trainer: its history and checkpoints are in outDir
    assert.ok((await Deno.stat(`${dir}/checkpoints/latest.json`)).isFile);
    const clips = world.localizationSet(5);
    const maps = await dmcHeatmaps(model, clips);
    const raw = await localize(model, clips, {
      kAudio: DMC_K_AUDIO,
      kVisual: DMC_K_VISUAL,
      mapSmoothing: 0,
    });
    assert.equal(maps.length, 5);
    maps.forEach((m, i) => {
      assert.equal(m.height, 16); // tiny: 64 px / stride 4
      assert.equal(m.width, 16);
      assert.equal(m.heatmap.length, 256);
      assert.ok(m.heatmap.every((v) => Number.isFinite(v) && v >= 0 && v <= 1 + 1e-5));
      // the union of the aligned centers' maps, smoothed once as a whole
      assert.deepEqual([...m.heatmap], [...smoothGridMap(unionOf(raw[i].aligned), 16, 16)]);
    });
    assert.equal(tf.memory().numTensors, before, "no tensors leak");
  } finally {
    model.params.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainAttentionBaseline: the loss falls on a fixed batch; attention maps per clip", async () => {
  const model = createModel({ preset: "tiny", seed: 4 });
  const before = tf.memory().numTensors;
  try {
    // datasetSize = batchSize: every step sees the same 8 clips, so the loss must fall
    const { losses, completed } = await trainAttentionBaseline(model, {
      data: world,
      steps: 6,
      batchSize: 8,
      datasetSize: 8,
    });
    assert.ok(completed);
    assert.equal(losses.length, 6);
    const first = losses[0], late = (losses[3] + losses[4] + losses[5]) / 3;
    assert.ok(late < 0.9 * first, `loss ${first} -> ${late} (${losses.map((l) => l.toFixed(3))})`);
    const clips = world.curriculumSet(1, 3);
    const maps = attentionLocalize(model, clips);
    const raw = attentionLocalize(model, clips, 0);
    assert.equal(maps.length, 3);
    maps.forEach((m, i) => {
      assert.deepEqual([m.height, m.width, m.heatmap.length], [16, 16, 256]);
      // the raw attention is a distribution over the grid; the scored map is it smoothed
      const sum = raw[i].heatmap.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `attention sums to ${sum}`);
      assert.deepEqual([...m.heatmap], [...smoothGridMap(raw[i].heatmap, 16, 16)]);
    });
    assert.equal(tf.memory().numTensors, before, "no tensors leak");
  } finally {
    model.params.dispose();
  }
});

Deno.test("trainAttentionBaseline: bad options and abort", async () => {
  const model = createModel({ preset: "tiny", seed: 5 });
  try {
    await assert.rejects(
      trainAttentionBaseline(model, { data: world, steps: 0 }),
      /opts.steps must be an integer >= 1/,
    );
    await assert.rejects(
      trainAttentionBaseline(model, { data: world, steps: 2, batchSize: 8, datasetSize: 4 }),
      /datasetSize \(4\) must be an integer >= batchSize \(8\)/,
    );
    const ac = new AbortController();
    ac.abort();
    const r = await trainAttentionBaseline(model, {
      data: world,
      steps: 5,
      batchSize: 2,
      datasetSize: 2,
      signal: ac.signal,
    });
    assert.deepEqual(r, { losses: [], completed: false });
  } finally {
    model.params.dispose();
  }
});
