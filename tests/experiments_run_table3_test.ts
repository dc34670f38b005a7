import assert from "node:assert/strict";
import { initBackend } from "../lib/backend/mod.ts";
import type { AVClip } from "../lib/data/types.ts";
import { separationConfig, separationProtocol } from "../lib/model/separation/mod.ts";
import {
  runTable3,
  separationClips,
  separationScores,
  TABLE3_METHODS,
  testPairs,
} from "../lib/experiments/run_table3.ts";
import type { RunProgress } from "../lib/experiments/experiment.ts";

await initBackend(Deno.env.get("AVSCENE_BACKEND") ? undefined : "wasm");

const MICRO = {
  quick: true,
  seeds: [0],
  scale: { steps: 2, batchSize: 2, datasetSize: 4 },
  separation: {
    separationSteps: 2,
    separationBatch: 2,
    soloTrainSize: 4,
    duetTrainSize: 2,
    testMixtures: 2,
  },
};

Deno.test("testPairs pairs clips of different classes, each once", () => {
  const clip = (id: string, c: number) => ({ id, classes: [c] }) as unknown as AVClip;
  const pairs = testPairs([clip("a", 0), clip("b", 0), clip("c", 1), clip("d", 2)], 5);
  assert.deepEqual(pairs.map((p) => p.map((c) => c.id)), [["a", "c"], ["b", "d"]]);
});

Deno.test("separationScores: a perfect-ish estimate scores high, a silent one is skipped", () => {
  const n = 4000;
  const a = Float32Array.from({ length: n }, (_, t) => Math.sin(t / 3));
  const b = Float32Array.from({ length: n }, (_, t) => Math.sin(t / 11 + 1));
  const noisy = (x: Float32Array, k: number) => x.map((v, t) => v + 0.01 * Math.sin(t * k));
  const good = separationScores([[a, b]], [[noisy(a, 1.7), noisy(b, 2.3)]], false);
  assert.equal(good.evaluated, 1);
  assert.ok(good.sdr > 20, `sdr ${good.sdr}`);
  const skipped = separationScores([[a, b]], [[a, new Float32Array(n)]], false);
  assert.equal(skipped.evaluated, 0);
  assert.ok(Number.isNaN(skipped.sdr));
});

Deno.test("separationClips: resampled to the protocol's rate, tiled to its 65535 samples", () => {
  const config = separationConfig("tiny", separationProtocol("sound-of-pixels"));
  const tone = (n: number) => Float32Array.from({ length: n }, (_, t) => Math.sin(t / 5));
  const clip = {
    id: "a",
    audio: tone(8000),
    sampleRate: 8000,
    sources: [tone(8000)],
    image: { data: new Float32Array(3), height: 1, width: 1 },
  } as AVClip;
  const [out] = separationClips([clip], config);
  assert.deepEqual([out.sampleRate, out.audio.length, out.sources![0].length], [
    11025,
    65535,
    65535,
  ]);
  assert.equal(clip.audio.length, 8000); // the input is not modified
  // one second at 8 kHz is 11025 samples at 11025 Hz, repeated: the tile starts again there
  assert.equal(out.audio[11025 + 100], out.audio[100]);
  assert.ok(out.audio.subarray(60000).some((v) => Math.abs(v) > 0.5));
  // a clip already at the rate and length comes back as is
  assert.equal(separationClips([out], config)[0], out);
});

Deno.test("runTable3 micro run: well-formed rows, claims, and a resume that recomputes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const events: RunProgress[] = [];
    const first = await runTable3({ ...MICRO, outDir: dir, onProgress: (p) => events.push(p) });
    assert.equal(first.experiment, "table3");
    assert.deepEqual(first.seeds, [0]);
    for (const m of TABLE3_METHODS) {
      for (const metric of ["SDR (dB)", "SIR (dB)", "SAR (dB)"]) {
        const row = first.rows.find((r) => r.method === m.method && r.metric === metric);
        assert.ok(row, `missing ${m.method} ${metric}`);
        assert.equal(row.values.length, 1);
        // a 2-step network may mask everything away: then no mixture is scored (NaN), as SoP
        const evaluated = first.rows.find((r) =>
          r.method === m.method && r.metric.startsWith("evaluated")
        )!;
        if (evaluated.mean > 0) {
          assert.ok(Number.isFinite(row.mean), `${m.method} ${metric} ${row.mean}`);
        }
      }
    }
    const nmf = first.rows.find((r) => r.method === "NMF-MFCC" && r.metric === "SDR (dB)")!;
    assert.equal(nmf.paper, 0.92);
    assert.ok(Number.isFinite(nmf.mean));
    for (const method of ["Ours", "Sound-of-Pixels"]) {
      const d = first.rows.find((r) => r.method === method && r.metric.startsWith("dSDR"));
      assert.ok(d, `missing ${method} dSDR`);
    }
    assert.equal(first.claims.length, 4);
    for (const c of first.claims) {
      assert.ok(c.detail.length > 0 && c.reason.length > 0);
      // one seed: no claim is decided either way
      assert.equal(c.verdict, "inconclusive", `${c.claim}: ${c.reason}`);
    }
    // the floor and the ceiling: the mixture itself scores about 0 dB, the ideal ratio mask
    // far above it
    const sdrOf = (m: string) =>
      first.rows.find((r) => r.method === m && r.metric === "SDR (dB)")!.mean;
    assert.ok(Math.abs(sdrOf("Mixture")) < 3, `mixture SDR ${sdrOf("Mixture")}`);
    assert.ok(sdrOf("Ideal ratio mask") > sdrOf("Mixture") + 5, `IRM ${sdrOf("Ideal ratio mask")}`);
    assert.ok(events.some((e) => /Ours seed 0: training/.test(e.stage)));
    // per object: each duet test clip separated by each object's own vector, scored against
    // that object's own source; ours reuses the solo+duet network instead of training again
    const perObject = "Ours (solo+duet), per object (duets)";
    assert.ok(!events.some((e) => e.stage.startsWith(`${perObject} seed 0: training`)));
    const evaluatedObjects = first.rows.find((r) =>
      r.method === "Mixture, per object (duets)" && r.metric.startsWith("evaluated")
    )!;
    assert.equal(evaluatedObjects.mean, 100);
    // the duet clip's own audio against each of its two sources: a few dB either way
    assert.ok(Math.abs(sdrOf("Mixture, per object (duets)")) < 6);
    assert.ok(first.rows.some((r) => r.method === perObject && r.metric === "SDR (dB)"));
    assert.ok(!first.rows.some((r) => r.method === perObject && r.metric.startsWith("dSDR")));
    assert.ok(first.claims.every((c) => /protocol: preset \(8000 Hz, 8000 samples/.test(c.detail)));

    const cellDir = `${dir}/table3`;
    const mtimes = new Map<string, number>();
    for await (const e of Deno.readDir(cellDir)) {
      mtimes.set(e.name, (await Deno.stat(`${cellDir}/${e.name}`)).mtime!.getTime());
    }
    assert.equal(mtimes.size, TABLE3_METHODS.length);
    const again: RunProgress[] = [];
    const second = await runTable3({ ...MICRO, outDir: dir, onProgress: (p) => again.push(p) });
    assert.ok(!again.some((e) => /training/.test(e.stage)), "a finished run trained again");
    for (const [name, t] of mtimes) {
      assert.equal(
        (await Deno.stat(`${cellDir}/${name}`)).mtime!.getTime(),
        t,
        `${name} rewritten`,
      );
    }
    assert.deepEqual(second.rows, first.rows);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runTable3 oursCue: only ours' rows are recomputed under other cue settings (the center instead of the words' histogram); a bad lr, codebook, wordWeights or cueScale is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await runTable3({ ...MICRO, outDir: dir });
    const events: RunProgress[] = [];
    const raw = await runTable3({
      ...MICRO,
      outDir: dir,
      oursCue: { unitNorm: false, cueMlp: 0, codebook: 0 },
      onProgress: (p) => events.push(p),
    });
    const trained = new Set(
      events.filter((e) => /: training/.test(e.stage)).map((e) => e.stage.split(" seed")[0]),
    );
    assert.deepEqual([...trained].sort(), ["Ours", "Ours (solo+duet)"]);
    assert.ok(raw.rows.some((r) => r.method === "Ours" && r.metric === "SDR (dB)"));
    await assert.rejects(
      () => runTable3({ ...MICRO, outDir: dir, oursCue: { lr: 0 } }),
      /oursCue\.lr must be a positive number, got 0/,
    );
    await assert.rejects(
      () => runTable3({ ...MICRO, outDir: dir, oursCue: { wordWeights: "tfidf" as "idf" } }),
      /oursCue\.wordWeights must be "idf" or "sqrt-idf", got tfidf/,
    );
    await assert.rejects(
      () => runTable3({ ...MICRO, outDir: dir, oursCue: { cueScale: 0 } }),
      /oursCue\.cueScale must be a positive number, got 0/,
    );
    for (const codebook of [-1, 1.5]) {
      await assert.rejects(
        () => runTable3({ ...MICRO, outDir: dir, oursCue: { codebook } }),
        /oursCue\.codebook must be an integer >= 0, got/,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runTable3 maskType: every learned row and only those are retrained with ratio masks; a bad mask type is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await runTable3({ ...MICRO, outDir: dir });
    const events: RunProgress[] = [];
    await runTable3({
      ...MICRO,
      outDir: dir,
      maskType: "ratio",
      onProgress: (p) => events.push(p),
    });
    const trained = new Set(
      events.filter((e) => /: training/.test(e.stage)).map((e) => e.stage.split(" seed")[0]),
    );
    const learned = TABLE3_METHODS.filter((m) =>
      !["nmf", "mixture", "irm"].includes(m.kind) && !m.perObject
    ).map((m) => m.method);
    assert.deepEqual([...trained].sort(), [...learned].sort());
    await assert.rejects(
      () => runTable3({ ...MICRO, outDir: dir, maskType: "soft" as "ratio" }),
      /opts\.maskType must be "binary" or "ratio", got soft/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
