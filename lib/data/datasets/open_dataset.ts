/**
 * `--data KIND:PATH`: open a dataset by kind (`music:`, `flickr:`, `esc50:`, `audioset:`, or
 * `synthetic` / `synthetic:SEED`), and compose several into one whose capabilities come from
 * the first dataset that has each (e.g. train on AudioSet, classify on ESC-50, localize on
 * SoundNet-Flickr, as the paper does).
 *
 * @module
 */
import type { AVDataset, DatasetCapability } from "../dataset.ts";
import { synthWorld } from "../synth_world.ts";
import { openAudioSetDataset } from "./audioset_dataset.ts";
import { openESC50Dataset } from "./esc50_dataset.ts";
import { openFlickrDataset } from "./flickr_dataset.ts";
import { openMusicDataset } from "./music_dataset.ts";
import type { DatasetOpenOptions } from "./options.ts";

/**
 * The dataset kinds `--data` accepts.
 *
 * @category data
 */
export const DATASET_KINDS: readonly string[] = [
  "synthetic",
  "music",
  "flickr",
  "esc50",
  "audioset",
];

/**
 * A parsed `KIND:PATH` (or `synthetic[:SEED]`).
 *
 * @category data
 */
export interface DataSpec {
  /** One of {@linkcode DATASET_KINDS}. */
  kind: string;
  /** The dataset folder, or the synthetic world's seed as text (may be empty). */
  path: string;
}

/**
 * Parse a `--data` value: `KIND:PATH` with KIND one of {@linkcode DATASET_KINDS}, or
 * `synthetic` / `synthetic:SEED`.
 *
 * @param spec The value.
 * @returns Kind and path.
 * @throws Error quoting the value when the kind is unknown or the path missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDataSpec } from "@avscene/avscene/data";
 * assert.deepEqual(parseDataSpec("music:/data/MUSIC"), { kind: "music", path: "/data/MUSIC" });
 * ```
 * @category data
 */
export function parseDataSpec(spec: string): DataSpec {
  const at = spec.indexOf(":");
  const kind = (at < 0 ? spec : spec.slice(0, at)).trim().toLowerCase();
  const path = at < 0 ? "" : spec.slice(at + 1);
  if (!DATASET_KINDS.includes(kind)) {
    throw new Error(
      `--data "${spec}": kind "${kind}" is not one of ${
        DATASET_KINDS.join(", ")
      } (write KIND:PATH)`,
    );
  }
  if (kind === "synthetic") {
    if (path !== "" && !/^-?\d+$/.test(path)) {
      throw new Error(`--data "${spec}": the synthetic world takes an integer seed, got "${path}"`);
    }
  } else if (path === "") {
    throw new Error(`--data "${spec}": ${kind} needs a folder (write ${kind}:PATH)`);
  }
  return { kind, path };
}

/**
 * Options of {@linkcode openDataset}: the adapters' options and the kind-specific ones.
 *
 * @category data
 */
export interface OpenDatasetOptions extends DatasetOpenOptions {
  /** SoundNet-Flickr box convention (see `openFlickrDataset`). */
  boxFrame?: number;
  /** MUSIC frame rate (default 8). */
  fps?: number;
  /** Clip length of the synthetic world in seconds (default `seconds`, else 1). */
  duration?: number;
}

/**
 * Open one dataset from a `--data` value (see {@linkcode parseDataSpec}) at the model's sizes.
 * The synthetic world needs an image side >= 32 and a rate >= 8000 Hz.
 *
 * @param spec `KIND:PATH` or `synthetic[:SEED]`.
 * @param opts The model's sample rate and image size, and the adapters' options.
 * @returns The dataset (a dataset on disk also has `summary` and `skipped`).
 * @throws Error naming the value, folder or file at fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openDataset } from "@avscene/avscene/data";
 * const world = await openDataset("synthetic:3", { sampleRate: 8000, imageSize: 64 });
 * assert.equal(world.name, "synthetic world");
 * assert.ok(world.identity.startsWith("synth:"));
 * ```
 * @category data
 */
export async function openDataset(spec: string, opts: OpenDatasetOptions): Promise<AVDataset> {
  const { kind, path } = parseDataSpec(spec);
  if (kind === "synthetic") {
    return synthWorld({
      seed: path === "" ? 0 : Number(path),
      imageSize: opts.imageSize,
      sampleRate: opts.sampleRate,
      duration: opts.duration ?? opts.seconds ?? 1,
    });
  }
  try {
    const st = await Deno.stat(path);
    if (!st.isDirectory) throw new Error("not a folder");
  } catch (e) {
    throw new Error(`--data ${spec}: ${path} is not a readable folder (${(e as Error).message})`);
  }
  if (kind === "music") return await openMusicDataset(path, opts);
  if (kind === "flickr") return await openFlickrDataset(path, opts);
  if (kind === "esc50") return await openESC50Dataset(path, opts);
  return await openAudioSetDataset(path, opts);
}

const CAPABILITIES: readonly DatasetCapability[] = [
  "trainingClips",
  "localizationSet",
  "classificationClips",
  "separationSet",
  "heldOutClips",
];

/**
 * One dataset from several: each capability from the first dataset that has it; the name
 * joins the names with ` + `, the identity the identities; `paperData` when every part is the
 * paper's data. One dataset is returned as is.
 *
 * @param datasets One or more datasets, in priority order.
 * @returns The composed dataset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { composeDatasets } from "@avscene/avscene/data";
 * const a = { name: "A", identity: "a", heldOutClips: () => [] };
 * const b = { name: "B", identity: "b", localizationSet: () => [] };
 * const ab = composeDatasets([a, b]);
 * assert.deepEqual([ab.name, typeof ab.localizationSet], ["A + B", "function"]);
 * ```
 * @category data
 */
export function composeDatasets(datasets: readonly AVDataset[]): AVDataset {
  if (datasets.length === 0) throw new Error("composeDatasets: no dataset given");
  if (datasets.length === 1) return datasets[0];
  const out: Record<string, unknown> = {
    name: datasets.map((d) => d.name).join(" + "),
    identity: datasets.map((d) => d.identity).join("+"),
    // the paper's data only when every part is (the synthetic world is not)
    paperData: datasets.every((d) => (d as { paperData?: boolean }).paperData === true),
  };
  for (const c of CAPABILITIES) {
    const from = datasets.find((d) => typeof d[c] === "function");
    if (from) out[c] = (from[c] as (...a: unknown[]) => unknown).bind(from);
  }
  return out as unknown as AVDataset;
}

/**
 * Open every `--data` value and compose them ({@linkcode composeDatasets}); none: the
 * synthetic world (seed 0).
 *
 * @param specs The `--data` values, in priority order.
 * @param opts As {@linkcode openDataset}.
 * @returns The dataset.
 * @category data
 */
export async function openDatasets(
  specs: readonly string[],
  opts: OpenDatasetOptions,
): Promise<AVDataset> {
  const list = specs.length ? specs : ["synthetic"];
  const opened: AVDataset[] = [];
  for (const s of list) opened.push(await openDataset(s, opts));
  return composeDatasets(opened);
}
