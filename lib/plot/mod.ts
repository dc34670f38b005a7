/**
 * Plots: generic vega-lite spec builders (training curves, bars beside reference numbers,
 * matrices, images, spectrograms, tables), headless SVG rendering, and Jupyter display helpers
 * (vega-lite MIME bundle with an SVG fallback). Views of experiment results live in the report.
 *
 * @module
 */
export * from "./types.ts";
export * from "./colormap.ts";
export * from "./png_data_uri.ts";
export * from "./image_data_uri.ts";
export * from "./scalar_map_data_uri.ts";
export * from "./training_curves.ts";
export * from "./comparison_bars.ts";
export * from "./scene_image.ts";
export * from "./heatmap_overlay.ts";
export * from "./spectrogram_image.ts";
export * from "./mask_image.ts";
export * from "./confusion_matrix.ts";
export * from "./side_by_side.ts";
export * from "./table_view.ts";
export * from "./summary_rows.ts";
export * from "./results_table.ts";
export * from "./table_html.ts";
export * from "./table_text.ts";
export * from "./escape_html.ts";
export * from "./compile_vega_lite.ts";
export * from "./render_svg.ts";
export * from "./render_png.ts";
export * from "./mime_bundle.ts";
export * from "./display.ts";
export * from "./display_table.ts";
export type { Box, RGBImage } from "../data/types.ts";
