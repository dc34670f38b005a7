// Grading a dataset by a count predictor (the paper's graded-data rows): the predicted levels
// become the training levels, streamed from the underlying dataset.
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDataset, synthWorld } from "../lib/data/mod.ts";
import { gradeDataset } from "../lib/data/graded_dataset.ts";
import { writeFlickrTree } from "./data_fixture_trees.ts";

const SIZES = { sampleRate: 8000, imageSize: 64 };

Deno.test("gradeDataset: predicted levels become training levels; other capabilities kept", async () => {
  const world = synthWorld({ seed: 4 });
  const seen: number[] = [];
  // a predictor that says 2 for every clip whose true count is >= 2
  const graded = await gradeDataset(world, (clip) => {
    seen.push(clip.audio.length);
    return Math.min(clip.count!, 2);
  }, { size: 30, seconds: 1, sampleRate: 8000 });
  assert.ok(seen.every((n) => n === 8000)); // one window of the model's length per clip
  const truth = world.uncuratedSet(30).map((c) => c.count!);
  assert.deepEqual(graded.sizes, [
    truth.filter((c) => c === 1).length,
    truth.filter((c) => c >= 2).length,
    0,
    0,
  ]);
  const c2 = graded.trainingClips!(2, 100);
  assert.equal(c2.size, graded.sizes[1]);
  for (let i = 0; i < c2.size; i++) {
    const clip = await c2.clip(i);
    assert.equal(clip.count, 2);
    assert.equal(c2.entry(i).count, 2);
  }
  assert.equal(graded.trainingClips!(3, 10).size, 0);
  assert.equal(graded.trainingClips!("uncurated", 100).size, 30);
  assert.equal((await graded.localizationSet!(2)).length, 2);
  assert.notEqual(graded.identity, world.identity);
  await assert.rejects(
    gradeDataset(world, () => NaN, { size: 2, seconds: 1, sampleRate: 8000 }),
    /predictor returned NaN/,
  );
});

Deno.test("gradeDataset on SoundNet-Flickr: unknown counts graded into levels C1 and C2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const root = join(dir, "flickr");
    await writeFlickrTree(root, { annotated: 2, extra: 6, seconds: 2, ...SIZES });
    const flickr = await openDataset(`flickr:${root}`, SIZES);
    assert.equal(flickr.trainingClips!(1, 10).size, 0); // counts unknown
    let k = 0;
    const graded = await gradeDataset(flickr, () => 1 + (k++ % 2), {
      size: 100,
      seconds: 1,
      sampleRate: 8000,
    });
    assert.deepEqual(graded.sizes, [4, 4, 0, 0]);
    assert.equal(graded.trainingClips!(1, 10).size, 4);
    const clip = await graded.trainingClips!(2, 10).clip(0);
    assert.equal(clip.count, 2);
    assert.equal(clip.audio.length, 2 * 8000); // the whole clip: training windows it later
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
