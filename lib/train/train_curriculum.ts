/**
 * The curriculum trainer: stages of contrastive training on one shared network, with
 * per-step history (JSON lines), atomic checkpoints, exact resume and progress reports.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVDataset } from "../data/dataset.ts";
import { ClipStream } from "../data/clip_stream.ts";
import { Rng } from "../random/mod.ts";
import type { AVModel } from "../model/create_model.ts";
import { modelInputs } from "../model/model_inputs.ts";
import { type AlignmentLevel, pairDistances } from "../model/pair_distances.ts";
import { contrastiveLoss, DEFAULT_MARGIN, pairAccuracy } from "../model/contrastive_loss.ts";
import { Adam, PAPER_LR, PAPER_WEIGHT_DECAY } from "./adam.ts";
import { type CurriculumLevel, levelName, stageCenters, type StageSpec } from "./curriculum.ts";
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { progressBar, type TrainProgress } from "./progress_bar.ts";
import { writeFileAtomic } from "../io/write_atomic.ts";

/**
 * Where the trainer gets each stage's clips: any dataset of the contract with training clips
 * (the synthetic world, or a dataset on disk opened with `openDataset`).
 */
export type CurriculumData = Required<Pick<AVDataset, "trainingClips">>;

/** One training step of the history. */
export interface TrainStep {
  /** Stage index (0-based). */
  stage: number;
  /** Stage level name (`C1`..`C4`, `U`). */
  level: string;
  /** Step within the stage (1-based). */
  step: number;
  /** Step within the run (1-based). */
  globalStep: number;
  /** Contrastive loss of the batch. */
  loss: number;
  /** Share of the batch's positives closer than their negatives. */
  accuracy: number;
}

/** Options of {@linkcode trainCurriculum}. */
export interface TrainOptions {
  /** The data of every level. */
  data: CurriculumData;
  /** Stages in training order (see `curriculumStages`). */
  stages: StageSpec[];
  /** Clips per batch (>= 2; default 16). */
  batchSize?: number;
  /**
   * Clips drawn per stage (default 256; a dataset with fewer gives all it has); batches cycle
   * through them in seeded epochs. Clips are decoded per batch, never all at once.
   */
  datasetSize?: number;
  /** Most bytes of decoded clips kept between batches (default 256 MiB, `ClipStream`'s). */
  cacheBytes?: number;
  /** Adam learning rate (default: {@linkcode defaultLearningRate} of the preset). */
  lr?: number;
  /** Adam L2 weight decay (default 1e-4, the paper code's). */
  weightDecay?: number;
  /** Contrastive margin m (default 5). */
  margin?: number;
  /** `source` (structural alignment, default) or `scene` (K = 1 on pooled features). */
  alignment?: AlignmentLevel;
  /** Soft K-means iterations (default 4). */
  iterations?: number;
  /** Soft K-means beta (default 30). */
  beta?: number;
  /** Seed of the batch order (default: the model's seed; a resumed run keeps its own). */
  seed?: number;
  /** Directory for `history.jsonl` and `checkpoints/` (none: nothing is written). */
  outDir?: string;
  /** Steps between checkpoints (default 50; also at each stage's end). Needs `outDir`. */
  checkpointEvery?: number;
  /** Continue from `outDir`'s last checkpoint when there is one (default false). */
  resume?: boolean;
  /** Stops training before the next step when aborted (the run can be resumed). */
  signal?: AbortSignal;
  /** Called after every step. */
  onProgress?: (p: TrainProgress) => void;
  /** Show a terminal progress bar (default false). */
  progressBar?: boolean;
  /** A fresh Adam state at each stage (default true: stage s is initialised from s - 1). */
  resetOptimizerEachStage?: boolean;
}

/** What {@linkcode trainCurriculum} returns. */
export interface TrainResult {
  /** Every step's loss and accuracy, resumed steps included. */
  history: TrainStep[];
  /** False when stopped by `signal` before the last step. */
  completed: boolean;
  /** Global steps done. */
  steps: number;
}

/**
 * The default learning rate of a preset: the paper code's 1e-4, except `tiny`, whose minutes
 * of CI training need 1e-3 to learn visibly.
 *
 * @param preset a preset name.
 * @returns the learning rate.
 */
export function defaultLearningRate(preset: string): number {
  return preset === "tiny" ? 1e-3 : PAPER_LR;
}

interface TrainerPosition {
  seed: number;
  stage: number;
  step: number;
  history: TrainStep[];
}

/** Training clips of a stage, streamed: at least 2, else an error naming the level. */
function stageStream(model: AVModel, opts: TrainOptions, level: CurriculumLevel, size: number) {
  const source = opts.data.trainingClips(level, size);
  if (source.size < 2) {
    const name = "name" in opts.data ? ` of ${(opts.data as { name: string }).name}` : "";
    throw new Error(
      `trainCurriculum: level ${levelName(level)}${name} has ${source.size} clips, need >= 2` +
        (level === "uncurated" ? "" : " (use U, or grade the data with the counting model)"),
    );
  }
  const c = model.config;
  return new ClipStream(source, {
    seconds: c.duration,
    sampleRate: c.sampleRate,
    maxCachedBytes: opts.cacheBytes,
  });
}

/**
 * Where each clip of batch `step` starts its window: one seeded `u` in [0, 1) per clip, so
 * training sees random windows over the whole clip and a resumed run sees the same ones.
 */
function windowStarts(seed: number, stage: number, step: number, b: number): number[] {
  const rng = new Rng(seed * 2_654_435 + stage * 104_729 + step * 7 + 1);
  return Array.from({ length: b }, () => rng.uniform());
}

/** Indices of batch `step` (0-based) of a stage: seeded epochs over the stage's clips. */
function batchIndices(seed: number, stage: number, step: number, n: number, b: number): number[] {
  const perEpoch = Math.max(1, Math.floor(n / b));
  const epoch = Math.floor(step / perEpoch);
  const order = new Rng(seed * 1_000_003 + stage * 7919 + epoch).shuffle([...Array(n).keys()]);
  const start = (step % perEpoch) * b;
  return Array.from({ length: b }, (_, i) => order[(start + i) % n]);
}

/**
 * Train the model through the curriculum's stages. Each stage s draws its clips from its
 * level, clusters audio into K_audio and frames into K_visual centers and minimises the
 * contrastive loss of (audio, own frame) positives against (audio, next clip's frame)
 * negatives with Adam. All stages share the network. With `outDir`, every step is appended to
 * `history.jsonl` and checkpoints go to `checkpoints/` atomically; `resume` continues from the
 * last one and reproduces an uninterrupted run's history exactly on the cpu backend.
 *
 * @param model the network to train (modified in place).
 * @param opts data, stages, hyper-parameters, output and progress.
 * @returns the history and whether all stages finished.
 */
export async function trainCurriculum(model: AVModel, opts: TrainOptions): Promise<TrainResult> {
  const b = opts.batchSize ?? 16;
  if (!Number.isInteger(b) || b < 2) {
    throw new Error(`trainCurriculum: batchSize must be an integer >= 2, got ${b}`);
  }
  if (opts.stages.length === 0) throw new Error("trainCurriculum: stages is empty");
  const size = opts.datasetSize ?? 256;
  if (!Number.isInteger(size) || size < b) {
    throw new Error(
      `trainCurriculum: datasetSize (${size}) must be an integer >= batchSize (${b})`,
    );
  }
  const margin = opts.margin ?? DEFAULT_MARGIN;
  let seed = opts.seed ?? model.seed;
  const every = opts.checkpointEvery ?? 50;
  const ckptDir = opts.outDir ? `${opts.outDir}/checkpoints` : undefined;
  const historyPath = opts.outDir ? `${opts.outDir}/history.jsonl` : undefined;
  const totalSteps = opts.stages.reduce((a, s) => a + s.steps, 0);
  const adamOpts = {
    lr: opts.lr ?? defaultLearningRate(model.config.preset),
    weightDecay: opts.weightDecay ?? PAPER_WEIGHT_DECAY,
  };
  let optimizer = new Adam(model.params.variables(), adamOpts);
  let pos: TrainerPosition = { seed, stage: 0, step: 0, history: [] };

  if (opts.outDir) await Deno.mkdir(opts.outDir, { recursive: true });
  if (opts.resume && ckptDir && await latestCheckpoint(ckptDir)) {
    const { trainer } = await loadCheckpoint(ckptDir, model, optimizer);
    pos = trainer as TrainerPosition;
    if (typeof pos?.stage !== "number" || !Array.isArray(pos.history)) {
      throw new Error(`trainCurriculum: ${ckptDir} holds no trainer position`);
    }
    seed = pos.seed; // the interrupted run's batch order
  }
  if (historyPath) {
    await writeFileAtomic(historyPath, pos.history.map((h) => JSON.stringify(h) + "\n").join(""));
  }
  const history = pos.history.slice();
  const bar = opts.progressBar ? progressBar() : undefined;
  let globalStep = history.length;
  let completed = true;

  const checkpoint = async (stage: number, step: number) => {
    if (!ckptDir) return;
    await saveCheckpoint(ckptDir, {
      model,
      optimizer,
      step: globalStep,
      trainer: { seed, stage, step, history } satisfies TrainerPosition,
    });
  };

  try {
    outer: for (let s = pos.stage; s < opts.stages.length; s++) {
      const stage = opts.stages[s];
      const first = s === pos.stage ? pos.step : 0;
      if (first >= stage.steps) continue;
      if (first === 0 && s > 0 && (opts.resetOptimizerEachStage ?? true)) {
        optimizer.dispose();
        optimizer = new Adam(model.params.variables(), adamOpts);
      }
      const { kAudio, kVisual } = stageCenters(stage);
      const stream = stageStream(model, opts, stage.level, size);
      const n = stream.source.size;
      // windows of batch t; the next batch is decoded while this one trains (prefetch)
      const fetch = (t: number) => {
        const p = stream.batch(batchIndices(seed, s, t, n, b), windowStarts(seed, s, t, b));
        p.catch(() => {}); // awaited when its step comes; not an unhandled rejection before
        return p;
      };
      let next = fetch(first);
      const pairOpts = {
        kAudio,
        kVisual,
        alignment: opts.alignment,
        iterations: opts.iterations,
        beta: opts.beta,
      };
      for (let t = first; t < stage.steps; t++) {
        if (opts.signal?.aborted) {
          completed = false;
          break outer;
        }
        const t0 = performance.now();
        const clips = await next;
        if (t + 1 < stage.steps) next = fetch(t + 1);
        const { images, logMel } = modelInputs(model, clips);
        const labels = tf.tidy(() => tf.concat([tf.ones([b]), tf.zeros([b])]) as tf.Tensor1D);
        let p2: tf.Tensor1D | undefined, n2: tf.Tensor1D | undefined;
        const lossT = optimizer.minimize(() => {
          const d = pairDistances(model, images, logMel, pairOpts);
          p2 = tf.keep(d.positive2);
          n2 = tf.keep(d.negative2);
          return contrastiveLoss(
            tf.concat([d.positive2, d.negative2]) as tf.Tensor1D,
            labels,
            margin,
          );
        });
        const loss = (await lossT.data())[0];
        const accuracy = pairAccuracy(await p2!.data(), await n2!.data());
        tf.dispose([lossT, p2!, n2!, images, logMel, labels]);
        if (!Number.isFinite(loss)) {
          throw new Error(
            `trainCurriculum: loss is ${loss} at stage ${s + 1} step ${t + 1} (lower lr?)`,
          );
        }
        globalStep++;
        const entry: TrainStep = {
          stage: s,
          level: levelName(stage.level),
          step: t + 1,
          globalStep,
          loss,
          accuracy,
        };
        history.push(entry);
        if (historyPath) {
          await Deno.writeTextFile(historyPath, JSON.stringify(entry) + "\n", { append: true });
        }
        const report: TrainProgress = {
          stage: s,
          stages: opts.stages.length,
          level: entry.level,
          step: t + 1,
          stageSteps: stage.steps,
          globalStep,
          totalSteps,
          loss,
          accuracy,
          clipsPerSecond: b / ((performance.now() - t0) / 1000),
        };
        bar?.update(report);
        opts.onProgress?.(report);
        const last = t + 1 === stage.steps;
        if ((globalStep % every === 0) || last) {
          await checkpoint(last ? s + 1 : s, last ? 0 : t + 1);
        }
      }
    }
  } finally {
    bar?.stop();
    optimizer.dispose();
  }
  return { history, completed, steps: globalStep };
}
