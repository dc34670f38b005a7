/**
 * The `train` command: curriculum training of a preset on the synthetic world or a dataset on
 * disk from the command line (`deno task train --data music:/data/MUSIC --curriculum C1,C2
 * --out runs/x`).
 *
 * @module
 */
import { describeBackend, initBackend } from "../lib/backend/mod.ts";
import { backendOption, numberOption, parseCommand } from "./_args.ts";
import { createModel } from "../lib/model/create_model.ts";
import { PRESET_NAMES, type PresetName } from "../lib/model/presets.ts";
import { curriculumStages } from "../lib/train/curriculum.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { defaultLearningRate, trainCurriculum } from "../lib/train/train_curriculum.ts";
import { unservedNeeds } from "../lib/data/dataset.ts";
import { openDatasets } from "../lib/data/datasets/open_dataset.ts";
import { writeFileAtomic } from "../lib/io/write_atomic.ts";

/** The `--help` text of {@linkcode trainCommand}. */
export const TRAIN_HELP = `avscene train: curriculum training on the synthetic world or your data

Usage: deno task train [options]

  --data KIND:PATH       training data: music:DIR | flickr:DIR | audioset:DIR | synthetic[:SEED]
                         (default the synthetic world); clips are decoded per batch, and each
                         batch takes a random window of the model's length from each whole clip
  --skip-bad             drop index rows whose media are missing instead of stopping
  --cache-mb N           most MiB of decoded clips kept between batches (default 256)

  --preset NAME          tiny | small | paper (default tiny)
  --curriculum SPEC      stages in order: C1,C2 | C2(C1) | C3,C2 | U (uncurated) (default C1)
  --steps N[,N...]       steps per stage, one number or one per stage (default 200)
  --batch N              clips per batch (default 16)
  --dataset-size N       clips drawn per stage (default 256)
  --lr X                 Adam learning rate (default 1e-3 for tiny, else 1e-4 as the paper code)
  --weight-decay X       Adam L2 weight decay (default 1e-4)
  --margin X             contrastive margin m (default 5)
  --alignment LEVEL      source (structural alignment) | scene (K = 1 on pooled features)
  --seed N               model and batch-order seed (default 0)
  --world-seed N         synthetic world seed (default 0; same as --data synthetic:N)
  --init DIR             initialise the weights from this checkpoint (e.g. runs/c1/checkpoints)
  --out DIR              output: history.jsonl, config.json, checkpoints/ (required)
  --checkpoint-every N   steps between checkpoints (default 50)
  --resume               continue from DIR's last checkpoint
  --backend NAME         webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  --quiet                no progress bar
  -h, --help             this text

MUSIC has solo (C1) and duet (C2) clips; SoundNet-Flickr's counts are unknown (train on U);
AudioSet's level is its number of labels. ESC-50 has no frames: it serves eval, not train.
`;

const TRAIN_OPTIONS = {
  preset: { type: "string", default: "tiny" },
  curriculum: { type: "string", default: "C1" },
  steps: { type: "string", default: "200" },
  batch: { type: "string" },
  "dataset-size": { type: "string" },
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
  data: { type: "string", multiple: true },
  "skip-bad": { type: "boolean", default: false },
  "cache-mb": { type: "string" },
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
    const specs = values.data ??
      [`synthetic:${num("world-seed", values["world-seed"], 0, true)}`];
    const dataset = await openDatasets(specs, {
      sampleRate: c.sampleRate,
      imageSize: c.imageSize,
      seconds: c.duration,
      skipBad: values["skip-bad"],
    });
    const why = unservedNeeds(
      dataset,
      { capabilities: ["trainingClips"], levels: stages.map((st) => st.level) },
      `train --curriculum ${values.curriculum}`,
    );
    if (why) throw new Error(`train: ${why}`);
    const data = dataset as typeof dataset & Required<Pick<typeof dataset, "trainingClips">>;
    if ("summary" in dataset) console.log(dataset.summary);
    const opts = {
      batchSize: num("batch", values.batch, 16, true),
      datasetSize: num("dataset-size", values["dataset-size"], 256, true),
      lr: num("lr", values.lr, defaultLearningRate(preset)),
      weightDecay: num("weight-decay", values["weight-decay"], 1e-4),
      margin: num("margin", values.margin, 5),
      alignment: values.alignment,
      checkpointEvery: num("checkpoint-every", values["checkpoint-every"], 50, true),
      cacheBytes: num("cache-mb", values["cache-mb"], 256) * 1024 * 1024,
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
          data: specs,
          dataIdentity: dataset.identity,
          ...opts,
        },
        null,
        1,
      ) + "\n",
    );
    console.log(
      `training ${preset} on ${describeBackend()} with ${dataset.name}: ${values.curriculum} -> ${values.out}`,
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
