import type { VegaLiteSpec } from "./types.ts";

/** Position encodings of a picture occupying data coordinates [0, cols] x [0, rows]. */
export function picturePosition(
  cols: number,
  rows: number,
  yUp: boolean,
  axes: {
    xTitle?: string;
    yTitle?: string;
    xDomain?: [number, number];
    yDomain?: [number, number];
  },
  showAxes: boolean,
): { x: VegaLiteSpec; y: VegaLiteSpec } {
  const xDomain = axes.xDomain ?? [0, cols];
  const yDomain = axes.yDomain ?? [0, rows];
  return {
    x: {
      field: "x",
      type: "quantitative",
      scale: { domain: xDomain, nice: false, zero: false },
      axis: showAxes ? { title: axes.xTitle ?? null, grid: false } : null,
    },
    y: {
      field: "y",
      type: "quantitative",
      scale: { domain: yDomain, nice: false, zero: false, reverse: !yUp },
      axis: showAxes ? { title: axes.yTitle ?? null, grid: false } : null,
    },
  };
}

/** A layer drawing the image at `url` stretched over the whole plot area. */
export function imageLayer(
  url: string,
  pos: { x: VegaLiteSpec; y: VegaLiteSpec },
  xDomain: [number, number],
  yDomain: [number, number],
  yUp: boolean,
  smooth = true,
): VegaLiteSpec {
  return {
    data: {
      values: [{
        url,
        x: xDomain[0],
        x2: xDomain[1],
        y: yUp ? yDomain[1] : yDomain[0],
        y2: yUp ? yDomain[0] : yDomain[1],
      }],
    },
    mark: { type: "image", aspect: false, align: "left", baseline: "top", aria: false, smooth },
    encoding: {
      x: pos.x,
      x2: { field: "x2" },
      y: pos.y,
      y2: { field: "y2" },
      url: { field: "url" },
    },
  };
}
