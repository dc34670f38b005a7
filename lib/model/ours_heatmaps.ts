/**
 * Our model's localization heatmaps on the visual feature grid: the union of the maps of the
 * visual centers aligned to the sounds (or of those no sound aligned to), the protocol of
 * Table 2 and `eval`.
 *
 * @module
 */
import type { AVClip } from "../data/types.ts";
import type { AVModel } from "./create_model.ts";
import { type GridHeatmap, unionOf } from "./grid_heatmap.ts";
import { localize, LOCALIZE_DEFAULTS } from "./localize.ts";
import type { BackgroundRule } from "./align_centers.ts";

/**
 * Our model's heatmaps: each clip is clustered with K_audio = its number of sources (1 when
 * unknown) and K_visual = K_audio + `extraVisualCenters`; `aligned` is the union of the assignment maps of the
 * visual centers its audio centers align to, `unaligned` the union of the others.
 *
 * @param model the trained network.
 * @param clips clips to localize.
 * @param which the aligned (sounding) or unaligned (background) centers' maps.
 * @param opts clustering `beta` and `background` rule (see `localize`; default its defaults),
 * and the visual centers beyond the sounds (`extraVisualCenters`; default `LOCALIZE_DEFAULTS`').
 * @returns one heatmap per clip on the visual feature grid.
 * @category model
 */
export async function oursHeatmaps(
  model: AVModel,
  clips: readonly AVClip[],
  which: "aligned" | "unaligned",
  opts: { beta?: number; background?: BackgroundRule; extraVisualCenters?: number } = {},
): Promise<GridHeatmap[]> {
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
        kVisual: k + (opts.extraVisualCenters ?? LOCALIZE_DEFAULTS.extraVisualCenters),
        beta: opts.beta,
        background: opts.background,
      });
      maps.forEach((m, j) => {
        const chosen = which === "aligned" ? m.aligned : m.unaligned;
        // every visual center aligned: the background is empty, a flat map
        const heatmap = chosen.length ? unionOf(chosen) : new Float32Array(m.height * m.width);
        out[part[j]] = { height: m.height, width: m.width, heatmap };
      });
    }
  }
  return out;
}
