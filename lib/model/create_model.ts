/**
 * The audiovisual model: a visual net over RGB frames and an audio net over log-mel
 * spectrograms, each followed by a per-position linear projection to D channels.
 *
 * @module
 */
import { ParamStore } from "./param_store.ts";
import { type ModelConfig, presetConfig, type PresetName } from "./presets.ts";
import { createTrunk } from "./trunk.ts";

/**
 * A model: its configuration, the seed that initialised it, and its variables.
 *
 * @category model
 */
export interface AVModel {
  /** Shapes and front-end settings. */
  config: ModelConfig;
  /** Seed of the initial weights. */
  seed: number;
  /** All trainable variables (`visual.*`, `audio.*`, `*.proj.*`). */
  params: ParamStore;
}

/**
 * Options of {@linkcode createModel}.
 *
 * @category model
 */
export interface CreateModelOptions {
  /** Built-in preset (default `tiny`). */
  preset?: PresetName;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Overrides of the preset's configuration (e.g. another `embedding`). */
  config?: Partial<Omit<ModelConfig, "preset">>;
}

/**
 * Create a model with seeded initial weights: the same preset and seed give the same weights
 * on every backend.
 *
 * @param opts preset, seed and configuration overrides.
 * @returns the model; release its variables with `model.params.dispose()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createModel } from "@avscene/avscene/model";
 * const model = createModel({ preset: "tiny", seed: 1 });
 * assert.equal(model.config.embedding, 32);
 * model.params.dispose();
 * ```
 * @category model
 */
export function createModel(opts: CreateModelOptions = {}): AVModel {
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`createModel: seed must be an integer, got ${seed}`);
  const config: ModelConfig = { ...presetConfig(opts.preset ?? "tiny"), ...opts.config };
  if (!Number.isInteger(config.embedding) || config.embedding < 1) {
    throw new Error(`createModel: config.embedding must be a positive integer`);
  }
  if (config.padding !== undefined && config.padding !== "zeros" && config.padding !== "reflect") {
    throw new Error(
      `createModel: config.padding must be "zeros" or "reflect", got ${config.padding}`,
    );
  }
  const norm = config.embeddingNorm;
  if (norm !== undefined && !(Number.isFinite(norm) && norm >= 0)) {
    throw new Error(`createModel: config.embeddingNorm must be finite and >= 0, got ${norm}`);
  }
  for (const key of ["groups", "audioGroups"] as const) {
    const g = config[key];
    if (g !== undefined && !(Number.isInteger(g) && g >= 0)) {
      throw new Error(`createModel: config.${key} must be an integer >= 0, got ${g}`);
    }
  }
  const params = new ParamStore(seed);
  const d = config.embedding;
  const vc = createTrunk(params, "visual", 3, config.visual);
  params.glorotUniform("visual.proj.w", [vc, d], vc, d);
  params.constant("visual.proj.b", [d], 0);
  const ac = createTrunk(params, "audio", config.frequencyChannel ? 2 : 1, config.audio);
  params.glorotUniform("audio.proj.w", [ac, d], ac, d);
  params.constant("audio.proj.b", [d], 0);
  return { config, seed, params };
}
