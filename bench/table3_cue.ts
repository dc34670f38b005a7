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
 * `words128+peak`, `words128+unit`, `words128+mlp` (W -> 64 ReLU -> W); on top of 128 words:
 * `words128+soft`, `words128+soft0.25`, `words128+soft1` (soft word assignment at temperature
 * 0.5, 0.25, 1: `wordAssignment`, `wordTemperature`), `words128+sqrt` (the Hellinger map:
 * `histogram: "sqrt"`), `words128+soft+sqrt`, `words128+top32`, `words128+top64` (the words
 * at the 32 or 64 positions of the map's largest assignment), `words128+hard` (the words at
 * the positions the chosen center wins), `words128+lr1e-3`,
 * `words128+lr2e-3`, `words128+lr6e-3` (Adam's learning rate); `words128+pow2`, `words128+pow4`
 * (the map squared or to the 4th power before it pools: `mapPower`), `words128+frame` (every
 * position of the frame alike, `mapPower: 0`: no alignment), `words128+fgpool` (every position
 * but the background center's: `pooling: "foreground"`), `words128+x128`, `words128+x4`,
 * `words128+x0.25` (the histogram times W, 4 or 1/4: `cueScale`), `words128+pow2+x4`, `words128+idf`, `words128+sqrtidf` (times 1 / (W f) or
 * 1 / sqrt(W f), f each word's share of the training frames: `wordWeights`),
 * `words128+sqrtidf+x128` (times sqrt(W / f)), `words128+center` (the
 * histogram followed by the center: `appendCenter`), `words128+minusbg` (the background
 * center's histogram subtracted: `subtractBackground`), `words128+fg` (the words fitted only
 * on positions the frame's clustering does not give to the background: `foregroundWords`),
 * `words128+fg+pow2`. A variant written
 * `name@STEPSxBATCH` runs at that separation scale instead of `--steps` (its folder
 * `OUT/name@STEPSxBATCH/`). Each variant's wall and process CPU seconds are printed.
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
import { cpuUsage } from "node:process";
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
/** Table 3's default cue (128 words) spelled out, for variants on top of it. */
const W128 = { ...RAW, codebook: 128 } as const;
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
  "words128+soft": { ...W128, wordAssignment: "soft" },
  "words128+soft0.25": { ...W128, wordAssignment: "soft", wordTemperature: 0.25 },
  "words128+soft1": { ...W128, wordAssignment: "soft", wordTemperature: 1 },
  "words128+sqrt": { ...W128, histogram: "sqrt" },
  "words128+soft+sqrt": { ...W128, wordAssignment: "soft", histogram: "sqrt" },
  "words128+top32": { ...W128, pooling: "peak", peakShare: 1 / 8 },
  "words128+top64": { ...W128, pooling: "peak", peakShare: 1 / 4 },
  "words128+hard": { ...W128, pooling: "hard" },
  "words128+lr1e-3": { ...W128, lr: 1e-3 },
  "words128+lr2e-3": { ...W128, lr: 2e-3 },
  "words128+lr6e-3": { ...W128, lr: 6e-3 },
  "words128+pow2": { ...W128, mapPower: 2 },
  "words128+pow4": { ...W128, mapPower: 4 },
  "words128+frame": { ...W128, mapPower: 0 },
  "words128+fgpool": { ...W128, pooling: "foreground" },
  "words128+x128": { ...W128, cueScale: 128 },
  "words128+x4": { ...W128, cueScale: 4 },
  "words128+x0.25": { ...W128, cueScale: 0.25 },
  "words128+pow2+x4": { ...W128, mapPower: 2, cueScale: 4 },
  "words128+idf": { ...W128, wordWeights: "idf" },
  "words128+sqrtidf": { ...W128, wordWeights: "sqrt-idf" },
  "words128+sqrtidf+x128": { ...W128, wordWeights: "sqrt-idf", cueScale: 128 },
  "words128+center": { ...W128, appendCenter: true },
  "words128+minusbg": { ...W128, subtractBackground: true },
  "words128+fg": { ...W128, foregroundWords: true },
  "words128+fg+pow2": { ...W128, foregroundWords: true, mapPower: 2 },
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
/** `STEPSxBATCH` as numbers, or an error naming the argument. */
const stepsOf = (spec: string, arg: string): [number, number] => {
  const [steps, batch] = spec.split("x").map(Number);
  if (!(Number.isInteger(steps) && steps >= 1 && Number.isInteger(batch) && batch >= 1)) {
    throw new Error(`${arg}: "${spec}" is not STEPSxBATCH`);
  }
  return [steps, batch];
};
const scaleOf = new Map<string, [number, number]>();
for (const v of variants) {
  // `name@STEPSxBATCH`: the variant at another separation scale than --steps
  const [name, at] = v.split("@");
  if (!(name in VARIANTS)) {
    throw new Error(`--variants: "${name}" is not one of ${Object.keys(VARIANTS).join(", ")}`);
  }
  scaleOf.set(v, at === undefined ? stepsOf(values.steps, "--steps") : stepsOf(at, "--variants"));
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

const out: { variant: string; wall: number; cpu: number; sdr: Record<string, number[]> }[] = [];
for (const variant of variants) {
  const t0 = performance.now(), c0 = cpuUsage();
  const [steps, batch] = scaleOf.get(variant)!;
  const name = variant.split("@")[0];
  // the scale in the folder's name unless it is the quick scale (earlier folders stay valid)
  const label = name + (steps === 500 && batch === 8 ? "" : `@${steps}x${batch}`) +
    (soloTrainSize === 128 ? "" : `@${soloTrainSize}clips`) +
    (maskType === "binary" ? "" : `@${maskType}`);
  const sdr = await quickTable3Sdr(root, label, ROWS, seeds, {
    separation: { separationSteps: steps, separationBatch: batch, soloTrainSize },
    oursCue: VARIANTS[name],
    ...(maskType === "binary" ? {} : { maskType }),
  });
  const wall = (performance.now() - t0) / 1000;
  const c1 = cpuUsage(), cpu = (c1.user - c0.user + c1.system - c0.system) / 1e6;
  out.push({ variant, wall, cpu, sdr });
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
    }; wall ${wall.toFixed(0)} s, CPU ${cpu.toFixed(0)} s`,
  );
  await Deno.writeTextFile(`${root}/summary.json`, JSON.stringify(out, null, 1));
}
