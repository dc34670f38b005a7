/**
 * Synthetic-world generation speed: one scene per iteration, so `deno bench`'s iter/s is
 * scenes per second. Presets: tiny (64x64, 1 s at 8 kHz), small (128x128, 1 s at 16 kHz),
 * paper (224x224, 1 s at 16 kHz); tiny per count, and the uncurated mixture.
 */
import { synthWorld } from "../lib/data/mod.ts";

const presets = {
  tiny: synthWorld({ seed: 0, imageSize: 64, sampleRate: 8000 }),
  small: synthWorld({ seed: 0, imageSize: 128, sampleRate: 16000 }),
  paper: synthWorld({ seed: 0, imageSize: 224, sampleRate: 16000 }),
};

for (const [name, world] of Object.entries(presets)) {
  for (const count of [1, 2, 3, 4]) {
    let index = 0;
    Deno.bench({
      name: `${name} scene, count ${count}`,
      group: name,
      baseline: count === 1,
      fn: () => {
        world.scene(index++, count);
      },
    });
  }
}

const uncurated = presets.tiny.batches("uncurated", 1)[Symbol.iterator]();
Deno.bench({
  name: "tiny uncurated scene (paper's C1..C4 mixture)",
  group: "tiny",
  fn: () => {
    uncurated.next();
  },
});
