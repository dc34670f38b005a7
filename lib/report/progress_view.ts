/**
 * A live progress display for notebooks: one output that updates in place (Jupyter
 * `update_display_data`), or throttled status lines on stdout outside a kernel.
 *
 * @module
 */
import type { RunProgress } from "../experiments/experiment.ts";
import type { TrainProgress } from "../train/progress_bar.ts";
import { jupyterDisplay } from "../plot/display.ts";
import { escapeHtml } from "../plot/escape_html.ts";

/**
 * A progress display; pass `onRun` or `onTrain` as a runner's or trainer's `onProgress`.
 *
 * @category plots
 */
export interface ProgressView {
  /** Show `done` of `total` units with a status text. */
  update(done: number, total: number, text?: string): void;
  /** An experiment runner's `onProgress`. */
  onRun: (p: RunProgress) => void;
  /** The curriculum trainer's `onProgress`. */
  onTrain: (p: TrainProgress) => void;
  /** Show the final state (and wait for the display to be sent). */
  finish(text?: string): Promise<void>;
}

/**
 * Options of {@linkcode progressView}.
 *
 * @category plots
 */
export interface ProgressViewOptions {
  /** Least milliseconds between two updates (default 500 in a notebook, 5000 on stdout). */
  intervalMs?: number;
}

let views = 0;

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/**
 * Create a progress display titled `title`. In the Deno Jupyter kernel it displays one output
 * (an HTML progress bar plus a text line) and updates it in place; elsewhere it prints a status
 * line at most every `intervalMs`.
 *
 * @param title what is running, e.g. `"Table 2"`.
 * @param opts update interval.
 * @returns the display.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressView } from "@avscene/avscene/report";
 * const lines: string[] = [];
 * const log = console.log;
 * console.log = (s: string) => lines.push(s); // outside a kernel it prints status lines
 * try {
 *   const view = progressView("demo", { intervalMs: 0 });
 *   view.update(1, 4, "first quarter");
 *   await view.finish("done");
 * } finally {
 *   console.log = log;
 * }
 * assert.match(lines[0], /^demo: 1\/4 \(25%\)/);
 * ```
 * @category plots
 */
export function progressView(title: string, opts: ProgressViewOptions = {}): ProgressView {
  const show = jupyterDisplay();
  const interval = opts.intervalMs ?? (show ? 500 : 5000);
  const id = `avscene-progress-${Date.now().toString(36)}-${++views}`;
  const t0 = performance.now();
  let last = -Infinity;
  let shown = false;
  // `counted` is false until a first update: a run with nothing left to do (all cached)
  // finishes without counts rather than at a misleading "0/1".
  let state = { done: 0, total: 1, text: "", counted: false };
  let pending: Promise<void> = Promise.resolve();

  const render = () => {
    const { done, total, text, counted } = state;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const counts = counted ? `: ${done}/${total} (${(100 * share).toFixed(0)}%)` : "";
    const line = `${title}${counts} ${clock((performance.now() - t0) / 1000)}${
      text ? ` — ${text}` : ""
    }`;
    if (!show) {
      console.log(line);
      return;
    }
    const html = `<div class="avscene-progress"><progress value="${done}" max="${total}" ` +
      `style="width:320px"></progress> <code>${escapeHtml(line)}</code></div>`;
    const update = shown;
    shown = true;
    // Sends are chained so updates reach the front end in order.
    pending = pending.then(() =>
      show({ "text/html": html, "text/plain": line }, { raw: true, display_id: id, update })
    ).catch(() => {});
  };

  const update = (done: number, total: number, text = "") => {
    state = { done, total, text, counted: true };
    const now = performance.now();
    if (now - last >= interval || done >= total) {
      last = now;
      render();
    }
  };
  return {
    update,
    onRun: (p) => update(p.done, p.total, p.stage),
    onTrain: (p) =>
      update(
        p.globalStep,
        p.totalSteps,
        `${p.level} step ${p.step}/${p.stageSteps}, loss ${p.loss.toFixed(3)}, accuracy ${
          p.accuracy.toFixed(3)
        }`,
      ),
    async finish(text?: string) {
      if (text !== undefined) state = { ...state, text };
      if (!state.counted) state = { ...state, done: 1, total: 1 }; // a full bar, no counts
      render();
      await pending;
      // Let the kernel flush the last update before the cell ends: an update that reaches the
      // front end after the cell's idle status can be dropped (seen with nbconvert under load).
      if (show) await new Promise((resolve) => setTimeout(resolve, 250));
    },
  };
}
