/**
 * The paper's experiments on the synthetic world: one registry (`EXPERIMENTS`: name, title,
 * claim, runner, report views), their options and scales, the run cache that trains and shares
 * models between them, one runner per figure or table (Fig. 3, Tables 1-3, counting), the evaluation of a trained checkpoint, the cache's code
 * and data identity, and sharding (a deterministic 1/N of the cells per machine, then a merge).
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
export * from "./cache_identity.ts";
export * from "./shard.ts";
export * from "./run_ablation.ts";
