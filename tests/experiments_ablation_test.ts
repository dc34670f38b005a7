// The recipe ablation runner at a micro scale: one variant of two stages, one seed; every
// measurement present and in range, the background center's AUC beside the aligned one's,
// and results already measured are reused, not retrained.
import { assert, assertEquals } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { ABLATION_VARIANTS, runAblation } from "../lib/experiments/mod.ts";

await initBackend("cpu");

Deno.test("runAblation: a two-stage variant measured on held-out scenes, reused when done", async () => {
  const variants = ABLATION_VARIANTS.filter((v) => v.name === "ours C2(C1)");
  assertEquals(variants.length, 1);
  const opts = { variants, seeds: [0], steps: 2, batchSize: 2, testSize: 8 };
  const [r] = await runAblation(opts);
  assertEquals([r.variant, r.seed, r.steps, r.curriculum], ["ours C2(C1)", 0, 2, "C1,C2"]);
  for (const key of ["trainAccuracy", "heldOutAccuracy", "onOwnObject"] as const) {
    assert(r[key] >= 0 && r[key] <= 1, `${key} ${r[key]}`);
  }
  for (const key of ["ciou50", "auc", "backgroundAuc", "ceilingAuc", "classification"] as const) {
    assert(r[key] >= 0 && r[key] <= 100, `${key} ${r[key]}`);
  }
  assert(r.ceilingAuc > 0 && r.ceilingCiou50 > 0, "the half-image ceiling is measured");
  // a result already measured (same variant, seed, steps, curriculum) is returned as is
  const again = await runAblation({ ...opts, done: [{ ...r, auc: -1 }] });
  assertEquals(again[0].auc, -1);
});
