/**
 * avscene: self-supervised audiovisual scene analysis with curriculum learning
 * (Hu et al., "Heterogeneous Scene Analysis via Self-supervised Audiovisual Learning").
 *
 * @module
 */
export * from "./lib/backend/mod.ts";
export * from "./lib/io/mod.ts";
export * from "./lib/random/mod.ts";
export * from "./kernels/mod.ts";
export * from "./lib/data/mod.ts";
export * from "./lib/model/mod.ts";
export * from "./lib/train/mod.ts";
export * from "./lib/metrics/mod.ts";
export * from "./lib/experiments/mod.ts";
export * from "./lib/baselines/mod.ts";
export * from "./lib/plot/mod.ts";
export * from "./lib/audio/mod.ts";
export * from "./lib/vision/mod.ts";
export * from "./lib/report/mod.ts";
