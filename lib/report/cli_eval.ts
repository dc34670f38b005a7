/**
 * The `eval` command: evaluate a trained checkpoint on a localization test set (cIoU@0.5, AUC;
 * the random baseline beside it) and a labelled single-source set (frozen audio features,
 * linear classifier over the folds), from the synthetic world or datasets on disk, and print a
 * table.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type BackendName, describeBackend, initBackend } from "../backend/mod.ts";
import { synthWorld } from "../data/synth_world.ts";
import { cIoU } from "../eval/ciou.ts";
import { classifyFrozenFeatures } from "../eval/classify_frozen_features.ts";
import { consensusMap } from "../eval/consensus_map.ts";
import { localizationScores } from "../eval/localization_scores.ts";
import { randomLocalization } from "../baselines/random_localization.ts";
import type { AVModel } from "../model/create_model.ts";
import { pooledFeaturesOf } from "../eval/run_table1.ts";
import { type AVDataset, missingCapability } from "../data/dataset.ts";
import { openDatasets } from "../data/datasets/open_dataset.ts";
import { clipCIoUs, oursHeatmaps } from "../eval/run_table2.ts";
import { latestCheckpoint, loadModel } from "../train/checkpoint.ts";
import { resultsTable } from "../plot/results_table.ts";
import { tableText } from "../plot/table_text.ts";
import type { SummaryRow } from "../plot/types.ts";

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

/** What {@linkcode evaluateCheckpoint} measured; an evaluation the data cannot serve is absent. */
export interface CheckpointEvaluation {
  /** cIoU@0.5 and AUC of the model and of the random baseline on the same images. */
  localization?: {
    model: { ciou50: number; auc: number };
    random: { ciou50: number; auc: number };
    images: number;
  };
  /** Frozen-feature classification accuracy (mean over folds) and chance. */
  classification?: { accuracy: number; foldAccuracies: number[]; chance: number; clips: number };
  /** One sentence per evaluation skipped because the data cannot serve it. */
  skipped: string[];
}

/** Options of {@linkcode evaluateCheckpoint}. */
export interface EvaluateCheckpointOptions {
  /** Localization test images (default 100). */
  images?: number;
  /**
   * Classification clips per class and fold (default 4 on the synthetic world; a dataset on
   * disk: all of them).
   */
  clipsPerClassPerFold?: number;
  /** Synthetic world seed when no `dataset` is given (default 0). */
  worldSeed?: number;
  /** The data (default the synthetic world at the model's sizes). */
  dataset?: AVDataset;
}

/**
 * Evaluate a model on a dataset (default the synthetic world at the model's image size and
 * sample rate): localization (cIoU@0.5, AUC, random baseline beside it) when the dataset has a
 * localization set, frozen-feature classification when it has labelled clips.
 *
 * @param model the trained model.
 * @param opts set sizes, the dataset or the synthetic world's seed.
 * @returns the measurements, and a sentence for each evaluation skipped.
 * @throws Error when the dataset serves neither evaluation.
 */
export async function evaluateCheckpoint(
  model: AVModel,
  opts: EvaluateCheckpointOptions = {},
): Promise<CheckpointEvaluation> {
  const images = opts.images ?? 100;
  const c = model.config;
  const dataset = opts.dataset ?? synthWorld({
    seed: opts.worldSeed ?? 0,
    imageSize: c.imageSize,
    sampleRate: c.sampleRate,
    duration: c.duration,
  });
  const out: CheckpointEvaluation = { skipped: [] };
  const noLocalization = missingCapability(dataset, ["localizationSet"], "localization");
  if (noLocalization) out.skipped.push(noLocalization);
  else {
    const clips = await dataset.localizationSet!(images);
    // The protocol of Table 2 (aligned centers' maps, cIoU against the annotators' consensus),
    // with the random baseline on the same images.
    const ours = clipCIoUs(clips, await oursHeatmaps(model, clips, "aligned"));
    const random = clips.map((clip, i) => {
      const { height: H, width: W } = clip.image;
      const truth = consensusMap(clip.annotatorBoxes ?? [clip.boxes ?? []], H, W);
      return cIoU(randomLocalization(H, W, 1000 + i), truth);
    });
    out.localization = {
      model: localizationScores(ours),
      random: localizationScores(random),
      images: clips.length,
    };
  }
  const noClassification = missingCapability(dataset, ["classificationClips"], "classification");
  if (noClassification) out.skipped.push(noClassification);
  else {
    const perClass = opts.clipsPerClassPerFold ?? (opts.dataset ? undefined : 4);
    const labelled = dataset.classificationClips!(perClass);
    const features = await pooledFeaturesOf(model, labelled);
    const entries = Array.from({ length: labelled.size }, (_, i) => labelled.entry(i));
    const cls = classifyFrozenFeatures(
      features,
      entries.map((l) => l.target),
      entries.map((l) => l.fold),
      { classes: Math.max(2, labelled.classes) },
    );
    out.classification = {
      accuracy: cls.meanAccuracy,
      foldAccuracies: cls.foldAccuracies,
      chance: 1 / labelled.classes,
      clips: labelled.size,
    };
  }
  if (!out.localization && !out.classification) {
    throw new Error(`eval: nothing to evaluate: ${out.skipped.join("; ")}`);
  }
  return out;
}

function intArg(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`eval: --${name} must be an integer >= ${min}, got "${value}"`);
  }
  return n;
}

/**
 * Run the `eval` command with its command-line arguments (see {@linkcode EVAL_HELP}).
 *
 * @param args the arguments after `eval`.
 * @returns the exit code (0).
 */
export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      checkpoint: { type: "string" },
      images: { type: "string" },
      "clips-per-class": { type: "string" },
      "world-seed": { type: "string" },
      data: { type: "string", multiple: true },
      "box-frame": { type: "string" },
      "skip-bad": { type: "boolean", default: false },
      backend: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  if (!values.checkpoint) throw new Error("eval: --checkpoint DIR is required (see --help)");
  // Accept the training output folder as well as its checkpoints/ folder.
  let path = values.checkpoint;
  if (!(await latestCheckpoint(path)) && (await latestCheckpoint(`${path}/checkpoints`))) {
    path = `${path}/checkpoints`;
  }
  await initBackend(values.backend as BackendName | undefined);
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
    console.log(
      `evaluating ${path} (${c.preset}) on ${describeBackend()} with ${dataset.name}`,
    );
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
