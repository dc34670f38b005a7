// The shipped pretrained tiny weights (C1 then C2): checksum-verified loading, and the behaviour
// they are shipped for on held-out synthetic scenes: the sound's aligned map on the sounding
// object, well above the background center's map (this fails if the aligned center flips to the
// background after C2), and in two-source scenes each sound's map nearer its own object than the
// other one.
import { assert, assertEquals, assertRejects } from "./model_assert.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { loadPretrained, PRETRAINED } from "../lib/model/mod.ts";
import { centrePrior } from "../lib/baselines/mod.ts";
import { clipCIoUs, localizationScores } from "../lib/metrics/mod.ts";
import { oursHeatmaps } from "../lib/model/mod.ts";
import { perSourceLocalization } from "../lib/experiments/mod.ts";

await initBackend("wasm");

Deno.test("loadPretrained: the tiny weights load, verified by their SHA-256", async () => {
  const model = await loadPretrained("tiny");
  try {
    assertEquals(model.config.preset, "tiny");
    assertEquals(model.params.size, PRETRAINED.tiny!.values);
  } finally {
    model.params.dispose();
  }
  await assertRejects(
    () => loadPretrained("paper"),
    Error,
    'no pretrained weights for preset "paper"',
  );
});

Deno.test("pretrained tiny: the sound's map is on the object, not the background", async () => {
  const model = await loadPretrained("tiny");
  try {
    const world = synthWorld({ seed: 0 });
    const test = world.localizationSet(64);
    const aligned = localizationScores(clipCIoUs(test, await oursHeatmaps(model, test, "aligned")));
    const background = localizationScores(
      clipCIoUs(test, await oursHeatmaps(model, test, "unaligned")),
    );
    const prior = localizationScores(clipCIoUs(
      test,
      test.map(() => ({ height: 64, width: 64, heatmap: centrePrior(64, 64) })),
    ));
    // measured when shipped (seed 0, softmax loss, K_visual = K_audio + 2): AUC aligned 27.6%,
    // background center 8.0%, centre prior 32.3% (the prior still wins: see README, "The
    // learning recipe"; the margin loss's file: 25.8% vs 8.9%)
    console.log({ aligned, background, prior });
    assert(
      aligned.auc > background.auc + 0.1,
      `AUC aligned ${aligned.auc} vs background ${background.auc}: flipped to the background`,
    );
    // two-source scenes, each sound heard alone: its aligned map overlaps its own object more
    // than the other one (measured: mean cIoU 0.130 vs 0.093, 19 of 32 sounds on their own
    // object; the margin loss's file 0.138 vs 0.099, the unfused kernels' 0.132 vs 0.100; the
    // recipe before K_visual + 2
    // 0.116 vs 0.104, 0.104 vs 0.096 on older kernels; seeds 0, 1 and 2 of the same command two rounds before: 0.120 vs 0.103,
    // 0.097 vs 0.068, 0.123 vs 0.092). Whether it beats every unaligned center on its own object
    // is near chance for most seeds (19 of 32 sounds here; 16, 13 and 14 before; 15, 12 and 20
    // then): not asserted.
    const duets = Array.from({ length: 16 }, (_, i) => world.scene(i, 2, "test"));
    const per = await perSourceLocalization(model, duets);
    console.log(per);
    assert(
      per.ownObjectCIoU > per.otherObjectCIoU,
      `own object ${per.ownObjectCIoU} vs other ${per.otherObjectCIoU}`,
    );
  } finally {
    model.params.dispose();
  }
});
