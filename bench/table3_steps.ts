/**
 * How many mix-and-separate steps (and mixtures per step) Table 3's quick mode should train:
 * `runTable3` in quick mode (the quick world, the quick C1 and C2(C1) models Table 3 trains and
 * caches) at several separation scales, for the rows that say whether ours meets issue 9's
 * separation target: Mixture, NMF-MFCC, Ours, Ours (solo+duet) and the per-object rows. Other
 * methods' cells are declined (the run ends with `IncompleteRunError`, caught). Not a timed
 * bench: a measurement, rerun with
 *
 *   deno run -A bench/table3_steps.ts [--scales 150x8,300x8,500x8,150x16] [--seeds 0,1,2]
 *     [--out runs/table3_steps]
 *
 * Each scale gets its own cache folder `OUT/<steps>x<batch>/` whose `models` is a link to the
 * shared `OUT/models`, so the C1 and C2(C1) models are trained once (by a first pass at one
 * separation step, not timed) and every scale reads the same ones. Prints, per scale, each
 * row's SDR per seed with mean ± SD, and the wall and process CPU seconds the scale took (its
 * separation training and scoring; NMF-MFCC and the mixture do not depend on the scale). The
 * JSON summary goes to `OUT/summary.json`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { initBackend } from "../lib/backend/mod.ts";
import { quickTable3Sdr, seedSpread } from "./_table3_rows.ts";

const ROWS = [
  "Mixture",
  "NMF-MFCC",
  "Ours",
  "Ours (solo+duet)",
  "Mixture, per object (duets)",
  "Ours (solo+duet), per object (duets)",
];

const { values } = parseArgs({
  args: Deno.args,
  options: {
    scales: { type: "string", default: "150x8,300x8,500x8" },
    seeds: { type: "string", default: "0,1,2" },
    out: { type: "string", default: "runs/table3_steps" },
  },
});
const seeds = values.seeds.split(",").map(Number);
const scales = values.scales.split(",").map((s) => {
  const [steps, batch] = s.split("x").map(Number);
  if (!(Number.isInteger(steps) && steps >= 1 && Number.isInteger(batch) && batch >= 1)) {
    throw new Error(`--scales: "${s}" is not STEPSxBATCH`);
  }
  return { steps, batch };
});

await initBackend("wasm");
const root = values.out;

async function runScale(steps: number, batch: number, label: string) {
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  const rows = await quickTable3Sdr(root, label, ROWS, seeds, {
    separation: { separationSteps: steps, separationBatch: batch },
  });
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  return { steps, batch, wall, cpu: (cpu.user + cpu.system) / 1e6, rows };
}

// train the C1 and C2(C1) models once (not timed)
await runScale(1, 8, "prime");
const out = [];
for (const { steps, batch } of scales) {
  const r = await runScale(steps, batch, `${steps}x${batch}`);
  out.push(r);
  console.log(
    `\n${steps} steps x ${batch} mixtures: wall ${r.wall.toFixed(1)} s, CPU ${r.cpu.toFixed(1)} s`,
  );
  for (const [name, v] of Object.entries(r.rows)) {
    console.log(`  ${name.padEnd(38)} ${seedSpread(v)}`);
  }
  await Deno.writeTextFile(`${root}/summary.json`, JSON.stringify(out, null, 1));
}
