import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import { createAvMixSep, createCoSeparation, createSoundOfPixels } from "../lib/baselines/mod.ts";
import type { AVClip } from "../lib/data/types.ts";
import { mixtureBatch, separateMixtures } from "../lib/model/separation/mod.ts";
import { trainSeparation } from "../lib/train/train_separation.ts";
import { fixtureWorld } from "./model_fixture_world.ts";

await initBackend(Deno.env.get("AVSCENE_BACKEND") ? undefined : "wasm");

const world = fixtureWorld({ seed: 5, imageSize: 64, sampleRate: 8000, duration: 1 });
const solo = world.curriculumSet(1, 4);
const duet = world.curriculumSet(2, 2);

const METHODS = [
  ["Sound-of-Pixels", createSoundOfPixels, "product"],
  ["Co-Separation", createCoSeparation, "bottleneck"],
  ["AV-Mix-Sep", createAvMixSep, "bottleneck"],
] as const;

for (const [name, create, conditioning] of METHODS) {
  Deno.test(`${name}: conditioning shapes, one vector per object where it sees objects`, () => {
    const { model, conditioner } = create({ preset: "tiny", seed: 1 });
    assert.equal(model.config.conditioning, conditioning);
    assert.ok(model.params.specs().some((s) => /visual/.test(s.name)), "visual net in the store");
    const before = tf.memory().numTensors;
    const batch = mixtureBatch(model, [[solo[0], duet[0]], [solo[1], solo[2]]]);
    const { vectors, valid } = conditioner.condition(batch);
    // only Co-Separation sees a duet's two objects (its two ground-truth boxes)
    const k = name === "Co-Separation" ? 2 : 1;
    assert.deepEqual(vectors.shape, [2, 2, k, model.config.conditionSize]);
    assert.deepEqual(valid.shape, [2, 2, k]);
    if (k === 2) assert.deepEqual(Array.from(valid.dataSync()), [1, 0, 1, 1, 1, 0, 1, 0]);
    assert.ok(vectors.dataSync().every(Number.isFinite));
    tf.dispose([vectors, valid]);
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    model.params.dispose();
  });

  Deno.test(`${name}: mix-and-separate steps lower the loss and separate a mixture`, async () => {
    const { model, conditioner } = create({ preset: "tiny", seed: 2 });
    const run = await trainSeparation(model, {
      conditioner,
      clips: solo.slice(0, 2),
      steps: 6,
      batchSize: 2,
      lr: 3e-3,
    });
    const h = run.history.map((s) => s.loss);
    assert.ok(h[5] < h[0], `${name}: loss did not fall: ${h.map((v) => v.toFixed(3))}`);
    const out = await separateMixtures(model, conditioner, mixtureBatch(model, [solo.slice(2, 4)]));
    assert.equal(out[0].length, 2);
    assert.ok(out[0].every((w) => w.length === 8000 && w.every(Number.isFinite)));
    model.params.dispose();
  });
}

Deno.test("Co-Separation: a solo clip without boxes takes the whole frame; a duet one is named", () => {
  const { model, conditioner } = createCoSeparation({ preset: "tiny", seed: 0 });
  const bare: AVClip = { ...solo[0], id: "no-box-clip", boxes: undefined };
  const whole: AVClip = { ...solo[0], boxes: [[0, 0, solo[0].image.width, solo[0].image.height]] };
  const a = conditioner.condition(mixtureBatch(model, [[bare, solo[1]]]));
  const b = conditioner.condition(mixtureBatch(model, [[whole, solo[1]]]));
  assert.deepEqual(a.vectors.dataSync(), b.vectors.dataSync());
  tf.dispose([a.vectors, a.valid, b.vectors, b.valid]);
  const bareDuet: AVClip = { ...duet[0], id: "no-box-duet", boxes: undefined };
  assert.throws(
    () => conditioner.condition(mixtureBatch(model, [[bareDuet, solo[1]]])),
    /clip no-box-duet has 2 sources and no boxes/,
  );
  model.params.dispose();
});
