/**
 * The runners' cache and resume machinery.
 *
 * Layout under `outDir`:
 * - `models/<recipe>-s<seed>-<hash>/`: one trained model per distinct recipe (preset, world,
 *   steps, batch and set sizes, learning rate, seed and its chain of stages), written by `trainCurriculum` (checkpoints,
 *   `history.jsonl`) and resumed by it. A chain `C1 -> C2` is the `C1` model plus one more
 *   stage, so every prefix is a model of its own and is shared: the `C1` model serves Fig. 3,
 *   Table 1, Table 2 and counting, `C2(C1)` serves Tables 1 and 2, and `C2`, `C3` start
 *   Fig. 3b's orders. Each stage starts a fresh Adam state, as `trainCurriculum` does between
 *   stages, and continues from its parent's online weights (with weight averaging the parent's
 *   trained model, which the runners evaluate, is the average; its checkpoint's `weights.bin`
 *   holds the online weights), so a chain equals one multi-stage run up to its batch order.
 * - `<experiment>/<cell>-s<seed>.json`: the numbers of one finished (cell, seed), written
 *   atomically with the key of everything that produced them; a rerun whose key matches skips
 *   the cell, a stale one (any key input changed) is recomputed.
 *
 * Every key holds the code identity (a hash of the number-producing sources, see
 * `cache_identity.ts`), the tfjs backend, the preset, the dataset's identity and the run's
 * scale, so a cached number is reused only where the same code on the same backend and data
 * would compute it again. A run may be given a cell filter (`ExperimentOptions.cellFilter`):
 * cells it declines are only read from the cache, and a run missing any of them ends with an
 * {@linkcode IncompleteRunError} after computing the rest (sharding: `reproduce --shard`).
 *
 * Without `outDir` a temporary directory holds the models and is removed at the end.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { requireCapability } from "../data/dataset.ts";
import type { AVModel } from "../model/create_model.ts";
import { createModel } from "../model/create_model.ts";
import type { PresetName } from "../model/presets.ts";
import { latestCheckpoint, loadModel, saveCheckpoint } from "../train/checkpoint.ts";
import { type CurriculumLevel, levelName, type StageSpec } from "../train/curriculum.ts";
import { progressBar, type ProgressDisplay } from "../train/progress_bar.ts";
import { defaultLearningRate, trainCurriculum, type TrainStep } from "../train/train_curriculum.ts";
import type { Recipe } from "../train/recipe.ts";
import { writeFileAtomic } from "../io/write_atomic.ts";
import { fnv1a } from "../random/fnv1a.ts";
import {
  type ExperimentOptions,
  type ExperimentWorld,
  type RecipeStage,
  resolveExperimentOptions,
  type RunBudget,
  type RunScale,
  stageSteps,
} from "./experiment_options.ts";
import type {
  CellRef,
  CellUse,
  ClaimCheck,
  ExperimentResult,
  ResultRow,
  RunProgress,
} from "./experiment.ts";
import { codeIdentity, dataIdentity } from "./cache_identity.ts";

/**
 * A run that left cells to other shards (its cell filter declined them and the cache did not
 * hold them): the cells it could compute are cached, the result is not assembled.
 */
export class IncompleteRunError extends Error {
  /** The cells neither computed here nor found in the cache. */
  readonly missing: CellRef[];
  /** The cells this run computed or reused. */
  readonly cells: CellUse;
  /**
   * @param experiment the experiment's name.
   * @param missing the cells left to other shards.
   * @param cells what this run computed and reused.
   */
  constructor(experiment: string, missing: CellRef[], cells: CellUse) {
    super(
      `${experiment}: ${missing.length} cell(s) not in the cache and not this shard's (${
        missing.slice(0, 4).map((c) => `${c.cell} s${c.seed}`).join(", ")
      }${missing.length > 4 ? ", ..." : ""}); run the other shards, then --merge`,
    );
    this.name = "IncompleteRunError";
    this.missing = missing;
    this.cells = cells;
  }
}

/** A trained model and its whole training history (all stages of its chain). */
export interface TrainedModel {
  /** The model (the caller disposes `model.params`). */
  model: AVModel;
  /** Every step of every stage, `globalStep` counted over the chain. */
  history: TrainStep[];
}

/** A trained model (the average, when the recipe averages weights) and its online weights. */
interface TrainedChain extends TrainedModel {
  /** The online weights, flattened, when the recipe averages them; absent otherwise. */
  onlineWeights?: Float32Array;
}

function stageSlug(s: RecipeStage): string {
  let slug = levelName(s.level);
  if (s.alignment === "scene") slug += "scene";
  if (s.kAudio !== undefined || s.kVisual !== undefined) slug += `k${s.kAudio}v${s.kVisual}`;
  return slug;
}

/** Per-experiment run state: resolved options, cache directories, progress and abort. */
export class RunContext {
  readonly experiment: string;
  readonly world: ExperimentWorld;
  readonly preset: PresetName;
  readonly quick: boolean;
  readonly budget: RunBudget;
  readonly scale: RunScale;
  /**
   * The recipe the curriculum models train with and are keyed by (the default, with the scale's
   * `weightAverage`).
   */
  readonly recipe: Recipe;
  readonly opts: ExperimentOptions;
  readonly started = performance.now();
  #root = "";
  #temporary = false;
  #done = 0;
  #total = 0;
  #bar?: ProgressDisplay;
  #identity: { code: string; backend: string; world: unknown } = {
    code: "",
    backend: "",
    world: "",
  };
  #missing: CellRef[] = [];
  #reused: string[] = [];
  #computed: string[] = [];

  private constructor(experiment: string, opts: ExperimentOptions) {
    const r = resolveExperimentOptions(opts);
    this.experiment = experiment;
    this.world = r.world;
    this.preset = r.preset;
    this.quick = r.quick;
    this.budget = r.budget;
    this.scale = r.scale;
    this.recipe = r.recipe;
    this.opts = opts;
  }

  /** Resolve the options and create the cache directories. */
  static async open(experiment: string, opts: ExperimentOptions): Promise<RunContext> {
    const ctx = new RunContext(experiment, opts);
    if (opts.outDir) {
      ctx.#root = opts.outDir;
    } else {
      ctx.#root = await Deno.makeTempDir({ prefix: `avscene-${experiment}-` });
      ctx.#temporary = true;
    }
    await Deno.mkdir(`${ctx.#root}/${experiment}`, { recursive: true });
    await Deno.mkdir(`${ctx.#root}/models`, { recursive: true });
    ctx.#identity = {
      code: await codeIdentity(),
      backend: tf.getBackend(),
      world: dataIdentity(ctx.world),
    };
    if (opts.progressBar) ctx.#bar = progressBar();
    return ctx;
  }

  /** Seconds since the context opened. */
  get seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /**
   * What every cache key of this run holds: the code identity, the backend and the dataset's
   * identity (see `cache_identity.ts`).
   */
  get identity(): { code: string; backend: string; world: unknown } {
    return { ...this.#identity };
  }

  /** Cells reused from the cache and computed so far. */
  get cellUse(): CellUse {
    return { reused: [...this.#reused], computed: [...this.#computed] };
  }

  /** The fields every experiment's result shares: this run's state with its rows and claims. */
  result(seeds: readonly number[], rows: ResultRow[], claims: ClaimCheck[]): ExperimentResult {
    return {
      experiment: this.experiment,
      quick: this.quick,
      budget: this.budget,
      seeds: [...seeds],
      rows,
      claims,
      seconds: this.seconds,
      paperData: this.world.paperData === true,
      cells: this.cellUse,
    };
  }

  /**
   * Add to the total of progress events: `cells` cells per seed plus the training steps of
   * every distinct stage of `chains` (shared prefixes count once) per seed.
   */
  plan(cells: number, chains: readonly (readonly RecipeStage[])[] = []): void {
    const prefixes = new Map<string, number>();
    for (const chain of chains) {
      for (let n = 1; n <= chain.length; n++) {
        prefixes.set(JSON.stringify(chain.slice(0, n)), stageSteps(this.scale, n - 1));
      }
    }
    const steps = [...prefixes.values()].reduce((a, b) => a + b, 0);
    this.#total += this.scale.seeds.length * (cells + steps);
  }

  /** The last progress event: all done (cached work makes the planned total an upper bound). */
  finish(): void {
    this.#total = this.#done;
    this.progress("finished", 0);
  }

  /** Report `units` more work done under `stage`. */
  progress(stage: string, units = 1): void {
    this.#done += units;
    this.opts.onProgress?.(
      {
        experiment: this.experiment,
        stage,
        done: this.#done,
        total: Math.max(this.#total, this.#done),
      } satisfies RunProgress,
    );
  }

  /** Throw when the run was aborted (a later run with the same `outDir` resumes). */
  checkAborted(): void {
    if (this.opts.signal?.aborted) {
      throw new Error(
        `${this.experiment}: aborted; run again with the same outDir to resume`,
      );
    }
  }

  /**
   * The numbers of one cell: read from its JSON when a previous run with the same key
   * finished it, otherwise computed and saved atomically. When the run's cell filter declines
   * the cell and the cache does not hold it, nothing is computed: it resolves to `undefined`
   * and is recorded as missing, so call {@linkcode RunContext.complete} before reading any
   * cell's value.
   */
  async cell<T>(name: string, seed: number, key: unknown, compute: () => Promise<T>): Promise<T> {
    const path = `${this.#root}/${this.experiment}/${
      name.replace(/[^A-Za-z0-9._-]+/g, "_")
    }-s${seed}.json`;
    const fullKey = JSON.stringify({
      key,
      seed,
      preset: this.preset,
      ...this.#identity,
      scale: { ...this.scale, seeds: undefined },
      recipe: this.recipe, // the trainer's default recipe: a new default is a new result
    });
    const ref: CellRef = { experiment: this.experiment, cell: name, seed };
    const mine = this.opts.cellFilter?.(ref) ?? true;
    try {
      const saved = JSON.parse(await Deno.readTextFile(path));
      if (saved?.key === fullKey) {
        this.#reused.push(`${name} s${seed}`);
        this.progress(`${name} seed ${seed}: cached`);
        return saved.value as T;
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof SyntaxError)) throw e;
    }
    if (!mine) {
      this.#missing.push(ref);
      this.progress(`${name} seed ${seed}: left to another shard`);
      return undefined as T;
    }
    this.checkAborted();
    const value = await compute();
    await writeFileAtomic(path, JSON.stringify({ key: fullKey, value }) + "\n");
    this.#computed.push(`${name} s${seed}`);
    this.progress(`${name} seed ${seed}: done`);
    return value;
  }

  /**
   * The numbers of a cell that does not depend on the seed (a floor, a ceiling, a baseline
   * with neither a network nor randomness): computed once, as the cell of the run's first
   * seed (cached, and sharded, as that seed's), and given to every seed, so that its row
   * still holds one value per seed. Only for computations that read no seed: the value is
   * the same as computing it per seed.
   *
   * @returns one value per seed of the run (the same value; `undefined` entries when the
   * cell was left to another shard, see {@linkcode RunContext.cell}).
   */
  async seedFreeCell<T>(name: string, key: unknown, compute: () => Promise<T>): Promise<T[]> {
    const value = await this.cell(name, this.scale.seeds[0], key, compute);
    return this.scale.seeds.map(() => value);
  }

  /**
   * Throw an {@linkcode IncompleteRunError} when a cell was left to another shard; runners
   * call it after requesting every cell and before assembling rows.
   */
  complete(): void {
    if (this.#missing.length > 0) {
      throw new IncompleteRunError(this.experiment, [...this.#missing], this.cellUse);
    }
  }

  #modelDir(kind: string, chain: readonly RecipeStage[], seed: number): string {
    const key = JSON.stringify({
      kind,
      chain,
      seed,
      preset: this.preset,
      ...this.#identity,
      steps: this.scale.steps,
      firstStageSteps: this.scale.firstStageSteps, // left out of the key when unset
      batchSize: this.scale.batchSize,
      datasetSize: this.scale.datasetSize,
      lr: defaultLearningRate(this.preset), // the trainer's default, which both trainers use
      recipe: this.recipe, // the trainer's default recipe, with the scale's weightAverage
    });
    const slug = chain.map(stageSlug).join(".");
    return `${this.#root}/models/${kind === "curriculum" ? "" : kind + "-"}${slug}-s${seed}-${
      fnv1a(key)
    }`;
  }

  /**
   * The model trained through `chain` (stage i for `stageSteps(scale, i)` steps) from seed
   * `seed`: resumed or loaded from its cache directory, or trained from its longest prefix.
   */
  async trainedModel(chain: readonly RecipeStage[], seed: number): Promise<TrainedModel> {
    const { model, history } = await this.#trainedChain(chain, seed);
    return { model, history };
  }

  /**
   * {@linkcode RunContext.trainedModel}, with the online weights when the recipe averages
   * them: the next stage of a chain continues from those, not from the average the model holds.
   */
  async #trainedChain(chain: readonly RecipeStage[], seed: number): Promise<TrainedChain> {
    if (chain.length === 0) throw new Error("trainedModel: chain is empty");
    const dir = this.#modelDir("curriculum", chain, seed);
    const name = `${chain.map(stageSlug).join("->")} seed ${seed}`;
    let model: AVModel;
    let before: TrainStep[] = [];
    if (await latestCheckpoint(`${dir}/checkpoints`)) {
      model = createModel({ preset: this.preset, seed }); // trainCurriculum resumes its weights
      if (chain.length > 1) before = await this.#history(chain.slice(0, -1), seed);
    } else if (chain.length > 1) {
      const parent = await this.#trainedChain(chain.slice(0, -1), seed);
      model = parent.model;
      before = parent.history;
      // continue from the parent's online weights (what its checkpoint's weights.bin holds and
      // one multi-stage run would go on from), not from its average, the parent's trained model
      if (parent.onlineWeights) model.params.fromFlat(parent.onlineWeights);
    } else {
      model = createModel({ preset: this.preset, seed });
    }
    const last = chain[chain.length - 1];
    const stage: StageSpec = {
      level: last.level,
      steps: stageSteps(this.scale, chain.length - 1),
      kAudio: last.kAudio,
      kVisual: last.kVisual,
    };
    try {
      const result = await trainCurriculum(model, {
        data: requireCapability(this.world, "trainingClips", this.experiment),
        stages: [stage],
        batchSize: this.scale.batchSize,
        datasetSize: this.scale.datasetSize,
        alignment: last.alignment,
        seed: seed * 1000 + chain.length,
        recipe: this.recipe,
        outDir: dir,
        resume: true,
        signal: this.opts.signal,
        progressBar: false,
        onProgress: (p) => {
          this.#bar?.update(p);
          this.progress(`${name}: training`);
        },
      });
      if (!result.completed) this.checkAborted();
      const offset = before.length;
      const history = [
        ...before,
        ...result.history.map((h) => ({
          ...h,
          stage: h.stage + chain.length - 1,
          globalStep: h.globalStep + offset,
        })),
      ];
      return { model, history, onlineWeights: result.onlineWeights };
    } catch (e) {
      model.params.dispose();
      throw e;
    }
  }

  /** The chain's history read from its (finished) directories. */
  async #history(chain: readonly RecipeStage[], seed: number): Promise<TrainStep[]> {
    const out: TrainStep[] = [];
    for (let n = 1; n <= chain.length; n++) {
      const dir = this.#modelDir("curriculum", chain.slice(0, n), seed);
      const text = await Deno.readTextFile(`${dir}/history.jsonl`);
      const offset = out.length;
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const h = JSON.parse(line) as TrainStep;
        out.push({ ...h, stage: n - 1, globalStep: h.globalStep + offset });
      }
    }
    return out;
  }

  /**
   * A model trained by a procedure other than the curriculum trainer (a baseline): loaded from
   * its cache directory when saved there before, otherwise trained by `train` and saved.
   */
  async trainedBaseline(
    kind: string,
    level: CurriculumLevel,
    seed: number,
    train: (model: AVModel, onStep: () => void) => Promise<{ losses: number[] }>,
  ): Promise<{ model: AVModel; losses: number[] }> {
    const dir = this.#modelDir(kind, [{ level }], seed);
    const ckpt = `${dir}/checkpoints`;
    if (await latestCheckpoint(ckpt)) {
      const model = await loadModel(ckpt);
      const losses = JSON.parse(await Deno.readTextFile(`${dir}/losses.json`)) as number[];
      return { model, losses };
    }
    const model = createModel({ preset: this.preset, seed });
    try {
      const { losses } = await train(model, () => this.progress(`${kind} seed ${seed}: training`));
      this.checkAborted();
      await Deno.mkdir(dir, { recursive: true });
      await writeFileAtomic(`${dir}/losses.json`, JSON.stringify(losses));
      await saveCheckpoint(ckpt, { model, step: losses.length });
      return { model, losses };
    } catch (e) {
      model.params.dispose();
      throw e;
    }
  }

  /** Stop the progress bar and remove a temporary cache. */
  async close(): Promise<void> {
    this.#bar?.stop();
    if (this.#temporary) await Deno.remove(this.#root, { recursive: true }).catch(() => {});
  }
}

/** Run `body` with a fresh context, closed afterwards (its temporary cache removed). */
export async function withContext<T>(
  experiment: string,
  opts: ExperimentOptions,
  body: (ctx: RunContext) => Promise<T>,
): Promise<T> {
  const ctx = await RunContext.open(experiment, opts);
  try {
    const result = await body(ctx);
    ctx.finish();
    return result;
  } finally {
    await ctx.close();
  }
}
