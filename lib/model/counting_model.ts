/**
 * The audiovisual counting model (DESIGN step 6): Poisson regression of the number of sound
 * sources on pooled audiovisual features of the frozen network.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import type { AVModel } from "./create_model.ts";
import { modelInputs } from "./model_inputs.ts";
import { pooledFeatures, pooledFeatureTensor } from "./pooled_features.ts";
import {
  fitPoissonRegression,
  type PoissonOptions,
  poissonRate,
  type PoissonRegression,
} from "./poisson_regression.ts";

/**
 * A fitted counting model.
 *
 * @category model
 */
export interface CountingModel {
  /** The frozen network whose pooled features it reads. */
  model: AVModel;
  /** The Poisson regression on those features. */
  regression: PoissonRegression;
  /** Smallest count it predicts (1). */
  minCount: number;
  /** Largest count it predicts (the largest count seen in training). */
  maxCount: number;
}

/**
 * Options of {@linkcode fitCountingModel}.
 *
 * @category model
 */
export interface CountingOptions extends PoissonOptions {
  /** Clips per forward pass (default 32). */
  batchSize?: number;
}

/**
 * Accuracy and confusion matrix of a counting model on held-out clips.
 *
 * @category model
 */
export interface CountingEvaluation {
  /** Share of clips whose predicted count equals the true count. */
  accuracy: number;
  /** `confusion[t - minCount][p - minCount]`: clips of true count t predicted as p. */
  confusion: number[][];
  /** The count labels of the matrix's rows and columns. */
  labels: number[];
  /** Predicted count of each clip. */
  predictions: number[];
}

async function featuresOf(model: AVModel, clips: readonly AVClip[], batch: number) {
  const out: Float32Array[] = [];
  for (let i = 0; i < clips.length; i += batch) {
    const inputs = modelInputs(model, clips.slice(i, i + batch));
    out.push(...await pooledFeatures(model, inputs));
    tf.dispose([inputs.images, inputs.logMel]);
  }
  return out;
}

function trueCount(clip: AVClip): number {
  if (clip.count === undefined) throw new Error(`counting: clip ${clip.id} has no count`);
  return clip.count;
}

/**
 * Fit the counting model on clips with known counts.
 *
 * @param model the trained (frozen) network.
 * @param clips training clips, each with `count`.
 * @param opts ridge penalty, IRLS iterations, batch size.
 * @returns the fitted counting model.
 * @category model
 */
export async function fitCountingModel(
  model: AVModel,
  clips: readonly AVClip[],
  opts: CountingOptions = {},
): Promise<CountingModel> {
  const counts = clips.map(trueCount);
  const features = await featuresOf(model, clips, opts.batchSize ?? 32);
  const regression = fitPoissonRegression(features, counts, opts);
  return { model, regression, minCount: 1, maxCount: Math.max(...counts) };
}

/**
 * Predicted number of sources of each clip: the Poisson rate rounded to the nearest count in
 * [minCount, maxCount].
 *
 * @param counter a fitted counting model.
 * @param clips clips to count.
 * @param batchSize clips per forward pass (default 32).
 * @returns one count per clip.
 * @category model
 */
export async function countSources(
  counter: CountingModel,
  clips: readonly AVClip[],
  batchSize = 32,
): Promise<number[]> {
  const features = await featuresOf(counter.model, clips, batchSize);
  return features.map((f) => toCount(counter, poissonRate(counter.regression, f)));
}

/**
 * A synchronous `(clip) => count` predictor, for curriculum grading.
 *
 * @param counter a fitted counting model.
 * @returns a function predicting one clip's number of sources.
 * @category model
 */
export function countingPredictor(counter: CountingModel): (clip: AVClip) => number {
  return (clip) => {
    const inputs = modelInputs(counter.model, [clip]);
    const f = pooledFeatureTensor(counter.model, inputs);
    const values = f.dataSync() as Float32Array;
    tf.dispose([f, inputs.images, inputs.logMel]);
    return toCount(counter, poissonRate(counter.regression, values));
  };
}

function toCount(counter: CountingModel, rate: number): number {
  return Math.min(counter.maxCount, Math.max(counter.minCount, Math.round(rate)));
}

/**
 * Grading accuracy and confusion matrix of a counting model on held-out clips.
 *
 * @param counter a fitted counting model.
 * @param clips held-out clips, each with `count`.
 * @returns accuracy, confusion matrix (rows: true count, columns: predicted), predictions.
 * @category model
 */
export async function evaluateCounting(
  counter: CountingModel,
  clips: readonly AVClip[],
): Promise<CountingEvaluation> {
  const truth = clips.map(trueCount);
  const predictions = await countSources(counter, clips);
  const lo = Math.min(counter.minCount, ...truth);
  const hi = Math.max(counter.maxCount, ...truth);
  const labels = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const confusion = labels.map(() => labels.map(() => 0));
  let hits = 0;
  truth.forEach((t, i) => {
    confusion[t - lo][predictions[i] - lo]++;
    if (t === predictions[i]) hits++;
  });
  return { accuracy: hits / truth.length, confusion, labels, predictions };
}
