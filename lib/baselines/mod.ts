/**
 * Baselines: Random and centre-prior localization and NMF-MFCC separation (no trained network), with their
 * building blocks (NMF, k-means), and the Attention baseline of Senocak et al. written against
 * feature extractors passed in.
 *
 * @module
 */

export * from "./random_localization.ts";
export * from "./centre_prior.ts";
export * from "./mfcc_features.ts";
export * from "./nmf.ts";
export * from "./k_means.ts";
export * from "./nmf_mfcc_separate.ts";
export * from "./attention_baseline.ts";
export * from "./dmc.ts";
export * from "./sound_of_pixels.ts";
export * from "./co_separation.ts";
export * from "./av_mix_sep.ts";
