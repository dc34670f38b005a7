/**
 * Curriculum training (DESIGN step 5): stages, Adam, atomic checkpoints with exact resume,
 * progress reporting, and separation training.
 *
 * @module
 */
export * from "./adam.ts";
export * from "./curriculum.ts";
export * from "./checkpoint.ts";
export * from "./train_loop.ts";
export * from "./progress_bar.ts";
export * from "./train_curriculum.ts";
export * from "./recipe.ts";
export * from "./train_separation.ts";
export * from "./weight_average.ts";
