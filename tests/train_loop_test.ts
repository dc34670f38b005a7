import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import type { AVModel } from "../lib/model/create_model.ts";
import {
  Adam,
  curriculumStages,
  DivergenceError,
  loadLatestCheckpoint,
  removeStaleCheckpointTemps,
  runTrainLoop,
  saveCheckpoint,
  trainCurriculum,
  type TrainLoopOptions,
} from "../lib/train/mod.ts";
import { trainAttentionBaseline } from "../lib/baselines/attention_baseline.ts";
import { fixtureWorld } from "./model_fixture_world.ts";

await initBackend("cpu");

/** A toy trainer: Adam on one projection of a tiny model, loss = mean square of it. */
function toy(seed: number, totalSteps: number) {
  const model = createModel({ preset: "tiny", seed });
  const w = model.params.get("visual.proj.w");
  const optimizer = new Adam(model.params.variables(), { lr: 0.01, weightDecay: 0 });
  const spec = {
    name: "toy",
    totalSteps,
    seed,
    model,
    optimizer: () => optimizer,
    step: async (t: number, runSeed: number) => {
      const loss = optimizer.minimize(() => tf.mean(tf.square(w)) as tf.Scalar);
      const value = (await loss.data())[0];
      loss.dispose();
      return { t, runSeed, loss: value };
    },
  };
  return { model, optimizer, spec, dispose: () => (optimizer.dispose(), model.params.dispose()) };
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("a step that throws frees its tensors; kernels refusing NaN features read as divergence", async () => {
  const t = toy(1, 5);
  const before = tf.memory().numTensors;
  await assert.rejects(
    runTrainLoop({
      ...t.spec,
      step: async (step) => {
        // tensors of a half-done step: plain, tidied, and inside the optimiser's tape
        tf.ones([64, 64]);
        tf.tidy(() => tf.add(tf.zeros([8]), 1));
        if (step === 2) {
          t.optimizer.minimize(() => {
            tf.randomNormal([100]);
            throw new Error("boom inside the tape");
          });
        }
        return await t.spec.step(step, 0);
      },
    }, {}),
    /boom inside the tape/,
  );
  assert.equal(tf.memory().numTensors, before, "tensors leaked by a throwing step");
  t.dispose();

  // a model whose weights went NaN: softKMeans refuses the features; the trainer names divergence
  const world = fixtureWorld({ seed: 5, imageSize: 64, sampleRate: 8000, duration: 1 });
  const model = createModel({ preset: "tiny", seed: 2 });
  model.params.fromFlat(new Float32Array(model.params.size).fill(NaN));
  const start = tf.memory().numTensors;
  await assert.rejects(
    trainCurriculum(model, {
      data: world,
      stages: curriculumStages("C1", 3),
      batchSize: 4,
      datasetSize: 8,
    }),
    (e) =>
      e instanceof DivergenceError &&
      /^trainCurriculum: loss is NaN at stage 1 step 1 \(lower the learning rate\?\)/.test(
        e.message,
      ) && (e.cause as Error).name === "NonFiniteError",
  );
  assert.equal(tf.memory().numTensors - start, 0, `leaked ${tf.memory().numTensors - start}`);
  model.params.dispose();
});

Deno.test("a non-finite loss is a DivergenceError; the attention trainer too", async () => {
  const t = toy(2, 4);
  await assert.rejects(
    runTrainLoop({ ...t.spec, step: (s) => Promise.resolve({ loss: s === 1 ? Infinity : 1 }) }, {}),
    (e) =>
      e instanceof DivergenceError &&
      e.message === "toy: loss is Infinity at step 2 (lower the learning rate?)",
  );
  t.dispose();
  const world = fixtureWorld({ seed: 6, imageSize: 64, sampleRate: 8000, duration: 1 });
  const model: AVModel = createModel({ preset: "tiny", seed: 4 });
  const before = tf.memory().numTensors;
  await assert.rejects(
    trainAttentionBaseline(model, { data: world, steps: 3, batchSize: 4, datasetSize: 8, lr: 1e9 })
      .then((r) => assert.fail(`no divergence at lr 1e9: ${r.losses}`)),
    DivergenceError,
  );
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(
    trainAttentionBaseline(model, { data: world, steps: 1, margin: 0 }),
    /opts\.margin must be finite and > 0/,
  );
  model.params.dispose();
});

Deno.test("checkpoints: two kept, stale temporaries removed, fsynced files load", async () => {
  const dir = await Deno.makeTempDir();
  const ckpt = `${dir}/checkpoints`;
  const t = toy(3, 7);
  await Deno.mkdir(`${ckpt}/.tmp-ckpt-00000099-deadbeef`, { recursive: true });
  await Deno.writeTextFile(`${ckpt}/.tmp-ckpt-00000099-deadbeef/weights.bin`, "half");
  await Deno.writeTextFile(`${ckpt}/latest.json.tmp-0badf00d`, "{");
  const run = await runTrainLoop(t.spec, { outDir: dir, checkpointEvery: 2 });
  assert.equal(run.steps, 7);
  // checkpoints at 2, 4, 6 and 7: the last two stay, the temporaries are gone
  assert.deepEqual(await names(ckpt), ["ckpt-00000006", "ckpt-00000007", "latest.json"]);
  assert.deepEqual(await removeStaleCheckpointTemps(ckpt), []);
  await Deno.mkdir(`${ckpt}/.tmp-ckpt-00000008-12345678`);
  assert.deepEqual(await removeStaleCheckpointTemps(ckpt), [".tmp-ckpt-00000008-12345678"]);
  assert.deepEqual(await removeStaleCheckpointTemps(`${dir}/missing`), []);
  t.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("resume falls back to the previous checkpoint when the latest is damaged", async () => {
  const straight = toy(4, 9);
  const ref = await runTrainLoop(straight.spec, {});
  straight.dispose();

  for (const damage of ["weights", "manifest", "latest.json", "missing dir"] as const) {
    const dir = await Deno.makeTempDir();
    const ckpt = `${dir}/checkpoints`;
    const first = toy(4, 9);
    const ctrl = new AbortController();
    const opts: TrainLoopOptions = { outDir: dir, checkpointEvery: 3, signal: ctrl.signal };
    await runTrainLoop({
      ...first.spec,
      step: async (t, seed) => {
        if (t === 6) ctrl.abort(); // stop after step 7: checkpoints at 3, 6 (kept) and 7
        return await first.spec.step(t, seed);
      },
    }, opts);
    first.dispose();
    assert.deepEqual(await names(ckpt), ["ckpt-00000006", "ckpt-00000007", "latest.json"]);
    if (damage === "weights") {
      const w = `${ckpt}/ckpt-00000007/weights.bin`;
      const bytes = await Deno.readFile(w);
      bytes[10] ^= 0xff;
      await Deno.writeFile(w, bytes);
    } else if (damage === "manifest") {
      await Deno.writeTextFile(`${ckpt}/ckpt-00000007/manifest.json`, '{"form');
    } else if (damage === "latest.json") {
      await Deno.writeTextFile(`${ckpt}/latest.json`, "{");
      await Deno.remove(`${ckpt}/ckpt-00000007`, { recursive: true });
    } else {
      await Deno.remove(`${ckpt}/ckpt-00000007`, { recursive: true });
    }
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    const second = toy(4, 9);
    const before = tf.memory().numTensors;
    let resumed;
    try {
      resumed = await runTrainLoop(second.spec, { ...opts, signal: undefined, resume: true });
    } finally {
      console.warn = warn;
    }
    assert.equal(tf.memory().numTensors, before);
    assert.equal(warnings.length, 1, `${damage}: ${warnings}`);
    assert.match(warnings[0], /checkpoint: resuming from .*ckpt-00000006 \(step 6\)/);
    assert.deepEqual(
      resumed.history.map((h) => h.loss),
      ref.history.map((h) => h.loss),
      `${damage}: resumed history differs`,
    );
    assert.deepEqual(resumed.history.map((h) => h.t), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    second.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadLatestCheckpoint: nothing to load, nothing loadable, a model that does not fit", async () => {
  const dir = await Deno.makeTempDir();
  const model = createModel({ preset: "tiny", seed: 5 });
  assert.equal(await loadLatestCheckpoint(`${dir}/none`, model), null);
  await saveCheckpoint(dir, { model, step: 1 });
  await saveCheckpoint(dir, { model, step: 2 });
  for (const s of ["00000001", "00000002"]) {
    await Deno.writeTextFile(`${dir}/ckpt-${s}/weights.bin`, "x");
  }
  await assert.rejects(
    loadLatestCheckpoint(dir, model, undefined, () => {}),
    /no loadable checkpoint in .*ckpt-00000002\/weights\.bin has 1 bytes.*ckpt-00000001/,
  );
  const other = createModel({ preset: "small", seed: 5 });
  await saveCheckpoint(dir, { model, step: 3 });
  await assert.rejects(loadLatestCheckpoint(dir, other), { name: "CheckpointMismatchError" });
  for (const m of [model, other]) m.params.dispose();
  await Deno.remove(dir, { recursive: true });
});
