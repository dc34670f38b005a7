// Per-object separation: each sounding object of a duet frame gets its own mask from its own
// aligned visual center, so one duet clip yields two separated sources.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import {
  batchSpectra,
  createOursSeparation,
  mixtureBatch,
  predictClipMasks,
  predictObjectMasks,
  separateObjects,
} from "../lib/model/separation/mod.ts";

await initBackend("wasm");

Deno.test("separateObjects: a duet clip yields two sources, a solo one; masks unite to the clip's", async () => {
  const world = synthWorld({ seed: 3 });
  const av = createModel({ preset: "tiny", seed: 1 });
  const { model, conditioner } = createOursSeparation(av, { preset: "tiny", seed: 2 });
  try {
    const duet = world.scene(0, 2, "test"), solo = world.scene(1, 1, "test");
    const batch = mixtureBatch(model, [[duet, solo]]);
    const before = tf.memory().numTensors;
    const out = await separateObjects(model, conditioner, batch);
    assert.equal(out[0][0].length, 2); // the duet's two objects
    assert.equal(out[0][1].length, 1);
    const n = Math.round(model.config.sampleRate * model.config.duration);
    for (const w of out[0].flat()) {
      assert.equal(w.length, n);
      assert.ok(w.every(Number.isFinite));
    }
    // two different centers condition the two masks: two different waveforms
    let diff = 0;
    for (let i = 0; i < n; i++) diff += Math.abs(out[0][0][0][i] - out[0][0][1][i]);
    assert.ok(diff > 1e-3, `objects separated identically (${diff})`);
    // the clip's mask is the union of its objects' masks
    const spectra = batchSpectra(model, batch);
    const { masks, valid } = predictObjectMasks(model, conditioner, batch, spectra);
    const clip = predictClipMasks(model, conditioner, batch, spectra);
    const union = tf.tidy(() => tf.sub(1, tf.prod(tf.sub(1, masks), 2)));
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(union, clip))).dataSync()[0]);
    assert.ok(gap < 1e-5, `union differs from the clip mask by ${gap}`);
    assert.deepEqual(Array.from(valid.dataSync()), [1, 1, 1, 0]);
    tf.dispose([masks, valid, clip, union]);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    conditioner.dispose?.();
    model.params.dispose();
    av.params.dispose();
  }
});
