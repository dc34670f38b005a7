/**
 * Checkpoints: model weights, optimiser state, trainer position and history, saved to a
 * directory atomically and loaded with checks (preset, parameter shapes, file sizes, hashes).
 *
 * Layout: `<dir>/latest.json` names the newest complete `<dir>/ckpt-<step>/`, which holds
 * `manifest.json`, `weights.bin` (float32, parameters in creation order), `optimizer.bin`
 * (float32 first then second Adam moments) and `trainer.json`. A checkpoint is written to a
 * temporary directory, renamed into place, and only then does `latest.json` (itself written
 * atomically) point at it.
 *
 * @module
 */
import type { AVModel } from "../model/create_model.ts";
import { createModel } from "../model/create_model.ts";
import type { ModelConfig } from "../model/presets.ts";
import type { ParamSpec } from "../model/param_store.ts";
import type { Adam } from "./adam.ts";
import { fnv1a } from "../random/fnv1a.ts";
import { writeFileAtomic } from "../io/write_atomic.ts";

/** The format tag of a checkpoint manifest. */
export const CHECKPOINT_FORMAT = "avscene-checkpoint-v1";

/** What `manifest.json` records. */
export interface CheckpointManifest {
  /** Always {@linkcode CHECKPOINT_FORMAT}. */
  format: string;
  /** The model's configuration (its `preset` included). */
  config: ModelConfig;
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
}

/** What {@linkcode saveCheckpoint} stores. */
export interface CheckpointContents {
  /** The model whose weights are saved. */
  model: AVModel;
  /** The optimiser whose state is saved, if any. */
  optimizer?: Adam;
  /** The trainer's position and history: any JSON value. */
  trainer?: unknown;
  /** Global step (names the directory). */
  step: number;
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Save a checkpoint atomically into `dir` (created if needed) and point `latest.json` at it;
 * older checkpoints in `dir` are removed once the new one is in place.
 *
 * @param dir the checkpoint directory.
 * @param contents model, optimiser, trainer state and step.
 * @returns the path of the new checkpoint's directory.
 */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const name = `ckpt-${String(contents.step).padStart(8, "0")}`;
  const tmp = `${dir}/.tmp-${name}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(tmp);
  try {
    const files: CheckpointManifest["files"] = {};
    const write = async (file: string, data: Uint8Array) => {
      await Deno.writeFile(`${tmp}/${file}`, data);
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
    await write("trainer.json", new TextEncoder().encode(JSON.stringify(contents.trainer ?? null)));
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      config: contents.model.config,
      seed: contents.model.seed,
      params: contents.model.params.specs(),
      files,
      optimizerStep,
      step: contents.step,
    };
    await Deno.writeTextFile(`${tmp}/manifest.json`, JSON.stringify(manifest, null, 1));
    await Deno.remove(`${dir}/${name}`, { recursive: true }).catch(() => {});
    await Deno.rename(tmp, `${dir}/${name}`);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  await writeFileAtomic(`${dir}/latest.json`, JSON.stringify({ checkpoint: name }) + "\n");
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory && entry.name.startsWith("ckpt-") && entry.name !== name) {
      await Deno.remove(`${dir}/${entry.name}`, { recursive: true }).catch(() => {});
    }
  }
  return `${dir}/${name}`;
}

/**
 * The directory of the newest checkpoint in `dir`, or `null` when there is none.
 *
 * @param dir a checkpoint directory.
 * @returns the path of the newest checkpoint, or `null`.
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
 * @returns the trainer state saved with it and the global step.
 */
export async function loadCheckpoint(
  path: string,
  model: AVModel,
  optimizer?: Adam,
): Promise<{ trainer: unknown; step: number }> {
  const { manifest, dir } = await readCheckpointManifest(path);
  if (manifest.config.preset !== model.config.preset) {
    throw new Error(
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
    throw new Error(
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
  const trainerEntry = manifest.files["trainer.json"];
  const trainer = trainerEntry
    ? JSON.parse(new TextDecoder().decode(await readChecked(`${dir}/trainer.json`, trainerEntry)))
    : null;
  model.params.fromFlat(flat);
  if (optimizer && optState) optimizer.setState(optState);
  return { trainer, step: manifest.step };
}

/**
 * Create a model from a checkpoint: its configuration and seed, then its saved weights.
 *
 * @param path a checkpoint, or a directory whose `latest.json` names one.
 * @returns the restored model.
 */
export async function loadModel(path: string): Promise<AVModel> {
  const { manifest } = await readCheckpointManifest(path);
  const { preset, ...rest } = manifest.config;
  const model = createModel({ preset, seed: manifest.seed, config: rest });
  try {
    await loadCheckpoint(path, model);
  } catch (e) {
    model.params.dispose();
    throw e;
  }
  return model;
}
