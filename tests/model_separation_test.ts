import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import type { AVClip } from "../lib/data/types.ts";
import { bssEval } from "../lib/metrics/bss_eval.ts";
import { type AVModel, createModel } from "../lib/model/create_model.ts";
import {
  type AlignedCenterConditioner,
  clipMasks,
  createOursSeparation,
  createSeparationModel,
  maskTargets,
  maskToWaveform,
  maskWeights,
  mixtureBatch,
  mixtureSpectra,
  predictMaskLogits,
  separateMixtures,
  separationConfig,
  separationFrames,
  separationLoss,
  separationStft,
  visualCodebook,
  visualWordShares,
} from "../lib/model/separation/mod.ts";
import { loadSeparationCheckpoint, trainSeparation } from "../lib/train/train_separation.ts";
import { fixtureWorld } from "./model_fixture_world.ts";
import { softKMeans } from "../kernels/mod.ts";
import { embedVisual } from "../lib/model/embed.ts";
import { LOCALIZE_DEFAULTS } from "../lib/model/localize.ts";
import { modelInputs } from "../lib/model/model_inputs.ts";

await initBackend(Deno.env.get("AVSCENE_BACKEND") ? undefined : "wasm");

const SR = 8000;

function sineClip(id: string, hz: number, amp: number): AVClip {
  const audio = Float32Array.from(
    { length: SR },
    (_, t) => amp * Math.sin(2 * Math.PI * hz * t / SR),
  );
  return {
    id,
    image: { data: new Float32Array(64 * 64 * 3).fill(0.5), height: 64, width: 64 },
    audio,
    sampleRate: SR,
    count: 1,
    sources: [audio],
  };
}

Deno.test("separationConfig validates and presets have the documented shapes", () => {
  const c = separationConfig("tiny");
  assert.equal(c.warpBins, 32);
  assert.deepEqual(separationFrames(c), { frames: 32, paddedFrames: 32 });
  assert.deepEqual(separationFrames(separationConfig("tiny", { hop: 128 })), {
    frames: 63,
    paddedFrames: 64,
  });
  assert.throws(
    () => separationConfig("tiny", { warpBins: 60 }),
    /warpBins \(60\) must be divisible/,
  );
  assert.throws(() => separationConfig("huge" as "tiny"), /preset "huge"/);
});

Deno.test("U-Net logits have [batch, vectors, frames, bins] and masks lie in [0, 1]", () => {
  for (const conditioning of ["product", "bottleneck"] as const) {
    const m = createSeparationModel({ seed: 3, config: { conditioning, conditionSize: 5 } });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const logits = predictMaskLogits(m, tf.randomNormal([2, 32, 32]), tf.randomNormal([2, 3, 5]));
      assert.deepEqual(logits.shape, [2, 3, 32, 32]);
      const masks = clipMasks(
        tf.reshape(logits, [2, 1, 3, 32, 32]) as tf.Tensor5D,
        tf.ones([2, 1, 3]),
      );
      assert.deepEqual(masks.shape, [2, 1, 32, 32]);
      const v = masks.dataSync();
      assert.ok(v.every((x) => x >= 0 && x <= 1), `${conditioning}: mask outside [0, 1]`);
    });
    assert.equal(tf.memory().numTensors, before, `${conditioning}: tensors leaked`);
    assert.throws(
      () => predictMaskLogits(m, tf.zeros([1, 31, 32]), tf.zeros([1, 1, 5])),
      /logMix must be \[batch, frames \(multiple of 8\), 32\]/,
    );
    assert.throws(
      () => predictMaskLogits(m, tf.zeros([1, 32, 32]), tf.zeros([1, 1, 4])),
      /condition must be/,
    );
    m.params.dispose();
  }
});

Deno.test("clipMasks unites a clip's vectors and ignores padded ones", () => {
  const logits = tf.tensor5d([0, 0], [1, 1, 2, 1, 1]); // two masks of 0.5
  assert.ok(
    Math.abs(clipMasks(logits, tf.tensor3d([1, 1], [1, 1, 2])).dataSync()[0] - 0.75) < 1e-6,
  );
  assert.ok(Math.abs(clipMasks(logits, tf.tensor3d([1, 0], [1, 1, 2])).dataSync()[0] - 0.5) < 1e-6);
});

Deno.test("mask targets: binary marks the dominant source, ratio is |S|/|X| clipped", () => {
  const s1 = Float32Array.of(3, 0, 1, 0), s2 = Float32Array.of(1, 2, 1, 0);
  const mix = Float32Array.of(4, 2, 1.5, 0);
  const [b1, b2] = maskTargets([s1, s2], mix, "binary");
  assert.deepEqual([...b1], [1, 0, 0, 0]); // tie and silence: nobody dominates
  assert.deepEqual([...b2], [0, 1, 0, 0]);
  const [r1, r2] = maskTargets([s1, s2], mix, "ratio");
  assert.deepEqual([...r1], [0.75, 0, 1 / 1.5, 0].map(Math.fround));
  assert.deepEqual([...r2], [0.25, 1, 1 / 1.5, 0].map(Math.fround));
  assert.ok(
    maskTargets([Float32Array.of(5)], Float32Array.of(1), "ratio")[0][0] === 1,
    "clipped to 1",
  );
  const w = maskWeights(Float32Array.of(0, 1e6));
  assert.ok(Math.abs(w[0] - 1e-3) < 1e-9 && w[1] === 10);
  assert.throws(
    () => maskTargets([Float32Array.of(1, 2)], Float32Array.of(1), "binary"),
    /sources\[0\] has 2 bins/,
  );
});

Deno.test("separationLoss: BCE and L1 on hand values, weights zero the padding", () => {
  const masks = tf.tensor4d([0.5, 0.9], [1, 1, 1, 2]), targets = tf.tensor4d([1, 1], [1, 1, 1, 2]);
  const bce =
    separationLoss(masks, targets, tf.tensor3d([1, 0], [1, 1, 2]), "binary").dataSync()[0];
  assert.ok(Math.abs(bce - Math.log(2) / 2) < 1e-5, `bce ${bce}`);
  const l1 = separationLoss(masks, targets, tf.tensor3d([1, 1], [1, 1, 2]), "ratio").dataSync()[0];
  assert.ok(Math.abs(l1 - 0.3) < 1e-6, `l1 ${l1}`);
});

Deno.test("oracle: ideal masks through warp, mixture phase and iSTFT give SDR > 10 dB", () => {
  const a = sineClip("a", 330, 0.4), b = sineClip("b", 2100, 0.3);
  for (const maskType of ["ratio", "binary"] as const) {
    const config = separationConfig("tiny", { maskType });
    const spectra = mixtureSpectra([
      separationStft(a.audio, config),
      separationStft(b.audio, config),
    ], config);
    const ideal = maskTargets(spectra.clipMagnitudes, spectra.mixMagnitude, maskType);
    const est = ideal.map((m) => maskToWaveform(m, spectra.mixture, config));
    const { sdr } = bssEval([a.audio, b.audio], est, { permute: false });
    assert.ok(sdr.every((v) => v > 10), `${maskType}: SDR ${sdr}`);
  }
});

Deno.test("floor: an all-ones mask gives back the mixture and scores the mixture's SDR", () => {
  // the evaluation path (inverse warp, threshold, mixture phase, iSTFT) adds nothing of its own
  const a = sineClip("a", 330, 0.4), b = sineClip("b", 2100, 0.3);
  const mix = a.audio.map((v, i) => v + b.audio[i]);
  for (const maskType of ["ratio", "binary"] as const) {
    const config = separationConfig("tiny", { maskType });
    const spectra = mixtureSpectra([
      separationStft(a.audio, config),
      separationStft(b.audio, config),
    ], config);
    const ones = new Float32Array(spectra.mixMagnitude.length).fill(1);
    const back = maskToWaveform(ones, spectra.mixture, config);
    const err = back.reduce((m, v, i) => Math.max(m, Math.abs(v - mix[i])), 0);
    assert.ok(err < 1e-4, `${maskType}: all-ones mask differs from the mixture by ${err}`);
    const floor = bssEval([a.audio, b.audio], [mix, mix], { permute: false }).sdr;
    const got = bssEval([a.audio, b.audio], [back, back], { permute: false }).sdr;
    got.forEach((v, i) => assert.ok(Math.abs(v - floor[i]) < 0.01, `${v} vs ${floor[i]}`));
  }
});

/** Ours' cue as the conditioner gives it: the center itself (no unit norm, no MLP). */
const RAW_CUE = { unitNorm: false, cueMlp: 0 };

function fixtureSolo(n: number): AVClip[] {
  return fixtureWorld({ seed: 2, imageSize: 64, sampleRate: SR, duration: 1 }).curriculumSet(1, n);
}

Deno.test("ours: training steps lower the loss; checkpoints resume to the same history", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const clips = fixtureSolo(2); // one mixture, so the loss can only fall
  const dir = await Deno.makeTempDir();
  try {
    const full = createOursSeparation(av, { seed: 4 });
    const run = await trainSeparation(full.model, {
      conditioner: full.conditioner,
      clips,
      steps: 8,
      batchSize: 2,
      lr: 3e-3,
    });
    const h = run.history.map((s) => s.loss);
    assert.equal(h.length, 8);
    assert.ok(h.every(Number.isFinite));
    assert.ok(h[7] < h[0] * 0.9, `loss did not fall: ${h.map((v) => v.toFixed(3))}`);

    // 3 steps, stop, resume to 6: the same losses as 6 uninterrupted steps
    const straight = createOursSeparation(av, { seed: 5 });
    const ref = await trainSeparation(straight.model, {
      conditioner: straight.conditioner,
      clips: fixtureSolo(4),
      steps: 6,
      batchSize: 2,
    });
    const first = createOursSeparation(av, { seed: 5 });
    const opts = { clips: fixtureSolo(4), batchSize: 2, outDir: dir, checkpointEvery: 3 };
    await trainSeparation(first.model, { ...opts, conditioner: first.conditioner, steps: 3 });
    const second = createOursSeparation(av, { seed: 5 });
    const resumed = await trainSeparation(second.model, {
      ...opts,
      conditioner: second.conditioner,
      steps: 6,
      resume: true,
    });
    assert.equal(resumed.history.length, 6);
    resumed.history.forEach((s, i) =>
      assert.ok(
        Math.abs(s.loss - ref.history[i].loss) < 1e-4,
        `step ${i + 1}: ${s.loss} vs ${ref.history[i].loss}`,
      )
    );
    const lines = (await Deno.readTextFile(`${dir}/history.jsonl`)).trim().split("\n");
    assert.equal(lines.length, 6);
    // the saved weights load into a fresh network and equal the trained ones
    const fresh = createOursSeparation(av, { seed: 9 });
    assert.equal(await loadSeparationCheckpoint(`${dir}/checkpoints`, fresh.model), 6);
    assert.deepEqual(await fresh.model.params.toFlat(), await second.model.params.toFlat());
    for (const m of [full, straight, first, second, fresh]) m.model.params.dispose();
  } finally {
    av.params.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("separateMixtures returns one finite waveform per clip and rejects a wrong rate", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const ours = createOursSeparation(av, { seed: 2 });
  const clips = fixtureSolo(4);
  const before = tf.memory().numTensors;
  const out = await separateMixtures(
    ours.model,
    ours.conditioner,
    mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]),
  );
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  assert.equal(out.length, 2);
  for (const pair of out) {
    assert.equal(pair.length, 2);
    for (const w of pair) assert.ok(w.length === SR && w.every(Number.isFinite));
  }
  const wrong = { ...clips[0], id: "slow-clip", sampleRate: 4000 };
  assert.throws(
    () => mixtureBatch(ours.model, [[wrong, clips[1]]]),
    /clip slow-clip has sample rate 4000/,
  );
  ours.model.params.dispose();
  av.params.dispose();
});

Deno.test("ours: one aligned center per sounding object, padded, and prepare() required", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const ours = createOursSeparation(av, { seed: 0, ...RAW_CUE });
  const world = fixtureWorld({ seed: 3, imageSize: 64, sampleRate: SR, duration: 1 });
  const [solo] = world.curriculumSet(1, 1), [duet] = world.curriculumSet(2, 1);
  const batch = mixtureBatch(ours.model, [[solo, duet]]);
  assert.throws(() => ours.conditioner.condition(batch), /condition\(\) before prepare\(\)/);
  await ours.conditioner.prepare!(batch);
  const { vectors, valid } = ours.conditioner.condition(batch);
  assert.deepEqual(vectors.shape, [1, 2, 2, av.config.embedding]);
  assert.deepEqual(Array.from(valid.dataSync()), [1, 0, 1, 1]);
  const v = vectors.arraySync()[0];
  assert.ok(v[1][0].some((x, i) => x !== v[1][1][i]), "a duet's two objects get distinct centers");
  assert.ok(v[0][1].every((x) => x === 0), "the solo clip's padding slot is zero");
  tf.dispose([vectors, valid]);
  ours.model.params.dispose();
  av.params.dispose();
});

Deno.test("ours: each clip is conditioned on one of its own frame's visual centers, in clip order", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const ours = createOursSeparation(av, { seed: 0, ...RAW_CUE });
  const conditioner = ours.conditioner as AlignedCenterConditioner;
  const clips = fixtureSolo(4);
  const batch = mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]);
  await conditioner.prepare!(batch);
  const { vectors, valid } = conditioner.condition(batch);
  const v = vectors.arraySync();
  const d = av.config.embedding;
  batch.clips.forEach((group, i) =>
    group.forEach((clip, j) => {
      const own = conditioner.visualCenters.get(clip.id)!;
      const centers = [...Array(own.length / d).keys()];
      assert.equal(centers.length, 3); // one object + 2 (the default recipe's visual centers)
      const hit = centers.find((c) => v[i][j][0].every((x, e) => x === own[c * d + e]));
      assert.ok(hit !== undefined, `clip ${clip.id}'s vector is not one of its own centers`);
      // and not the other clip's of the mixture
      const other = conditioner.visualCenters.get(group[1 - j].id)!;
      assert.ok(centers.every((c) => v[i][j][0].some((x, e) => x !== other[c * d + e])));
    })
  );
  tf.dispose([vectors, valid]);
  ours.model.params.dispose();
  av.params.dispose();
});

Deno.test("ours: the background rule never conditions on the center of largest mass; none may", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const world = fixtureWorld({ seed: 3, imageSize: 64, sampleRate: SR, duration: 1 });
  const clips = [...fixtureSolo(6), ...world.curriculumSet(2, 2)];
  const d = av.config.embedding;
  const groups = [[clips[0], clips[1]], [clips[2], clips[6]], [clips[3], clips[7]]];
  const chosen = async (background?: "none" | "largest", extraVisualCenters?: number) => {
    const ours = createOursSeparation(av, { seed: 0, background, extraVisualCenters, ...RAW_CUE });
    const conditioner = ours.conditioner as AlignedCenterConditioner;
    const batch = mixtureBatch(ours.model, groups);
    await conditioner.prepare!(batch);
    const { vectors, valid } = conditioner.condition(batch);
    const v = vectors.arraySync(), ok = valid.arraySync();
    // which of its own frame's centers each real vector is
    const picks = batch.clips.map((g, i) =>
      g.map((clip, j) => {
        const own = conditioner.visualCenters.get(clip.id)!;
        return v[i][j].filter((_, s) => ok[i][j][s] === 1).map((vec) =>
          [...Array(own.length / d).keys()].find((c) => vec.every((x, e) => x === own[c * d + e]))
        );
      })
    );
    const bg = batch.clips.map((g) => g.map((c) => conditioner.backgroundCenter.get(c.id)!));
    tf.dispose([vectors, valid]);
    ours.model.params.dispose();
    return { picks, bg };
  };
  const largest = await chosen(undefined, 1); // the default rule, one center beyond the objects
  largest.picks.forEach((g, i) =>
    g.forEach((p, j) => {
      const bg = largest.bg[i][j], k = groups[i][j].count!;
      assert.ok(bg >= 0 && bg <= k, `background ${bg} of ${k + 1} centers`);
      assert.equal(p.length, k);
      // count + 1 centers less the background: every other center, each once
      assert.deepEqual(
        [...p].sort(),
        [...Array(k + 1).keys()].filter((c) => c !== bg),
        `clip ${i}/${j}: picked ${p}, background ${bg}`,
      );
    })
  );
  // the default: two centers beyond the objects; the background never picked, each pick once
  const two = await chosen();
  two.picks.forEach((g, i) =>
    g.forEach((p, j) => {
      const bg = two.bg[i][j], k = groups[i][j].count!;
      assert.ok(bg >= 0 && bg <= k + 1, `background ${bg} of ${k + 2} centers`);
      assert.equal(p.length, k);
      assert.equal(new Set(p).size, k);
      assert.ok(p.every((c) => c !== undefined && c !== bg && c <= k + 1), `picked ${p}`);
    })
  );
  const none = await chosen("none");
  assert.ok(none.bg.flat().every((b) => b === -1));
  none.picks.flat().forEach((p) => assert.ok(p.every((c) => c !== undefined)));
  assert.throws(
    () => createOursSeparation(av, { background: "biggest" as "largest" }),
    /background must be one of none,largest,border,spread, got "biggest"/,
  );
  av.params.dispose();
});

Deno.test("ours: unitNorm scales each chosen center to norm 1; cueMlp learns an MLP over the cue", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const clips = fixtureSolo(4);
  const d = av.config.embedding;
  const cue = async (opts: { unitNorm?: boolean; cueMlp?: number }) => {
    const ours = createOursSeparation(av, { seed: 0, ...opts });
    const batch = mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]);
    await ours.conditioner.prepare!(batch);
    const before = tf.memory().numTensors;
    const v = tf.tidy(() => ours.conditioner.condition(batch).vectors.arraySync());
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    return { v: v.flat(2), ours };
  };
  const plain = await cue(RAW_CUE), unit = await cue({ unitNorm: true, cueMlp: 0 });
  plain.v.forEach((x, i) => {
    const norm = Math.hypot(...x);
    assert.ok(norm > 0 && Math.abs(norm - 1) > 1e-3, `center ${i} already has norm ${norm}`);
    assert.ok(Math.abs(Math.hypot(...unit.v[i]) - 1) < 1e-5);
    // the same direction: the same chosen center, only scaled
    unit.v[i].forEach((y, e) => assert.ok(Math.abs(y - x[e] / norm) < 1e-5));
  });
  // the MLP's variables live in the network's store, so the separation loss trains them
  const mlp = await cue({ unitNorm: false, cueMlp: 8 });
  const names = mlp.ours.model.params.specs().map((s) => s.name).filter((n) =>
    n.startsWith("cue.")
  );
  assert.deepEqual(names.sort(), ["cue.b1", "cue.b2", "cue.w1", "cue.w2"]);
  assert.equal(mlp.v[0].length, d);
  assert.ok(mlp.v.some((x, i) => x.some((y, e) => Math.abs(y - plain.v[i][e]) > 1e-4)));
  const w1 = await mlp.ours.model.params.get("cue.w1").data();
  await trainSeparation(mlp.ours.model, {
    conditioner: mlp.ours.conditioner,
    clips,
    steps: 2,
    batchSize: 2,
  });
  const after = await mlp.ours.model.params.get("cue.w1").data();
  assert.ok(after.some((x, i) => x !== w1[i]), "the MLP did not learn");
  assert.throws(() => createOursSeparation(av, { cueMlp: -1 }), /cueMlp must be an integer >= 0/);
  // ours' default: the center as clustered, no MLP
  const byDefault = createOursSeparation(av, { seed: 0 });
  assert.ok(byDefault.model.params.specs().every((p) => !p.name.startsWith("cue.")));
  byDefault.model.params.dispose();
  for (const m of [plain, unit, mlp]) m.ours.model.params.dispose();
  av.params.dispose();
});

/**
 * Ours' cue vectors of `clips` (two mixtures of two) under `pooling`, one per clip, with the
 * conditioner's clustered visual centers by clip id.
 */
async function cueVectors(
  av: AVModel,
  clips: AVClip[],
  pooling: "center" | "hard" | "peak",
) {
  const ours = createOursSeparation(av, { seed: 0, pooling, ...RAW_CUE });
  const conditioner = ours.conditioner as AlignedCenterConditioner;
  const batch = mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]);
  await conditioner.prepare!(batch);
  const v = tf.tidy(() => conditioner.condition(batch).vectors.arraySync());
  ours.model.params.dispose();
  return { v: v.flat(1).map((x) => x[0]), centers: conditioner.visualCenters };
}

/**
 * Each clip's visual features `[clip][position][D]` and their soft assignments to 3 centers
 * `[clip][center][position]`, clustered as the conditioner does (the default recipe's beta,
 * LOCALIZE_DEFAULTS).
 */
function clusteredVisualFeatures(av: AVModel, clips: AVClip[]) {
  return tf.tidy(() => {
    const x = modelInputs(av, clips);
    const f = embedVisual(av, x.images).features;
    const k = softKMeans(f, 3, {
      beta: LOCALIZE_DEFAULTS.beta,
      iterations: LOCALIZE_DEFAULTS.iterations,
    });
    return [f.arraySync() as number[][][], k.assignments.arraySync() as number[][][]] as const;
  });
}

/**
 * The word cue tests' fixture: a tiny model, four solo clips, a 6-word codebook, the clips'
 * clustered features and assignments, and their center cue vectors.
 */
async function wordCueFixture() {
  const av = createModel({ preset: "tiny", seed: 1 });
  const clips = fixtureSolo(4);
  const d = av.config.embedding, words = 6;
  const book = await visualCodebook(av, clips, words, { seed: 3 });
  const [features, assignments] = clusteredVisualFeatures(av, clips);
  const plain = await cueVectors(av, clips, "center");
  return { av, clips, d, words, book, features, assignments, plain };
}

Deno.test("ours: hard pooling gives the mean of the features at the positions the chosen center wins", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const clips = fixtureSolo(4);
  const d = av.config.embedding;
  const plain = await cueVectors(av, clips, "center"), hard = await cueVectors(av, clips, "hard");
  const [features, assignments] = clusteredVisualFeatures(av, clips);
  let differs = 0;
  clips.forEach((clip, i) => {
    // which center was chosen: the plain cue is that center itself
    const own = plain.centers.get(clip.id)!;
    const c = [0, 1, 2].find((k) => plain.v[i].every((x, e) => x === own[k * d + e]))!;
    assert.ok(c !== undefined);
    const won = features[i].filter((_, p) =>
      assignments[i][c][p] >= Math.max(...assignments[i].map((a) => a[p]))
    );
    const expected = won.length
      ? Array.from({ length: d }, (_, e) => won.reduce((a, f) => a + f[e], 0) / won.length)
      : Array.from(own.subarray(c * d, (c + 1) * d));
    hard.v[i].forEach((x, e) => assert.ok(Math.abs(x - expected[e]) < 1e-4, `clip ${i}`));
    if (hard.v[i].some((x, e) => Math.abs(x - plain.v[i][e]) > 1e-4)) differs++;
  });
  assert.ok(differs > 0, "hard pooling gave the centers themselves");
  assert.throws(
    () => createOursSeparation(av, { pooling: "max" as "hard" }),
    /pooling must be "center", "hard", "peak" or "foreground", got "max"/,
  );
  av.params.dispose();
});

Deno.test("ours: peak pooling gives the mean of the features at the P / 16 positions of the chosen center's largest assignment", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const clips = fixtureSolo(4);
  const d = av.config.embedding;
  const plain = await cueVectors(av, clips, "center"), peak = await cueVectors(av, clips, "peak");
  const [features, assignments] = clusteredVisualFeatures(av, clips);
  const m = features[0].length / 16;
  assert.equal(m, 16); // tiny: 16 x 16 positions
  clips.forEach((clip, i) => {
    const own = plain.centers.get(clip.id)!;
    const c = [0, 1, 2].find((k) => plain.v[i].every((x, e) => x === own[k * d + e]))!;
    assert.ok(c !== undefined);
    const top = [...assignments[i][c].keys()]
      .sort((p, q) => assignments[i][c][q] - assignments[i][c][p]).slice(0, m);
    const expected = Array.from(
      { length: d },
      (_, e) => top.reduce((a, p) => a + features[i][p][e], 0) / m,
    );
    peak.v[i].forEach((x, e) => assert.ok(Math.abs(x - expected[e]) < 1e-4, `clip ${i}`));
    assert.ok(peak.v[i].some((x, e) => Math.abs(x - plain.v[i][e]) > 1e-4), `clip ${i}`);
  });
  for (const peakShare of [0, 1.5, NaN]) {
    assert.throws(
      () => createOursSeparation(av, { pooling: "peak", peakShare }),
      /peakShare must be in \(0, 1\], got/,
    );
  }
  av.params.dispose();
});

Deno.test("ours: visualInit clusters each frame from its mixture's audio centers; audio-own picks a started center", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const clips = fixtureSolo(4);
  const d = av.config.embedding;
  const run = async (visualInit?: "grid" | "audio" | "audio-own") => {
    const ours = createOursSeparation(av, { seed: 0, visualInit, ...RAW_CUE });
    const conditioner = ours.conditioner as AlignedCenterConditioner;
    const batch = mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]);
    await conditioner.prepare!(batch);
    const { vectors, valid } = conditioner.condition(batch);
    const v = vectors.arraySync();
    // each vector is one of its own frame's centers (as clustered for this mixture): which one
    const picks = batch.clips.map((g, i) =>
      g.map((clip, j) => {
        const own = conditioner.visualCenters.get(clip.id)!;
        return [...Array(own.length / d).keys()].find((c) =>
          v[i][j][0].every((x, e) => x === own[c * d + e])
        );
      })
    );
    const out = { v: JSON.stringify(v), valid: [...valid.dataSync()], picks };
    tf.dispose([vectors, valid]);
    ours.model.params.dispose();
    return out;
  };
  const grid = await run(), audio = await run("audio"), own = await run("audio-own");
  assert.deepEqual(await run("grid"), grid);
  for (const r of [audio, own]) {
    assert.deepEqual(r.valid, grid.valid);
    assert.ok(r.picks.flat().every((p) => p !== undefined), "a cue is not its frame's center");
    assert.notEqual(r.v, grid.v);
  }
  // two sounds in each mixture start centers 0 and 1 of every frame: audio-own picks one of them
  assert.ok(own.picks.flat().every((p) => p === 0 || p === 1), `${own.picks}`);
  assert.throws(
    () => createOursSeparation(av, { visualInit: "x" as "audio" }),
    /visualInit must be one of/,
  );
  assert.throws(
    () => createOursSeparation(av, { visualInit: "audio", pooling: "peak" }),
    /takes only "center" pooling/,
  );
  av.params.dispose();
});

Deno.test("ours: a codebook cue is the histogram of the nearest words under the chosen center's soft map; visualCodebook fits them by k-means", async () => {
  const av = createModel({ preset: "tiny", seed: 1 });
  const clips = fixtureSolo(4);
  const d = av.config.embedding, words = 6;
  const book = await visualCodebook(av, clips, words, { seed: 3 });
  assert.equal(book.length, words * d);
  assert.deepEqual(await visualCodebook(av, clips, words, { seed: 3 }), book, "not seeded");
  // Lloyd's iterations lower the k-means cost of the k-means++ start
  const [features, assignments] = clusteredVisualFeatures(av, clips);
  const all = features.flat();
  const nearest = (f: number[], w: Float32Array) => {
    let best = Infinity, arg = -1;
    for (let j = 0; j < w.length / d; j++) {
      const s = f.reduce((a, x, e) => a + (x - w[j * d + e]) ** 2, 0);
      if (s < best) best = s, arg = j;
    }
    return { best, arg };
  };
  const cost = (w: Float32Array) => all.reduce((a, f) => a + nearest(f, w).best, 0);
  const start = await visualCodebook(av, clips, words, { seed: 3, iterations: 0 });
  assert.ok(cost(book) < cost(start), `${cost(book)} >= ${cost(start)}`);

  const plain = await cueVectors(av, clips, "center");
  const ours = createOursSeparation(av, { seed: 0, codebook: book, ...RAW_CUE });
  assert.equal(ours.model.config.conditionSize, words);
  const batch = mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]);
  await ours.conditioner.prepare!(batch);
  const v = tf.tidy(() => ours.conditioner.condition(batch).vectors.arraySync()).flat(1)
    .map((x) => x[0]);
  clips.forEach((clip, i) => {
    // the chosen center, as the plain cue shows it, and its soft map over the words
    const own = plain.centers.get(clip.id)!;
    const c = [0, 1, 2].find((k) => plain.v[i].every((x, e) => x === own[k * d + e]))!;
    assert.ok(c !== undefined);
    const expected = new Array(words).fill(0), a = assignments[i][c];
    features[i].forEach((f, p) => expected[nearest(f, book).arg] += a[p]);
    const mass = a.reduce((s, x) => s + x, 0);
    assert.equal(v[i].length, words);
    v[i].forEach((x, j) => assert.ok(Math.abs(x - expected[j] / mass) < 1e-4, `clip ${i}`));
    assert.ok(Math.abs(v[i].reduce((s, x) => s + x, 0) - 1) < 1e-4);
  });
  // under peak pooling: the words at the P / 16 positions of the chosen center's largest map
  const peak = createOursSeparation(av, { seed: 0, codebook: book, pooling: "peak", ...RAW_CUE });
  const peakBatch = mixtureBatch(peak.model, [clips.slice(0, 2), clips.slice(2)]);
  await peak.conditioner.prepare!(peakBatch);
  const pv = tf.tidy(() => peak.conditioner.condition(peakBatch).vectors.arraySync()).flat(1)
    .map((x) => x[0]);
  clips.forEach((clip, i) => {
    const own = plain.centers.get(clip.id)!;
    const c = [0, 1, 2].find((k) => plain.v[i].every((x, e) => x === own[k * d + e]))!;
    const a = assignments[i][c], m = a.length / 16;
    const top = [...a.keys()].sort((p, q) => a[q] - a[p]).slice(0, m);
    const expected = new Array(words).fill(0);
    for (const p of top) expected[nearest(features[i][p], book).arg] += 1 / m;
    pv[i].forEach((x, j) => assert.ok(Math.abs(x - expected[j]) < 1e-4, `peak clip ${i}`));
  });
  peak.model.params.dispose();
  // the network trains on it (conditioning size W)
  const run = await trainSeparation(ours.model, {
    conditioner: ours.conditioner,
    clips,
    steps: 2,
    batchSize: 2,
  });
  assert.ok(run.history.every((s) => Number.isFinite(s.loss)));
  assert.throws(
    () => createOursSeparation(av, { codebook: new Float32Array(d + 1) }),
    /codebook must hold W \* D values \(D = 32\), got 33/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: new Float32Array(d), visualInit: "audio" }),
    /codebook needs visualInit "grid"/,
  );
  await assert.rejects(() => visualCodebook(av, clips, 0), /words must be an integer >= 1, got 0/);
  await assert.rejects(
    () => visualCodebook(av, clips.slice(0, 1), 257),
    /words \(257\) exceeds the 256 feature vectors/,
  );
  ours.model.params.dispose();
  av.params.dispose();
});

Deno.test("ours: soft word assignment shares each position by a softmax over the words' distances; the sqrt histogram is the Hellinger map", async () => {
  const { av, clips, d, words, book, features, assignments, plain } = await wordCueFixture();
  const cues = async (opts: Record<string, unknown>) => {
    const ours = createOursSeparation(av, { seed: 0, codebook: book, ...RAW_CUE, ...opts });
    const batch = mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]);
    await ours.conditioner.prepare!(batch);
    const v = tf.tidy(() => ours.conditioner.condition(batch).vectors.arraySync()).flat(1)
      .map((x) => x[0]);
    ours.model.params.dispose();
    return v;
  };
  const dist2 = (f: number[]) =>
    Array.from(
      { length: words },
      (_, j) => f.reduce((a, x, e) => a + (x - book[j * d + e]) ** 2, 0),
    );
  const nearestCue = await cues({});
  for (const t of [0.5, 2]) {
    const soft = await cues({
      wordAssignment: "soft",
      ...(t === 0.5 ? {} : { wordTemperature: t }),
    });
    clips.forEach((clip, i) => {
      const own = plain.centers.get(clip.id)!;
      const c = [0, 1, 2].find((k) => plain.v[i].every((x, e) => x === own[k * d + e]))!;
      assert.ok(c !== undefined);
      // the frame's mean squared distance to the nearest word sets the temperature's scale
      const all = features[i].map(dist2);
      const s2 = all.reduce((a, r) => a + Math.min(...r), 0) / all.length;
      const expected = new Array(words).fill(0), a = assignments[i][c];
      all.forEach((r, p) => {
        const e = r.map((x) => Math.exp(-(x - Math.min(...r)) / (t * s2)));
        const z = e.reduce((u, x) => u + x, 0);
        e.forEach((x, j) => expected[j] += a[p] * x / z);
      });
      const mass = a.reduce((u, x) => u + x, 0);
      soft[i].forEach((x, j) =>
        assert.ok(Math.abs(x - expected[j] / mass) < 1e-4, `t ${t} clip ${i} word ${j}`)
      );
      assert.ok(Math.abs(soft[i].reduce((u, x) => u + x, 0) - 1) < 1e-4);
    });
    // softer than nearest: no bin is empty
    assert.ok(soft.every((v) => v.every((x) => x > 0)));
    assert.notDeepEqual(soft, nearestCue);
  }
  // the Hellinger map: the square root of each share, so unit L2 norm
  const sqrt = await cues({ histogram: "sqrt" });
  sqrt.forEach((v, i) => {
    v.forEach((x, j) => assert.ok(Math.abs(x - Math.sqrt(nearestCue[i][j])) < 1e-4));
    assert.ok(Math.abs(v.reduce((u, x) => u + x * x, 0) - 1) < 1e-4);
  });
  assert.throws(
    () => createOursSeparation(av, { codebook: book, wordAssignment: "x" as "soft" }),
    /wordAssignment must be "nearest" or "soft", got "x"/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: book, wordAssignment: "soft", wordTemperature: 0 }),
    /wordTemperature must be a positive number, got 0/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: book, wordTemperature: 1 }),
    /wordTemperature needs wordAssignment "soft"/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: book, histogram: "l1" as "sqrt" }),
    /histogram must be "share" or "sqrt", got "l1"/,
  );
  assert.throws(
    () => createOursSeparation(av, { histogram: "sqrt" }),
    /wordAssignment "nearest" and histogram "sqrt" need a codebook/,
  );
  av.params.dispose();
});

Deno.test("ours: the word cue's mapPower, foreground pooling, subtractBackground, appendCenter and wordWeights; visualCodebook's foreground words; visualWordShares", async () => {
  const { av, clips, d, words, book, features, assignments, plain } = await wordCueFixture();
  const cues = async (opts: Record<string, unknown>) => {
    const ours = createOursSeparation(av, { seed: 0, codebook: book, ...RAW_CUE, ...opts });
    const conditioner = ours.conditioner as AlignedCenterConditioner;
    const batch = mixtureBatch(ours.model, [clips.slice(0, 2), clips.slice(2)]);
    await conditioner.prepare!(batch);
    const v = tf.tidy(() => conditioner.condition(batch).vectors.arraySync()).flat(1)
      .map((x) => x[0]);
    const size = ours.model.config.conditionSize;
    ours.model.params.dispose();
    return { v, size, bg: conditioner.backgroundCenter };
  };
  const word = (f: number[]) => {
    let best = Infinity, arg = -1;
    for (let j = 0; j < words; j++) {
      const s = f.reduce((a, x, e) => a + (x - book[j * d + e]) ** 2, 0);
      if (s < best) best = s, arg = j;
    }
    return arg;
  };
  /** The histogram of clip i's words under position weights w. */
  const hist = (i: number, w: number[]) => {
    const h = new Array(words).fill(0), mass = w.reduce((a, x) => a + x, 0);
    features[i].forEach((f, p) => h[word(f)] += w[p] / mass);
    return h;
  };
  const chosen = (i: number) => {
    const own = plain.centers.get(clips[i].id)!;
    const c = [0, 1, 2].find((k) => plain.v[i].every((x, e) => x === own[k * d + e]));
    assert.ok(c !== undefined);
    return c;
  };
  const close = (got: number[], want: number[], what: string) => {
    assert.equal(got.length, want.length, what);
    got.forEach((x, j) => assert.ok(Math.abs(x - want[j]) < 1e-4, `${what} entry ${j}`));
  };
  const share = await cues({});
  for (const power of [2, 0]) {
    const { v } = await cues({ mapPower: power });
    clips.forEach((_, i) => {
      // 0: every position alike, whatever center was chosen
      const w = assignments[i][chosen(i)].map((a) => power === 0 ? 1 : a * a);
      close(v[i], hist(i, w), `mapPower ${power} clip ${i}`);
    });
    assert.notDeepEqual(v, share.v);
  }
  const fg = await cues({ pooling: "foreground" });
  const minus = await cues({ subtractBackground: true });
  const both = await cues({ appendCenter: true });
  assert.equal(both.size, words + d);
  assert.equal(minus.size, words);
  clips.forEach((clip, i) => {
    const bg = fg.bg.get(clip.id)!;
    // the background rule's center: the one of largest assignment mass
    const mass = assignments[i].map((a) => a.reduce((s, x) => s + x, 0));
    assert.equal(bg, mass.indexOf(Math.max(...mass)));
    assert.notEqual(chosen(i), bg);
    close(fg.v[i], hist(i, assignments[i][bg].map((a) => 1 - a)), `foreground clip ${i}`);
    const own = hist(i, assignments[i][chosen(i)]), back = hist(i, assignments[i][bg]);
    close(minus.v[i], own.map((x, j) => x - back[j]), `subtractBackground clip ${i}`);
    const center = plain.centers.get(clip.id)!.subarray(chosen(i) * d, (chosen(i) + 1) * d);
    close(both.v[i], [...share.v[i], ...center], `appendCenter clip ${i}`);
  });
  // word weights multiply the shares; the words' shares of the frames count nearest words
  const shares = await visualWordShares(av, clips, book);
  const counts = new Array(words).fill(1);
  features.flat().forEach((f) => counts[word(f)]++);
  close([...shares], counts.map((c) => c / (4 * 256 + words)), "visualWordShares");
  const weights = Float32Array.from(shares, (f) => 1 / f);
  const weighted = await cues({ wordWeights: weights });
  weighted.v.forEach((v, i) => close(v, share.v[i].map((x, j) => x * weights[j]), `weights ${i}`));
  assert.throws(
    () => createOursSeparation(av, { codebook: book, wordWeights: new Float32Array(words - 1) }),
    /wordWeights must hold one weight per word \(6\), got 5/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: book, wordWeights: new Float32Array(words) }),
    /wordWeights must be positive and finite/,
  );
  assert.throws(
    () => createOursSeparation(av, { wordWeights: weights }),
    /wordWeights need a codebook/,
  );
  await assert.rejects(
    () => visualWordShares(av, clips, new Float32Array(d + 1)),
    /codebook must hold W \* D values \(D = 32\), got 33/,
  );
  // foreground words: k-means++ without Lloyd picks feature vectors, each at a position the
  // frame's background center does not win
  const fgWords = await visualCodebook(av, clips, words, {
    seed: 3,
    iterations: 0,
    foreground: {},
  });
  for (let j = 0; j < words; j++) {
    const w = fgWords.subarray(j * d, (j + 1) * d);
    const at = features.flatMap((f, i) =>
      f.flatMap((x, p) => x.every((y, e) => Math.abs(y - w[e]) < 1e-6) ? [[i, p]] : [])
    );
    assert.ok(at.length > 0, `word ${j} is no feature vector`);
    assert.ok(
      at.some(([i, p]) => {
        const mass = assignments[i].map((a) => a.reduce((s, x) => s + x, 0));
        const bg = mass.indexOf(Math.max(...mass));
        const a = assignments[i].map((m) => m[p]);
        return a.indexOf(Math.max(...a)) !== bg;
      }),
      `word ${j} sits on the background`,
    );
  }
  // fewer vectors than every position: asking for all 4 x 256 of them is too many
  await assert.rejects(
    () => visualCodebook(av, clips, 4 * 256, { foreground: {} }),
    /words \(1024\) exceeds the \d+ feature vectors/,
  );
  await assert.rejects(
    () => visualCodebook(av, clips, 2, { foreground: { background: "none" } }),
    /foreground.background must name a background center .*got "none"/,
  );
  await assert.rejects(
    () => visualCodebook(av, clips, 2, { foreground: { extraVisualCenters: 0 } }),
    /foreground.extraVisualCenters must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: book, mapPower: -1 }),
    /mapPower must be a number >= 0, got -1/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: book, mapPower: 2, pooling: "peak" }),
    /mapPower needs "center" pooling, got "peak"/,
  );
  assert.throws(
    () => createOursSeparation(av, { subtractBackground: true }),
    /subtractBackground and appendCenter need a codebook/,
  );
  assert.throws(
    () =>
      createOursSeparation(av, {
        codebook: book,
        appendCenter: true,
        subtractBackground: true,
        background: "none",
      }),
    /subtractBackground needs a background rule, got "none"/,
  );
  assert.throws(
    () => createOursSeparation(av, { codebook: book, pooling: "foreground", background: "none" }),
    /pooling "foreground" needs a background rule, got "none"/,
  );
  assert.throws(
    () => createOursSeparation(av, { pooling: "top" as "peak" }),
    /pooling must be "center", "hard", "peak" or "foreground", got "top"/,
  );
  av.params.dispose();
});
