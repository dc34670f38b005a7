/**
 * Data: the dataset contract, streaming windows, the synthetic audiovisual world, real-dataset
 * loaders and their adapters, and curriculum grading.
 *
 * @module
 */
export * from "./types.ts";
export * from "./dataset.ts";
export * from "./clip_stream.ts";
export * from "./synth_classes.ts";
export * from "./synth_world.ts";
export * from "./grade_curriculum.ts";
export * from "./graded_dataset.ts";
export * from "./loaders/mod.ts";
export * from "./datasets/mod.ts";
