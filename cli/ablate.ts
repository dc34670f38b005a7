/**
 * `deno task ablate`: the recipe ablations (`runAblation`), one JSON and one CSV of per-seed
 * results, rewritten atomically after every (variant, seed) so a cut-off run resumes.
 *
 * Usage: `deno task ablate [--steps 400] [--seeds 0,1,2] [--variants paper,ours]
 * [--test-size 64] [--preset tiny] [--out runs/ablation]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { writeFileAtomic } from "../lib/io/write_atomic.ts";
import { PRESET_NAMES, type PresetName } from "../lib/model/presets.ts";
import {
  ABLATION_VARIANTS,
  type AblationResult,
  runAblation,
} from "../lib/experiments/run_ablation.ts";

const HELP = `avscene ablate: the learning-recipe ablations on the synthetic world (default tiny)

  --steps N        steps per stage (default 400)
  --seeds LIST     seeds, comma-separated (default 0,1,2)
  --variants LIST  variant names, comma-separated (default: all)
  --test-size N    held-out test scenes (default 64)
  --fresh-scenes N fresh training scenes of a weight-averaged variant's training-style
                   accuracy (default 320)
  --preset NAME    model preset: tiny | small | paper (default tiny)
  --out DIR        writes DIR/ablation.json, DIR/ablation.csv and each trained model's
                   weights DIR/weights/<variant>-s<seed>.bin (default runs/ablation)
  --backend NAME   webgpu | wasm | cpu (default wasm)
`;

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`ablate: --${name} must be an integer >= 1, got "${v}"`);
  }
  return n;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    steps: { type: "string", default: "400" },
    seeds: { type: "string", default: "0,1,2" },
    variants: { type: "string" },
    "test-size": { type: "string", default: "64" },
    "fresh-scenes": { type: "string", default: "320" },
    preset: { type: "string", default: "tiny" },
    out: { type: "string", default: "runs/ablation" },
    backend: { type: "string", default: "wasm" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(HELP);
  Deno.exit(0);
}
const seeds = values.seeds.split(",").map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`ablate: --seeds holds "${s}", not a seed`);
  return n;
});
const names = values.variants?.split(",").map((s) => s.trim());
const variants = names
  ? names.map((n) => {
    const v = ABLATION_VARIANTS.find((x) => x.name === n);
    if (!v) {
      throw new Error(
        `ablate: --variants: no variant "${n}" (have ${
          ABLATION_VARIANTS.map((x) => x.name).join(", ")
        })`,
      );
    }
    return v;
  })
  : ABLATION_VARIANTS;
if (!(PRESET_NAMES as readonly string[]).includes(values.preset)) {
  throw new Error(`ablate: --preset "${values.preset}" is not one of ${PRESET_NAMES.join(", ")}`);
}
await initBackend(values.backend as "wasm");
await Deno.mkdir(`${values.out}/weights`, { recursive: true });
const jsonPath = `${values.out}/ablation.json`;
let results: AblationResult[] = [];
try {
  results = JSON.parse(await Deno.readTextFile(jsonPath));
} catch (e) {
  if (!(e instanceof Deno.errors.NotFound)) {
    throw new Error(`ablate: cannot read ${jsonPath}: ${e}`);
  }
}
const COLUMNS: (keyof AblationResult)[] = [
  "variant",
  "seed",
  "steps",
  "curriculum",
  "trainAccuracy",
  "trainLoss",
  "trainAccuracyFinalWindow",
  "heldOutAccuracy",
  "ciou50",
  "auc",
  "backgroundAuc",
  "offObject",
  "ceilingCiou50",
  "ceilingAuc",
  "ownObjectCIoU",
  "otherObjectCIoU",
  "onOwnObject",
  "classification",
  "seconds",
  "trainCpuSeconds",
];
/** A weight average's columns: the average's fresh-scene accuracy, then the online weights'. */
const AVERAGE_COLUMNS = [
  "freshAccuracy",
  ...(["freshAccuracy", "heldOutAccuracy", "ciou50", "auc", "backgroundAuc", "offObject"] as const)
    .map((c) => `online.${c}`),
];
const averageCells = (r: AblationResult) =>
  AVERAGE_COLUMNS.map((c) => {
    const v = c.startsWith("online.")
      ? r.online?.[c.slice(7) as keyof NonNullable<AblationResult["online"]>]
      : r.freshAccuracy;
    return v ?? "";
  });
const save = async () => {
  await writeFileAtomic(jsonPath, JSON.stringify(results, null, 1) + "\n");
  const csv = [
    [...COLUMNS, ...AVERAGE_COLUMNS].join(","),
    ...results.map((r) => [...COLUMNS.map((c) => r[c]), ...averageCells(r)].join(",")),
  ];
  await writeFileAtomic(`${values.out}/ablation.csv`, csv.join("\n") + "\n");
};
await runAblation({
  variants,
  seeds,
  steps: int("steps", values.steps),
  testSize: int("test-size", values["test-size"]),
  freshScenes: int("fresh-scenes", values["fresh-scenes"]),
  preset: values.preset as PresetName,
  done: results,
  weightsDir: `${values.out}/weights`,
  onResult: async (r) => {
    results = [
      ...results.filter((x) =>
        !(x.variant === r.variant && x.seed === r.seed &&
          x.steps === r.steps && x.curriculum === r.curriculum)
      ),
      r,
    ];
    await save();
    console.log(
      `${r.variant} seed ${r.seed}: acc ${r.trainAccuracy.toFixed(3)} held-out ${
        r.heldOutAccuracy.toFixed(3)
      } cIoU@0.5 ${r.ciou50.toFixed(1)} AUC ${r.auc.toFixed(1)} background AUC ${
        r.backgroundAuc.toFixed(1)
      } off-object ${r.offObject.toFixed(2)} (ceiling ${r.ceilingCiou50.toFixed(1)} / ${
        r.ceilingAuc.toFixed(1)
      }) own/other ${r.ownObjectCIoU.toFixed(3)}/${r.otherObjectCIoU.toFixed(3)} on-object ${
        r.onOwnObject.toFixed(2)
      } classification ${r.classification.toFixed(3)} ${r.seconds.toFixed(0)} s (training ${
        r.trainCpuSeconds.toFixed(0)
      } s CPU)`,
    );
    const o = r.online;
    if (o) {
      console.log(
        `  weight average: fresh-scene acc ${r.freshAccuracy!.toFixed(3)}; the online weights: ` +
          `fresh-scene acc ${o.freshAccuracy.toFixed(3)} held-out ${
            o.heldOutAccuracy.toFixed(3)
          } cIoU@0.5 ${o.ciou50.toFixed(1)} AUC ${o.auc.toFixed(1)} background AUC ${
            o.backgroundAuc.toFixed(1)
          } off-object ${o.offObject.toFixed(2)} own/other ${o.ownObjectCIoU.toFixed(3)}/${
            o.otherObjectCIoU.toFixed(3)
          } on-object ${o.onOwnObject.toFixed(2)} classification ${o.classification.toFixed(3)}`,
      );
    }
  },
});
