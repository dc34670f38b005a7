/**
 * Pretrained weights shipped with the package: the `tiny` preset trained with the default
 * recipe on the synthetic world (3000 steps of C1 then 450 of C2, the trained model each stage's
 * weight average of decay 0.995; seed 0, the default: no seed was chosen), checked against a
 * SHA-256 before use. Localize with `localize`'s defaults (the
 * recipe's beta and background rule); see the README, "Pretrained weights", for how well they
 * localize.
 *
 * @module
 */
import { type AVModel, createModel } from "./create_model.ts";
import type { PresetName } from "./presets.ts";

/**
 * What is known of one shipped set of weights.
 *
 * @category model
 */
export interface PretrainedEntry {
  /** The preset the weights belong to. */
  preset: PresetName;
  /** The weights file beside this module: float32 little-endian, parameters in creation order. */
  file: string;
  /** Number of float32 values in it. */
  values: number;
  /** SHA-256 of the file, hex. */
  sha256: string;
  /** The seed the model was created with. */
  seed: number;
  /**
   * The command that produced the file (from the repository root; bit-exact on wasm with the
   * code that produced it: kernel changes since then change the bits, see README).
   */
  command: string;
}

/**
 * The shipped weights, by preset.
 *
 * @category model
 */
export const PRETRAINED: Readonly<Partial<Record<PresetName, PretrainedEntry>>> = Object.freeze({
  tiny: {
    preset: "tiny",
    file: "pretrained/tiny.bin",
    values: 30656,
    sha256: "ed08716d90b36a32d36f0971dba823aa948ed21e512fd4a86061444cbfc8997d",
    seed: 0,
    command: "deno task train --preset tiny --curriculum C1,C2 --steps 3000,450 " +
      "--weight-average 0.995 --seed 0 --backend wasm --out runs/pretrained-tiny && cp " +
      "runs/pretrained-tiny/model.bin lib/model/pretrained/tiny.bin",
  },
});

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Load the shipped pretrained weights of a preset into a new model (`tiny` only: the larger
 * presets are too slow to train on the machines the package is built on).
 *
 * @param preset the preset (default `tiny`).
 * @returns a model with the pretrained weights (dispose `model.params` when done).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, loadPretrained } from "@avscene/avscene";
 * await initBackend();
 * const model = await loadPretrained("tiny");
 * assert.equal(model.config.preset, "tiny");
 * model.params.dispose();
 * ```
 * @category model
 */
export async function loadPretrained(preset: PresetName = "tiny"): Promise<AVModel> {
  const entry = PRETRAINED[preset];
  if (!entry) {
    const have = Object.keys(PRETRAINED).join(", ");
    throw new Error(`loadPretrained: no pretrained weights for preset "${preset}" (have ${have})`);
  }
  const url = new URL(entry.file, import.meta.url);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`loadPretrained: cannot read ${url} (${res.status})`);
  const bytes = await res.arrayBuffer();
  const sha = hex(await crypto.subtle.digest("SHA-256", bytes));
  if (sha !== entry.sha256) {
    throw new Error(
      `loadPretrained: ${url} has SHA-256 ${sha}, expected ${entry.sha256} (corrupt or stale file)`,
    );
  }
  if (bytes.byteLength !== 4 * entry.values) {
    throw new Error(
      `loadPretrained: ${url} holds ${bytes.byteLength} bytes, expected ${4 * entry.values}`,
    );
  }
  const model = createModel({ preset: entry.preset, seed: entry.seed });
  try {
    model.params.fromFlat(new Float32Array(bytes));
  } catch (e) {
    model.params.dispose();
    throw e;
  }
  return model;
}
