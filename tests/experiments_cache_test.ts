// A cache that cannot go stale: a changed key input (source code, backend, dataset identity)
// recomputes a cell, an unchanged one reuses it, and the result says which.
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { type ExperimentWorld, runCounting, type RunScale } from "../lib/experiments/mod.ts";
import { dataIdentity, hashSources } from "../lib/experiments/cache_identity.ts";
import { presetConfig } from "../lib/model/presets.ts";

const MICRO: RunScale = {
  seeds: [0],
  steps: 2,
  batchSize: 4,
  datasetSize: 8,
  localizationSize: 4,
  clipsPerClassPerFold: 1,
  countingTrainPerCount: 3,
  countingTestPerCount: 2,
  gradingSize: 8,
  heldOutPerCount: 2,
};

Deno.test("hashSources: changes with a number-producing source, not with a plot", async () => {
  const root = await Deno.makeTempDir({ prefix: "avscene-src-" });
  const url = new URL(`file://${root}/`);
  try {
    for (const d of ["kernels", "lib/model", "lib/plot"]) {
      await Deno.mkdir(`${root}/${d}`, { recursive: true });
    }
    await Deno.writeTextFile(`${root}/kernels/k.ts`, "export const k = 1;\n");
    await Deno.writeTextFile(`${root}/lib/model/m.ts`, "export const m = 1;\n");
    await Deno.writeTextFile(`${root}/lib/plot/p.ts`, "export const p = 1;\n");
    const first = await hashSources(url);
    assert.match(first, /^src-[0-9a-f]{16}$/);
    assert.equal(await hashSources(url), first, "unchanged sources, same hash");
    await Deno.writeTextFile(`${root}/lib/plot/p.ts`, "export const p = 2;\n");
    assert.equal(await hashSources(url), first, "a plot does not produce numbers");
    await Deno.writeTextFile(`${root}/lib/model/m.ts`, "export const m = 2;\n");
    const edited = await hashSources(url);
    assert.notEqual(edited, first, "an edited model changes the hash");
    await Deno.writeTextFile(`${root}/lib/model/n.ts`, "export const n = 1;\n");
    assert.notEqual(await hashSources(url), edited, "a new source changes the hash");
    await assert.rejects(hashSources(new URL("https://example.com/x/")), /must be a file: URL/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dataIdentity: identity, then options, else unique to the object", () => {
  assert.equal(dataIdentity({ identity: "music-1f", options: { seed: 1 } }), "music-1f");
  assert.deepEqual(dataIdentity({ options: { seed: 1 } }), { seed: 1 });
  const a = {}, b = {};
  assert.equal(dataIdentity(a), dataIdentity(a));
  assert.notEqual(dataIdentity(a), dataIdentity(b));
});

Deno.test("cells: unchanged key reuses, changed dataset or backend recomputes", async () => {
  await initBackend("wasm");
  const outDir = await Deno.makeTempDir({ prefix: "avscene-cache-" });
  const c = presetConfig("tiny");
  const base = synthWorld({ seed: 0, imageSize: c.imageSize, sampleRate: c.sampleRate });
  const named = (identity: string): ExperimentWorld => ({ ...base, identity });
  const run = (world: ExperimentWorld) => runCounting({ quick: true, outDir, scale: MICRO, world });
  try {
    const first = await run(named("data-A"));
    assert.deepEqual(first.cells, { reused: [], computed: ["counting s0"] });
    const again = await run(named("data-A"));
    assert.deepEqual(again.cells, { reused: ["counting s0"], computed: [] });
    assert.deepEqual(again.rows, first.rows);
    // same options, another identity (e.g. a dataset whose files changed): recomputed
    const other = await run(named("data-B"));
    assert.deepEqual(other.cells, { reused: [], computed: ["counting s0"] });
    // a world with neither identity nor options (the contract requires an identity, but plain
    // JavaScript can still hand one over) is never reused by a later run
    const { options: _, identity: _identity, ...anonymous } = base;
    const anon = await run({ ...anonymous } as unknown as ExperimentWorld);
    assert.deepEqual(anon.cells!.reused, []);
    assert.deepEqual((await run({ ...anonymous } as unknown as ExperimentWorld)).cells!.reused, []);
    // another backend: recomputed
    await initBackend("cpu");
    const cpu = await run(named("data-A"));
    assert.deepEqual(cpu.cells, { reused: [], computed: ["counting s0"] });
  } finally {
    await initBackend("wasm");
    await Deno.remove(outDir, { recursive: true });
  }
});
