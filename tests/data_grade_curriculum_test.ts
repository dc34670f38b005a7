import assert from "node:assert/strict";
import {
  type AVClip,
  countToLevel,
  formatGradeSizes,
  gradeCurriculum,
  PAPER_CURRICULUM_SIZES,
  synthWorld,
} from "../lib/data/mod.ts";

function clip(id: string, count?: number): AVClip {
  return {
    id,
    count,
    image: { data: new Float32Array(3), height: 1, width: 1 },
    audio: new Float32Array(8),
    sampleRate: 8000,
  };
}

Deno.test("gradeCurriculum: by ground truth, levels hold the clips of each count", async () => {
  const clips = [1, 3, 2, 1, 4, 2, 1, 6].map((c, i) => clip(`c${i}`, c));
  const graded = await gradeCurriculum(clips);
  assert.deepEqual(graded.sizes, [3, 2, 1, 2]);
  assert.deepEqual(graded.levels[1].map((c) => c.id), ["c0", "c3", "c6"]);
  assert.deepEqual(graded.levels[4].map((c) => c.id), ["c4", "c7"], "5+ sources are level 4");
  assert.equal(graded.agreement, undefined, "no agreement without a predictor");
});

Deno.test("gradeCurriculum: by a predictor, rounded and clamped, with agreement", async () => {
  const clips = [1, 2, 2, 3, 4, 1].map((c, i) => clip(`c${i}`, c));
  const predictions: Record<string, number> = { c0: 0.2, c1: 2.4, c2: 2.6, c3: 3, c4: 9, c5: 1.49 };
  // Any function works, synchronous or asynchronous.
  const sync = await gradeCurriculum(clips, (c) => predictions[c.id]);
  const asyncGraded = await gradeCurriculum(clips, (c) => Promise.resolve(predictions[c.id]));
  for (const graded of [sync, asyncGraded]) {
    assert.deepEqual(graded.sizes, [2, 1, 2, 1]);
    assert.deepEqual(graded.levels[3].map((c) => c.id), ["c2", "c3"]);
    assert.equal(graded.agreement, 5 / 6);
    assert.equal(graded.confusion![1][2], 1, "one true C2 clip graded C3");
    assert.equal(graded.confusion!.flat().reduce((a, b) => a + b, 0), 6);
  }
  // Unlabelled clips can be graded by a predictor; agreement needs every count.
  const unlabelled = await gradeCurriculum([clip("u", undefined), clip("v", 2)], () => 2);
  assert.deepEqual(unlabelled.sizes, [0, 2, 0, 0]);
  assert.equal(unlabelled.agreement, undefined);
});

Deno.test("gradeCurriculum: errors name the clip", async () => {
  await assert.rejects(gradeCurriculum([clip("a", 1), clip("b")]), /clip b has no count/);
  await assert.rejects(gradeCurriculum([clip("z", 0)]), /clip z has count 0/);
  await assert.rejects(gradeCurriculum([clip("n", 1)], () => NaN), /NaN for clip n/);
});

Deno.test("gradeCurriculum: grades a synthetic uncurated set and formats sizes like the paper", async () => {
  const world = synthWorld({ seed: 3 });
  const clips = world.uncuratedSet(40);
  const graded = await gradeCurriculum(clips);
  assert.equal(graded.sizes.reduce((a, b) => a + b, 0), 40);
  for (const level of [1, 2, 3, 4] as const) {
    assert.ok(graded.levels[level].every((c) => c.count === level));
  }
  // A predictor that reads the truth agrees fully.
  assert.equal((await gradeCurriculum(clips, (c) => c.count!)).agreement, 1);
  assert.equal(formatGradeSizes(PAPER_CURRICULUM_SIZES), "C1 9,239 / C2 7,098 / C3 2,685 / C4 421");
  assert.equal(countToLevel(-3), 1);
  assert.equal(countToLevel(3.5), 4);
});
