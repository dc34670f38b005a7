/**
 * Checkpoints: model weights, optimiser state, trainer position and history, saved to a
 * directory atomically and loaded with checks (preset, parameter shapes, file sizes, hashes).
 *
 * Layout: `<dir>/latest.json` names the newest complete `<dir>/ckpt-<step>/`, which holds
 * `manifest.json`, `weights.bin` (float32, parameters in creation order), `optimizer.bin`
 * (float32 first then second Adam moments), `trainer.json` and, for a run that averages its
 * weights (a recipe's `weightAverage`), `average.bin` (float32, the raw moving average in
 * parameter order; `weights.bin` keeps the online weights the run continues from). A
 * checkpoint is written to a temporary directory `.tmp-ckpt-*`, its files and the directory
 * flushed to disk (fsync), renamed into place, and only then does `latest.json` (itself written
 * atomically and flushed) point at it. The previous checkpoint is kept as well, so that a
 * damaged latest one has a fallback ({@linkcode loadLatestCheckpoint}); temporary directories a
 * killed writer left behind are removed by {@linkcode removeStaleCheckpointTemps}.
 *
 * @module
 */
import type { AVModel } from "../model/create_model.ts";
import { createModel } from "../model/create_model.ts";
import type { ModelConfig } from "../model/presets.ts";
import type { ParamSpec, ParamStore } from "../model/param_store.ts";
import type { Adam } from "./adam.ts";
import { correctedAverage, type WeightAverage, type WeightAverageState } from "./weight_average.ts";
import { fnv1a } from "../random/fnv1a.ts";
import {
  fsyncDir,
  type WriteAtomicOptions,
  writeFileAtomic,
  writeFileSynced,
} from "../io/write_atomic.ts";

/**
 * The format tag of a checkpoint manifest.
 *
 * @category training
 */
export const CHECKPOINT_FORMAT = "avscene-checkpoint-v1";

/**
 * What a checkpoint saves and restores: any network with a configuration naming its preset, the
 * seed it was created with and its parameters (`AVModel`, `SeparationModel`).
 * @category training
 */
export interface Checkpointable {
  /** The configuration, recorded in the manifest; its `preset` is checked on load. */
  readonly config: { readonly preset: string };
  /** The seed of the initial weights. */
  readonly seed: number;
  /** The parameters saved and restored, checked by name and shape on load. */
  readonly params: ParamStore;
}

/**
 * What `manifest.json` records.
 *
 * @category training
 */
export interface CheckpointManifest {
  /** Always {@linkcode CHECKPOINT_FORMAT}. */
  format: string;
  /** The network's configuration (its `preset` included). */
  config: { preset: string } & Record<string, unknown>;
  /** The seed the model was created with. */
  seed: number;
  /** Parameter names and shapes, in the order of `weights.bin`. */
  params: ParamSpec[];
  /** Byte length and FNV-1a hash of each binary file. */
  files: Record<string, { bytes: number; fnv1a: string }>;
  /** Adam's step count (absent when no optimiser state was saved). */
  optimizerStep?: number;
  /** Global training step the checkpoint was taken at. */
  step: number;
  /**
   * The weight average's decay and update count (absent when the run averages no weights;
   * then there is no `average.bin`).
   */
  average?: { decay: number; step: number };
}

/**
 * A checkpoint that is intact but does not fit the network it is loaded into (another preset,
 * other parameter names or shapes).
 * @category training
 */
export class CheckpointMismatchError extends Error {
  /**
   * A checkpoint mismatch error.
   *
   * @param message What does not match, naming the checkpoint.
   */
  constructor(message: string) {
    super(message);
    this.name = "CheckpointMismatchError";
  }
}

/**
 * What {@linkcode saveCheckpoint} stores.
 *
 * @category training
 */
export interface CheckpointContents {
  /** The network whose weights are saved. */
  model: Checkpointable;
  /** The optimiser whose state is saved, if any. */
  optimizer?: Adam;
  /** The weight average whose state is saved (`average.bin`), if any. */
  average?: WeightAverage;
  /** The trainer's position and history: any JSON value. */
  trainer?: unknown;
  /** Global step (names the directory). */
  step: number;
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const TMP_PREFIX = ".tmp-ckpt-";

/**
 * Save a checkpoint atomically into `dir` (created if needed) and point `latest.json` at it.
 * Files and directories are flushed to disk before each rename. Of the other checkpoints, the
 * newest one of a lower step is kept as the fallback; the rest are removed once the new one
 * is in place.
 *
 * @param dir the checkpoint directory.
 * @param contents network, optimiser, trainer state and step.
 * @returns the path of the new checkpoint's directory.
 * @category training
 */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const name = `ckpt-${String(contents.step).padStart(8, "0")}`;
  const tmp = `${dir}/${TMP_PREFIX}${String(contents.step).padStart(8, "0")}-${
    crypto.randomUUID().slice(0, 8)
  }`;
  await Deno.mkdir(tmp);
  try {
    const files: CheckpointManifest["files"] = {};
    const write = async (file: string, data: Uint8Array) => {
      await writeFileSynced(`${tmp}/${file}`, data);
      files[file] = { bytes: data.byteLength, fnv1a: fnv1a(data) };
    };
    await write("weights.bin", bytesOf(await contents.model.params.toFlat()));
    let optimizerStep: number | undefined;
    if (contents.optimizer) {
      const st = await contents.optimizer.getState();
      const both = new Float32Array(st.m.length * 2);
      both.set(st.m, 0);
      both.set(st.v, st.m.length);
      await write("optimizer.bin", bytesOf(both));
      optimizerStep = st.step;
    }
    let average: CheckpointManifest["average"];
    if (contents.average) {
      const st = await contents.average.getState();
      await write("average.bin", bytesOf(st.average));
      average = { decay: contents.average.decay, step: st.step };
    }
    await write("trainer.json", new TextEncoder().encode(JSON.stringify(contents.trainer ?? null)));
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      config: { ...contents.model.config },
      seed: contents.model.seed,
      params: contents.model.params.specs(),
      files,
      optimizerStep,
      step: contents.step,
      ...(average ? { average } : {}),
    };
    await writeFileSynced(`${tmp}/manifest.json`, JSON.stringify(manifest, null, 1));
    await fsyncDir(tmp);
    await Deno.remove(`${dir}/${name}`, { recursive: true }).catch(() => {});
    await Deno.rename(tmp, `${dir}/${name}`);
    await fsyncDir(dir);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  await writeFileAtomic(`${dir}/latest.json`, JSON.stringify({ checkpoint: name }) + "\n", {
    fsync: true,
  });
  // keep the newest older checkpoint as the fallback; newer ones belong to an abandoned
  // future (a resume fell back past them) and the rest are superseded
  const previous = (await _checkpointNames(dir)).find((n) => n < name);
  for (const old of await _checkpointNames(dir)) {
    if (old !== name && old !== previous) {
      await Deno.remove(`${dir}/${old}`, { recursive: true }).catch(() => {});
    }
  }
  return `${dir}/${name}`;
}

/**
 * Remove what a killed writer left in a checkpoint directory: `.tmp-ckpt-*` directories and
 * temporary `latest.json` files. Call it when a run starts (with the run's lock held, so that
 * no other writer is mid-save).
 *
 * @param dir a checkpoint directory (missing is fine).
 * @returns the names removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeStaleCheckpointTemps } from "@avscene/avscene/train";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/.tmp-ckpt-00000050-1a2b3c4d`);
 * assert.deepEqual(await removeStaleCheckpointTemps(dir), [ ".tmp-ckpt-00000050-1a2b3c4d" ]);
 * ```
 * @category training
 */
export async function removeStaleCheckpointTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(TMP_PREFIX) || entry.name.startsWith("latest.json.tmp-")) {
        await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
        removed.push(entry.name);
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return removed.sort();
}

/** The `ckpt-*` directories of `dir`, newest (highest step) first. */
async function _checkpointNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory && /^ckpt-\d+$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort().reverse();
}

/** The checkpoint `latest.json` names, or `null` when there is no `latest.json`. */
async function _latestName(dir: string): Promise<string | null> {
  const path = await latestCheckpoint(dir);
  return path === null ? null : path.slice(dir.length + 1);
}

/**
 * The directory of the newest checkpoint in `dir`, or `null` when there is none.
 *
 * @param dir a checkpoint directory.
 * @returns the path of the newest checkpoint, or `null`.
 * @category training
 */
export async function latestCheckpoint(dir: string): Promise<string | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/latest.json`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  let parsed: { checkpoint?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`checkpoint: ${dir}/latest.json is not valid JSON (truncated?)`);
  }
  if (typeof parsed.checkpoint !== "string") {
    throw new Error(`checkpoint: ${dir}/latest.json does not name a checkpoint`);
  }
  return `${dir}/${parsed.checkpoint}`;
}

async function readChecked(path: string, expect: { bytes: number; fnv1a: string }) {
  const data = await Deno.readFile(path);
  if (data.byteLength !== expect.bytes) {
    throw new Error(
      `checkpoint: ${path} has ${data.byteLength} bytes, the manifest says ${expect.bytes} (truncated or corrupt)`,
    );
  }
  if (fnv1a(data) !== expect.fnv1a) {
    throw new Error(`checkpoint: ${path} does not match its hash in the manifest (corrupt)`);
  }
  return data;
}

function floats(data: Uint8Array): Float32Array {
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return new Float32Array(copy.buffer);
}

/**
 * Read and validate the manifest of a checkpoint (a `ckpt-*` directory or a directory with
 * `latest.json`).
 *
 * @param path a checkpoint, or a directory whose `latest.json` names one.
 * @returns the manifest and the checkpoint's resolved directory.
 * @category training
 */
export async function readCheckpointManifest(
  path: string,
): Promise<{ manifest: CheckpointManifest; dir: string }> {
  const dir = (await latestCheckpoint(path)) ?? path;
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/manifest.json`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`checkpoint: no checkpoint at ${path} (no ${dir}/manifest.json)`);
    }
    throw e;
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new Error(`checkpoint: ${dir}/manifest.json is not valid JSON (truncated?)`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `checkpoint: ${dir}/manifest.json has format ${manifest.format}, expected ${CHECKPOINT_FORMAT}`,
    );
  }
  return { manifest, dir };
}

/**
 * Load a checkpoint into an existing model (and optimiser): the model must have the
 * checkpoint's preset and parameter shapes; every file is checked against its size and hash.
 *
 * @param path a checkpoint, or a directory whose `latest.json` names one.
 * @param model the model to overwrite.
 * @param optimizer the optimiser to restore, if any (the checkpoint must then hold its state).
 * @returns the trainer state saved with it, the global step and, when the checkpoint holds
 *   one, the weight average's decay and state (to restore into a `WeightAverage`; the model
 *   gets the online weights).
 * @category training
 */
export async function loadCheckpoint(
  path: string,
  model: Checkpointable,
  optimizer?: Adam,
): Promise<{ trainer: unknown; step: number; average?: SavedWeightAverage }> {
  const { manifest, dir } = await readCheckpointManifest(path);
  if (manifest.config.preset !== model.config.preset) {
    throw new CheckpointMismatchError(
      `checkpoint: ${dir} holds a "${manifest.config.preset}" model, cannot load it into a "${model.config.preset}" model`,
    );
  }
  const specs = model.params.specs();
  const same = specs.length === manifest.params.length &&
    specs.every((s, i) =>
      s.name === manifest.params[i].name &&
      s.shape.join("x") === manifest.params[i].shape.join("x")
    );
  if (!same) {
    throw new CheckpointMismatchError(
      `checkpoint: ${dir} has different parameters than the model (another configuration of preset "${model.config.preset}")`,
    );
  }
  const weights = manifest.files["weights.bin"];
  if (!weights) throw new Error(`checkpoint: ${dir}/manifest.json lists no weights.bin`);
  const flat = floats(await readChecked(`${dir}/weights.bin`, weights));
  let optState: { step: number; m: Float32Array; v: Float32Array } | undefined;
  if (optimizer) {
    const entry = manifest.files["optimizer.bin"];
    if (!entry || manifest.optimizerStep === undefined) {
      throw new Error(`checkpoint: ${dir} holds no optimiser state`);
    }
    const both = floats(await readChecked(`${dir}/optimizer.bin`, entry));
    const n = both.length / 2;
    optState = { step: manifest.optimizerStep, m: both.slice(0, n), v: both.slice(n) };
  }
  const average = await _readAverage(manifest, dir, flat.length);
  const trainerEntry = manifest.files["trainer.json"];
  const trainer = trainerEntry
    ? JSON.parse(new TextDecoder().decode(await readChecked(`${dir}/trainer.json`, trainerEntry)))
    : null;
  model.params.fromFlat(flat);
  if (optimizer && optState) optimizer.setState(optState);
  return { trainer, step: manifest.step, ...(average ? { average } : {}) };
}

/**
 * A checkpoint's weight average: its decay and the state to restore.
 *
 * @category training
 */
export interface SavedWeightAverage extends WeightAverageState {
  /** The decay it was averaged with. */
  decay: number;
}

/** The checkpoint's `average.bin`, checked, or undefined when it holds none. */
async function _readAverage(
  manifest: CheckpointManifest,
  dir: string,
  size: number,
): Promise<SavedWeightAverage | undefined> {
  if (manifest.average === undefined) return undefined;
  const entry = manifest.files["average.bin"];
  if (!entry) throw new Error(`checkpoint: ${dir}/manifest.json lists no average.bin`);
  const average = floats(await readChecked(`${dir}/average.bin`, entry));
  if (average.length !== size) {
    throw new Error(
      `checkpoint: ${dir}/average.bin has ${average.length} values, expected ${size}`,
    );
  }
  return { decay: manifest.average.decay, step: manifest.average.step, average };
}

/**
 * Write a model's weights as one file, atomically: float32, parameters in creation order (as
 * `ParamStore.toFlat`), the format of the shipped pretrained weights, of `train`'s `model.bin`
 * and of the ablation's weights files; `params.fromFlat` on a model of the same preset loads it.
 *
 * @param path the file to write.
 * @param model the model whose current weights are written.
 * @param opts `fsync`: also flush the file and its directory to disk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { createModel } from "@avscene/avscene/model";
 * import { saveModelWeights } from "@avscene/avscene/train";
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 1 });
 * const path = `${await Deno.makeTempDir()}/model.bin`;
 * await saveModelWeights(path, model);
 * const flat = await model.params.toFlat();
 * assert.deepEqual(new Float32Array((await Deno.readFile(path)).buffer), flat);
 * model.params.dispose();
 * ```
 * @category training
 */
export async function saveModelWeights(
  path: string,
  model: AVModel,
  opts: WriteAtomicOptions = {},
): Promise<void> {
  await writeFileAtomic(path, bytesOf(await model.params.toFlat()), opts);
}

/**
 * Create a model from a checkpoint: its configuration and seed, then its saved weights: the
 * weight average when the run averaged its weights (a recipe's `weightAverage`: the trained
 * model is the average), else the weights themselves.
 *
 * @param path a checkpoint, or a directory whose `latest.json` names one.
 * @returns the restored model.
 * @category training
 */
export async function loadModel(path: string): Promise<AVModel> {
  const { manifest } = await readCheckpointManifest(path);
  const { preset, ...rest } = manifest.config as unknown as ModelConfig;
  const model = createModel({ preset, seed: manifest.seed, config: rest });
  try {
    const { average } = await loadCheckpoint(path, model);
    if (average) model.params.fromFlat(correctedAverage(average, average.decay));
  } catch (e) {
    model.params.dispose();
    throw e;
  }
  return model;
}

/**
 * What {@linkcode loadLatestCheckpoint} restored.
 *
 * @category training
 */
export interface RestoredCheckpoint {
  /** The trainer state saved with it. */
  trainer: unknown;
  /** Its global step. */
  step: number;
  /** The checkpoint directory used. */
  path: string;
  /** Why newer checkpoints were passed over (empty when the latest one loaded). */
  skipped: string[];
  /** The weight average it holds, if any (see {@linkcode loadCheckpoint}). */
  average?: SavedWeightAverage;
}

/**
 * Restore the newest loadable checkpoint of `dir` for a resume: the one `latest.json` names,
 * or, when it (or `latest.json`) is damaged, the newest older one that loads, with a warning
 * naming what was skipped and why. Nothing is loaded into the network from a damaged
 * checkpoint (every file is checked before any weight is overwritten).
 *
 * @param dir a checkpoint directory (`<outDir>/checkpoints`).
 * @param model the network to overwrite.
 * @param optimizer the optimiser to restore, if any.
 * @param warn where the fallback is reported (default `console.warn`).
 * @returns what was restored, or `null` when `dir` holds no checkpoint at all.
 * @throws Error listing every checkpoint's problem when none loads; a network of another
 *   preset or shape is an error at once (an older checkpoint would not fit either).
 * @category training
 */
export async function loadLatestCheckpoint(
  dir: string,
  model: Checkpointable,
  optimizer?: Adam,
  warn: (message: string) => void = console.warn,
): Promise<RestoredCheckpoint | null> {
  let names: string[];
  try {
    names = await _checkpointNames(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const skipped: string[] = [];
  let latest: string | null = null;
  try {
    latest = await _latestName(dir);
  } catch (e) {
    skipped.push((e as Error).message);
  }
  if (latest === null && names.length === 0 && skipped.length === 0) return null;
  // latest.json's choice first, then the others newest first
  const order = latest === null ? names : [latest, ...names.filter((n) => n !== latest)];
  for (const name of order) {
    const path = `${dir}/${name}`;
    try {
      const { trainer, step, average } = await loadCheckpoint(path, model, optimizer);
      if (skipped.length > 0) {
        warn(
          `checkpoint: resuming from ${path} (step ${step}), the newer state is damaged: ` +
            skipped.join("; "),
        );
      }
      return { trainer, step, path, skipped, ...(average ? { average } : {}) };
    } catch (e) {
      const message = (e as Error).message;
      if (e instanceof CheckpointMismatchError) throw e;
      skipped.push(message);
    }
  }
  throw new Error(`checkpoint: no loadable checkpoint in ${dir}: ${skipped.join("; ")}`);
}
