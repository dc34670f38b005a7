/**
 * The `eval` command: evaluate a trained checkpoint on the synthetic world's localization test
 * set (cIoU@0.5, AUC; the random baseline beside it) and on its labelled single-source set
 * (frozen audio features, 5-fold linear classifier), and print a table.
 *
 * @module
 */
import { describeBackend, initBackend } from "../lib/backend/mod.ts";
import { backendOption, numberOption, parseCommand } from "./_args.ts";
import { evaluateCheckpoint } from "../lib/experiments/evaluate_checkpoint.ts";
import { latestCheckpoint, loadModel } from "../lib/train/checkpoint.ts";
import { resultsTable } from "../lib/plot/results_table.ts";
import { tableText } from "../lib/plot/table_text.ts";
import type { SummaryRow } from "../lib/plot/types.ts";

/** The `--help` text of {@linkcode evalCommand}. */
export const EVAL_HELP = `avscene eval: evaluate a trained checkpoint on the synthetic world

Usage: deno task eval --checkpoint DIR [options]

  --checkpoint DIR      a training output (runs/x), its checkpoints/ folder, or one ckpt-* folder
  --images N            localization test images (default 100)
  --clips-per-class N   classification clips per class and fold (default 4)
  --world-seed N        synthetic world seed (default 0, the one training uses by default)
  --backend NAME        webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  -h, --help            this text

Localization: cIoU@0.5 and AUC (Senocak's protocol, consensus of the annotators' boxes) of the
maps of the visual centers aligned to the sounds (Table 2's protocol); the random baseline is
scored on the same images.
Classification: pooled audio features (mean and max over positions) of the frozen audio net,
logistic regression, 5-fold cross-validation; chance is 1 / classes.
`;

const EVAL_OPTIONS = {
  checkpoint: { type: "string" },
  images: { type: "string" },
  "clips-per-class": { type: "string" },
  "world-seed": { type: "string" },
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
    console.log(`evaluating ${path} (${model.config.preset}) on ${describeBackend()}`);
    const r = await evaluateCheckpoint(model, {
      images: intArg("images", values.images, 100, 1),
      clipsPerClassPerFold: intArg("clips-per-class", values["clips-per-class"], 4, 1),
      worldSeed: intArg("world-seed", values["world-seed"], 0, 0),
    });
    // Percentages, as the paper's tables (and our runners) report them.
    const one = (method: string, metric: string, share: number): SummaryRow => ({
      method,
      metric,
      ours: { mean: 100 * share, std: 0, n: 1 },
    });
    const rows = [
      one("checkpoint", "cIoU@0.5 (%)", r.localization.model.ciou50),
      one("random baseline", "cIoU@0.5 (%)", r.localization.random.ciou50),
      one("checkpoint", "AUC (%)", r.localization.model.auc),
      one("random baseline", "AUC (%)", r.localization.random.auc),
      one("checkpoint", "classification accuracy (%)", r.classification.accuracy),
      one("chance", "classification accuracy (%)", r.classification.chance),
    ];
    console.log(tableText(resultsTable(rows, {
      digits: 1,
      caption: `${r.localization.images} localization images; ${r.classification.clips} ` +
        `labelled clips, 5 folds (one checkpoint: no spread)`,
    })));
    return 0;
  } finally {
    model.params.dispose();
  }
}
