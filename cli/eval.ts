/**
 * The `eval` command: evaluate a trained checkpoint on a localization test set (cIoU@0.5, AUC;
 * the random baseline beside it) and a labelled single-source set (frozen audio features,
 * linear classifier over the folds), from the synthetic world or datasets on disk, and print a
 * table.
 *
 * @module
 */
import { describeBackend, initBackend } from "../lib/backend/mod.ts";
import { backendOption, numberOption, parseCommand } from "./_args.ts";
import { evaluateCheckpoint } from "../lib/experiments/evaluate_checkpoint.ts";
import { openDatasets } from "../lib/data/datasets/open_dataset.ts";
import { latestCheckpoint, loadModel } from "../lib/train/checkpoint.ts";
import { resultsTable } from "../lib/plot/results_table.ts";
import { tableText } from "../lib/plot/table_text.ts";
import type { SummaryRow } from "../lib/plot/types.ts";

/** The `--help` text of {@linkcode evalCommand}. */
export const EVAL_HELP =
  `avscene eval: evaluate a trained checkpoint on the synthetic world or your data

Usage: deno task eval --checkpoint DIR [options]

  --checkpoint DIR      a training output (runs/x), its checkpoints/ folder, or one ckpt-* folder
  --data KIND:PATH      evaluation data, repeatable: flickr:DIR (localization), esc50:DIR
                        (classification), synthetic[:SEED] (both; the default); each
                        evaluation the data cannot serve is skipped with a sentence
  --box-frame N         SoundNet-Flickr boxes are in an N x N frame (256: the reference code's)
  --skip-bad            drop index rows whose media are missing instead of stopping
  --images N            localization test images (default 100)
  --clips-per-class N   classification clips per class and fold (default 4 on the synthetic
                        world; default every clip of a dataset on disk)
  --world-seed N        synthetic world seed (default 0, the one training uses by default)
  --backend NAME        webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  -h, --help            this text

Localization: cIoU@0.5 and AUC (Senocak's protocol, consensus of the annotators' boxes) of the
maps of the visual centers aligned to the sounds (Table 2's protocol); the random baseline is
scored on the same images.
Classification: pooled audio features (mean and max over positions) of the frozen audio net,
averaged over windows covering each whole clip, logistic regression, cross-validation over the
dataset's folds; chance is 1 / classes.
`;

const EVAL_OPTIONS = {
  checkpoint: { type: "string" },
  images: { type: "string" },
  "clips-per-class": { type: "string" },
  "world-seed": { type: "string" },
  data: { type: "string", multiple: true },
  "box-frame": { type: "string" },
  "skip-bad": { type: "boolean", default: false },
} as const;

/**
 * Run the `eval` command with its command-line arguments (see {@linkcode EVAL_HELP}).
 *
 * @param args the arguments after `eval`.
 * @returns the exit code (0).
 */
export async function evalCommand(args: string[]): Promise<number> {
  const values = parseCommand({ name: "eval", help: EVAL_HELP, options: EVAL_OPTIONS }, args);
  if (!values) return 0;
  const intArg = (name: string, value: string | undefined, fallback: number, min: number) =>
    numberOption("eval", name, value, fallback, { integer: true, min });
  if (!values.checkpoint) throw new Error("eval: --checkpoint DIR is required (see --help)");
  // Accept the training output folder as well as its checkpoints/ folder.
  let path = values.checkpoint;
  if (!(await latestCheckpoint(path)) && (await latestCheckpoint(`${path}/checkpoints`))) {
    path = `${path}/checkpoints`;
  }
  await initBackend(backendOption(values));
  const model = await loadModel(path);
  try {
    const c = model.config;
    const worldSeed = intArg("world-seed", values["world-seed"], 0, 0);
    const dataset = await openDatasets(values.data ?? [`synthetic:${worldSeed}`], {
      sampleRate: c.sampleRate,
      imageSize: c.imageSize,
      seconds: c.duration,
      skipBad: values["skip-bad"],
      boxFrame: values["box-frame"] === undefined
        ? undefined
        : intArg("box-frame", values["box-frame"], 0, 1),
    });
    console.log(`evaluating ${path} (${c.preset}) on ${describeBackend()} with ${dataset.name}`);
    const r = await evaluateCheckpoint(model, {
      images: intArg("images", values.images, 100, 1),
      clipsPerClassPerFold: values["clips-per-class"] === undefined
        ? undefined
        : intArg("clips-per-class", values["clips-per-class"], 4, 1),
      dataset,
    });
    for (const why of r.skipped) console.log(`skipped: ${why}`);
    // Percentages, as the paper's tables (and our runners) report them.
    const one = (method: string, metric: string, share: number): SummaryRow => ({
      method,
      metric,
      ours: { mean: 100 * share, std: 0, n: 1 },
    });
    const rows: SummaryRow[] = [];
    const parts: string[] = [];
    if (r.localization) {
      const l = r.localization;
      rows.push(
        one("checkpoint", "cIoU@0.5 (%)", l.model.ciou50),
        one("random baseline", "cIoU@0.5 (%)", l.random.ciou50),
        one("checkpoint", "AUC (%)", l.model.auc),
        one("random baseline", "AUC (%)", l.random.auc),
      );
      parts.push(`${l.images} localization images`);
    }
    if (r.classification) {
      const k = r.classification;
      rows.push(
        one("checkpoint", "classification accuracy (%)", k.accuracy),
        one("chance", "classification accuracy (%)", k.chance),
      );
      parts.push(`${k.clips} labelled clips, ${k.foldAccuracies.length} folds`);
    }
    console.log(tableText(resultsTable(rows, {
      digits: 1,
      caption: `${parts.join("; ")} (one checkpoint: no spread)`,
    })));
    return 0;
  } finally {
    model.params.dispose();
  }
}
