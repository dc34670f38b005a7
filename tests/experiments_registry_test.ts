// The one registry of experiments: unique names in the paper's order, each with its runner,
// claim and report views; the report draws exactly the views an entry names.
import assert from "node:assert/strict";
import {
  experimentNamed,
  EXPERIMENTS,
  resultRow,
  runFig3,
  runTable3,
} from "../lib/experiments/mod.ts";
import { experimentSection, type ReportableResult } from "../lib/report/mod.ts";

Deno.test("EXPERIMENTS: the paper's experiments once each, with runner, title, claim and views", () => {
  assert.deepEqual(EXPERIMENTS.map((e) => e.name), [
    "fig3",
    "table1",
    "table2",
    "table3",
    "counting",
  ]);
  for (const e of EXPERIMENTS) {
    assert.equal(typeof e.run, "function", e.name);
    assert.ok(e.title.length > 0 && e.about.length > 100, e.name);
    assert.ok(e.views.includes("comparisonBars"), `${e.name}: every table gets its bars`);
  }
  assert.equal(experimentNamed("fig3").run, runFig3);
  assert.equal(experimentNamed("table3").run, runTable3);
  assert.throws(
    () => experimentNamed("fig9"),
    /no experiment "fig9"; experiments are fig3, table1/,
  );
});

Deno.test("experimentSection draws the registry's views for an experiment, bars for an unknown one", () => {
  const base = {
    quick: true,
    seeds: [0, 1],
    seconds: 1,
    rows: [resultRow("C1", "accuracy (%)", [50, 52], 51.25)],
    claims: [],
  };
  const curves = [0, 1].flatMap((seed) =>
    [1, 2, 3].map((step) => ({ run: "C1", seed, step, loss: 1 / step, accuracy: step / 4 }))
  );
  const withCurves: ReportableResult = { ...base, experiment: "fig3", curves };
  const fig3 = experimentSection(withCurves);
  assert.equal(fig3.title, experimentNamed("fig3").title);
  assert.equal(fig3.plots?.length, 3); // loss and accuracy curves, then the bars
  // the same data under a name the registry lacks: only the table's bars
  const other = experimentSection({ ...withCurves, experiment: "ablation-x" });
  assert.equal(other.title, "Experiment ablation-x");
  assert.equal(other.plots?.length, 1);
  // a view without its data draws nothing
  assert.equal(experimentSection({ ...base, experiment: "counting" }).plots?.length, 1);
});
