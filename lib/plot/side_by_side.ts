/**
 * Put several plots side by side in one figure.
 *
 * @module
 */
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.ts";
import { MAX_FIGURE_WIDTH, wrapPanels } from "./_wrap_panels.ts";

/**
 * Options of {@linkcode sideBySide}.
 *
 * @category plots
 */
export interface SideBySideOptions {
  /** Title over the whole figure. */
  title?: string;
  /**
   * Widest the figure may be, in pixels (default 900, a notebook's output column): plots that
   * would not fit on the row continue on the next one.
   */
  maxWidth?: number;
}

/**
 * Plots side by side (vega-lite `hconcat`), e.g. a frame's aligned and unaligned maps, or a
 * source's spectrogram beside its mask, wrapped into rows (`vconcat`) so that the figure fits
 * `maxWidth`. Each plot keeps its own scales and title; colour scales are shared only when they
 * are the same (one legend for maps normalised alike).
 *
 * @param specs the plots (any specs from this module).
 * @param opts a title over the row.
 * @returns the combined spec.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sideBySide } from "@avscene/avscene/plot";
 * const point = { mark: "point", data: { values: [{ a: 1 }] } };
 * const spec = sideBySide([point, point], { title: "two" });
 * assert.equal((spec.hconcat as unknown[]).length, 2);
 * ```
 * @category plots
 */
export function sideBySide(
  specs: readonly VegaLiteSpec[],
  opts: SideBySideOptions = {},
): VegaLiteSpec {
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new RangeError("sideBySide: specs must be a non-empty array");
  }
  const maxWidth = opts.maxWidth ?? MAX_FIGURE_WIDTH;
  if (!(maxWidth > 0)) {
    throw new RangeError(`sideBySide: opts.maxWidth must be positive, got ${maxWidth}`);
  }
  const panels = specs.map((s, i) => {
    if (!s || typeof s !== "object") throw new TypeError(`sideBySide: specs[${i}] is not a spec`);
    // A sub-plot may not declare its own schema.
    const { $schema: _schema, ...rest } = s;
    return rest;
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    // Pictures with different colour scales (a mask beside a spectrogram in dB) each keep
    // their own legend, in every row; equal scales (heatmaps normalised alike) share one.
    ...wrapPanels(
      panels,
      maxWidth,
      distinctColourScales(panels)
        ? { scale: { color: "independent" }, legend: { color: "independent" } }
        : undefined,
    ),
  };
}

/** Whether the panels' colour encodings differ (title, scale), so each needs its own legend. */
function distinctColourScales(panels: readonly VegaLiteSpec[]): boolean {
  const colours = new Set<string>();
  for (const p of panels) {
    for (const l of (p.layer as VegaLiteSpec[] | undefined) ?? [p]) {
      const c = (l.encoding as Record<string, VegaLiteSpec> | undefined)?.color;
      if (c !== undefined) colours.add(JSON.stringify([c.title, c.scale, c.field]));
    }
  }
  return colours.size > 1;
}
