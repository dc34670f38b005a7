/**
 * Running the experiments beyond one machine: every experiment is a set of cells (seeds x
 * experiments x methods); a shard computes a deterministic 1/N of them into a shared cache
 * directory, and a merge assembles the results from the cached cells without computing any.
 *
 * Shard `I/N` takes every cell of the I-th of N contiguous groups of seeds: a model is trained
 * per chain and seed, so no two shards ever train (or write) the same model, and N may be at
 * most the number of seeds.
 *
 * @module
 */
import { IncompleteRunError } from "./_run_cache.ts";
import type { CellRef, CellUse, ExperimentResult } from "./experiment.ts";
import type { ExperimentOptions } from "./experiment_options.ts";

/**
 * A runner as the shards call it.
 *
 * @category experiments
 */
export interface ShardRunner {
  /** Experiment name (`"fig3"`, ...). */
  name: string;
  /** The runner (`runFig3`, ...). */
  run: (opts: ExperimentOptions) => Promise<ExperimentResult>;
}

/**
 * One shard of N: `index` in 1..count.
 *
 * @category experiments
 */
export interface Shard {
  /** 1-based shard number. */
  index: number;
  /** Number of shards. */
  count: number;
}

/**
 * Parse a `--shard` value `I/N` (1 <= I <= N).
 *
 * @param text e.g. `"2/3"`.
 * @returns the shard.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShard } from "@avscene/avscene/experiments";
 * assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
 * ```
 * @category experiments
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard must be I/N with 1 <= I <= N (e.g. 2/3), got "${text}"`);
  }
  return { index, count };
}

/**
 * The name of a cell in messages and shard lists: `experiment/cell/s<seed>`.
 *
 * @category experiments
 */
export function cellName(c: CellRef): string {
  return `${c.experiment}/${c.cell}/s${c.seed}`;
}

/**
 * Every cell the runners would compute with these options, in the runners' order: each
 * runner is called with a cell filter that declines every cell, so nothing is trained or
 * computed (cells already cached are read).
 *
 * @param runners the experiments.
 * @param opts the options the shards will run with.
 * @returns the cells.
 * @category experiments
 */
export async function planCells(
  runners: readonly ShardRunner[],
  opts: ExperimentOptions,
): Promise<CellRef[]> {
  const cells: CellRef[] = [];
  for (const r of runners) {
    try {
      await r.run({
        ...opts,
        onProgress: undefined,
        progressBar: false,
        cellFilter: (c) => {
          cells.push(c);
          return false;
        },
      });
    } catch (e) {
      if (!(e instanceof IncompleteRunError)) throw e;
    }
  }
  return cells;
}

/**
 * The cells of one shard: the seeds are cut into `count` contiguous groups whose sizes differ
 * by at most one, and a shard takes every cell (experiments x methods) of its seeds. Cutting by
 * seed keeps every trained model (one per chain and seed) inside one shard, so shards running
 * at the same time never train, or write, the same model.
 *
 * @param cells every cell ({@linkcode planCells}).
 * @param shard which group.
 * @returns the names ({@linkcode cellName}) of the shard's cells.
 * @throws when there are more shards than seeds.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardCells } from "@avscene/avscene/experiments";
 * const cells = [0, 1, 2].flatMap((seed) =>
 *   ["A", "B"].map((cell) => ({ experiment: "x", cell, seed })));
 * assert.deepEqual([...shardCells(cells, { index: 2, count: 3 })], [ "x/A/s1", "x/B/s1" ]);
 * ```
 * @category experiments
 */
export function shardCells(cells: readonly CellRef[], shard: Shard): Set<string> {
  const seeds = [...new Set(cells.map((c) => c.seed))].sort((a, b) => a - b);
  if (shard.count > seeds.length) {
    throw new Error(
      `--shard ${shard.index}/${shard.count}: more shards than seeds (${seeds.length}); shards ` +
        `split the work by seed so that no two train the same model: use at most ` +
        `${seeds.length} shards, or more seeds (--seeds)`,
    );
  }
  const from = Math.floor(((shard.index - 1) * seeds.length) / shard.count);
  const to = Math.floor((shard.index * seeds.length) / shard.count);
  const mine = new Set(seeds.slice(from, to));
  return new Set(cells.filter((c) => mine.has(c.seed)).map(cellName));
}

/**
 * What one shard did.
 *
 * @category experiments
 */
export interface ShardReport {
  /** The shard. */
  shard: Shard;
  /** The shard's cells. */
  assigned: number;
  /** Cells computed by this shard, per experiment. */
  computed: Record<string, string[]>;
  /** The shard's cells found already in the cache, per experiment. */
  reused: Record<string, string[]>;
  /** Experiments whose every cell is now cached (a merge can assemble them). */
  complete: string[];
  /** Seconds spent planning the cells ({@linkcode planCells}) before computing any. */
  planSeconds: number;
}

/**
 * Run one shard: compute the shard's cells (training what they need) into `opts.outDir`,
 * read the rest of its cells from the cache, leave other shards' cells alone.
 *
 * @param runners the experiments.
 * @param opts options shared by every shard (the same `outDir`, scale and seeds).
 * @param shard which shard.
 * @returns what was computed and reused.
 * @category experiments
 */
export async function runShard(
  runners: readonly ShardRunner[],
  opts: ExperimentOptions,
  shard: Shard,
): Promise<ShardReport> {
  if (!opts.outDir) throw new Error("runShard: opts.outDir (the shared cache) is required");
  const planning = performance.now();
  const mine = shardCells(await planCells(runners, opts), shard);
  const report: ShardReport = {
    shard,
    assigned: mine.size,
    computed: {},
    reused: {},
    complete: [],
    planSeconds: (performance.now() - planning) / 1000,
  };
  for (const r of runners) {
    let use: CellUse;
    try {
      use = (await r.run({ ...opts, cellFilter: (c) => mine.has(cellName(c)) })).cells!;
      report.complete.push(r.name);
    } catch (e) {
      if (!(e instanceof IncompleteRunError)) throw e;
      use = e.cells;
    }
    report.computed[r.name] = use.computed;
    report.reused[r.name] = use.reused;
  }
  return report;
}

/**
 * Assemble every experiment's result from the cache alone: no cell is computed, and a missing
 * cell ends the merge with an error naming it (run its shard, or rerun without `--merge`).
 *
 * @param runners the experiments.
 * @param opts the options the shards ran with.
 * @returns the results, in the runners' order.
 * @category experiments
 */
export async function mergeShards(
  runners: readonly ShardRunner[],
  opts: ExperimentOptions,
): Promise<ExperimentResult[]> {
  const out: ExperimentResult[] = [];
  for (const r of runners) {
    try {
      out.push(await r.run({ ...opts, cellFilter: () => false }));
    } catch (e) {
      if (!(e instanceof IncompleteRunError)) throw e;
      throw new Error(
        `merge: ${r.name} is missing ${e.missing.length} cell(s) in ${opts.outDir} (${
          e.missing.slice(0, 6).map(cellName).join(", ")
        }${e.missing.length > 6 ? ", ..." : ""}); run every shard with the same options first`,
      );
    }
  }
  return out;
}
