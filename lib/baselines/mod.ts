/**
 * The paper's baselines. Localization: Random and the centre prior (no network), Attention
 * (Senocak et al., its own loss) and DMC (our trainer with fixed clusters on uncurated data).
 * Separation: NMF-MFCC (no network, with its NMF and k-means building blocks),
 * Sound-of-Pixels, Co-Separation and AV-Mix-Sep (separation networks with their own visual
 * conditioning).
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
