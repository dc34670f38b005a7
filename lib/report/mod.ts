/**
 * The reproduction report: experiment results turned into a self-contained HTML page (inline
 * SVG plots, tables beside the paper's numbers, each claim checked) and a `results.json`.
 *
 * @module
 */
export * from "./report_section.ts";
export * from "./experiment_sections.ts";
export * from "./run_meta.ts";
export * from "./write_report.ts";
