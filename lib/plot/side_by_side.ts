/**
 * Put several plots side by side in one figure.
 *
 * @module
 */
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.ts";

/** Options of {@linkcode sideBySide}. */
export interface SideBySideOptions {
  /** Title over the whole row. */
  title?: string;
}

/**
 * One row of plots (vega-lite `hconcat`), e.g. a frame's aligned and unaligned maps, or a
 * source's spectrogram beside its mask. Each plot keeps its own scales and title.
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
 */
export function sideBySide(
  specs: readonly VegaLiteSpec[],
  opts: SideBySideOptions = {},
): VegaLiteSpec {
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new RangeError("sideBySide: specs must be a non-empty array");
  }
  const hconcat = specs.map((s, i) => {
    if (!s || typeof s !== "object") throw new TypeError(`sideBySide: specs[${i}] is not a spec`);
    // A sub-plot may not declare its own schema.
    const { $schema: _schema, ...rest } = s;
    return rest;
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    hconcat,
  };
}
