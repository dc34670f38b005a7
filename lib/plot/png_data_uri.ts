/**
 * Encode pixels as a `data:image/png;base64,...` URI, so images embed in vega-lite specs, SVGs
 * and HTML without any external file.
 *
 * @module
 */
import { encode } from "fast-png";
import { encodeBase64 } from "./_base64.ts";

/**
 * Encode 8-bit RGBA pixels as a PNG data URI.
 *
 * @param rgba pixels, row-major, `width * height * 4` bytes.
 * @param width image width in pixels (positive integer).
 * @param height image height in pixels (positive integer).
 * @returns `data:image/png;base64,...`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pngDataUri } from "@avscene/avscene/plot";
 * const uri = pngDataUri(new Uint8Array([255, 0, 0, 255]), 1, 1);
 * assert.ok(uri.startsWith("data:image/png;base64,iVBORw0KGgo")); // the PNG signature
 * ```
 * @category plots
 */
export function pngDataUri(rgba: Uint8Array, width: number, height: number): string {
  if (!Number.isInteger(width) || width <= 0) {
    throw new RangeError(`pngDataUri: width must be a positive integer, got ${width}`);
  }
  if (!Number.isInteger(height) || height <= 0) {
    throw new RangeError(`pngDataUri: height must be a positive integer, got ${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(
      `pngDataUri: rgba has ${rgba.length} bytes, expected width*height*4 = ${width * height * 4}`,
    );
  }
  const png = encode({ width, height, data: rgba, channels: 4, depth: 8 });
  return `data:image/png;base64,${encodeBase64(png)}`;
}
