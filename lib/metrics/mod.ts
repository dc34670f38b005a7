/**
 * The paper's evaluation metrics, pure functions of predictions and ground truth: Senocak's
 * cIoU / AUC for sound localization (consensus map, heatmap upsampling, per-clip cIoU),
 * BSS-eval v3 (SDR / SIR / SAR) for separation, and frozen-feature classification (logistic
 * regression, k-fold accuracy), and the one verdict rule the report's claims are judged by
 * (paired seed differences, 95% t intervals, floors).
 *
 * @module
 * @category metrics
 */

export type { Box } from "../data/types.ts";
export * from "./consensus_map.ts";
export * from "./upsample_heatmap.ts";
export * from "./ciou.ts";
export * from "./clip_cious.ts";
export * from "./localization_scores.ts";
export * from "./object_mass_share.ts";
export * from "./bss_eval.ts";
export * from "./logistic_regression.ts";
export * from "./classify_frozen_features.ts";
export * from "./verdict.ts";
