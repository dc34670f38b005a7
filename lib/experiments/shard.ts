/**
 * Running the experiments beyond one machine: every experiment is a set of cells (seeds x
 * experiments x methods); a shard computes a deterministic 1/N of them into a shared cache
 * directory, and a merge assembles the results from the cached cells without computing any.
 *
 * Shard `I/N` takes the I-th of N contiguous, equally sized blocks of all cells ordered seed
 * by seed (then experiment by experiment, method by method, as the runners ask for them), so
 * with N no larger than the number of seeds the shards share no trained model.
 *
 * @module
 */
import { IncompleteRunError } from "./_run_cache.ts";
import type { CellRef, CellUse, ExperimentResult } from "./experiment.ts";
import type { ExperimentOptions } from "./experiment_options.ts";

/** A runner as the shards call it. */
export interface ShardRunner {
  /** Experiment name (`"fig3"`, ...). */
  name: string;
  /** The runner (`runFig3`, ...). */
  run: (opts: ExperimentOptions) => Promise<ExperimentResult>;
}

/** One shard of N: `index` in 1..count. */
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
 * import { parseShard } from "./shard.ts";
 * console.log(parseShard("2/3")); // { index: 2, count: 3 }
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard must be I/N with 1 <= I <= N (e.g. 2/3), got "${text}"`);
  }
  return { index, count };
}

/** The name of a cell in messages and shard lists: `experiment/cell/s<seed>`. */
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
 * The cells of one shard: all cells ordered by seed (stable: experiments and methods keep the
 * runners' order), cut into `count` contiguous blocks whose sizes differ by at most one.
 *
 * @param cells every cell ({@linkcode planCells}).
 * @param shard which block.
 * @returns the names ({@linkcode cellName}) of the shard's cells.
 * @example
 * ```ts
 * import { shardCells } from "./shard.ts";
 * const cells = [0, 1, 2].flatMap((seed) =>
 *   ["A", "B"].map((cell) => ({ experiment: "x", cell, seed })));
 * console.log([...shardCells(cells, { index: 2, count: 3 })]); // [ "x/A/s1", "x/B/s1" ]
 * ```
 */
export function shardCells(cells: readonly CellRef[], shard: Shard): Set<string> {
  const order = cells.map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.seed - b.c.seed || a.i - b.i)
    .map(({ c }) => cellName(c));
  const unique = [...new Set(order)];
  const from = Math.floor(((shard.index - 1) * unique.length) / shard.count);
  const to = Math.floor((shard.index * unique.length) / shard.count);
  return new Set(unique.slice(from, to));
}

/** What one shard did. */
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
}

/**
 * Run one shard: compute the shard's cells (training what they need) into `opts.outDir`,
 * read the rest of its cells from the cache, leave other shards' cells alone.
 *
 * @param runners the experiments.
 * @param opts options shared by every shard (the same `outDir`, scale and seeds).
 * @param shard which shard.
 * @returns what was computed and reused.
 */
export async function runShard(
  runners: readonly ShardRunner[],
  opts: ExperimentOptions,
  shard: Shard,
): Promise<ShardReport> {
  if (!opts.outDir) throw new Error("runShard: opts.outDir (the shared cache) is required");
  const mine = shardCells(await planCells(runners, opts), shard);
  const report: ShardReport = {
    shard,
    assigned: mine.size,
    computed: {},
    reused: {},
    complete: [],
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
