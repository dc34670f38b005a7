/**
 * The `train` command: curriculum training of a preset on the synthetic world or a dataset on
 * disk from the command line (`deno task train --data music:/data/MUSIC --curriculum C2(C1)
 * --out runs/x`).
 *
 * @module
 */
import { describeBackend, initBackend } from "../lib/backend/mod.ts";
import { backendOption, numberOption, parseCommand } from "./_args.ts";
import { type AVModel, createModel } from "../lib/model/create_model.ts";
import type { AlignmentLevel } from "../lib/model/pair_distances.ts";
import { PRESET_NAMES, presetConfig, type PresetName } from "../lib/model/presets.ts";
import { curriculumStages, type StageSpec } from "../lib/train/curriculum.ts";
import { acquireRunLock } from "../lib/io/run_lock.ts";
import { loadCheckpoint, saveModelWeights } from "../lib/train/checkpoint.ts";
import { defaultLearningRate, trainCurriculum } from "../lib/train/train_curriculum.ts";
import { writeFileAtomic } from "../lib/io/write_atomic.ts";
import { RECIPE_NAMES, type RecipeName, resolveRecipe } from "../lib/train/recipe.ts";
import { checkWeightAverageDecay } from "../lib/train/weight_average.ts";
import { unservedNeeds } from "../lib/data/dataset.ts";
import { openDatasets } from "../lib/data/datasets/open_dataset.ts";
import { listenForStop } from "./_stop_signals.ts";

/** The `--help` text of {@linkcode trainCommand}. */
export const TRAIN_HELP = `avscene train: curriculum training on the synthetic world or your data

Usage: deno task train [options]

  --data KIND:PATH       training data: music:DIR | flickr:DIR | audioset:DIR | synthetic[:SEED]
                         (default the synthetic world; repeatable: the first with training
                         clips serves); clips are decoded per batch, and each batch takes a
                         random window of the model's length from each whole clip
  --skip-bad             drop index rows whose media are missing instead of stopping
  --cache-mb N           most MiB of decoded clips kept between batches (default 256)

  --preset NAME          tiny | small | paper (default tiny)
  --curriculum SPEC      stages in order: C1,C2 | C2(C1) | C3,C2 | U (uncurated) (default C1)
  --steps N[,N...]       steps per stage, one number or one per stage (default 200)
  --batch N              clips per batch (default 16)
  --recipe NAME          ours (default: fresh scenes, beta 5, all-batch negatives, the
                         largest visual center never aligned, the softmax loss, two soft
                         K-means iterations, each sound of a clip to a different visual
                         center; see README) | paper (the paper code's recipe, the margin loss)
  --weight-average X     weight averaging: the decay in [0, 1) of a moving average of the
                         weights, restarted at each stage (default 0: none; e.g. 0.99, about
                         the last 100 steps); the trained model (eval) is the average, the
                         checkpoints also hold the online weights a resume continues from
  --dataset-size N       clips drawn per stage when not on fresh scenes (default 256)
  --lr X                 Adam learning rate (default 1e-3 for tiny, else 1e-4 as the paper code)
  --weight-decay X       Adam L2 weight decay (default 1e-4)
  --margin X             margin m of the margin loss (--recipe paper; default 5)
  --alignment LEVEL      source (structural alignment) | scene (K = 1 on pooled features)
  --seed N               model and batch-order seed (default 0)
  --world-seed N         synthetic world seed (default 0; same as --data synthetic:N)
  --init DIR             initialise the weights from this checkpoint (e.g. runs/c1/checkpoints):
                         its online weights (weights.bin; not its average, when that run
                         averaged them), with a fresh Adam state
  --out DIR              output: history.jsonl, config.json, checkpoints/ and, once done,
                         model.bin (the trained weights, float32 in parameter order; the
                         average when averaged) (required; one writer at a time: a second
                         one on the same DIR is refused)
  --checkpoint-every N   steps between checkpoints (default 50)
  --resume               continue the run in --out from its last checkpoint; flags left out
                         take the run's settings (config.json), flags given must match them
  --extend-steps         with --resume and --steps: let the last stage run more steps
  --backend NAME         webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  --quiet                no progress bar
  -h, --help             this text

Ctrl-C (or SIGTERM) stops after the current step with a checkpoint; --resume continues.

MUSIC has solo (C1) and duet (C2) clips; SoundNet-Flickr's counts are unknown (train on U);
AudioSet's level is its number of labels. ESC-50 has no frames: it serves eval, not train.
`;

const TRAIN_OPTIONS = {
  preset: { type: "string" },
  curriculum: { type: "string" },
  steps: { type: "string" },
  batch: { type: "string" },
  "dataset-size": { type: "string" },
  recipe: { type: "string" },
  "weight-average": { type: "string" },
  lr: { type: "string" },
  "weight-decay": { type: "string" },
  margin: { type: "string" },
  alignment: { type: "string" },
  seed: { type: "string" },
  "world-seed": { type: "string" },
  init: { type: "string" },
  out: { type: "string" },
  "checkpoint-every": { type: "string" },
  resume: { type: "boolean", default: false },
  "extend-steps": { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
  data: { type: "string", multiple: true },
  "skip-bad": { type: "boolean", default: false },
  "cache-mb": { type: "string" },
} as const;

/** A run's settings: what `config.json` records and a resume must match. */
interface TrainSettings {
  preset: PresetName;
  curriculum: string;
  /** Steps of each stage. */
  steps: number[];
  seed: number;
  worldSeed: number;
  init: string | null;
  batchSize: number;
  datasetSize: number;
  lr: number;
  weightDecay: number;
  margin: number;
  alignment: AlignmentLevel;
  /** The learning recipe by name. */
  recipe: RecipeName;
  /** The recipe's `weightAverage` decay (0: none; absent from older runs' config.json: 0). */
  weightAverage: number;
  checkpointEvery: number;
  /** The `--data` values (empty: the synthetic world of `worldSeed`). */
  data: string[];
  /** Whether index rows with missing media are dropped. */
  skipBad: boolean;
}

/** The flag of each setting, for messages. */
const FLAGS: Record<keyof TrainSettings, string> = {
  preset: "--preset",
  curriculum: "--curriculum",
  steps: "--steps",
  seed: "--seed",
  worldSeed: "--world-seed",
  init: "--init",
  batchSize: "--batch",
  datasetSize: "--dataset-size",
  lr: "--lr",
  weightDecay: "--weight-decay",
  margin: "--margin",
  alignment: "--alignment",
  recipe: "--recipe",
  weightAverage: "--weight-average",
  checkpointEvery: "--checkpoint-every",
  data: "--data",
  skipBad: "--skip-bad",
};

type TrainValues = NonNullable<ReturnType<typeof parseCommand<typeof TRAIN_OPTIONS>>>;

/** The settings the flags given spell, each checked (nothing is read or written yet). */
function givenSettings(values: TrainValues): Partial<TrainSettings> {
  const num = (
    name: string,
    value: string | undefined,
    check: { integer?: boolean; min?: number },
  ) => value === undefined ? undefined : numberOption("train", name, value, 0, check);
  const given: Partial<TrainSettings> = {};
  if (values.preset !== undefined) {
    if (!(PRESET_NAMES as readonly string[]).includes(values.preset)) {
      throw new Error(
        `train: --preset must be one of ${PRESET_NAMES.join(", ")}, got "${values.preset}"`,
      );
    }
    given.preset = values.preset as PresetName;
  }
  if (values.alignment !== undefined) {
    if (values.alignment !== "source" && values.alignment !== "scene") {
      throw new Error(`train: --alignment must be source or scene, got "${values.alignment}"`);
    }
    given.alignment = values.alignment;
  }
  if (values.recipe !== undefined) {
    if (!(RECIPE_NAMES as readonly string[]).includes(values.recipe)) {
      throw new Error(
        `train: --recipe must be one of ${RECIPE_NAMES.join(", ")}, got "${values.recipe}"`,
      );
    }
    given.recipe = values.recipe as RecipeName;
  }
  if (values.curriculum !== undefined) {
    curriculumStages(values.curriculum, 1); // checks the spelling
    given.curriculum = values.curriculum;
  }
  if (values.steps !== undefined) {
    given.steps = values.steps.split(",").map((s) =>
      numberOption("train", "steps", s, 0, { integer: true, min: 1 })
    );
  }
  const set = <K extends keyof TrainSettings>(key: K, v: TrainSettings[K] | undefined) => {
    if (v !== undefined) given[key] = v;
  };
  set("seed", num("seed", values.seed, { integer: true }));
  set("worldSeed", num("world-seed", values["world-seed"], { integer: true }));
  set("batchSize", num("batch", values.batch, { integer: true, min: 2 }));
  set("datasetSize", num("dataset-size", values["dataset-size"], { integer: true, min: 2 }));
  set("lr", num("lr", values.lr, {}));
  set("weightDecay", num("weight-decay", values["weight-decay"], { min: 0 }));
  set("margin", num("margin", values.margin, {}));
  set("weightAverage", num("weight-average", values["weight-average"], { min: 0 }));
  if (given.weightAverage !== undefined) {
    checkWeightAverageDecay("train: --weight-average", given.weightAverage);
  }
  set(
    "checkpointEvery",
    num("checkpoint-every", values["checkpoint-every"], { integer: true, min: 1 }),
  );
  if (values.init !== undefined) given.init = values.init;
  if (values.data !== undefined) given.data = values.data;
  if (values["skip-bad"]) given.skipBad = true;
  for (const key of ["lr", "margin"] as const) {
    if (given[key] !== undefined && !(given[key]! > 0)) {
      throw new Error(`train: ${FLAGS[key]} must be > 0, got ${given[key]}`);
    }
  }
  return given;
}

/** Defaults for what the flags leave out of a new run, then the checks across settings. */
function completeSettings(given: Partial<TrainSettings>): TrainSettings {
  const preset = given.preset ?? "tiny";
  const settings: TrainSettings = {
    preset,
    curriculum: given.curriculum ?? "C1",
    steps: given.steps ?? [200],
    seed: given.seed ?? 0,
    worldSeed: given.worldSeed ?? 0,
    init: given.init ?? null,
    batchSize: given.batchSize ?? 16,
    datasetSize: given.datasetSize ?? 256,
    lr: given.lr ?? defaultLearningRate(preset),
    weightDecay: given.weightDecay ?? 1e-4,
    margin: given.margin ?? 5,
    alignment: given.alignment ?? "source",
    recipe: given.recipe ?? "ours",
    weightAverage: given.weightAverage ?? 0,
    checkpointEvery: given.checkpointEvery ?? 50,
    data: given.data ?? [],
    skipBad: given.skipBad ?? false,
  };
  stagesOf(settings); // one step count or one per stage
  if (settings.datasetSize < settings.batchSize) {
    throw new Error(
      `train: --dataset-size (${settings.datasetSize}) must be at least --batch (${settings.batchSize})`,
    );
  }
  return settings;
}

function stagesOf(settings: TrainSettings): StageSpec[] {
  const { curriculum, steps } = settings;
  try {
    return curriculumStages(curriculum, steps.length === 1 ? steps[0] : steps);
  } catch (e) {
    throw new Error(`train: --curriculum / --steps: ${(e as Error).message}`);
  }
}

/** The settings of `given` that differ from the run's, as `--flag: run's -> given` lines. */
function differences(run: TrainSettings, given: Partial<TrainSettings>): string[] {
  return (Object.keys(given) as (keyof TrainSettings)[])
    .filter((k) => JSON.stringify(given[k]) !== JSON.stringify(run[k]))
    .map((k) =>
      `${FLAGS[k]}: the run has ${JSON.stringify(run[k])}, given ${JSON.stringify(given[k])}`
    );
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** What an out dir holds. */
interface RunDirState {
  settings: TrainSettings | null;
  backend: string | null;
  checkpoints: boolean;
}

async function runDirState(out: string): Promise<RunDirState> {
  let settings: TrainSettings | null = null, backend: string | null = null;
  try {
    const config = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
    // a run recorded before --weight-average existed averaged no weights
    settings = config.settings ? { weightAverage: 0, ...config.settings } : null;
    backend = config.backend ?? null;
    if (!settings) {
      throw new Error(
        `train: ${out}/config.json records no settings (written by an older version); ` +
          "start a new run in another --out",
      );
    }
  } catch (e) {
    if (e instanceof SyntaxError) throw new Error(`train: ${out}/config.json is not valid JSON`);
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  let checkpoints = false;
  try {
    for await (const entry of Deno.readDir(`${out}/checkpoints`)) {
      if (entry.name === "latest.json" || entry.name.startsWith("ckpt-")) checkpoints = true;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { settings, backend, checkpoints };
}

/**
 * The settings of this invocation from the flags and what `out` holds: a new run, a resume
 * (every flag given must match the run; `--extend-steps` lets the last stage's steps grow), or
 * an error saying why not.
 */
function runSettings(
  out: string,
  values: TrainValues,
  given: Partial<TrainSettings>,
  state: RunDirState,
): { settings: TrainSettings; write: boolean } {
  const hasRun = state.settings !== null || state.checkpoints;
  if (!values.resume) {
    if (hasRun) {
      throw new Error(
        `train: ${out} already holds a run (${
          state.checkpoints ? "checkpoints" : "config.json"
        }); ` +
          "pass --resume to continue it, or choose another --out",
      );
    }
    return { settings: completeSettings(given), write: true };
  }
  if (values.init !== undefined && state.checkpoints) {
    throw new Error(
      `train: --init with --resume: ${out} already has checkpoints, which the run continues ` +
        "from; drop --init",
    );
  }
  if (state.settings === null) {
    if (state.checkpoints) {
      throw new Error(
        `train: --resume: ${out} has checkpoints but no config.json, so its settings cannot be ` +
          "checked; start a new run in another --out",
      );
    }
    if (values.init === undefined) {
      throw new Error(
        `train: --resume: ${out} holds no run (no config.json, no checkpoints); check --out, ` +
          "or drop --resume to start a new run",
      );
    }
    return { settings: completeSettings(given), write: true }; // a fresh run from --init
  }
  const run = state.settings;
  const { steps, ...rest } = given;
  const diffs = differences(run, rest);
  let extended = false;
  if (steps !== undefined && JSON.stringify(steps) !== JSON.stringify(run.steps)) {
    const stages = stagesOf({ ...run, steps }).map((s) => s.steps);
    const runStages = stagesOf(run).map((s) => s.steps);
    const last = runStages.length - 1;
    const grows = stages.length === runStages.length &&
      stages.slice(0, last).every((n, i) => n === runStages[i]) && stages[last] > runStages[last];
    if (!values["extend-steps"] || !grows) {
      diffs.push(
        `--steps: the run has ${JSON.stringify(run.steps)}, given ${JSON.stringify(steps)}` +
          (values["extend-steps"] ? " (--extend-steps lets only the last stage's steps grow)" : ""),
      );
    } else extended = true;
  }
  if (diffs.length > 0) {
    throw new Error(
      `train: --resume with settings that differ from the run in ${out}:\n  ${diffs.join("\n  ")}` +
        "\nresume with the run's settings (flags left out take them), or start a new run in " +
        "another --out",
    );
  }
  if (values["extend-steps"] && !extended) {
    throw new Error("train: --extend-steps needs --steps with more steps in the last stage");
  }
  return { settings: extended ? { ...run, steps: steps! } : run, write: extended };
}

/**
 * Run the `train` command with its command-line arguments (see {@linkcode TRAIN_HELP}).
 * Every option is checked before anything is written; the out dir is locked for this writer;
 * `config.json` records the run's settings once, and a resume must match them. SIGINT or
 * SIGTERM stops after the current step with a checkpoint (a second one stops at once; the
 * checkpoints stay consistent).
 *
 * @param args the arguments after `train`.
 * @returns the exit code: 0 when training finished, 130 when interrupted.
 */
export async function trainCommand(args: string[]): Promise<number> {
  const values = parseCommand({ name: "train", help: TRAIN_HELP, options: TRAIN_OPTIONS }, args);
  if (!values) return 0;
  if (!values.out) throw new Error("train: --out DIR is required (see --help)");
  if (values["extend-steps"] && !values.resume) {
    throw new Error("train: --extend-steps extends a run: it needs --resume");
  }
  const out = values.out;
  const given = givenSettings(values);
  if (!values.resume) completeSettings(given); // every check before the backend or the disk
  if (values.resume && values.init === undefined && !(await exists(out))) {
    throw new Error(
      `train: --resume: ${out} does not exist, so it holds no run; check --out, or drop ` +
        "--resume to start a new run",
    );
  }
  const backend = await initBackend(backendOption(values));
  const created = !(await exists(out));
  const lock = await acquireRunLock(out, `train ${args.join(" ")}`);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) {
      console.error("\nstopping now; the last checkpoint stays (--resume to continue)");
      Deno.removeSync(lock.path);
      Deno.exit(130);
    }
    console.error("\nstopping after the current step (again: at once); --resume to continue");
    abort.abort();
  };
  const stopListening = listenForStop(onSignal);
  let model: AVModel | undefined;
  try {
    const state = await runDirState(out);
    const { settings, write } = runSettings(out, values, given, state);
    const stages = stagesOf(settings);
    // the data is opened and checked before anything is written
    const c = presetConfig(settings.preset);
    const dataset = await openDatasets(
      settings.data.length ? settings.data : [`synthetic:${settings.worldSeed}`],
      {
        sampleRate: c.sampleRate,
        imageSize: c.imageSize,
        seconds: c.duration,
        skipBad: settings.skipBad,
      },
    );
    const why = unservedNeeds(
      dataset,
      { capabilities: ["trainingClips"], levels: stages.map((st) => st.level) },
      `train --curriculum ${settings.curriculum}`,
    );
    if (why) throw new Error(`train: ${why}`);
    const data = dataset as typeof dataset & Required<Pick<typeof dataset, "trainingClips">>;
    if ("summary" in dataset) console.log(dataset.summary);
    model = createModel({ preset: settings.preset, seed: settings.seed });
    // --init continues from that run's online weights (weights.bin), not from its average
    if (settings.init !== null && !state.checkpoints) await loadCheckpoint(settings.init, model);
    // config.json only once the settings, and the --init checkpoint, have proved good
    if (write) {
      await writeFileAtomic(
        `${out}/config.json`,
        JSON.stringify(
          { settings, stages, backend: backend.backend, dataIdentity: dataset.identity },
          null,
          1,
        ) + "\n",
      );
    } else if (state.backend && state.backend !== backend.backend) {
      console.warn(
        `train: the run started on ${state.backend}, resuming on ${backend.backend}: its numbers ` +
          "may differ from an uninterrupted run's",
      );
    }
    console.log(
      `training ${settings.preset} on ${describeBackend()} with ${dataset.name}: ` +
        `${settings.curriculum} -> ${out}`,
    );
    // a model.bin from an earlier completion (before --extend-steps) is not this run's model:
    // gone until this run completes
    await Deno.remove(`${out}/model.bin`).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    const result = await trainCurriculum(model, {
      data,
      stages,
      batchSize: settings.batchSize,
      datasetSize: settings.datasetSize,
      lr: settings.lr,
      weightDecay: settings.weightDecay,
      margin: settings.margin,
      alignment: settings.alignment,
      recipe: settings.weightAverage > 0
        ? { ...resolveRecipe(settings.recipe), weightAverage: settings.weightAverage }
        : settings.recipe,
      checkpointEvery: settings.checkpointEvery,
      cacheBytes: numberOption("train", "cache-mb", values["cache-mb"], 256, { min: 1 }) * 2 ** 20,
      outDir: out,
      resume: values.resume,
      signal: abort.signal,
      progressBar: !values.quiet,
    });
    // the trained model's weights as one file (the weight average when the run averaged them):
    // what `createModel` + `params.fromFlat` load, and the file `loadPretrained` ships
    if (result.completed) await saveModelWeights(`${out}/model.bin`, model, { fsync: true });
    const last = result.history.slice(-10);
    const mean = (f: (h: typeof last[number]) => number) =>
      last.reduce((a, h) => a + f(h), 0) / Math.max(1, last.length);
    console.log(
      `${result.completed ? "done" : "interrupted"}: ${result.steps} steps; last ${last.length} ` +
        `steps: loss ${mean((h) => h.loss).toFixed(4)}, accuracy ${
          mean((h) => h.accuracy).toFixed(3)
        }; checkpoint in ${out}/checkpoints${
          result.completed ? `, the model in ${out}/model.bin` : ""
        }`,
    );
    return result.completed ? 0 : 130;
  } finally {
    stopListening();
    model?.params.dispose();
    await lock.release();
    if (created) await Deno.remove(out).catch(() => {}); // only when left empty (a failed start)
  }
}
