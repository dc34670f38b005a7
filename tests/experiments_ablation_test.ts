// The recipe ablation runner at a micro scale: one variant of two stages, one seed; every
// measurement present and in range, the background center's AUC beside the aligned one's,
// and results already measured are reused, not retrained; and every variant's recipe is the one
// it was measured with.
import { assert, assertEquals, assertRejects, assertThrows } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import { ABLATION_VARIANTS, blockMeans, runAblation } from "../lib/experiments/mod.ts";
import { RECIPES, resolveRecipe } from "../lib/train/mod.ts";

await initBackend("cpu");

Deno.test("runAblation: a two-stage variant measured on held-out scenes, reused when done", async () => {
  const variants = ABLATION_VARIANTS.filter((v) => v.name === "ours C2(C1)");
  assertEquals(variants.length, 1);
  const opts = { variants, seeds: [0], steps: 2, batchSize: 2, testSize: 8 };
  const [r] = await runAblation(opts);
  assertEquals([r.variant, r.seed, r.steps, r.curriculum], ["ours C2(C1)", 0, 2, "C1,C2"]);
  for (
    const key of [
      "trainAccuracy",
      "trainAccuracyFinalWindow",
      "heldOutAccuracy",
      "onOwnObject",
      "offObject",
    ] as const
  ) {
    assert(r[key] >= 0 && r[key] <= 1, `${key} ${r[key]}`);
  }
  // the curve is the last stage's (C2's 2 steps: one block), its mean the last-50 mean here
  assertEquals(r.accuracyCurve.length, 1);
  assert(Math.abs(r.accuracyCurve[0] - r.trainAccuracy) < 1e-12);
  for (const key of ["ciou50", "auc", "backgroundAuc", "ceilingAuc", "classification"] as const) {
    assert(r[key] >= 0 && r[key] <= 100, `${key} ${r[key]}`);
  }
  assert(r.ceilingAuc > 0 && r.ceilingCiou50 > 0, "the half-image ceiling is measured");
  // a result already measured (same variant, seed and settings) is returned as is
  const again = await runAblation({ ...opts, done: [{ ...r, auc: -1 }] });
  assertEquals(again[0].auc, -1);
  // one measured with other settings (another recipe under the same name, a result written
  // before settings were recorded) is measured again
  const redefined = JSON.parse(r.settings);
  redefined.recipe.betaEnd = 30;
  for (
    const stale of [{ ...r, auc: -1, settings: JSON.stringify(redefined) }, {
      ...r,
      auc: -1,
      settings: undefined,
    }]
  ) {
    const rerun = await runAblation({ ...opts, done: [stale as typeof r] });
    assertEquals(rerun[0].auc, r.auc);
    assertEquals(rerun[0].settings, r.settings);
  }
});

Deno.test("runAblation: a variant's model overrides and steps replace the run's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const variant = {
      name: "freq",
      change: "the frequency channel",
      recipe: "ours" as const,
      model: { frequencyChannel: true },
      steps: 3,
    };
    const [r] = await runAblation({
      variants: [variant],
      seeds: [1],
      steps: 2,
      batchSize: 2,
      testSize: 8,
      weightsDir: dir,
    });
    assertEquals([r.variant, r.steps, r.curriculum], ["freq", 3, "C1"]);
    assert(r.trainCpuSeconds > 0 && r.trainSeconds > 0);
    // the saved weights are the overridden model's: the audio trunk's first conv reads 2 channels
    const floats = (await Deno.readFile(`${dir}/freq-s1.bin`)).byteLength / 4;
    const count = (m: ReturnType<typeof createModel>) => {
      const n = m.params.specs().reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
      m.params.dispose();
      return n;
    };
    assertEquals(floats, count(createModel({ config: { frequencyChannel: true } })));
    assertEquals(floats - count(createModel()), 3 * 3 * 16);
    // stepsFactor scales the run's steps (rounded): batch sizes compared at equal clips
    const [scaled] = await runAblation({
      variants: [{ name: "b4x1.5", change: "", recipe: "ours", batchSize: 4, stepsFactor: 1.5 }],
      seeds: [1],
      steps: 2,
      batchSize: 2,
      testSize: 8,
    });
    assertEquals(scaled.steps, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runAblation: a variant's stageSteps set each stage's steps", async () => {
  const opts = { seeds: [0], steps: 2, batchSize: 2, testSize: 8 };
  const base = { change: "", recipe: "ours" as const, levels: [1, 2] as (1 | 2)[] };
  // one entry a stage equal to the run's steps: the same training and measures as without
  const [plain, same, longer] = await runAblation({
    ...opts,
    variants: [
      { ...base, name: "plain" },
      { ...base, name: "same", stageSteps: [2, 2] },
      { ...base, name: "longer", stageSteps: [3, 2] },
    ],
  });
  for (const key of ["trainAccuracy", "trainLoss", "heldOutAccuracy", "auc"] as const) {
    assertEquals(same[key], plain[key], key);
  }
  // the key names the stages' steps only where given, so no other variant's key changes
  assertEquals(JSON.parse(plain.settings).stageSteps, undefined);
  assertEquals(JSON.parse(same.settings).stageSteps, [2, 2]);
  // a longer first stage: the last stage's steps reported, C2 starting from other weights
  assertEquals([longer.steps, longer.curriculum], [2, "C1,C2"]);
  assertEquals(JSON.parse(longer.settings).stageSteps, [3, 2]);
  assert(longer.trainLoss !== plain.trainLoss, "C2 continues from 3 steps of C1, not 2");
  for (const bad of [[3], [3, 0], [3, 1.5]]) {
    await assertRejects(
      () => runAblation({ ...opts, variants: [{ ...base, name: "bad", stageSteps: bad }] }),
      Error,
      "stageSteps must be one positive integer per level",
    );
  }
});

Deno.test("blockMeans: means of consecutive blocks, the last one shorter", () => {
  assertEquals(blockMeans([1, 0, 1, 1, 0.5], 2), [0.5, 1, 0.5]);
  assertEquals(blockMeans([0.25, 0.75], 50), [0.5]);
  assertEquals(blockMeans([], 50), []);
  for (const bad of [0, 1.5, -2]) assertThrows(() => blockMeans([1], bad), Error, "block must be");
});

Deno.test("ABLATION_VARIANTS: every variant resolves to the recipe it was measured with", async () => {
  // each variant's recipe resolved by the runner's rule (a name as is, fields over `paper`),
  // snapshot at b3693fe, before the variants were written over a named base (inFrameNegative 0
  // and extraVisualCenters 1 added to each when the fields came, later loss "margin" and
  // temperature 1, then alignTemperature 0: none of them changed those;
  // `ours` is the default, K_visual = K_audio + 2 since ours+kv2 was measured, the softmax
  // loss at temperature 2 since ours+softmax t2 was, two soft K-means iterations and the
  // one-to-one alignment since ours+ema 0.99 it2 and it2 distinct C2(C1) were)
  const measured = JSON.parse(
    await Deno.readTextFile(new URL("./testdata/ablation_recipes.json", import.meta.url)),
  );
  const resolved = Object.fromEntries(
    ABLATION_VARIANTS.map((v) => [v.name, resolveRecipe(v.recipe, "paper")]),
  );
  assertEquals(resolved, measured);
});

Deno.test("runAblation: a weight-averaged variant measured twice, its online weights as ours'", async () => {
  const variants = [
    { name: "ours", change: "", recipe: "ours" as const },
    { name: "ours+ema 0.99", change: "", recipe: { ...RECIPES.ours, weightAverage: 0.99 } },
  ];
  const [ours, ema] = await runAblation({
    variants,
    seeds: [0],
    steps: 3,
    batchSize: 2,
    testSize: 8,
    freshScenes: 8,
  });
  assertEquals(ours.online, undefined);
  assertEquals(ours.freshAccuracy, undefined);
  // the same training (the online weights are unaffected by their average): the same
  // training accuracy, and the online weights' measures are ours' to the bit
  assertEquals(ema.trainAccuracy, ours.trainAccuracy);
  const online = ema.online!;
  for (
    const key of [
      "heldOutAccuracy",
      "ciou50",
      "auc",
      "backgroundAuc",
      "offObject",
      "ownObjectCIoU",
      "otherObjectCIoU",
      "onOwnObject",
      "classification",
    ] as const
  ) {
    assertEquals(online[key], ours[key], key);
  }
  for (const acc of [ema.freshAccuracy!, online.freshAccuracy]) assert(acc >= 0 && acc <= 1);
});
