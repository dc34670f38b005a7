/**
 * Data: the synthetic audiovisual world, real-dataset loaders and curriculum grading.
 *
 * @module
 */
export * from "./types.ts";
export * from "./synth_classes.ts";
export * from "./synth_world.ts";
export * from "./grade_curriculum.ts";
export * from "./loaders/mod.ts";
