/**
 * Colormaps from a scalar in [0, 1] to 8-bit RGB, used to turn heatmaps, spectrograms and masks
 * into images.
 *
 * @module
 */

/**
 * Names of the colormaps {@linkcode colormap} knows.
 *
 * @category plots
 */
export type ColormapName = "viridis" | "hot" | "gray";

// Ten evenly spaced samples of matplotlib's viridis (as in d3-scale-chromatic), interpolated.
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
];

function clamp01(t: number): number {
  return Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
}

/**
 * Map `t` in [0, 1] (clamped; NaN maps to 0) to an 8-bit RGB colour.
 *
 * @param t the value to colour.
 * @param name `"viridis"` (perceptually uniform), `"hot"` (black-red-yellow-white) or `"gray"`.
 * @returns `[r, g, b]`, each 0..255.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { colormap } from "@avscene/avscene/plot";
 * assert.deepEqual(colormap(1, "gray"), [255, 255, 255]);
 * assert.deepEqual(colormap(0, "gray"), [0, 0, 0]);
 * ```
 * @category plots
 */
export function colormap(t: number, name: ColormapName = "viridis"): [number, number, number] {
  const v = clamp01(t);
  if (name === "gray") {
    const g = Math.round(v * 255);
    return [g, g, g];
  }
  if (name === "hot") {
    return [
      Math.round(clamp01(3 * v) * 255),
      Math.round(clamp01(3 * v - 1) * 255),
      Math.round(clamp01(3 * v - 2) * 255),
    ];
  }
  if (name !== "viridis") throw new RangeError(`colormap: unknown name "${name}"`);
  const x = v * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i], b = VIRIDIS[i + 1];
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}
