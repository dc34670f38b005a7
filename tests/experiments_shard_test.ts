// Sharding: three shards run in sequence into one cache, then a merge, give the same results
// as one plain run; the shards split the cells without overlap; a merge with a shard missing
// names the missing cells and computes nothing.
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import {
  type ExperimentOptions,
  type ExperimentResult,
  runCounting,
  runFig3,
  type RunScale,
  runTable1,
} from "../lib/experiments/mod.ts";
import {
  cellName,
  mergeShards,
  parseShard,
  planCells,
  runShard,
  shardCells,
  type ShardRunner,
} from "../lib/experiments/shard.ts";

await initBackend("wasm");

const MICRO: RunScale = {
  seeds: [0, 1, 2],
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

const RUNNERS: ShardRunner[] = [
  { name: "fig3", run: runFig3 },
  { name: "table1", run: runTable1 },
  { name: "counting", run: runCounting },
];

/** The parts of a result that must not depend on how it was computed. */
const numbers = (r: ExperimentResult) => ({ rows: r.rows, claims: r.claims, seeds: r.seeds });

Deno.test("parseShard and shardCells: whole seeds per shard, no overlap, all covered", () => {
  assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
  for (const bad of ["0/3", "4/3", "1", "a/b", "1/0"]) {
    assert.throws(() => parseShard(bad), /--shard must be I\/N/);
  }
  // runners ask seed by seed within each experiment; shards cut across experiments by seed
  const cells = ["x", "y"].flatMap((experiment) =>
    [0, 1, 2].flatMap((seed) => ["A", "B"].map((cell) => ({ experiment, cell, seed })))
  );
  const shards = [1, 2, 3].map((index) => shardCells(cells, { index, count: 3 }));
  assert.deepEqual([...shards[0]], ["x/A/s0", "x/B/s0", "y/A/s0", "y/B/s0"]);
  const all = shards.flatMap((s) => [...s]);
  assert.equal(all.length, cells.length);
  assert.equal(new Set(all).size, cells.length);
  // two shards over three seeds: one seed and two, never a seed split between shards
  const two = [1, 2].map((index) => shardCells(cells, { index, count: 2 }));
  assert.deepEqual(two.map((s) => s.size), [4, 8]);
  assert.throws(() => shardCells(cells, { index: 1, count: 4 }), /more shards than seeds \(3\)/);
});

Deno.test("three shards in sequence, then a merge, equal one plain run", async () => {
  const single = await Deno.makeTempDir({ prefix: "avscene-single-" });
  const shared = await Deno.makeTempDir({ prefix: "avscene-shards-" });
  try {
    const opts = (outDir: string): ExperimentOptions => ({ quick: true, outDir, scale: MICRO });
    const plain: ExperimentResult[] = [];
    for (const r of RUNNERS) plain.push(await r.run(opts(single)));

    const planned = await planCells(RUNNERS, opts(shared));
    assert.equal(new Set(planned.map(cellName)).size, planned.length);
    // fig3 7 runs, table1 5, counting 1 per seed, and table1's MFCC row once (it reads no
    // seed); the other runners share the same cell machinery, and their runner tests check
    // their cache
    assert.equal(planned.length, (7 + 5 + 1) * MICRO.seeds.length + 1);
    assert.deepEqual(
      planned.filter((c) => c.cell === "MFCC (no network)").map((c) => c.seed),
      [MICRO.seeds[0]],
    );

    // a merge before any shard ran computes nothing and names what is missing
    await assert.rejects(mergeShards(RUNNERS, opts(shared)), /merge: fig3 is missing 21 cell/);

    const computed = new Set<string>();
    for (const index of [1, 2, 3]) {
      const report = await runShard(RUNNERS, opts(shared), { index, count: 3 });
      const done = Object.entries(report.computed).flatMap(([e, cells]) =>
        cells.map((c) => `${e}/${c}`)
      );
      assert.equal(done.length, report.assigned, `shard ${index} computed its cells only`);
      for (const c of done) {
        assert.ok(!computed.has(c), `${c} computed by two shards`);
        computed.add(c);
      }
      if (index < 3) {
        await assert.rejects(mergeShards(RUNNERS, opts(shared)), /merge: .* is missing/);
      }
    }
    assert.equal(computed.size, planned.length);

    const merged = await mergeShards(RUNNERS, opts(shared));
    assert.deepEqual(merged.map(numbers), plain.map(numbers));
    for (const m of merged) {
      assert.deepEqual(m.cells!.computed, [], `${m.experiment}: the merge computed nothing`);
    }
  } finally {
    await Deno.remove(single, { recursive: true });
    await Deno.remove(shared, { recursive: true });
  }
});
