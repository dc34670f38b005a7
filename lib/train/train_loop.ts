/**
 * The one training loop every trainer runs (curriculum, separation, the Attention baseline): it
 * owns resume, the history file, the checkpoint cadence, abort, the divergence check and
 * progress; a trainer supplies only its step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { NonFiniteError } from "../../kernels/mod.ts";
import { writeFileAtomic } from "../io/write_atomic.ts";
import type { Adam } from "./adam.ts";
import type { WeightAverage } from "./weight_average.ts";
import {
  type Checkpointable,
  loadLatestCheckpoint,
  removeStaleCheckpointTemps,
  saveCheckpoint,
  type SavedWeightAverage,
} from "./checkpoint.ts";
import { progressBar, type TrainProgress } from "./progress_bar.ts";

/**
 * What a step records in the history: its loss, and whatever else the trainer measures.
 *
 * @category training
 */
export interface StepRecord {
  /** The batch's loss. */
  loss: number;
}

/**
 * Training that diverged: the loss, or the features a kernel was given, stopped being finite.
 * A lower learning rate is the usual cure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DivergenceError } from "@avscene/avscene/train";
 * const e = new DivergenceError("train: loss is NaN at step 3 (lower the learning rate?)");
 * assert.equal(e.name, "DivergenceError");
 * ```
 * @category training
 */
export class DivergenceError extends Error {
  /**
   * A divergence error.
   *
   * @param message What diverged and where, ending with the advice.
   * @param options The error that revealed it, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DivergenceError";
  }
}

/**
 * What a trainer gives {@linkcode runTrainLoop}: its step and how to describe it.
 *
 * @category training
 */
export interface TrainLoopSpec<R extends StepRecord> {
  /** The trainer's name, first in every message (`trainCurriculum`). */
  name: string;
  /** Steps of the whole run. */
  totalSteps: number;
  /** Seed of a fresh run (a resumed run keeps the seed it was started with). */
  seed: number;
  /** The network; checkpointed (with `optimizer()`) when the loop has an `outDir`. */
  model: Checkpointable;
  /** The optimiser whose state is checkpointed now (a trainer may replace it between stages). */
  optimizer(): Adam | undefined;
  /**
   * The weight average the trainer keeps beside the online weights, checkpointed and restored
   * with them (default none). A resume refuses a checkpoint whose average does not match it:
   * one without an average for a trainer that keeps one, one with an average for a trainer
   * that keeps none, or one averaged with another decay.
   */
  average?(): WeightAverage | undefined;
  /**
   * Run step `t` (0-based, of the whole run) with the run's seed and return its record.
   * Tensors it creates are freed when it returns or throws, except those it `tf.keep`s (e.g.
   * a stage's data, which the trainer then disposes itself); variables are never freed.
   */
  step(t: number, seed: number): Promise<R>;
  /**
   * Fields saved beside `seed` and `history` in a checkpoint after `done` steps (e.g. the
   * stage and the step within it); default none.
   */
  position?(done: number): Record<string, unknown>;
  /** Whether a checkpoint is due after `done` steps besides the cadence (e.g. a stage's end). */
  boundary?(done: number): boolean;
  /** Where step `t` is, for messages (default `step <t + 1>`). */
  where?(t: number): string;
  /** The progress report of step `t` (default: none is shown). */
  progress?(t: number, record: R, seconds: number): TrainProgress;
}

/**
 * The options every trainer passes through to the loop.
 *
 * @category training
 */
export interface TrainLoopOptions {
  /** Directory for `history.jsonl` and `checkpoints/` (none: nothing is written). */
  outDir?: string;
  /** Steps between checkpoints (default 50; also at the end). Needs `outDir`. */
  checkpointEvery?: number;
  /**
   * Continue from `outDir`'s last checkpoint when there is one (default false); a damaged
   * latest checkpoint falls back to the previous one, with a warning.
   */
  resume?: boolean;
  /** Stops before the next step when aborted; a checkpoint is written so a resume continues. */
  signal?: AbortSignal;
  /** Called after every step. */
  onProgress?: (p: TrainProgress) => void;
  /** Show a terminal progress bar (default false). */
  progressBar?: boolean;
}

/**
 * What {@linkcode runTrainLoop} returns.
 *
 * @category training
 */
export interface TrainLoopResult<R extends StepRecord> {
  /** Every step's record, resumed steps included. */
  history: R[];
  /** False when stopped by `signal` before the last step. */
  completed: boolean;
  /** Steps done. */
  steps: number;
}

/**
 * Check the loop's options, naming the trainer.
 *
 * @param name the trainer.
 * @param opts its loop options.
 * @throws RangeError for a checkpoint cadence that is not an integer >= 1.
 * @category training
 */
export function checkTrainLoopOptions(name: string, opts: TrainLoopOptions): void {
  const every = opts.checkpointEvery ?? 50;
  if (!Number.isInteger(every) || every < 1) {
    throw new RangeError(`${name}: checkpointEvery must be an integer >= 1, got ${every}`);
  }
}

/**
 * Run `spec.step` for steps `0 .. totalSteps - 1` (from the last checkpoint's position when
 * resuming). After each step the record is appended to `history.jsonl`, progress is reported,
 * and a checkpoint is written every `checkpointEvery` steps, at `spec.boundary`s, at the end
 * and when aborted. A non-finite loss, or a kernel refusing non-finite features, stops the run
 * with a {@linkcode DivergenceError}. Every tensor a step leaves behind is freed; when it
 * throws, so are the tensors it kept (the run ends: a trainer's kept data is its own to free).
 *
 * @param spec the trainer's step and descriptions.
 * @param opts output, cadence, resume, abort and progress.
 * @returns the history and whether every step ran.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel } from "@avscene/avscene/model";
 * import { Adam, runTrainLoop } from "@avscene/avscene/train";
 * const model = createModel({ preset: "tiny", seed: 1 });
 * const w = model.params.get("visual.proj.w");
 * const optimizer = new Adam([w], { lr: 0.01, weightDecay: 0 });
 * const { history } = await runTrainLoop({
 *   name: "toy",
 *   totalSteps: 3,
 *   seed: 1,
 *   model,
 *   optimizer: () => optimizer,
 *   step: async () => {
 *     const loss = optimizer.minimize(() => tf.mean(tf.square(w)) as tf.Scalar);
 *     return { loss: (await loss.data())[0] };
 *   },
 * }, {});
 * assert.equal(history.length, 3);
 * optimizer.dispose();
 * model.params.dispose();
 * ```
 * @category training
 */
export async function runTrainLoop<R extends StepRecord>(
  spec: TrainLoopSpec<R>,
  opts: TrainLoopOptions,
): Promise<TrainLoopResult<R>> {
  checkTrainLoopOptions(spec.name, opts);
  const every = opts.checkpointEvery ?? 50;
  const ckptDir = opts.outDir ? `${opts.outDir}/checkpoints` : undefined;
  const historyPath = opts.outDir ? `${opts.outDir}/history.jsonl` : undefined;
  const where = (t: number) => spec.where?.(t) ?? `step ${t + 1}`;
  let seed = spec.seed;
  let history: R[] = [];

  if (opts.outDir) await Deno.mkdir(opts.outDir, { recursive: true });
  if (ckptDir) await removeStaleCheckpointTemps(ckptDir);
  if (opts.resume && ckptDir) {
    const restored = await loadLatestCheckpoint(ckptDir, spec.model, spec.optimizer());
    if (restored) {
      const saved = restored.trainer as { seed?: unknown; history?: unknown } | null;
      if (typeof saved?.seed !== "number" || !Array.isArray(saved.history)) {
        throw new Error(`${spec.name}: ${restored.path} holds no ${spec.name} position`);
      }
      _restoreAverage(spec.name, restored.path, spec.average?.(), restored.average);
      seed = saved.seed; // the interrupted run's batch order
      history = saved.history as R[];
    }
  }
  if (historyPath) {
    await writeFileAtomic(historyPath, history.map((h) => JSON.stringify(h) + "\n").join(""));
  }
  let saved = history.length;
  const checkpoint = async (done: number) => {
    if (!ckptDir || done === saved) return;
    await saveCheckpoint(ckptDir, {
      model: spec.model,
      optimizer: spec.optimizer(),
      average: spec.average?.(),
      step: done,
      trainer: { seed, ...spec.position?.(done), history },
    });
    saved = done;
  };

  const bar = opts.progressBar && spec.progress ? progressBar() : undefined;
  let completed = true;
  try {
    for (let t = history.length; t < spec.totalSteps; t++) {
      if (opts.signal?.aborted) {
        completed = false;
        await checkpoint(t);
        break;
      }
      const t0 = performance.now();
      const record = await _scopedStep(spec, t, seed, where);
      if (!Number.isFinite(record.loss)) {
        throw new DivergenceError(
          `${spec.name}: loss is ${record.loss} at ${where(t)} (lower the learning rate?)`,
        );
      }
      history.push(record);
      if (historyPath) {
        await Deno.writeTextFile(historyPath, JSON.stringify(record) + "\n", { append: true });
      }
      if (spec.progress) {
        const report = spec.progress(t, record, (performance.now() - t0) / 1000);
        bar?.update(report);
        opts.onProgress?.(report);
      }
      const done = t + 1;
      if (done % every === 0 || done === spec.totalSteps || spec.boundary?.(done)) {
        await checkpoint(done);
      }
    }
  } finally {
    bar?.stop();
  }
  return { history, completed, steps: history.length };
}

/**
 * Restore a resumed checkpoint's weight average into the trainer's, or refuse a checkpoint
 * whose average does not match the trainer's (none where it keeps one, one where it keeps none,
 * another decay): resuming it would silently train another recipe than the one asked for.
 */
function _restoreAverage(
  name: string,
  path: string,
  mine: WeightAverage | undefined,
  saved: SavedWeightAverage | undefined,
): void {
  const describe = (d: number | undefined) =>
    d === undefined ? "no weight average" : `a weight average of decay ${d}`;
  if (mine?.decay !== saved?.decay) {
    throw new Error(
      `${name}: cannot resume from ${path}: it holds ${describe(saved?.decay)}, the run asks ` +
        `for ${describe(mine?.decay)} (the recipe's weightAverage); resume with the recipe the ` +
        "run was started with, or start a new run",
    );
  }
  if (mine && saved) mine.setState(saved);
}

/**
 * One step inside its own tensor scope: whatever it does not keep is freed, also on a throw.
 * On a throw, the tensors kept during the step are freed too: tfjs keeps the tensors its
 * gradient tape saves for the backward pass, and a forward pass that throws (a kernel
 * refusing its input) leaves them kept and unreachable (150 of them for a curriculum step).
 */
async function _scopedStep<R extends StepRecord>(
  spec: TrainLoopSpec<R>,
  t: number,
  seed: number,
  where: (t: number) => string,
): Promise<R> {
  const engine = tf.engine() as unknown as {
    keep<T extends tf.Tensor>(x: T): T;
    startScope(name?: string): void;
    endScope(): void;
  };
  const keep = engine.keep;
  const kept: tf.Tensor[] = [];
  engine.keep = <T extends tf.Tensor>(x: T): T => {
    kept.push(x);
    return keep.call(engine, x) as T;
  };
  engine.startScope(`${spec.name} step`);
  try {
    return await spec.step(t, seed);
  } catch (e) {
    tf.dispose(kept);
    if (e instanceof NonFiniteError) {
      throw new DivergenceError(
        `${spec.name}: loss is NaN at ${where(t)} (lower the learning rate?): the features ` +
          `stopped being finite (${e.message})`,
        { cause: e },
      );
    }
    throw e;
  } finally {
    engine.keep = keep;
    engine.endScope();
  }
}
