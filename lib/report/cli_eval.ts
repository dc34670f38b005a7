/**
 * The `eval` command: evaluate a trained checkpoint on the synthetic world's localization test
 * set (cIoU@0.5, AUC; the random baseline beside it) and on its labelled single-source set
 * (frozen audio features, 5-fold linear classifier), and print a table.
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
import { pooledAudioFeatures } from "../eval/run_table1.ts";
import { clipCIoUs, oursHeatmaps } from "../eval/run_table2.ts";
import { latestCheckpoint, loadModel } from "../train/checkpoint.ts";
import { resultsTable } from "../plot/results_table.ts";
import { tableText } from "../plot/table_text.ts";
import type { SummaryRow } from "../plot/types.ts";

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

/** What {@linkcode evaluateCheckpoint} measured. */
export interface CheckpointEvaluation {
  /** cIoU@0.5 and AUC of the model and of the random baseline on the same images. */
  localization: {
    model: { ciou50: number; auc: number };
    random: { ciou50: number; auc: number };
    images: number;
  };
  /** Frozen-feature classification accuracy (mean over folds) and chance. */
  classification: { accuracy: number; foldAccuracies: number[]; chance: number; clips: number };
}

/** Options of {@linkcode evaluateCheckpoint}. */
export interface EvaluateCheckpointOptions {
  /** Localization test images (default 100). */
  images?: number;
  /** Classification clips per class and fold (default 4). */
  clipsPerClassPerFold?: number;
  /** Synthetic world seed (default 0). */
  worldSeed?: number;
}

/**
 * Evaluate a model on the synthetic world (at the model's image size and sample rate):
 * localization (cIoU@0.5, AUC, random baseline beside it) and frozen-feature classification.
 *
 * @param model the trained model.
 * @param opts set sizes, number of audio centers and world seed.
 * @returns the measurements.
 */
export async function evaluateCheckpoint(
  model: AVModel,
  opts: EvaluateCheckpointOptions = {},
): Promise<CheckpointEvaluation> {
  const images = opts.images ?? 100;
  const c = model.config;
  const world = synthWorld({
    seed: opts.worldSeed ?? 0,
    imageSize: c.imageSize,
    sampleRate: c.sampleRate,
    duration: c.duration,
  });
  const clips = world.localizationSet(images);
  // The protocol of Table 2 (aligned centers' maps, cIoU against the annotators' consensus),
  // with the random baseline on the same images.
  const ours = clipCIoUs(clips, await oursHeatmaps(model, clips, "aligned"));
  const random = clips.map((clip, i) => {
    const { height: H, width: W } = clip.image;
    const truth = consensusMap(clip.annotatorBoxes ?? [clip.boxes ?? []], H, W);
    return cIoU(randomLocalization(H, W, 1000 + i), truth);
  });
  const labelled = world.classificationSet(opts.clipsPerClassPerFold ?? 4);
  const features = await pooledAudioFeatures(model, labelled);
  const cls = classifyFrozenFeatures(
    features,
    labelled.map((l) => l.target),
    labelled.map((l) => l.fold),
  );
  return {
    localization: {
      model: localizationScores(ours),
      random: localizationScores(random),
      images: clips.length,
    },
    classification: {
      accuracy: cls.meanAccuracy,
      foldAccuracies: cls.foldAccuracies,
      chance: 1 / world.classes.length,
      clips: labelled.length,
    },
  };
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
