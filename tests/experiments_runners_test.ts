// The experiment runners at a micro scale (a few steps, tiny sets) on the default synthetic
// world: well-formed rows and claims, models shared between runners through the cache, and a
// rerun that skips every finished cell. Training is counted through progress events.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  type ExperimentResult,
  gradedDataSkip,
  halfImageCeiling,
  runBudget,
  runCounting,
  runFig3,
  type RunProgress,
  type RunScale,
  runScale,
  runTable1,
  runTable2,
  stageSteps,
  table3Scale,
} from "../lib/experiments/mod.ts";

await initBackend("wasm");

const MICRO: RunScale = {
  seeds: [0, 1],
  steps: 2,
  batchSize: 4,
  datasetSize: 8,
  localizationSize: 6,
  clipsPerClassPerFold: 1,
  countingTrainPerCount: 3,
  countingTestPerCount: 2,
  gradingSize: 8,
  heldOutPerCount: 2,
};

function recorder() {
  const events: RunProgress[] = [];
  return {
    events,
    onProgress: (p: RunProgress) => events.push(p),
    trainingSteps: () => events.filter((e) => e.stage.endsWith(": training")).length,
  };
}

function assertWellFormed(r: ExperimentResult, experiment: string, rows: number) {
  assert.equal(r.experiment, experiment);
  assert.deepEqual(r.seeds, MICRO.seeds);
  assert.equal(r.rows.length, rows);
  for (const row of r.rows) {
    assert.ok(Number.isFinite(row.mean) && Number.isFinite(row.std), `${row.method} ${row.metric}`);
    assert.equal(row.values.length, MICRO.seeds.length);
    assert.ok(row.std >= 0);
  }
  assert.ok(r.claims.length > 0);
  for (const c of r.claims) {
    assert.ok(["holds", "does not hold", "inconclusive"].includes(c.verdict), c.verdict);
    assert.equal(c.holds, c.verdict === "holds");
    assert.ok(c.reason.length > 10, c.reason);
    assert.ok(c.detail.length > 10 && /\d/.test(c.detail), c.detail);
  }
  assert.equal(r.paperData, false, "the synthetic world is not the paper's data");
  assert.ok(r.cells, "the result says which cells were reused");
  assert.ok(r.seconds > 0);
}

Deno.test("runners: rows, claims, shared models and resume at micro scale", async (t) => {
  const outDir = await Deno.makeTempDir({ prefix: "avscene-runners-" });
  const tensorsBefore = tf.memory().numTensors;
  const base = { quick: true, outDir, scale: MICRO };
  const trainingOf = (r: ReturnType<typeof recorder>) => r.trainingSteps();
  const perStage = MICRO.steps * MICRO.seeds.length;
  try {
    await t.step(
      "runFig3: curves of every step, held-out and final-window rows, both claims",
      async () => {
        const rec = recorder();
        const fig3 = await runFig3({ ...base, onProgress: rec.onProgress });
        // 6 runs x (held-out, final loss, final accuracy) + the untrained network's held-out row
        assertWellFormed(fig3, "fig3", 19);
        const untrained = fig3.rows.filter((r) => r.method === "untrained");
        assert.deepEqual(untrained.map((r) => r.metric), ["held-out accuracy"]);
        for (const r of fig3.rows.filter((r) => r.metric === "held-out accuracy")) {
          assert.ok(r.values.every((v) => v >= 0 && v <= 1), `${r.method} ${r.values}`);
        }
        assert.equal(fig3.claims.length, 2);
        // 4 one-stage runs and 2 two-stage runs per seed
        assert.equal(fig3.curves.length, MICRO.seeds.length * (4 + 2 * 2) * MICRO.steps);
        const c23 = fig3.curves.filter((p) => p.run === "C2->C3" && p.seed === 1);
        assert.deepEqual(c23.map((p) => p.step), [1, 2, 3, 4]);
        // C2 and C3 start Fig. 3b's orders: 4 + 2 distinct stages were trained, not 4 + 4
        assert.equal(trainingOf(rec), 6 * perStage);
        const last = rec.events.at(-1)!;
        assert.equal(last.done, last.total);
      },
    );

    await t.step("runTable1: trains only the strategies' new stages, paper numbers", async () => {
      const rec = recorder();
      const t1 = await runTable1({ ...base, onProgress: rec.onProgress });
      assertWellFormed(t1, "table1", 6);
      // C1 and C2 come from Fig. 3's cache; C1->C2, C2->C1 and C1->C2(scene) are new
      assert.equal(trainingOf(rec), 3 * perStage);
      const paper = Object.fromEntries(t1.rows.map((r) => [r.method, r.paper]));
      assert.deepEqual(paper, {
        "C1": 51.25,
        "C2(C1) + scene-level": 47.25,
        "C2(C1) + source-level": 56.75,
        "C1(C2) + source-level": 53,
        "random init": undefined,
        "MFCC (no network)": undefined,
      });
      for (const r of t1.rows) assert.ok(r.mean >= 0 && r.mean <= 100);
      // the MFCC baseline has no network: the same accuracy for every seed, above chance
      const mfcc = t1.rows.find((r) => r.method === "MFCC (no network)")!;
      assert.ok(mfcc.values.every((v) => v === mfcc.values[0]), `${mfcc.values}`);
      assert.ok(mfcc.mean > 100 / 10, `MFCC ${mfcc.mean}%`);
    });

    let table2: ExperimentResult | undefined;
    await t.step(
      "runTable2: seven methods, the centre prior and the ceiling x two metrics, the paper's numbers",
      async () => {
        const rec = recorder();
        table2 = await runTable2({ ...base, onProgress: rec.onProgress });
        assertWellFormed(table2, "table2", 18);
        assert.equal(table2.claims.length, 2);
        // DMC, Attention and the graded row's curriculum (its first grade, then its second) are
        // new; the counting model reads the cached C1 model. A grade trains only when the
        // counting model put two clips in it: at this scale (8 graded clips) a seed's second
        // grade may be empty, so each seed adds its 2 second-grade steps or none
        const extra = trainingOf(rec) - 3 * perStage;
        assert.ok(extra >= 0 && extra <= perStage && extra % MICRO.steps === 0, `${extra}`);
        const graded = table2.rows.find((r) => r.method === "Ours, graded by counting (†‡)")!;
        assert.ok(graded.metric === "cIoU@0.5 (%)" && graded.paper === 48.4);
        const ours = table2.rows.filter((r) =>
          r.method !== "Half-image ceiling" && r.method !== "Centre prior"
        );
        assert.ok(ours.every((r) => r.paper !== undefined && r.mean >= 0 && r.mean <= 100));
        // no heatmap beats the protocol's ceiling on the same images
        const ceiling = table2.rows.find((r) =>
          r.method === "Half-image ceiling" && r.metric === "AUC (%)"
        )!;
        assert.equal(ceiling.paper, undefined);
        for (const r of ours.filter((r) => r.metric === "AUC (%)")) {
          assert.ok(r.mean <= ceiling.mean);
        }
        const random = table2.rows.find((r) => r.method === "Random" && r.metric === "AUC (%)")!;
        assert.equal(random.paper, 32.3);
        // the rows that read no seed were computed once, for the first seed, and hold one
        // (equal) value per seed
        for (const method of ["Centre prior", "Half-image ceiling"]) {
          assert.deepEqual(
            table2.cells!.computed.filter((c) => c.startsWith(method)),
            [`${method} s${MICRO.seeds[0]}`],
          );
          for (const r of table2.rows.filter((r) => r.method === method)) {
            assert.ok(r.values.every((v) => v === r.values[0]), `${method} ${r.values}`);
          }
        }
      },
    );

    await t.step("runCounting: 4x4 confusion over the held-out scenes, graded sizes", async () => {
      const rec = recorder();
      const counting = await runCounting({ ...base, onProgress: rec.onProgress });
      assertWellFormed(counting, "counting", 6);
      assert.equal(trainingOf(rec), 0); // the C1 model is cached
      assert.equal(counting.confusion.length, 4);
      assert.ok(counting.confusion.every((row) => row.length === 4));
      const total = counting.confusion.flat().reduce((a, b) => a + b, 0);
      assert.equal(total, MICRO.seeds.length * 4 * MICRO.countingTestPerCount);
      assert.equal(counting.gradeSizes.length, 4);
      assert.equal(counting.gradeSizes.reduce((a, g) => a + g.truth, 0), MICRO.gradingSize);
      for (let s = 0; s < MICRO.seeds.length; s++) {
        const graded = counting.gradeSizes.reduce((a, g) => a + g.predicted[s], 0);
        assert.equal(graded, MICRO.gradingSize);
      }
    });

    await t.step(
      "a rerun skips every cached cell: no training, same numbers, files untouched",
      async () => {
        const cell = `${outDir}/table2/DMC-s1.json`;
        const before = await Deno.readTextFile(cell);
        const mtime = (await Deno.stat(cell)).mtime;
        const rec = recorder();
        const again = await runTable2({ ...base, onProgress: rec.onProgress });
        assert.equal(trainingOf(rec), 0);
        // 7 methods x 2 seeds, and the centre prior and the ceiling once each (no seed)
        assert.equal(rec.events.filter((e) => e.stage.endsWith(": cached")).length, 16);
        assert.deepEqual(again.rows, table2!.rows);
        assert.equal(again.cells!.reused.length, 16);
        assert.deepEqual(again.cells!.computed, []);
        assert.equal(await Deno.readTextFile(cell), before);
        assert.deepEqual((await Deno.stat(cell)).mtime, mtime);
      },
    );

    await t.step("another scale does not reuse the cached cells", async () => {
      const rec = recorder();
      await runCounting({
        ...base,
        scale: { ...MICRO, countingTestPerCount: 1 },
        seeds: [0],
        onProgress: rec.onProgress,
      });
      assert.equal(rec.events.filter((e) => e.stage.endsWith(": cached")).length, 0);
    });

    await t.step("an aborted run throws, naming how to resume", async () => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(
        runFig3({ ...base, scale: { ...MICRO, steps: 3 }, signal: ac.signal }),
        /aborted; run again with the same outDir to resume/,
      );
    });
    assert.equal(tf.memory().numTensors, tensorsBefore, "runners leak no tensors");
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("runScale and option checks", async () => {
  assert.ok(runScale(true).seeds.length >= 3, "quick mode runs at least 3 seeds");
  assert.ok(runScale(false).seeds.length >= 5, "full mode runs at least 5 seeds");
  assert.ok(runScale(false).steps > runScale(true).steps);
  // full trains every first stage at least as long as quick, with the same weight average
  assert.ok(stageSteps(runScale(false), 0) >= stageSteps(runScale(true), 0));
  assert.equal(runScale(false).weightAverage, runScale(true).weightAverage);
  // the notebooks' CI budget keeps quick's seeds at fewer steps
  assert.deepEqual(runScale("ci").seeds, runScale(true).seeds);
  assert.ok(runScale("ci").steps < runScale(true).steps);
  // quick trains less than full but scores on full's test sets, which cost seconds: a quick
  // estimate's noise is then the seeds', not a small test sample's
  assert.equal(runScale(true).localizationSize, runScale(false).localizationSize);
  assert.equal(table3Scale(true).testMixtures, table3Scale(false).testMixtures);
  const saved = Deno.env.get("AVSCENE_BUDGET");
  try {
    Deno.env.set("AVSCENE_BUDGET", "ci");
    assert.equal(runBudget(true), "ci");
    assert.equal(runBudget(false), "full", "a full run ignores the CI budget");
    Deno.env.set("AVSCENE_BUDGET", "tiny");
    assert.throws(() => runBudget(true), /AVSCENE_BUDGET=tiny is not a budget/);
    Deno.env.delete("AVSCENE_BUDGET");
    assert.equal(runBudget(true), "quick");
  } finally {
    if (saved === undefined) Deno.env.delete("AVSCENE_BUDGET");
    else Deno.env.set("AVSCENE_BUDGET", saved);
  }
  await assert.rejects(runFig3({ quick: true, seeds: [] }), /opts.seeds is empty/);
  await assert.rejects(
    runTable1({ quick: true, scale: { steps: 0 } }),
    /opts.scale.steps must be an integer >= 1/,
  );
});

Deno.test("firstStageSteps: every model's first stage takes it, later stages take steps", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "avscene-first-stage-" });
  try {
    const rec = recorder();
    const scale = { ...MICRO, seeds: [0], steps: 2, firstStageSteps: 3 };
    const fig3 = await runFig3({ quick: true, outDir, scale, onProgress: rec.onProgress });
    const stepsOf = (run: string) => fig3.curves.filter((p) => p.run === run).length;
    // one-stage runs: 3 steps; two-stage runs: 3 + 2
    assert.deepEqual(
      ["C1", "C2", "C3", "U", "C2->C3", "C3->C2"].map(stepsOf),
      [3, 3, 3, 3, 5, 5],
    );
    // C1, C2, C3, U first stages and the two later stages, each trained once
    assert.equal(rec.trainingSteps(), 4 * 3 + 2 * 2);
    // the planned total (before the final event) counts the first stages' steps: 7 cells
    assert.equal(rec.events.at(-2)!.total, 7 + 4 * 3 + 2 * 2);
    // Table 2: DMC, Attention and the graded row's first grade take 3 steps, C2(C1) 2 (C1 is
    // cached), and the graded row's second grade 2 where the counting model put two of the 8
    // graded clips in it (none otherwise)
    const t2 = recorder();
    await runTable2({ quick: true, outDir, scale, onProgress: t2.onProgress });
    assert.ok([3 * 3 + 2, 3 * 3 + 2 + 2].includes(t2.trainingSteps()), `${t2.trainingSteps()}`);
    // another firstStageSteps is another model: nothing is reused
    const again = recorder();
    await runFig3({
      quick: true,
      outDir,
      scale: { ...scale, firstStageSteps: 2 },
      onProgress: again.onProgress,
    });
    assert.equal(again.trainingSteps(), 6 * 2);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("runFig3 stopped mid-run resumes: finished cells are kept, the rest is trained", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "avscene-resume-" });
  const opts = { quick: true, outDir, scale: { ...MICRO, seeds: [0] } };
  try {
    const ac = new AbortController();
    const first = recorder();
    await assert.rejects(
      runFig3({
        ...opts,
        signal: ac.signal,
        onProgress: (p) => {
          first.onProgress(p);
          if (first.trainingSteps() === 3) ac.abort(); // C1 done, C2 at its first step
        },
      }),
      /aborted/,
    );
    assert.ok((await Deno.stat(`${outDir}/fig3/C1-s0.json`)).isFile);
    const second = recorder();
    const fig3 = await runFig3({ ...opts, onProgress: second.onProgress });
    assert.equal(second.events.filter((e) => e.stage === "C1 seed 0: cached").length, 1);
    // C2, C3, U and the second stages of both orders: 5 stages of 2 steps (C1 is not retrained),
    // less C2's first step, checkpointed when the abort stopped the trainer after it
    assert.equal(second.trainingSteps(), 5 * MICRO.steps - 1);
    assert.equal(fig3.curves.filter((p) => p.run === "C1").length, MICRO.steps);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("halfImageCeiling: a small box caps cIoU, a box over half the image does not", () => {
  const clip = (box: [number, number, number, number]) => ({
    id: "c",
    image: { data: new Float32Array(10 * 10 * 3), height: 10, width: 10 },
    audio: new Float32Array(8),
    sampleRate: 8000,
    boxes: [box],
  });
  // 2x5 = 10 pixels of 100: at best 10 / (10 + 50 - 10)
  assert.deepEqual(halfImageCeiling([clip([0, 0, 2, 5]), clip([0, 0, 10, 6])]), [0.2, 1]);
  assert.throws(
    () => halfImageCeiling([{ ...clip([0, 0, 1, 1]), boxes: undefined }]),
    /clip c has no annotatorBoxes or boxes/,
  );
});

Deno.test("gradedDataSkip: the graded row needs two known counts and a batch to grade", () => {
  const source = (size: number) => ({
    size,
    entry: () => ({ id: "x" }),
    clip: () => Promise.reject(new Error("not decoded")),
  });
  const scale = { countingTrainPerCount: 3, gradingSize: 8, batchSize: 4 };
  // SoundNet-Flickr's layout: uncurated clips only, no source counts
  const flickr = {
    name: "SoundNet-Flickr",
    identity: "f",
    trainingClips: (level: unknown, n: number) => source(level === "uncurated" ? n : 0),
  };
  assert.equal(
    gradedDataSkip(flickr, scale),
    "SoundNet-Flickr has training clips of known source count at 0 level(s); the counting " +
      "model that grades the data needs two",
  );
  const esc = { name: "ESC-50", identity: "e" };
  assert.equal(gradedDataSkip(esc, scale), "ESC-50 has no training clips to grade");
  const tiny = { ...flickr, name: "tiny", trainingClips: (l: unknown) => source(l === 3 ? 0 : 2) };
  assert.match(
    gradedDataSkip(tiny, scale)!,
    /^2 uncurated training clip\(s\) of tiny to grade \(gradingSize 8\), fewer than 5/,
  );
  const ok = { ...flickr, trainingClips: (_: unknown, n: number) => source(n) };
  assert.equal(gradedDataSkip(ok, scale), null);
});
