/**
 * Terminal progress, one wrapper for every command: a `cli-progress` bar on a TTY, a plain
 * status line now and then otherwise (logs, CI). {@linkcode progressDisplay} is the wrapper;
 * {@linkcode progressBar} is its view of training steps (the `reproduce` command has a view of
 * experiment runs).
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
 * A terminal display of progress reports `P`.
 *
 * @category training
 */
export interface ProgressDisplay<P = TrainProgress> {
  /** Show one report. */
  update(p: P): void;
  /** Finish the display (a final newline). */
  stop(): void;
}

/**
 * How {@linkcode progressDisplay} shows reports `P`.
 *
 * @category training
 */
export interface ProgressFormat<P> {
  /** The bar's `cli-progress` format: `{bar}`, `{value}`, `{total}` and the payload's keys. */
  format: string;
  /**
   * The bar's position: units done of `total`, the text fields of the format, and the
   * `segment` (e.g. the stage) the bar belongs to: a new segment starts a new bar.
   */
  bar(p: P): { value: number; total: number; payload: Record<string, string>; segment?: unknown };
  /** The plain status line of a report. */
  line(p: P): string;
  /** Whether to print the plain line of `p`, `ms` after the last one printed. */
  print(p: P, ms: number): boolean;
}

/**
 * A progress display on stdout: a bar when stdout is a terminal, else the view's status lines
 * when it asks for them.
 *
 * @param view how reports are shown.
 * @returns the display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressDisplay } from "@avscene/avscene/train";
 * const printed: number[] = [];
 * const display = progressDisplay<number>({
 *   format: "[{bar}] {value}/{total}",
 *   bar: (n) => ({ value: n, total: 3, payload: {} }),
 *   line: (n) => `${n}/3`,
 *   print: (n) => (printed.push(n), n === 3), // off a terminal: a line at the end only
 * });
 * for (const n of [1, 2, 3]) display.update(n);
 * display.stop();
 * assert.ok(printed.length === 0 || printed.length === 3);
 * ```
 * @category training
 */
export function progressDisplay<P>(view: ProgressFormat<P>): ProgressDisplay<P> {
  if (Deno.stdout.isTerminal()) {
    const bar = new cliProgress.SingleBar(
      { format: view.format, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false, segment: unknown;
    return {
      update(p) {
        const b = view.bar(p);
        if (!started || b.segment !== segment) {
          if (started) bar.stop();
          bar.start(b.total, b.value, b.payload);
          started = true;
          segment = b.segment;
        } else {
          bar.setTotal(b.total);
          bar.update(b.value, b.payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const enc = new TextEncoder();
  let last = -Infinity;
  return {
    update(p) {
      const now = performance.now();
      if (!view.print(p, now - last)) return;
      last = now;
      Deno.stdout.writeSync(enc.encode(view.line(p) + "\n"));
    },
    stop() {},
  };
}

/**
 * The display of training steps: a bar per stage on a terminal, else one status line every
 * `every` steps (and at each stage's end).
 *
 * @param every steps between plain status lines (default 10).
 * @returns the display.
 * @category training
 */
export function progressBar(every = 10): ProgressDisplay<TrainProgress> {
  return progressDisplay<TrainProgress>({
    format: "stage {stage} {level} [{bar}] {value}/{total} | loss {loss} | acc {acc} | " +
      "{cps} clips/s",
    bar: (p) => ({
      value: p.step,
      total: p.stageSteps,
      segment: p.stage,
      payload: {
        stage: `${p.stage + 1}/${p.stages}`,
        level: p.level,
        loss: p.loss.toFixed(4),
        acc: p.accuracy.toFixed(3),
        cps: p.clipsPerSecond.toFixed(1),
      },
    }),
    line: (p) =>
      `stage ${p.stage + 1}/${p.stages} ${p.level} step ${p.step}/${p.stageSteps} ` +
      `loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(3)} ` +
      `${p.clipsPerSecond.toFixed(1)} clips/s`,
    print: (p) => p.step % every === 0 || p.step === p.stageSteps,
  });
}
