import type { VegaLiteSpec } from "./types.ts";

/** The column width figures must fit (JupyterLab's output area at a 1280-1400 px window). */
export const MAX_FIGURE_WIDTH = 900;

/** Space between concatenated panels (vega-lite's default `spacing`). */
const SPACING = 20;

function hasColourLegend(spec: VegaLiteSpec): boolean {
  const layers = (spec.layer as VegaLiteSpec[] | undefined) ?? [spec];
  return layers.some((l) => {
    const colour = (l.encoding as Record<string, VegaLiteSpec> | undefined)?.color;
    return colour !== undefined && colour.legend !== null && colour.type === "quantitative";
  });
}

/**
 * The width a panel takes on the page, estimated from its spec: its plot width, an axis and its
 * title beside it, and a colour legend when it has one. Nested concatenations add up their rows.
 */
export function estimatedWidth(spec: VegaLiteSpec): number {
  if (Array.isArray(spec.hconcat)) {
    const parts = (spec.hconcat as VegaLiteSpec[]).map(estimatedWidth);
    return parts.reduce((a, b) => a + b, 0) + SPACING * (parts.length - 1);
  }
  if (Array.isArray(spec.vconcat)) {
    return Math.max(...(spec.vconcat as VegaLiteSpec[]).map(estimatedWidth));
  }
  const plot = typeof spec.width === "number" ? spec.width : 200;
  return plot + 60 + (hasColourLegend(spec) ? 90 : 0);
}

/**
 * Lay panels out left to right, starting a new row whenever the next panel would make the row
 * wider than `maxWidth`: one row is an `hconcat`, several are a `vconcat` of `hconcat` rows.
 * `resolve` (vega-lite's scale and legend sharing) applies to the figure and to every row.
 */
export function wrapPanels(
  panels: VegaLiteSpec[],
  maxWidth = MAX_FIGURE_WIDTH,
  resolve?: VegaLiteSpec,
): VegaLiteSpec {
  const rows: VegaLiteSpec[][] = [];
  let used = 0;
  for (const p of panels) {
    const w = estimatedWidth(p);
    const last = rows[rows.length - 1];
    if (last && used + SPACING + w <= maxWidth) {
      last.push(p);
      used += SPACING + w;
    } else {
      rows.push([p]);
      used = w;
    }
  }
  const shared = resolve ? { resolve } : {};
  return rows.length === 1 ? { hconcat: rows[0], ...shared } : {
    vconcat: rows.map((r) => (r.length === 1 ? r[0] : { hconcat: r, ...shared })),
    ...shared,
  };
}
