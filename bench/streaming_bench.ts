/**
 * The cost of streaming training batches from disk against the training step they feed:
 * `ClipStream` windows of 16 clips from a MUSIC-layout tree (one-minute WAV clips, the cache
 * off, so every clip is decoded: the worst case; MP3 as a second case), against the anchor of
 * one tiny training step (forward, backward, Adam) on 16 clips, on the wasm backend. The
 * ratio says what share of a step the data pipeline adds when nothing is cached.
 *
 *   deno bench -A bench/streaming_bench.ts
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { ClipStream, openDataset } from "../lib/data/mod.ts";
import { contrastiveLoss, createModel, modelInputs, pairDistances } from "../lib/model/mod.ts";
import { Adam } from "../lib/train/mod.ts";
import { writeMusicTree } from "../tests/data_fixture_trees.ts";

await initBackend("wasm");
const SIZES = { sampleRate: 8000, imageSize: 64 };
const dir = await Deno.makeTempDir({ prefix: "avscene-stream-bench-" });
const streams: Record<string, ClipStream> = {};
for (const mp3 of [false, true]) {
  const root = `${dir}/${mp3 ? "mp3" : "wav"}`;
  await writeMusicTree(root, { solo: 32, duet: 0, val: 0, seconds: 60, fps: 0.25, mp3, ...SIZES });
  const music = await openDataset(`music:${root}`, { ...SIZES, fps: 0.25 });
  streams[mp3 ? "mp3" : "wav"] = new ClipStream(music.trainingClips!(1, 32), {
    seconds: 1,
    sampleRate: 8000,
    maxCachedBytes: 0,
  });
}

const model = createModel({ preset: "tiny", seed: 0 });
const opt = new Adam(model.params.variables(), { lr: 1e-4 });
const clips = await streams.wav.batch([...Array(16).keys()], Array(16).fill(0.5));
const labels = tf.tidy(() => tf.concat([tf.ones([16]), tf.zeros([16])]) as tf.Tensor1D);

let batch = 0;
for (const kind of ["wav", "mp3"]) {
  Deno.bench({
    name: `stream 16 windows from one-minute ${kind.toUpperCase()} clips (no cache)`,
    group: "batch of 16",
    async fn() {
      const first = (16 * batch++) % 32;
      const indices = Array.from({ length: 16 }, (_, i) => (first + i) % 32);
      await streams[kind].batch(indices, indices.map((i) => (i * 0.37) % 1));
    },
  });
}

Deno.bench({
  name: "anchor: one tiny training step on those 16 windows (wasm)",
  group: "batch of 16",
  baseline: true,
  n: 10,
  async fn() {
    const x = modelInputs(model, clips);
    const loss = opt.minimize(() => {
      const d = pairDistances(model, x.images, x.logMel, { kAudio: 1, kVisual: 2 });
      return contrastiveLoss(tf.concat([d.positive2, d.negative2]) as tf.Tensor1D, labels);
    });
    await loss.data();
    tf.dispose([loss, x.images, x.logMel]);
  },
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
