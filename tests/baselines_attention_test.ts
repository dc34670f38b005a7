import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  attentionContrastiveLoss,
  attentionHeatmaps,
  type AttentionNets,
  senocakAttention,
  trainAttentionStep,
} from "../lib/baselines/mod.ts";
import { Rng } from "../lib/random/mod.ts";

await tf.setBackend("cpu");

Deno.test("senocakAttention: rows sum to 1 and peak where the visual feature matches the audio", () => {
  const before = tf.memory().numTensors;
  const visual = tf.tensor3d([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 0, 1], [1, 1, 0], [
    1,
    0,
    0,
  ]]]);
  const audio = tf.tensor2d([[0, 3, 0], [2, 0, 0]]);
  const { attention, attended } = senocakAttention(visual, audio);
  assert.deepEqual(attention.shape, [2, 3]);
  assert.deepEqual(attended.shape, [2, 3]);
  const a = attention.arraySync();
  for (const row of a) assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  assert.equal(a[0].indexOf(Math.max(...a[0])), 1);
  assert.equal(a[1].indexOf(Math.max(...a[1])), 2);
  // attended = sum_n a_n v_n
  const z = attended.arraySync(), v = visual.arraySync();
  for (let b = 0; b < 2; b++) {
    for (let d = 0; d < 3; d++) {
      const want = a[b].reduce((s, an, n) => s + an * v[b][n][d], 0);
      assert.ok(Math.abs(z[b][d] - want) < 1e-5);
    }
  }
  tf.dispose([visual, audio, attention, attended]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(
    () => senocakAttention(tf.zeros([2, 3, 4]) as tf.Tensor3D, tf.zeros([2, 3]) as tf.Tensor2D),
    /audio has shape/,
  );
});

Deno.test("attentionContrastiveLoss matches the formula", () => {
  const z = tf.tensor2d([[0, 0], [3, 4]]), h = tf.tensor2d([[1, 0], [0, 0]]);
  const y = tf.tensor1d([1, 0]);
  // positive: d^2 = 1 -> 0.5; negative: d = 5 with margin 6 -> 0.5 * 1; mean -> 0.5
  const loss = attentionContrastiveLoss(z, h, y, 6);
  assert.ok(Math.abs(loss.dataSync()[0] - 0.5) < 1e-5);
  tf.dispose([z, h, y, loss]);
});

Deno.test("trainAttentionStep lowers the loss on a learnable toy task; heatmaps are per clip", () => {
  // toy world: "audio" is a one-hot class; the "image" has 4 positions, one holding that class's
  // pattern, the rest noise of the same magnitude (weak noise would let the loss collapse:
  // attending near-zero noise with a near-zero audio embedding also satisfies the positives).
  // Linear nets must learn to map both into a shared space.
  const rng = new Rng(1);
  const classes = 3, positions = 4, dim = 6, batch = 12;
  const patterns = Array.from(
    { length: classes },
    () => Array.from({ length: dim }, () => rng.normal()),
  );
  const sample = () => {
    const c = rng.int(0, classes - 1), where = rng.int(0, positions - 1);
    const img = Array.from(
      { length: positions },
      (_, p) => p === where ? patterns[c] : Array.from({ length: dim }, () => rng.normal()),
    );
    return { c, where, img };
  };
  const data = Array.from({ length: batch }, sample);
  const audio = tf.oneHot(tf.tensor1d(data.map((s) => s.c), "int32"), classes).toFloat();
  const images = tf.tensor3d(data.map((s) => s.img));
  // negatives: the image of the next clip of another class
  const negatives = tf.tensor3d(data.map((s, i) => {
    for (let k = 1; k < batch; k++) {
      const o = data[(i + k) % batch];
      if (o.c !== s.c) return o.img;
    }
    throw new Error("toy batch has a single class");
  }));
  const wa = tf.variable(tf.randomNormal([classes, dim], 0, 0.5, "float32", 1));
  const wv = tf.variable(tf.randomNormal([dim, dim], 0, 0.5, "float32", 2));
  const nets: AttentionNets = {
    audio: (x) => tf.matMul(x as tf.Tensor2D, wa),
    visual: (x) => {
      const [b, n, d] = x.shape;
      return tf.reshape(tf.matMul(tf.reshape(x, [b * n, d]), wv), [b, n, dim]) as tf.Tensor3D;
    },
    variables: [wa, wv],
  };
  const opt = tf.train.adam(0.05);
  const first = trainAttentionStep(nets, opt, audio, images, negatives, 2);
  let last = first;
  for (let i = 0; i < 60; i++) last = trainAttentionStep(nets, opt, audio, images, negatives, 2);
  assert.ok(last < 0.5 * first, `loss ${first} -> ${last}`);
  const maps = attentionHeatmaps(nets, audio, images);
  assert.equal(maps.length, batch);
  assert.ok(maps.every((m) => m.length === positions));
  // the attention finds the sounding position in most clips (chance: 1 in 4)
  const hits = maps.filter((m, i) => m.indexOf(Math.max(...m)) === data[i].where).length;
  assert.ok(hits >= 0.75 * batch, `attention peaks on the pattern in ${hits} of ${batch}`);
  tf.dispose([audio, images, negatives, wa, wv]);
  opt.dispose();
});
