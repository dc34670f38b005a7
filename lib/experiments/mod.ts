/**
 * The paper's experiments on the synthetic world: their options and scales, the run cache that
 * trains and shares models between them, one runner per figure or table (Fig. 3, Tables 1-3,
 * counting) and the recipe ablations, what each is in words, and the evaluation of a trained
 * checkpoint.
 *
 * @module
 */

export * from "./experiment.ts";
export * from "./experiment_options.ts";
export * from "./registry.ts";
export * from "./run_fig3.ts";
export * from "./run_table1.ts";
export * from "./run_table2.ts";
export * from "./run_counting.ts";
export * from "./run_table3.ts";
export * from "./evaluate_checkpoint.ts";
export * from "./run_ablation.ts";
