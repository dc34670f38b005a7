/**
 * Private helper of the Table 3 measurements (`table3_steps.ts`, `table3_cue.ts`): quick-mode
 * `runTable3` restricted to a few rows, each setting in its own cache folder that shares the
 * audiovisual models, and the SDR of each row per seed read back from the cached cells.
 *
 * @module
 */
import { runTable3, type Table3Options } from "../lib/experiments/run_table3.ts";

/** The cell files' names, as the run cache writes them. */
const slug = (name: string) => name.replace(/[^A-Za-z0-9-]+/g, "_");

/**
 * Run quick Table 3 for `rows` only in `root/label` (its `models` a link to `root/models`, so
 * the C1 and C2(C1) models are trained once for every setting), with `options` on top of the
 * quick run's; other cells are declined (the run cache's `IncompleteRunError`, not exported,
 * ends the run and is caught). Returns each row's SDR (dB) per seed: one value for the rows
 * starting with "Mixture", which read no seed.
 */
export async function quickTable3Sdr(
  root: string,
  label: string,
  rows: readonly string[],
  seeds: number[],
  options: Omit<Table3Options, "quick" | "seeds" | "outDir" | "cellFilter">,
): Promise<Record<string, number[]>> {
  const dir = `${root}/${label}`;
  await Deno.mkdir(`${root}/models`, { recursive: true });
  await Deno.mkdir(dir, { recursive: true });
  try {
    await Deno.symlink(`../models`, `${dir}/models`);
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  try {
    await runTable3({
      ...options,
      quick: true,
      seeds,
      outDir: dir,
      cellFilter: (c) => rows.includes(c.cell),
    });
  } catch (e) {
    if (!(e instanceof Error && e.name === "IncompleteRunError")) throw e;
  }
  const sdr: Record<string, number[]> = {};
  for (const r of rows) {
    sdr[r] = [];
    for (const s of r.startsWith("Mixture") ? [seeds[0]] : seeds) {
      const saved = JSON.parse(await Deno.readTextFile(`${dir}/table3/${slug(r)}-s${s}.json`));
      sdr[r].push(saved.value.sdr);
    }
  }
  return sdr;
}

/** Mean ± sample standard deviation, then each value: `1.23 ± 0.45 (0.80 / 1.60 / 1.30)`. */
export function seedSpread(v: number[]): string {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1
    ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1))
    : 0;
  return `${mean.toFixed(2)} ± ${sd.toFixed(2)} (${v.map((x) => x.toFixed(2)).join(" / ")})`;
}
