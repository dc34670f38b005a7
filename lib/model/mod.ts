/**
 * The audiovisual model (DESIGN steps 1-4 and 6): audio and visual conv nets, per-position
 * projection, soft K-means content detection, structural alignment, the contrastive loss,
 * sound localization and the counting model.
 *
 * @module
 */
export * from "./presets.ts";
export * from "./param_store.ts";
export * from "./group_norm.ts";
export * from "./conv2d_same.ts";
export * from "./trunk.ts";
export * from "./create_model.ts";
export * from "./pretrained.ts";
export * from "./embed.ts";
export * from "./model_inputs.ts";
export * from "./align_centers.ts";
export * from "./contrastive_loss.ts";
export * from "./pair_distances.ts";
export * from "./localize.ts";
export * from "./grid_heatmap.ts";
export * from "./ours_heatmaps.ts";
export * from "./pooled_features.ts";
export * from "./poisson_regression.ts";
export * from "./counting_model.ts";
export * from "./separation/mod.ts";
export * from "./visual_spatial.ts";
