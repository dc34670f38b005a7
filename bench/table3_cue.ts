/**
 * Ours' separation cue in Table 3's quick setting: `runTable3` in quick mode (the quick world,
 * the quick C1 model Table 3 trains and caches, soft masks, 16 test mixtures) with ours' cue
 * settings varied (`Table3Options.oursCue`), for the Mixture and Ours rows only (with
 * `--duets` also Ours (solo+duet), on the C2(C1) model, and the per-object rows; with
 * `--baselines` also Sound-of-Pixels and Co-Separation; other cells are declined; the run ends
 * with `IncompleteRunError`, caught). Not a timed bench: a measurement, rerun with
 *
 *   deno run -A bench/table3_cue.ts [--variants center,unit,unit+mlp] [--seeds 0,1,2]
 *     [--steps 500x8] [--out runs/table3_cue] [--duets] [--train-clips 128] [--baselines]
 *     [--masks binary]
 *
 * Variants: `default` (ours' default cue: today `words128`); `center` (the aligned center as
 * clustered, the default before); `unit` (unit L2 norm); `mlp` (a learned D -> 64 ReLU -> D MLP); `unit+mlp`; `hard`, `hard+unit+mlp` (the features pooled at the
 * positions each center wins, not under its soft map); `c2`, `c2+unit+mlp` (the cue from the
 * C2(C1) model instead of C1); `lr1e-3`, `lr1e-2`, `unit+mlp+lr1e-3`, `unit+mlp+lr1e-2` (Adam's
 * learning rate instead of Table 3's 3e-3); `peak`, `peak+unit+mlp`, `peak+mlp`, `peak+unit` (the
 * features at the P / 16 positions of each center's largest assignment), `peak4`, `peak8`,
 * `peak32`, `peak64` (at 4, 8, 32, 64 of the tiny preset's 256 positions); `kv3`, `kv4` (3 or
 * 4 spare visual centers instead of the recipe's 2); `it8` (8 soft K-means iterations, not 4);
 * `words16`, `words32`, `words64`, `words128` (the histogram of W visual words under the
 * center's soft map, `oursCue.codebook`), `words64+unit`, `words64+hard`, `words64+peak`, `words32+peak`, `words32+hard`, `words32+mlp`, `words256`, `words512`,
 * `words128+peak`, `words128+unit`, `words128+mlp` (W -> 64 ReLU -> W).
 * Each variant gets its own cache folder
 * `OUT/<variant>/` whose `models` links to the shared `OUT/models`, so the audiovisual models
 * are trained once. `--train-clips` sets the solo training clips mixtures are drawn from (the
 * quick scale's 128; another count gets the folder `OUT/<variant>@<N>clips/`); `--masks ratio`
 * gives every learned row's network ratio masks and L1 (`Table3Options.maskType`; folder
 * `OUT/<variant>@ratio/`). Prints each
 * variant's SDR per seed with mean ± SD and the difference to the
 * first variant per seed; the JSON summary goes to `OUT/summary.json`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import type { Table3Options } from "../lib/experiments/run_table3.ts";
import { quickTable3Sdr, seedSpread } from "./_table3_rows.ts";

/** Rows scored: the mixture, ours, and with `--duets` ours (solo+duet) and its per-object row. */
const BASE_ROWS = ["Mixture", "Ours"];
const DUET_ROWS = [
  "Mixture, per object (duets)",
  "Ours (solo+duet)",
  "Ours (solo+duet), per object (duets)",
];
/** With `--baselines`: the learned baselines of the same run (their cells ignore ours' cue). */
const BASELINE_ROWS = ["Sound-of-Pixels", "Co-Separation"];
/** The aligned center as clustered (the mean of the features under its map: no words). */
const RAW = { unitNorm: false, cueMlp: 0, codebook: 0 } as const;
const UNIT_MLP = { unitNorm: true, cueMlp: 64, codebook: 0 } as const;
const C2 = [{ level: 1 as const }, { level: 2 as const }];
const VARIANTS: Record<string, NonNullable<Table3Options["oursCue"]>> = {
  default: {},
  center: RAW,
  unit: { ...RAW, unitNorm: true },
  mlp: { ...RAW, cueMlp: 64 },
  "unit+mlp": UNIT_MLP,
  hard: { ...RAW, pooling: "hard" },
  "hard+unit+mlp": { ...UNIT_MLP, pooling: "hard" },
  c2: { ...RAW, av: C2 },
  "c2+unit+mlp": { ...UNIT_MLP, av: C2 },
  "lr1e-3": { ...RAW, lr: 1e-3 },
  "lr1e-2": { ...RAW, lr: 1e-2 },
  "unit+mlp+lr1e-3": { ...UNIT_MLP, lr: 1e-3 },
  "unit+mlp+lr1e-2": { ...UNIT_MLP, lr: 1e-2 },
  peak: { ...RAW, pooling: "peak" },
  "peak+unit+mlp": { ...UNIT_MLP, pooling: "peak" },
  "peak+mlp": { ...RAW, cueMlp: 64, pooling: "peak" },
  "peak+unit": { ...RAW, unitNorm: true, pooling: "peak" },
  peak4: { ...RAW, pooling: "peak", peakShare: 1 / 64 },
  peak8: { ...RAW, pooling: "peak", peakShare: 1 / 32 },
  peak32: { ...RAW, pooling: "peak", peakShare: 1 / 8 },
  peak64: { ...RAW, pooling: "peak", peakShare: 1 / 4 },
  kv3: { ...RAW, extraVisualCenters: 3 },
  kv4: { ...RAW, extraVisualCenters: 4 },
  it8: { ...RAW, iterations: 8 },
  words16: { ...RAW, codebook: 16 },
  words32: { ...RAW, codebook: 32 },
  words64: { ...RAW, codebook: 64 },
  words128: { ...RAW, codebook: 128 },
  "words64+unit": { ...RAW, codebook: 64, unitNorm: true },
  "words64+hard": { ...RAW, codebook: 64, pooling: "hard" },
  "words64+peak": { ...RAW, codebook: 64, pooling: "peak" },
  "words32+peak": { ...RAW, codebook: 32, pooling: "peak" },
  "words32+hard": { ...RAW, codebook: 32, pooling: "hard" },
  "words32+mlp": { ...RAW, codebook: 32, cueMlp: 64 },
  words256: { ...RAW, codebook: 256 },
  words512: { ...RAW, codebook: 512 },
  "words128+peak": { ...RAW, codebook: 128, pooling: "peak" },
  "words128+unit": { ...RAW, codebook: 128, unitNorm: true },
  "words128+mlp": { ...RAW, codebook: 128, cueMlp: 64 },
};

const { values } = parseArgs({
  args: Deno.args,
  options: {
    variants: { type: "string", default: "center,unit,unit+mlp" },
    seeds: { type: "string", default: "0,1,2" },
    steps: { type: "string", default: "500x8" },
    out: { type: "string", default: "runs/table3_cue" },
    duets: { type: "boolean", default: false },
    baselines: { type: "boolean", default: false },
    masks: { type: "string", default: "binary" },
    "train-clips": { type: "string", default: "128" },
  },
});
const ROWS = [
  ...BASE_ROWS,
  ...(values.duets ? DUET_ROWS : []),
  ...(values.baselines ? BASELINE_ROWS : []),
];
const seeds = values.seeds.split(",").map(Number);
const variants = values.variants.split(",");
for (const v of variants) {
  if (!(v in VARIANTS)) {
    throw new Error(`--variants: "${v}" is not one of ${Object.keys(VARIANTS).join(", ")}`);
  }
}
const [steps, batch] = values.steps.split("x").map(Number);
if (!(Number.isInteger(steps) && steps >= 1 && Number.isInteger(batch) && batch >= 1)) {
  throw new Error(`--steps: "${values.steps}" is not STEPSxBATCH`);
}

const soloTrainSize = Number(values["train-clips"]);
if (!(Number.isInteger(soloTrainSize) && soloTrainSize >= 2)) {
  throw new Error(`--train-clips: "${values["train-clips"]}" is not an integer >= 2`);
}

const maskType = values.masks;
if (maskType !== "binary" && maskType !== "ratio") {
  throw new Error(`--masks: "${maskType}" is not binary or ratio`);
}

await initBackend("wasm");
const root = values.out;

const out: { variant: string; wall: number; sdr: Record<string, number[]> }[] = [];
for (const variant of variants) {
  const t0 = performance.now();
  const label = (soloTrainSize === 128 ? variant : `${variant}@${soloTrainSize}clips`) +
    (maskType === "binary" ? "" : `@${maskType}`);
  const sdr = await quickTable3Sdr(root, label, ROWS, seeds, {
    separation: { separationSteps: steps, separationBatch: batch, soloTrainSize },
    oursCue: VARIANTS[variant],
    ...(maskType === "binary" ? {} : { maskType }),
  });
  const wall = (performance.now() - t0) / 1000;
  out.push({ variant, wall, sdr });
  for (const r of ROWS.filter((r) => !r.startsWith("Mixture"))) {
    const diff = sdr[r].map((x, i) => x - out[0].sdr[r][i]);
    console.log(
      `${variant.padEnd(10)} ${r}: ${seedSpread(sdr[r])}; vs ${out[0].variant} ${
        diff.map((x) => (x >= 0 ? "+" : "") + x.toFixed(2)).join(" / ")
      }`,
    );
  }
  console.log(
    `${variant.padEnd(10)} mixture ${
      ROWS.filter((r) => r.startsWith("Mixture")).map((r) => sdr[r][0].toFixed(2)).join(", ")
    }; wall ${wall.toFixed(0)} s`,
  );
  await Deno.writeTextFile(`${root}/summary.json`, JSON.stringify(out, null, 1));
}
