import type { RGBImage } from "../data/types.ts";
import { imageDataUri } from "./image_data_uri.ts";
import { imageLayer, picturePosition } from "./_image_layers.ts";
import type { SceneImageOptions } from "./scene_image.ts";
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.ts";

/** The image, an optional overlay picture stretched over it, then outlined, labelled boxes. */
export function pictureSpec(
  image: RGBImage,
  overlayUrl: string | undefined,
  opts: SceneImageOptions,
  caller = "heatmapOverlay",
): VegaLiteSpec {
  const { width: W, height: H } = image;
  const pos = picturePosition(W, H, false, {}, false);
  const dom: [number, number] = [0, W], domY: [number, number] = [0, H];
  const layer: VegaLiteSpec[] = [
    imageLayer(imageDataUri(image), pos, dom, domY, false),
  ];
  if (overlayUrl !== undefined) layer.push(imageLayer(overlayUrl, pos, dom, domY, false));
  const boxes = opts.boxes ?? [];
  if (boxes.length > 0) {
    const values = boxes.map((b, i) => {
      if (!Array.isArray(b) || b.length !== 4) {
        throw new RangeError(`${caller}: opts.boxes[${i}] must be [x0, y0, x1, y1]`);
      }
      return { x: b[0], y: b[1], x2: b[2], y2: b[3], label: opts.boxLabels?.[i] ?? "" };
    });
    layer.push({
      data: { values },
      mark: { type: "rect", fill: null, stroke: "#00e5ff", strokeWidth: 2 },
      encoding: { x: pos.x, x2: { field: "x2" }, y: pos.y, y2: { field: "y2" } },
    });
    if (values.some((v) => v.label !== "")) {
      layer.push({
        data: { values },
        mark: {
          type: "text",
          align: "left",
          baseline: "top",
          dx: 2,
          dy: 2,
          color: "#00e5ff",
          fontWeight: "bold",
        },
        encoding: { x: pos.x, y: pos.y, text: { field: "label" } },
      });
    }
  }
  const width = opts.width ?? 256;
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    width,
    height: Math.round((width * H) / W),
    config: { view: { stroke: null } },
    layer,
  };
}
