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
    // measured when shipped (seed 0, 3000 C1 + 450 C2 steps under the 0.995 average, two soft
    // K-means iterations and the one-to-one alignment since stop 32): AUC aligned 36.4%,
    // background center 3.3%, centre prior 32.3%; cIoU@0.5 15.6% vs the prior's 12.5% (the
    // previous file, four iterations and the nearest rule: 34.8% vs 4.2%, cIoU@0.5 18.8%)
    console.log({ aligned, background, prior });
    assert(
      aligned.auc > background.auc + 0.1,
      `AUC aligned ${aligned.auc} vs background ${background.auc}: flipped to the background`,
    );
    // two-source scenes, each sound heard alone: its aligned map overlaps its own object more
    // than the other one, and for most sounds it beats every unaligned center's map on its own
    // object (measured: mean cIoU 0.160 vs 0.112, 20 of 32 sounds; the previous file's 0.152 vs
    // 0.102 and 23 of 32; an older one's 0.130 vs 0.093 and 19 of 32, near chance, were not
    // enough to assert the share)
    const duets = Array.from({ length: 16 }, (_, i) => world.scene(i, 2, "test"));
    const per = await perSourceLocalization(model, duets);
    console.log(per);
    assert(
      per.ownObjectCIoU > per.otherObjectCIoU,
      `own object ${per.ownObjectCIoU} vs other ${per.otherObjectCIoU}`,
    );
    assert(per.onOwnObject > 0.5, `${per.onOwnObject} of the sounds on their own object`);
  } finally {
    model.params.dispose();
  }
});
