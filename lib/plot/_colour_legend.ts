import type { ColormapName } from "./colormap.ts";
import type { VegaLiteSpec } from "./types.ts";

/** The vega colour scale that matches one of our colormaps. */
function colourScale(name: ColormapName, domain: [number, number]): VegaLiteSpec {
  if (name === "viridis") return { domain, scheme: "viridis" };
  if (name === "gray") return { domain, range: ["black", "white"] };
  return { domain, range: ["black", "red", "yellow", "white"] };
}

/**
 * An invisible layer whose only effect is a colour-scale legend beside a picture drawn with
 * `colormap`: a gradient from `domain[0]` to `domain[1]` titled `title`, as tall as the picture.
 */
export function colourLegendLayer(
  name: ColormapName,
  domain: [number, number],
  title: string,
  length: number,
): VegaLiteSpec {
  return {
    data: { values: [{ legendValue: domain[0] }, { legendValue: domain[1] }] },
    mark: { type: "point", opacity: 0, aria: false },
    encoding: {
      color: {
        field: "legendValue",
        type: "quantitative",
        title,
        scale: colourScale(name, domain),
        legend: { gradientLength: Math.max(40, Math.round(length)), titleOrient: "top" },
      },
    },
  };
}
