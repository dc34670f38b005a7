// `reproduce --jobs N`: N shard processes into one cache, then a merged report equal to the
// one a single process writes. At the CI budget on one cheap experiment, so it takes seconds.
import assert from "node:assert/strict";
import { reproduceCommand } from "../cli/reproduce.ts";
import { shardProcessArgs } from "../cli/_reproduce_jobs.ts";

Deno.test("shardProcessArgs passes the parent's options and the shard", () => {
  assert.deepEqual(
    shardProcessArgs(
      { cache: "c", full: true, only: "fig3,table1", seeds: "0,1", backend: "cpu" },
      1,
      2,
    ),
    [
      "--cache",
      "c",
      "--full",
      "--only",
      "fig3,table1",
      "--seeds",
      "0,1",
      "--backend",
      "cpu",
      "--shard",
      "1/2",
    ],
  );
});

Deno.test("reproduce --jobs 2 writes the report a single process writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "avscene-jobs-" });
  const saved = Deno.env.get("AVSCENE_BUDGET");
  const log = console.log;
  Deno.env.set("AVSCENE_BUDGET", "ci");
  console.log = () => {};
  try {
    const common = ["--only", "counting", "--seeds", "0,1", "--backend", "wasm"];
    const one = ["--cache", `${dir}/c1`, "--out", `${dir}/r1`, "--jobs", "1"];
    const two = ["--cache", `${dir}/c2`, "--out", `${dir}/r2`, "--jobs", "2"];
    assert.equal(await reproduceCommand([...common, ...one]), 0);
    assert.equal(await reproduceCommand([...common, ...two]), 0);
    const results = async (r: string) =>
      JSON.parse(await Deno.readTextFile(`${dir}/${r}/results.json`)).results;
    const [a, b] = [await results("r1"), await results("r2")];
    assert.equal(a.length, 1);
    assert.deepEqual(b[0].rows, a[0].rows);
    assert.deepEqual(b[0].claims, a[0].claims);
    assert.equal(a[0].rows[0].values.length, 2);
    // each shard process computed its seed and logged to the cache
    for (const i of [1, 2]) {
      const text = await Deno.readTextFile(`${dir}/c2/shard-${i}-of-2.log`);
      assert.match(text, new RegExp(`shard ${i}/2 done: 1 cell\\(s\\) assigned`));
      // the log is the shard's time profile: each change of stage stamped with the seconds
      // since the process started, and how long planning the cells took
      assert.match(text, /^\[\d+\.\d s\] counting \d+\/\d+: C1 seed \d: training$/m);
      assert.match(text, /^\[\d+\.\d s\] counting \d+\/\d+: counting seed \d: done$/m);
      assert.match(text, /^planning the cells took \d+\.\d s$/m);
    }
    await assert.rejects(
      () => reproduceCommand([...common, "--cache", `${dir}/c3`, "--jobs", "0"]),
      /--jobs must be an integer >= 1/,
    );
  } finally {
    console.log = log;
    if (saved === undefined) Deno.env.delete("AVSCENE_BUDGET");
    else Deno.env.set("AVSCENE_BUDGET", saved);
    await Deno.remove(dir, { recursive: true });
  }
});
