import assert from "node:assert/strict";
import { join } from "node:path";
import type { ExperimentResult } from "../lib/experiments/mod.ts";
import { resultRow } from "../lib/experiments/mod.ts";
import { initBackend } from "../lib/backend/mod.ts";
import {
  experimentSection,
  type ReportableResult,
  runMeta,
  writeReport,
} from "../lib/report/mod.ts";
import { Rng } from "../lib/random/mod.ts";

/** Hand-built runner results: Fig. 3 with curves, Table 2, counting with a confusion matrix. */
function fixture(): ReportableResult[] {
  const rng = new Rng(3);
  const curves: NonNullable<ReportableResult["curves"]> = [];
  for (const run of ["C1", "C3", "U"]) {
    for (const seed of [0, 1]) {
      for (let step = 1; step <= 90; step++) {
        const base = run === "C1" ? 1 : run === "C3" ? 2 : 1.5;
        curves.push({
          run,
          seed,
          step,
          loss: base * Math.exp(-step / 40) + 0.05 * rng.uniform(),
          accuracy: Math.min(1, 0.5 + step / (200 * base) + 0.02 * rng.uniform()),
        });
      }
    }
  }
  const fig3: ReportableResult = {
    experiment: "fig3",
    quick: true,
    seeds: [0, 1],
    rows: [
      resultRow("C1", "final loss", [0.41, 0.45]),
      resultRow("C3", "final loss", [0.92, 0.88]),
    ],
    claims: [{
      claim: "C1 converges fastest with the lowest loss",
      verdict: "holds",
      reason: "every link clear of noise: C1 > C3",
      holds: true,
      detail: "C1's final loss 0.430 is the lowest of 3 sets.",
    }],
    seconds: 12.5,
    curves,
  };
  const table2: ExperimentResult = {
    experiment: "table2",
    quick: true,
    seeds: [0, 1, 2],
    rows: [
      resultRow("ours-C1", "cIoU@0.5", [0.5, 0.6, 0.55], 0.787),
      resultRow("random <baseline>", "cIoU@0.5", [0.12, 0.1, 0.14], 0.12),
      resultRow("ours-C1", "AUC", [0.45, 0.5, 0.47], 0.622),
    ],
    claims: [{
      claim: "ours-C1 > random",
      verdict: "inconclusive",
      reason: "within noise: ours-C1 > random",
      holds: false,
      detail: "ours-C1 0.550 vs random 0.120 & more",
    }],
    seconds: 40,
  };
  const counting: ReportableResult = {
    experiment: "counting",
    quick: false,
    seeds: [0],
    rows: [resultRow("counting model", "accuracy", [0.625])],
    claims: [],
    seconds: 3,
    confusion: [[9, 1, 0], [2, 6, 2], [0, 3, 7]],
    gradeSizes: [1, 2, 3].map((level) => ({ level, truth: 10, predicted: [9 + level] })),
  };
  return [fig3, table2, counting];
}

Deno.test("writeReport on experiment results: an SVG per plot, every number, JSON round-trip", async () => {
  await initBackend("cpu");
  const dir = await Deno.makeTempDir({ prefix: "avscene-report-test-" });
  try {
    const results = fixture();
    const meta = runMeta(true, { cache: "runs/reproduce" });
    assert.equal(meta.mode, "quick");
    assert.equal(meta.backend, "cpu");
    const files = await writeReport(join(dir, "report"), results, {
      meta,
      generatedAt: new Date("2025-05-06T07:08:09Z"),
    });
    const html = await Deno.readTextFile(files.html);
    // Fig. 3: loss, accuracy, bars; Table 2: bars; counting: bars, confusion, grade sizes.
    const plots = results.map((r) => experimentSection(r).plots?.length ?? 0);
    assert.deepEqual(plots, [3, 1, 3]);
    assert.equal((html.match(/<svg /g) ?? []).length, 7, "one inline SVG per plot");
    assert.match(html, /Curriculum grades of the uncurated set/);
    assert.match(html, /Fig\. 3a: training loss/);
    assert.match(html, /Counting: confusion matrix/);
    for (const r of results) {
      for (const row of r.rows) {
        // one seed measures no spread: a dash, never 0
        const spread = row.values.length > 1 ? row.std.toFixed(3) : "—";
        const cell = `${row.mean.toFixed(3)} ± ${spread}`;
        assert.ok(html.includes(cell), `${r.experiment} ${row.method}: ${cell}`);
        if (row.paper !== undefined) assert.ok(html.includes(row.paper.toFixed(3)));
      }
    }
    assert.match(html, /random &lt;baseline&gt;/);
    assert.match(html, /✔ holds:<\/strong> C1 converges fastest/);
    assert.match(html, /\? inconclusive:<\/strong> ours-C1 &gt; random/);
    assert.match(html, /ours-C1 0\.550 vs random 0\.120 &amp; more/);
    assert.match(html, /Of 2 checked claims: 1 hold, 0 do not hold, 1 are inconclusive/);
    assert.match(html, /backend: <code>cpu<\/code>/);
    assert.match(html, /mode: <code>quick<\/code>/);
    assert.match(html, /2025-05-06T07:08:09\.000Z/);
    assert.match(html, /Quick run over 3 seeds \(0, 1, 2\)/);
    assert.ok(!/<script/i.test(html), "no scripts");
    assert.ok(!/(src|href)="(https?:)?\/\//.test(html), "no external resources");

    const json = JSON.parse(await Deno.readTextFile(files.json));
    assert.deepEqual(json.results, results, "results round-trip through results.json");
    assert.deepEqual(json.verdicts, { holds: 1, "does not hold": 0, inconclusive: 1 });
    assert.deepEqual(json.sections.map((s: { id: string }) => s.id), [
      "fig3",
      "table2",
      "counting",
    ]);
    assert.equal(json.meta.cache, "runs/reproduce");
    assert.deepEqual(json.sections[1].tables[0].formatted.rows[0].slice(0, 4), [
      "ours-C1",
      "cIoU@0.5",
      "0.550 ± 0.050",
      3,
    ]);
    const names = [...Deno.readDirSync(join(dir, "report"))].map((e) => e.name).sort();
    assert.deepEqual(names, ["index.html", "results.json"], "no temporary files left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("experimentSection names a bad result", () => {
  assert.throws(() => experimentSection({} as ReportableResult), /result must have experiment/);
  const bad = { ...fixture()[2], confusion: [[1, 2]] };
  assert.throws(() => experimentSection(bad), /confusionMatrix: matrix must be 1x1/);
});
