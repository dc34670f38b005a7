/**
 * The terminal display of experiment runners' progress for `reproduce`: a `cli-progress` bar on
 * a terminal, a status line every few seconds otherwise (logs, CI).
 *
 * @module
 */
import cliProgress from "cli-progress";
import type { RunProgress } from "../lib/experiments/experiment.ts";

/** A terminal display of {@linkcode RunProgress} events. */
export interface RunProgressDisplay {
  /** Show one event. */
  update(p: RunProgress): void;
  /** End the display. */
  stop(): void;
}

/** A bar on a terminal, else a line at most every `everyMs` (and at the end). */
export function runProgressDisplay(everyMs = 10_000): RunProgressDisplay {
  if (Deno.stdout.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format: "{experiment} [{bar}] {percentage}% {value}/{total} | {duration_formatted} | {stage}",
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(p) {
        const payload = { experiment: p.experiment, stage: p.stage.slice(0, 60) };
        if (!started) {
          bar.start(p.total, p.done, payload);
          started = true;
        } else {
          bar.setTotal(p.total);
          bar.update(p.done, payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const t0 = performance.now();
  let last = -Infinity;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < everyMs && p.done < p.total) return;
      last = now;
      const pct = p.total > 0 ? (100 * p.done / p.total).toFixed(0) : "?";
      console.log(
        `${p.experiment} ${p.done}/${p.total} (${pct}%) ${
          ((now - t0) / 1000).toFixed(0)
        } s: ${p.stage}`,
      );
    },
    stop() {},
  };
}
