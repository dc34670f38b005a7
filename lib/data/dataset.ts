/**
 * The one dataset contract the trainer, the evaluation and the experiment runners take: a
 * dataset names itself, states its identity (for the run cache) and offers the capabilities
 * it has, each optional:
 *
 * - `trainingClips(level, size)`: clips of a curriculum level (or uncurated), listed with what
 *   is known before decoding and decoded one at a time ({@linkcode ClipSource});
 * - `localizationSet(size)`: test clips with the annotators' boxes (Table 2);
 * - `classificationClips()`: labelled single-source clips with cross-validation folds (Table 1);
 * - `separationSet(kind, size, split)`: solo / duet clips with their sources known or mixable
 *   (Table 3);
 * - `heldOutClips(level, size)`: test clips of known count (the counting model).
 *
 * The synthetic world ({@linkcode synthWorld}) has them all; each real dataset's adapter
 * (`openDataset`) has those its layout can serve. A consumer asks with
 * {@linkcode requireCapability}, whose error is a sentence saying what is missing and why.
 *
 * @module
 */
import type { AVClip, LabelledClip, RGBImage } from "./types.ts";

/**
 * A training level: C1..C4 (number of sound sources) or the uncurated set (any count).
 *
 * @category data
 */
export type TrainingLevel = 1 | 2 | 3 | 4 | "uncurated";

/**
 * What is known of a clip before decoding it (from the dataset's index).
 *
 * @category data
 */
export interface ClipEntry {
  /** The clip's id (as the decoded clip's `id`). */
  id: string;
  /** Number of sounding sources, when the index says. */
  count?: number;
  /** Class index of each sounding source, when the index says. */
  classes?: number[];
}

/**
 * An indexed list of clips decoded on demand: nothing is decoded until `clip(i)` is called,
 * so a dataset of hours of audio costs only its index until a batch asks for clips.
 * @category data
 */
export interface ClipSource {
  /** Number of clips. */
  readonly size: number;
  /** What the index says about clip `index` (no decoding). */
  entry(index: number): ClipEntry;
  /**
   * Decode clip `index` whole: all of its audio (a real clip may last minutes), its
   * representative frame (the middle one) and whatever ground truth the dataset has.
   */
  clip(index: number): Promise<AVClip>;
  /**
   * The frame shown at `seconds` into clip `index`, for datasets with frames over time (MUSIC's
   * extracted frames); absent when a clip has one picture.
   */
  frameAt?(index: number, seconds: number): Promise<RGBImage>;
}

/**
 * What is known of a labelled clip before decoding it.
 *
 * @category data
 */
export interface LabelledEntry {
  /** File stem or identifier. */
  id: string;
  /** Class index. */
  target: number;
  /** Class name. */
  category: string;
  /** Cross-validation fold. */
  fold: number;
}

/**
 * Labelled single-source clips for the classification protocol, decoded on demand.
 *
 * @category data
 */
export interface LabelledSource {
  /** Number of clips. */
  readonly size: number;
  /** Number of classes (targets are `0..classes - 1`). */
  readonly classes: number;
  /** What the index says about clip `index`. */
  entry(index: number): LabelledEntry;
  /** Decode clip `index`: its whole audio and its label. */
  clip(index: number): Promise<LabelledClip>;
}

/**
 * The audio a separation protocol asks of {@linkcode AVDataset.separationSet}.
 *
 * @category data
 */
export interface SeparationAudio {
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Window length in seconds. */
  seconds: number;
}

/**
 * The capabilities a dataset may have (the optional methods of {@linkcode AVDataset}).
 *
 * @category data
 */
export type DatasetCapability =
  | "trainingClips"
  | "localizationSet"
  | "classificationClips"
  | "separationSet"
  | "heldOutClips";

/**
 * A dataset: its name, its identity and the capabilities it has (see the module doc).
 *
 * @category data
 */
export interface AVDataset {
  /** Human name, e.g. `"synthetic world"`, `"MUSIC"`, `"ESC-50"`. */
  readonly name: string;
  /**
   * What identifies the data for caches: the synthetic world's options, or for a dataset on
   * disk a hash of its kind, root, load options and every indexed file's path, size and
   * modification time. Equal identities must mean equal data.
   */
  readonly identity: string;
  /**
   * `size` clips of `level` (all of them when the dataset has fewer; `uncurated`: any count),
   * a deterministic selection spread over the dataset's index.
   */
  trainingClips?(level: TrainingLevel, size: number): ClipSource;
  /** `size` test clips (fewer when there are fewer) with `annotatorBoxes` or `boxes`. */
  localizationSet?(size: number): AVClip[] | Promise<AVClip[]>;
  /**
   * Labelled single-source clips with folds; `perClassPerFold` caps the clips of each class in
   * each fold (the synthetic world generates exactly that many; a dataset on disk gives all
   * when omitted).
   */
  classificationClips?(perClassPerFold?: number): LabelledSource;
  /**
   * `size` clips (fewer when there are fewer) with one (`solo`) or two (`duet`) sounding
   * objects from `split`; each clip's audio is a window of the separation's length. `audio`
   * asks for another rate and window length than the dataset was opened at (a separation
   * protocol's, e.g. Sound of Pixels' 11025 Hz and 5.94 s): a dataset on disk decodes at it,
   * one that cannot (the synthetic world) returns its own and the caller resamples.
   */
  separationSet?(
    kind: "solo" | "duet",
    size: number,
    split?: "train" | "test",
    audio?: SeparationAudio,
  ): AVClip[] | Promise<AVClip[]>;
  /** `size` held-out clips (fewer when there are fewer) of `count` sources each. */
  heldOutClips?(count: 1 | 2 | 3 | 4, size: number): AVClip[] | Promise<AVClip[]>;
}

/** What each capability is for, in the sentence a skipped experiment prints. */
const PURPOSE: Record<DatasetCapability, string> = {
  trainingClips: "audiovisual training clips (frames with their sound)",
  localizationSet: "localization test set with annotated boxes",
  classificationClips: "labelled clips with cross-validation folds",
  separationSet: "solo / duet clips for mix-and-separate",
  heldOutClips: "held-out clips of known source count",
};

/**
 * The sentence saying why `dataset` cannot serve `what` (null when it can): e.g. `ESC-50 has
 * no audiovisual training clips (frames with their sound), which table2 needs`.
 *
 * @param dataset The dataset.
 * @param capabilities The capabilities needed.
 * @param what Who needs them (an experiment or command name).
 * @returns The sentence, or null when every capability is there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingCapability } from "@avscene/avscene/data";
 * const esc50 = { name: "ESC-50", identity: "x", classificationClips: () => { throw 0; } };
 * assert.equal(
 *   missingCapability(esc50, ["trainingClips"], "train"),
 *   "ESC-50 has no audiovisual training clips (frames with their sound), which train needs",
 * );
 * ```
 * @category data
 */
export function missingCapability(
  dataset: AVDataset,
  capabilities: readonly DatasetCapability[],
  what: string,
): string | null {
  const missing = capabilities.filter((c) => typeof dataset[c] !== "function");
  if (missing.length === 0) return null;
  return `${dataset.name} has no ${
    missing.map((c) => PURPOSE[c]).join(" and no ")
  }, which ${what} needs`;
}

/**
 * Assert that `dataset` has `capability`, with {@linkcode missingCapability}'s sentence as the
 * error otherwise.
 *
 * @param dataset The dataset.
 * @param capability The capability needed.
 * @param what Who needs it (quoted in the error).
 * @returns The dataset, typed as having the capability.
 * @throws Error with the sentence when the capability is missing.
 * @category data
 */
export function requireCapability<D extends AVDataset, C extends DatasetCapability>(
  dataset: D,
  capability: C,
  what: string,
): D & Required<Pick<AVDataset, C>> {
  const why = missingCapability(dataset, [capability], what);
  if (why) throw new Error(why);
  return dataset as D & Required<Pick<AVDataset, C>>;
}

/**
 * A {@linkcode ClipSource} over clips already in memory (e.g. generated ones).
 *
 * @param clips The clips.
 * @returns A source whose `clip(i)` resolves to `clips[i]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clipSourceOf } from "@avscene/avscene/data";
 * const image = { data: new Float32Array(3), height: 1, width: 1 };
 * const src = clipSourceOf([{ id: "a", image, audio: new Float32Array(4), sampleRate: 8000, count: 1 }]);
 * assert.equal(src.size, 1);
 * assert.deepEqual(src.entry(0), { id: "a", count: 1, classes: undefined });
 * ```
 * @category data
 */
export function clipSourceOf(clips: readonly AVClip[]): ClipSource {
  return {
    size: clips.length,
    entry: (i) => ({ id: clips[i].id, count: clips[i].count, classes: clips[i].classes }),
    clip: (i) => Promise.resolve(clips[i]),
  };
}

/**
 * What an experiment or command needs of a dataset.
 *
 * @category data
 */
export interface DatasetNeeds {
  /** Capabilities it calls. */
  capabilities: readonly DatasetCapability[];
  /** Training levels it trains on (each needs at least two clips). */
  levels?: readonly TrainingLevel[];
}

/**
 * The sentence saying why `dataset` cannot serve `needs` (a missing capability, or a training
 * level with fewer than two clips), or null when it can. Listing a level's clips reads only
 * the dataset's index.
 *
 * @param dataset The dataset.
 * @param needs Capabilities and training levels needed.
 * @param what Who needs them (quoted in the sentence).
 * @returns The sentence, or null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { synthWorld, unservedNeeds } from "@avscene/avscene/data";
 * const needs = { capabilities: ["trainingClips"], levels: [1, 3] } as const;
 * assert.equal(unservedNeeds(synthWorld(), needs, "fig3"), null); // the world serves them all
 * ```
 * @category data
 */
export function unservedNeeds(
  dataset: AVDataset,
  needs: DatasetNeeds,
  what: string,
): string | null {
  const missing = missingCapability(dataset, needs.capabilities, what);
  if (missing) return missing;
  const short = (needs.levels ?? []).filter((l) => dataset.trainingClips!(l, 2).size < 2);
  if (short.length === 0) return null;
  const names = short.map((l) => (l === "uncurated" ? "U (any count)" : `C${l}`));
  return `${dataset.name} has fewer than two training clips of ${
    names.join(", ")
  }, which ${what} needs`;
}
