/**
 * avscene: self-supervised audiovisual scene analysis with curriculum learning
 * (Hu et al., "Heterogeneous Scene Analysis via Self-supervised Audiovisual Learning").
 *
 * @module
 */
export * from "./lib/backend/mod.ts";
export * from "./lib/random/mod.ts";
export * from "./kernels/mod.ts";
export * from "./lib/data/mod.ts";
