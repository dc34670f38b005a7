/**
 * Turn an {@linkcode RGBImage} into a PNG data URI.
 *
 * @module
 */
import type { RGBImage } from "../data/types.ts";
import { pngDataUri } from "./png_data_uri.ts";

/**
 * Encode an RGB image (`[height, width, 3]`, values in [0, 1], clamped) as a PNG data URI.
 *
 * @param image the image.
 * @returns `data:image/png;base64,...`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageDataUri } from "@avscene/avscene/plot";
 * const uri = imageDataUri({ data: new Float32Array([1, 0, 0]), height: 1, width: 1 });
 * assert.ok(uri.startsWith("data:image/png;base64,"));
 * ```
 * @category plots
 */
export function imageDataUri(image: RGBImage): string {
  const { data, height, width } = image;
  if (data.length !== height * width * 3) {
    throw new RangeError(
      `imageDataUri: image.data has ${data.length} values, expected height*width*3 = ${
        height * width * 3
      }`,
    );
  }
  const rgba = new Uint8Array(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) {
      const v = data[p * 3 + c];
      rgba[p * 4 + c] = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 255) : 0;
    }
    rgba[p * 4 + 3] = 255;
  }
  return pngDataUri(rgba, width, height);
}
