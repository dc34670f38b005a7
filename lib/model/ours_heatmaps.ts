/**
 * Our model's localization heatmaps on the visual feature grid: the union of the maps of the
 * visual centers aligned to the sounds (or of those no sound aligned to), the protocol of
 * Table 2 and `eval`.
 *
 * @module
 */
import type { AVClip } from "../data/types.ts";
import type { AVModel } from "./create_model.ts";
import { type GridHeatmap, smoothGridMap, unionOf } from "./grid_heatmap.ts";
import { localize, LOCALIZE_DEFAULTS } from "./localize.ts";
import type { BackgroundRule } from "./align_centers.ts";
import type { VisualInit } from "./pair_distances.ts";
import type { VisualSpatialOptions } from "./visual_spatial.ts";

/**
 * Our model's heatmaps: each clip is clustered with K_audio = its number of sources (1 when
 * unknown) and K_visual = K_audio + `extraVisualCenters` (default `LOCALIZE_DEFAULTS`' 2, as the
 * default recipe trains); `aligned` is the union of the assignment maps of the visual centers its
 * audio centers align to, `unaligned` the union of the others.
 *
 * For a model trained with one center beyond the sounds (the paper's count), `extraVisualCenters:
 * 2` at localization only lets the frame's background take two centers (e.g. the border and the
 * rest); the largest is still never aligned. Measured with `bench/localization_readout.ts` on
 * Table 2's 64 test scenes, AUC (%) seeds 0 / 1 / 2, 2 against 1, models trained with one extra
 * center: C1 300 steps 27.5 / 29.4 / 27.7 against 26.1 / 27.0 / 19.5; C1 2000 steps 30.2 / 21.3 /
 * 24.8 against 29.3 / 20.9 / 24.4 (on 256 scenes 22.4 against 22.6 for seed 1); C2(C1) 300 + 300
 * steps 24.1 / 25.5 / 25.2 against 28.0 / 23.2 / 25.5: at localization only it helps weak C1
 * models, not those trained on C2. Trained with two (README, "The learning recipe") it helps both.
 *
 * @param model the trained network.
 * @param clips clips to localize.
 * @param which the aligned (sounding) or unaligned (background) centers' maps.
 * @param opts clustering `beta` and `background` rule (see `localize`; default its defaults),
 * and the visual centers beyond the clip's sources (`extraVisualCenters`, integer >= 1, default
 * `LOCALIZE_DEFAULTS`'), the visual clustering's own beta (`visualBeta`, see `localize`), its
 * mean-field grid coupling (`visualCoupling`, see `localize`), where its centers start
 * (`visualInit`, see `localize`), the clustering's spatial priors (`visualSmoothing`,
 * `visualCoordinates`, see `localize`), and the maps' smoothing (`mapSmoothing`, see
 * `localize`; default `MAP_SMOOTHING`).
 * @returns one heatmap per clip on the visual feature grid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { synthWorld } from "@avscene/avscene/data";
 * import { createModel, oursHeatmaps } from "@avscene/avscene/model";
 *
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 0 });
 * const clips = synthWorld({ seed: 0 }).localizationSet(2);
 * // one sound, three visual centers: the aligned map and the union of the other two
 * const maps = await oursHeatmaps(model, clips, "aligned", { extraVisualCenters: 2 });
 * assert.equal(maps.length, 2);
 * assert.equal(maps[0].heatmap.length, maps[0].height * maps[0].width);
 * model.params.dispose();
 * ```
 * @category model
 */
export async function oursHeatmaps(
  model: AVModel,
  clips: readonly AVClip[],
  which: "aligned" | "unaligned",
  opts: {
    beta?: number;
    background?: BackgroundRule;
    extraVisualCenters?: number;
    visualBeta?: number;
    visualCoupling?: number;
    visualInit?: VisualInit;
    iterations?: number;
    distinctAlignment?: boolean;
    mapSmoothing?: number;
  } & VisualSpatialOptions = {},
): Promise<GridHeatmap[]> {
  const extra = opts.extraVisualCenters ?? LOCALIZE_DEFAULTS.extraVisualCenters;
  if (!Number.isInteger(extra) || extra < 1) {
    throw new Error(`oursHeatmaps: extraVisualCenters must be an integer >= 1, got ${extra}`);
  }
  const out: GridHeatmap[] = new Array(clips.length);
  const byCount = new Map<number, number[]>();
  clips.forEach((c, i) => {
    const k = c.count ?? 1;
    byCount.set(k, [...byCount.get(k) ?? [], i]);
  });
  for (const [k, indices] of byCount) {
    for (let i = 0; i < indices.length; i += 32) {
      const part = indices.slice(i, i + 32);
      const maps = await localize(model, part.map((j) => clips[j]), {
        kAudio: k,
        kVisual: k + extra,
        beta: opts.beta,
        background: opts.background,
        visualBeta: opts.visualBeta,
        visualCoupling: opts.visualCoupling,
        visualInit: opts.visualInit,
        iterations: opts.iterations,
        distinctAlignment: opts.distinctAlignment,
        visualSmoothing: opts.visualSmoothing,
        visualCoordinates: opts.visualCoordinates,
        // the union is smoothed, not its parts: the map that is scored is smoothed once
        mapSmoothing: 0,
      });
      maps.forEach((m, j) => {
        const chosen = which === "aligned" ? m.aligned : m.unaligned;
        // every visual center aligned: the background is empty, a flat map
        const heatmap = chosen.length
          ? smoothGridMap(unionOf(chosen), m.height, m.width, opts.mapSmoothing)
          : new Float32Array(m.height * m.width);
        out[part[j]] = { height: m.height, width: m.width, heatmap };
      });
    }
  }
  return out;
}
