/**
 * Evaluation protocols: Senocak's cIoU / AUC for sound localization and BSS-eval v3
 * (SDR / SIR / SAR) for separation.
 *
 * @module
 */

export type { Box } from "../data/types.ts";
export * from "./consensus_map.ts";
export * from "./upsample_heatmap.ts";
export * from "./ciou.ts";
export * from "./localization_scores.ts";
export * from "./bss_eval.ts";
export * from "./logistic_regression.ts";
export * from "./classify_frozen_features.ts";
export * from "./experiment.ts";
export * from "./experiment_options.ts";
export * from "./run_fig3.ts";
export * from "./run_table1.ts";
export * from "./run_table2.ts";
export * from "./run_counting.ts";
export * from "./run_table3.ts";
