/**
 * The terminal display of experiment runners' progress for `reproduce`: the one progress
 * wrapper's view of runs, a bar on a terminal, a status line every few seconds otherwise.
 *
 * @module
 */
import type { RunProgress } from "../lib/experiments/experiment.ts";
import { type ProgressDisplay, progressDisplay } from "../lib/train/progress_bar.ts";

/** A bar on a terminal, else a line at most every `everyMs` (and at the end). */
export function runProgressDisplay(everyMs = 10_000): ProgressDisplay<RunProgress> {
  const t0 = performance.now();
  return progressDisplay<RunProgress>({
    format: "{experiment} [{bar}] {percentage}% {value}/{total} | {duration_formatted} | {stage}",
    bar: (p) => ({
      value: p.done,
      total: p.total,
      payload: { experiment: p.experiment, stage: p.stage.slice(0, 60) },
    }),
    line: (p) => {
      const pct = p.total > 0 ? (100 * p.done / p.total).toFixed(0) : "?";
      const s = ((performance.now() - t0) / 1000).toFixed(0);
      return `${p.experiment} ${p.done}/${p.total} (${pct}%) ${s} s: ${p.stage}`;
    },
    print: (p, ms) => ms >= everyMs || p.done >= p.total,
  });
}
