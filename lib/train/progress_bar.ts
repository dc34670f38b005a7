/**
 * Terminal progress of training: a `cli-progress` bar on a TTY, a plain status line every few
 * steps otherwise.
 *
 * @module
 */
import cliProgress from "cli-progress";

/**
 * One progress report of the trainer (also passed to `onProgress`).
 *
 * @category training
 */
export interface TrainProgress {
  /** Index of the stage (0-based). */
  stage: number;
  /** Number of stages. */
  stages: number;
  /** The stage's level name (`C1`, `U`). */
  level: string;
  /** Steps done in the stage. */
  step: number;
  /** Steps of the stage. */
  stageSteps: number;
  /** Steps done in the run. */
  globalStep: number;
  /** Steps of the run. */
  totalSteps: number;
  /** This step's loss. */
  loss: number;
  /** This step's training accuracy. */
  accuracy: number;
  /** Training throughput of this step, clips per second. */
  clipsPerSecond: number;
}

/**
 * A terminal display of {@linkcode TrainProgress} reports.
 *
 * @category training
 */
export interface ProgressDisplay {
  /** Show one report. */
  update(p: TrainProgress): void;
  /** Finish the display (a final newline). */
  stop(): void;
}

function line(p: TrainProgress): string {
  return `stage ${p.stage + 1}/${p.stages} ${p.level} step ${p.step}/${p.stageSteps} ` +
    `loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(3)} ${p.clipsPerSecond.toFixed(1)} clips/s`;
}

/**
 * A progress display on stdout: a bar when stdout is a terminal, else one status line every
 * `every` steps (and at each stage's end).
 *
 * @param every steps between plain status lines (default 10).
 * @returns the display.
 * @category training
 */
export function progressBar(every = 10): ProgressDisplay {
  if (Deno.stdout.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format: "stage {stage} {level} [{bar}] {value}/{total} | loss {loss} | acc {acc} | " +
        "{cps} clips/s",
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    let started = -1;
    return {
      update(p) {
        const payload = {
          stage: `${p.stage + 1}/${p.stages}`,
          level: p.level,
          loss: p.loss.toFixed(4),
          acc: p.accuracy.toFixed(3),
          cps: p.clipsPerSecond.toFixed(1),
        };
        if (started !== p.stage) {
          if (started >= 0) bar.stop();
          bar.start(p.stageSteps, p.step, payload);
          started = p.stage;
        } else bar.update(p.step, payload);
      },
      stop() {
        if (started >= 0) bar.stop();
      },
    };
  }
  const enc = new TextEncoder();
  return {
    update(p) {
      if (p.step % every === 0 || p.step === p.stageSteps) {
        Deno.stdout.writeSync(enc.encode(line(p) + "\n"));
      }
    },
    stop() {},
  };
}
