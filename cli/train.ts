/**
 * The `train` command: curriculum training of a preset on the synthetic world from the
 * command line (`deno task train --preset tiny --curriculum C1,C2 --out runs/x`).
 *
 * @module
 */
import { describeBackend, initBackend } from "../lib/backend/mod.ts";
import { backendOption, numberOption, parseCommand } from "./_args.ts";
import { createModel } from "../lib/model/create_model.ts";
import { PRESET_NAMES, type PresetName } from "../lib/model/presets.ts";
import { curriculumStages } from "../lib/train/curriculum.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import {
  type CurriculumData,
  defaultLearningRate,
  trainCurriculum,
} from "../lib/train/train_curriculum.ts";
import { writeFileAtomic } from "../lib/io/write_atomic.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { RECIPE_NAMES, type RecipeName } from "../lib/train/recipe.ts";

/** The `--help` text of {@linkcode trainCommand}. */
export const TRAIN_HELP = `avscene train: curriculum training on the synthetic world

Usage: deno task train [options]

  --preset NAME          tiny | small | paper (default tiny)
  --curriculum SPEC      stages in order: C1,C2 | C2(C1) | C3,C2 | U (uncurated) (default C1)
  --steps N[,N...]       steps per stage, one number or one per stage (default 200)
  --batch N              clips per batch (default 16)
  --recipe NAME          ours (default: fresh scenes, beta 5, all-batch negatives; see
                         README) | paper (the paper code's recipe)
  --dataset-size N       clips drawn per stage when not on fresh scenes (default 256)
  --lr X                 Adam learning rate (default 1e-3 for tiny, else 1e-4 as the paper code)
  --weight-decay X       Adam L2 weight decay (default 1e-4)
  --margin X             contrastive margin m (default 5)
  --alignment LEVEL      source (structural alignment) | scene (K = 1 on pooled features)
  --seed N               model and batch-order seed (default 0)
  --world-seed N         synthetic world seed (default 0)
  --init DIR             initialise the weights from this checkpoint (e.g. runs/c1/checkpoints)
  --out DIR              output: history.jsonl, config.json, checkpoints/ (required)
  --checkpoint-every N   steps between checkpoints (default 50)
  --resume               continue from DIR's last checkpoint
  --backend NAME         webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  --quiet                no progress bar
  -h, --help             this text
`;

const TRAIN_OPTIONS = {
  preset: { type: "string", default: "tiny" },
  curriculum: { type: "string", default: "C1" },
  steps: { type: "string", default: "200" },
  batch: { type: "string" },
  "dataset-size": { type: "string" },
  recipe: { type: "string", default: "ours" },
  lr: { type: "string" },
  "weight-decay": { type: "string" },
  margin: { type: "string" },
  alignment: { type: "string", default: "source" },
  seed: { type: "string" },
  "world-seed": { type: "string" },
  init: { type: "string" },
  out: { type: "string" },
  "checkpoint-every": { type: "string" },
  resume: { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
} as const;

/**
 * Run the `train` command with its command-line arguments (see {@linkcode TRAIN_HELP}).
 *
 * @param args the arguments after `train`.
 */
export async function trainCommand(args: string[]): Promise<void> {
  const values = parseCommand({ name: "train", help: TRAIN_HELP, options: TRAIN_OPTIONS }, args);
  if (!values) return;
  const num = (name: string, value: string | undefined, fallback: number, integer = false) =>
    numberOption("train", name, value, fallback, { integer });
  if (!values.out) throw new Error("train: --out DIR is required (see --help)");
  const preset = values.preset as PresetName;
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
    throw new Error(`train: --preset must be one of ${PRESET_NAMES.join(", ")}, got "${preset}"`);
  }
  if (!(RECIPE_NAMES as readonly string[]).includes(values.recipe)) {
    throw new Error(
      `train: --recipe must be one of ${RECIPE_NAMES.join(", ")}, got "${values.recipe}"`,
    );
  }
  const recipe = values.recipe as RecipeName;
  if (values.alignment !== "source" && values.alignment !== "scene") {
    throw new Error(`train: --alignment must be source or scene, got "${values.alignment}"`);
  }
  const steps = values.steps.split(",").map((s) => num("steps", s, 0, true));
  const stages = curriculumStages(values.curriculum, steps.length === 1 ? steps[0] : steps);
  const seed = num("seed", values.seed, 0, true);
  const backend = await initBackend(backendOption(values));
  const model = createModel({ preset, seed });
  try {
    if (values.init && !values.resume) await loadCheckpoint(values.init, model);
    const c = model.config;
    const data: CurriculumData = synthWorld({
      seed: num("world-seed", values["world-seed"], 0, true),
      imageSize: c.imageSize,
      sampleRate: c.sampleRate,
      duration: c.duration,
    });
    const opts = {
      batchSize: num("batch", values.batch, 16, true),
      datasetSize: num("dataset-size", values["dataset-size"], 256, true),
      lr: num("lr", values.lr, defaultLearningRate(preset)),
      weightDecay: num("weight-decay", values["weight-decay"], 1e-4),
      margin: num("margin", values.margin, 5),
      alignment: values.alignment,
      recipe,
      checkpointEvery: num("checkpoint-every", values["checkpoint-every"], 50, true),
    } as const;
    await Deno.mkdir(values.out, { recursive: true });
    await writeFileAtomic(
      `${values.out}/config.json`,
      JSON.stringify(
        {
          preset,
          curriculum: values.curriculum,
          stages,
          seed,
          init: values.init,
          backend: backend.backend,
          ...opts,
        },
        null,
        1,
      ) + "\n",
    );
    console.log(
      `training ${preset} on ${describeBackend()}: ${values.curriculum} -> ${values.out}`,
    );
    const result = await trainCurriculum(model, {
      ...opts,
      data,
      stages,
      outDir: values.out,
      resume: values.resume,
      progressBar: !values.quiet,
    });
    const last = result.history.slice(-10);
    const mean = (f: (h: typeof last[number]) => number) =>
      last.reduce((a, h) => a + f(h), 0) / last.length;
    console.log(
      `done: ${result.steps} steps; last ${last.length} steps: loss ${
        mean((h) => h.loss).toFixed(4)
      }, ` +
        `accuracy ${mean((h) => h.accuracy).toFixed(3)}; checkpoint in ${values.out}/checkpoints`,
    );
  } finally {
    model.params.dispose();
  }
}
