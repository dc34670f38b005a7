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
import { runTable3 } from "../lib/experiments/run_table3.ts";

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
await Deno.mkdir(`${root}/models`, { recursive: true });

/** The cell files' names, as the run cache writes them. */
const slug = (name: string) => name.replace(/[^A-Za-z0-9-]+/g, "_");

async function runScale(steps: number, batch: number, label: string) {
  const dir = `${root}/${label}`;
  await Deno.mkdir(dir, { recursive: true });
  try {
    await Deno.symlink(`../models`, `${dir}/models`);
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  try {
    await runTable3({
      quick: true,
      seeds,
      outDir: dir,
      separation: { separationSteps: steps, separationBatch: batch },
      cellFilter: (c) => ROWS.includes(c.cell),
    });
  } catch (e) {
    // the declined cells end the run with the run cache's IncompleteRunError (not exported)
    if (!(e instanceof Error && e.name === "IncompleteRunError")) throw e;
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  const rows: Record<string, number[]> = {};
  for (const r of ROWS) {
    rows[r] = [];
    for (const s of r.startsWith("Mixture") ? [seeds[0]] : seeds) {
      const saved = JSON.parse(await Deno.readTextFile(`${dir}/table3/${slug(r)}-s${s}.json`));
      rows[r].push(saved.value.sdr);
    }
  }
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
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = v.length > 1
      ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1))
      : 0;
    console.log(
      `  ${name.padEnd(38)} ${mean.toFixed(2)} ± ${sd.toFixed(2)} (${
        v.map((x) => x.toFixed(2)).join(" / ")
      })`,
    );
  }
  await Deno.writeTextFile(`${root}/summary.json`, JSON.stringify(out, null, 1));
}
