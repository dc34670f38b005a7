/**
 * The reproduction report: experiment results turned into a self-contained HTML page (inline
 * SVG plots, tables beside the paper's numbers, each claim checked) and a `results.json`, and
 * the views of experiment results the notebooks show (checked claims, run progress, Fig. 3's
 * curves, the counting model's grades).
 *
 * @module
 */
export * from "./report_section.ts";
export * from "./experiment_sections.ts";
export * from "./run_meta.ts";
export * from "./write_report.ts";
export * from "./claims_view.ts";
export * from "./progress_view.ts";
export * from "./curve_runs.ts";
export * from "./grade_sizes.ts";
