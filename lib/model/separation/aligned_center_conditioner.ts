/**
 * Our conditioning: the visual center that the trained (frozen) audiovisual model aligns to
 * the mixture's sounds, one per sounding object of the clip.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { softKMeans } from "../../../kernels/mod.ts";
import type { AVClip } from "../../data/types.ts";
import type { AVModel } from "../create_model.ts";
import { embedAudio, embedVisual } from "../embed.ts";
import { modelImages, modelInputs } from "../model_inputs.ts";
import { resample } from "../../audio/resample.ts";
import { Rng } from "../../random/rng.ts";
import { kMeansWords, nearestWord, wordNeighbours } from "./_k_means_words.ts";
import { BACKGROUND_RULES, backgroundCenters, type BackgroundRule } from "../align_centers.ts";
import { LOCALIZE_DEFAULTS } from "../localize.ts";
import { checkVisualInit, ownAligned, type VisualInit, visualStarts } from "../pair_distances.ts";
import type { Conditioner, Conditioning, MixtureBatch, SeparationMethod } from "./conditioner.ts";
import { createSeparationModel, type CreateSeparationModelOptions } from "./separation_model.ts";

/**
 * Options of {@linkcode alignedCenterConditioner}.
 *
 * @category model
 */
export interface AlignedCenterOptions {
  /** Soft K-means iterations (default `LOCALIZE_DEFAULTS`' 2, as the default recipe trains). */
  iterations?: number;
  /**
   * Soft K-means beta (default `LOCALIZE_DEFAULTS`' 5, as the default recipe trains and
   * localizes).
   */
  beta?: number;
  /**
   * Which visual center is never a sounding object's (see `BackgroundRule`): `largest` (the
   * default, as the default recipe trains and localizes) excludes the center of largest
   * assignment mass; `none` is the paper's nearest rule (every center may be chosen).
   */
  background?: BackgroundRule;
  /**
   * Visual centers beyond the clip's sounding objects (K_visual = objects + this; default
   * `LOCALIZE_DEFAULTS`', as the default recipe trains and localizes).
   */
  extraVisualCenters?: number;
  /**
   * Scale each chosen cue to unit L2 norm before it conditions the network (default `false`:
   * the center as clustered).
   */
  unitNorm?: boolean;
  /**
   * What a chosen center gives as its cue: `center` (the default: the soft K-means center, the
   * frame's features pooled under the center's soft assignment map) or `hard` (the mean of the
   * frame's features at the positions whose largest assignment is that center; the center where
   * there is none) or `peak` (the mean of the frame's features at the `peakShare` of the P
   * positions where the center's assignment is largest: its map's peak, where the soft map's tails
   * onto the background weigh nothing; with unit norm it lifted ours' worst seed of 5 but was lower
   * on 2 of them: docs/separation.md, "Network or cue?") or `foreground` (every position weighed by
   * one minus its assignment to the frame's background center: the union of the non-background
   * centers' maps, the same for every chosen center of the clip, so a wrong choice among them costs
   * nothing; needs a background rule other than `none`).
   */
  pooling?: "center" | "hard" | "peak" | "foreground";
  /**
   * The share of the frame's positions `peak` pooling averages (default 1/16: 16 of the tiny
   * preset's 16 x 16; at least one position).
   */
  peakShare?: number;
  /**
   * Where each frame's visual centers start, as the model was trained (a recipe's
   * `visualInit`; default `grid`). `audio`: the first centers start at the mixture's audio
   * centers (one per sound of the mixture; at most the frame's K_visual), so a frame is
   * clustered anew for each mixture it is in, and the rule above chooses; `audio-own`: the
   * same, and the clip's `count` centers are those, among the ones the sounds started, nearest
   * to the audio center that started them; `feature-own`: as `audio-own`, each start the
   * frame's visual feature nearest the audio center. Only `center` pooling.
   */
  visualInit?: VisualInit;
  /**
   * Visual words `[W * D]` (e.g. {@linkcode visualCodebook}'s): when given, a chosen center's
   * cue is not a mean of features but the histogram of the words under its pooling weights
   * (`pooling`'s: the soft assignment map by default): each position's feature goes to its
   * nearest word, and the word's bin receives the position's weight (the bins sum to 1). The
   * cue then has W entries, not D. A mean of features mixes the object's feature with the
   * background the map spills onto; a histogram keeps the object's words in bins of their own
   * (docs/separation.md).
   */
  codebook?: Float32Array;
  /**
   * How each position's feature is shared among the `codebook`'s words: `nearest` (the
   * default: all of it to its nearest word) or `soft` (kernel-codebook assignment: a softmax
   * over the words of `-|f - w|^2 / (wordTemperature * s^2)`, where `s^2` is the frame's mean
   * squared distance of a position to its nearest word, so the temperature does not depend on
   * the features' scale). Only with a `codebook`. In quick Table 3 `soft` was lower than
   * `nearest` on every seed of 3 at temperature 0.25 (docs/separation.md).
   */
  wordAssignment?: "nearest" | "soft";
  /**
   * The temperature of `soft` word assignment, relative to the frame's mean squared distance
   * to the nearest word (default 0.5; smaller is nearer to `nearest`). Only with `soft`.
   */
  wordTemperature?: number;
  /**
   * The histogram cue's entries: `share` (the default: each word's share of the pooling
   * weight, summing to 1) or `sqrt` (their square roots, the Hellinger map: unit L2 norm, and
   * the small bins of an object's words weigh more beside a large background bin). Only with a
   * `codebook`. In quick Table 3 `sqrt` was within noise of `share` on 4 of 5 seeds and lower
   * on one (docs/separation.md).
   */
  histogram?: "share" | "sqrt";
  /**
   * The power the chosen center's soft assignment map is raised to before it pools (default 1:
   * the map as clustered; 2 sharpens it, so the tails it spills onto the background weigh
   * less; 0 weighs every position of the frame alike, so the cue no longer depends on which
   * center the audio chose: a diagnostic of what the alignment adds). Only with `center`
   * pooling.
   */
  mapPower?: number;
  /**
   * With a `codebook`: the histogram of the frame's background center (the `background`
   * rule's) is subtracted from the chosen center's, so the words the background shares with
   * the object's map cancel (default `false`). Not with the background rule `none`.
   */
  subtractBackground?: boolean;
  /**
   * With a `codebook`: the cue is the histogram followed by the center itself (the mean of the
   * features under its map), W + D entries (default `false`: the histogram alone).
   */
  appendCenter?: boolean;
  /**
   * With a `codebook`: one positive multiplier per word, applied to the histogram's entries
   * (default: none, the shares as pooled). Weights from {@linkcode visualWordShares} (e.g. the
   * inverse of each word's share of the training frames) make a rare word's bin weigh as much
   * in the conditioning layer's updates as a common background word's.
   */
  wordWeights?: Float32Array;
}

/**
 * The conditioner of {@linkcode alignedCenterConditioner}, with the cache it keeps.
 *
 * @category model
 */
export interface AlignedCenterConditioner extends Conditioner {
  /**
   * Visual centers computed so far, by clip id (`[Kv * D]` each; with an audio `visualInit`
   * those of the clip's latest mixture).
   */
  readonly visualCenters: Map<string, Float32Array>;
  /** Each cached clip's background center (`-1` under the rule `none`), by clip id. */
  readonly backgroundCenter: Map<string, number>;
  /** Entries of each cue vector: the model's D, or the codebook's W words. */
  readonly cueSize: number;
}

/** `|f - w|^2` up to `|f|^2`, which every word shares: `[N, D]` features, `[W, D]` words -> `[N, W]`. */
function _wordScores(flat: tf.Tensor2D, words: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(tf.sum(tf.square(words), 1), tf.mul(2, tf.matMul(flat, words, false, true)));
}

/**
 * Each position's nearest word as a one-hot: `[B, P, D]` features, `[W, D]` words -> `[B, P, W]`.
 */
function _nearestWords(features: tf.Tensor3D, words: tf.Tensor2D): tf.Tensor3D {
  const [b, p, d] = features.shape;
  const score = _wordScores(tf.reshape(features, [b * p, d]) as tf.Tensor2D, words);
  const nearest = tf.cast(tf.oneHot(tf.argMin(score, 1), words.shape[0]), "float32");
  return tf.reshape(nearest, [b, p, words.shape[0]]);
}

/**
 * Each position's words shared softly: `[B, P, D]` features, `[W, D]` words -> `[B, P, W]`, a
 * softmax over the words of `-|f - w|^2 / (temperature * s^2)`, `s^2` the frame's mean squared
 * distance of a position to its nearest word.
 */
function _softWords(
  features: tf.Tensor3D,
  words: tf.Tensor2D,
  temperature: number,
): tf.Tensor3D {
  const [b, p, d] = features.shape;
  const flat = tf.reshape(features, [b * p, d]) as tf.Tensor2D;
  const d2 = tf.relu(tf.add(tf.sum(tf.square(flat), 1, true), _wordScores(flat, words)));
  const dist = tf.reshape(d2, [b, p, words.shape[0]]) as tf.Tensor3D;
  const scale = tf.maximum(tf.mean(tf.min(dist, 2), 1, true), 1e-12); // [B, 1]
  return tf.softmax(tf.div(tf.neg(dist), tf.mul(temperature, tf.expandDims(scale, 2))));
}

/**
 * Options of {@linkcode visualCodebook}.
 *
 * @category model
 */
export interface VisualCodebookOptions {
  /** Seed of the words' k-means++ initialisation (default 0). */
  seed?: number;
  /** Lloyd iterations (default 20). */
  iterations?: number;
  /** Frames embedded per forward pass (default 32). */
  batchSize?: number;
  /**
   * Fit the words only on the positions of each frame that its clustering does not give to
   * the background center (the object words, not the background's): each frame is clustered
   * as {@linkcode alignedCenterConditioner} clusters it (`count + extraVisualCenters` centers
   * at `beta`, `iterations`), and the center the `background` rule names (not `none`) drops
   * the positions it wins. Absent (the default): every position.
   */
  foreground?: Pick<
    AlignedCenterOptions,
    "beta" | "extraVisualCenters" | "background" | "iterations"
  >;
}

/**
 * Visual words of a frozen audiovisual model: k-means (k-means++ initialisation, then Lloyd's
 * iterations) over the visual feature vectors of every position of the clips' frames. No label
 * is read; the words are a codebook of what the visual net's features look like, for the
 * histogram cue of {@linkcode alignedCenterConditioner} (`codebook`).
 *
 * @param model the trained audiovisual model (not modified).
 * @param clips the clips whose frames are embedded (their audio is not used).
 * @param words how many words W (at most the number of feature vectors).
 * @param opts seed, iterations, batch size.
 * @returns the words, `[W * D]` row-major.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { synthWorld } from "@avscene/avscene/data";
 * import { createModel, visualCodebook } from "@avscene/avscene/model";
 *
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 0 }); // (trained first, in practice)
 * const clips = await synthWorld({ seed: 0 }).separationSet("solo", 2);
 * const words = await visualCodebook(model, clips, 8, { seed: 0 });
 * assert.equal(words.length, 8 * model.config.embedding);
 * model.params.dispose();
 * ```
 * @category model
 */
export async function visualCodebook(
  model: AVModel,
  clips: readonly AVClip[],
  words: number,
  opts: VisualCodebookOptions = {},
): Promise<Float32Array> {
  const iterations = opts.iterations ?? 20, batch = opts.batchSize ?? 32;
  if (!Number.isInteger(words) || words < 1) {
    throw new Error(`visualCodebook: words must be an integer >= 1, got ${words}`);
  }
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new Error(`visualCodebook: iterations must be an integer >= 0, got ${iterations}`);
  }
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`visualCodebook: batchSize must be an integer >= 1, got ${batch}`);
  }
  const fg = opts.foreground;
  const fgRule = fg?.background ?? "largest";
  const fgExtra = fg?.extraVisualCenters ?? LOCALIZE_DEFAULTS.extraVisualCenters;
  if (fg && (fgRule === "none" || !BACKGROUND_RULES.includes(fgRule))) {
    throw new Error(
      `visualCodebook: foreground.background must name a background center (one of ` +
        `${BACKGROUND_RULES.filter((r) => r !== "none")}), got "${fgRule}"`,
    );
  }
  if (fg && !(Number.isInteger(fgExtra) && fgExtra >= 1)) {
    throw new Error(
      `visualCodebook: foreground.extraVisualCenters must be an integer >= 1, got ${fgExtra}`,
    );
  }
  const d = model.config.embedding, parts: Float32Array[] = [];
  for (let i = 0; i < clips.length; i += batch) {
    const group = clips.slice(i, i + batch);
    // only the frames are embedded: no spectrogram is made
    const f = tf.tidy(() =>
      embedVisual(model, modelImages(model, group, "visualCodebook")).features
    );
    const data = await f.data() as Float32Array;
    if (!fg) parts.push(data);
    else {
      // each frame clustered as the conditioner clusters it; the background's positions dropped
      const p = f.shape[1];
      const keep = new Uint8Array(group.length * p);
      for (const kv of new Set(group.map((c) => _objects(c) + fgExtra))) {
        const idx = [...group.keys()].filter((j) => _objects(group[j]) + fgExtra === kv);
        const won = tf.tidy(() => {
          const x = tf.gather(f, idx);
          const k = softKMeans(x, kv, {
            iterations: fg.iterations ?? LOCALIZE_DEFAULTS.iterations,
            beta: fg.beta ?? LOCALIZE_DEFAULTS.beta,
          });
          const bg = tf.argMax(backgroundCenters(fgRule, k.assignments, kv - fgExtra)!, 1);
          // 1 where a position's largest assignment is not the background center
          return tf.notEqual(tf.argMax(k.assignments, 1), tf.expandDims(bg, 1));
        });
        const w = await won.data();
        won.dispose();
        idx.forEach((j, r) => keep.set(w.subarray(r * p, (r + 1) * p), j * p));
      }
      const kept = keep.reduce((a, x) => a + x, 0);
      const part = new Float32Array(kept * d);
      for (let q = 0, at = 0; q < keep.length; q++) {
        if (keep[q]) part.set(data.subarray(q * d, (q + 1) * d), at), at += d;
      }
      parts.push(part);
    }
    f.dispose();
  }
  const n = parts.reduce((a, p) => a + p.length, 0) / d;
  if (words > n) {
    throw new Error(`visualCodebook: words (${words}) exceeds the ${n} feature vectors`);
  }
  // float32 features widened to float64 once (exact): the distances below are the float64
  // sums of squared differences, term by term in feature order, as a plain loop computes them
  const x = new Float64Array(n * d);
  let at = 0;
  for (const p of parts) x.set(p, at), at += p.length;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new Error(`visualCodebook: the model's visual features hold ${x[i]}`);
    }
  }
  return kMeansWords(x, n, d, words, iterations, new Rng(opts.seed ?? 0));
}

/**
 * Each visual word's share of the positions of the clips' frames (each position counted for
 * its nearest word), smoothed by one count per word so that no share is 0: `(count + 1) /
 * (positions + W)`. No label is read. Their inverses weigh a histogram cue's rare words up
 * (`AlignedCenterOptions.wordWeights`).
 *
 * @param model the audiovisual model whose features the words were fitted on (not modified).
 * @param clips the clips whose frames are embedded (their audio is not used).
 * @param codebook the words, `[W * D]` row-major ({@linkcode visualCodebook}'s).
 * @returns `[W]` shares summing to 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { synthWorld } from "@avscene/avscene/data";
 * import { createModel, visualCodebook, visualWordShares } from "@avscene/avscene/model";
 *
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 0 });
 * const clips = await synthWorld({ seed: 0 }).separationSet("solo", 2);
 * const words = await visualCodebook(model, clips, 8, { seed: 0 });
 * const shares = await visualWordShares(model, clips, words);
 * assert.ok(Math.abs(shares.reduce((a, x) => a + x, 0) - 1) < 1e-6);
 * model.params.dispose();
 * ```
 * @category model
 */
export async function visualWordShares(
  model: AVModel,
  clips: readonly AVClip[],
  codebook: Float32Array,
): Promise<Float64Array> {
  const d = model.config.embedding;
  if (codebook.length === 0 || codebook.length % d !== 0) {
    throw new Error(
      `visualWordShares: codebook must hold W * D values (D = ${d}), got ${codebook.length}`,
    );
  }
  const words = codebook.length / d, count = new Float64Array(words).fill(1);
  // the nearest word as the codebook's k-means chooses it (float64 sums, lowest index on ties)
  const wd = Float64Array.from(codebook), nb = wordNeighbours(wd, d, words);
  let n = 0;
  for (let i = 0; i < clips.length; i += 32) {
    const f = tf.tidy(() =>
      embedVisual(model, modelImages(model, clips.slice(i, i + 32), "visualWordShares"))
        .features
    );
    const x = Float64Array.from(await f.data());
    f.dispose();
    for (let q = 0; q < x.length / d; q++, n++) count[nearestWord(x, q * d, wd, d, nb, 0)]++;
  }
  return count.map((c) => c / (n + words));
}

function _objects(clip: AVClip): number {
  const n = clip.count ?? 1;
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`alignedCenterConditioner: clip ${clip.id} has count ${n}`);
  }
  return n;
}

/**
 * Ours: each clip of a mixture is represented by the visual centers of its frame that the
 * frozen audiovisual model aligns to the mixture's audio centers. The frame is clustered into
 * `count + extraVisualCenters` centers (default `count + 2`, as the default recipe trains), the
 * mixture's audio into as many
 * centers as the mixture holds sounds (the sum of its clips' counts); under the background rule
 * (`opts.background`, default `largest`, as the default recipe trains and localizes) the center
 * of largest assignment mass is the background and never chosen, and of the others the `count`
 * nearest to any audio center are the clip's sounding objects (with `count + 1` centers: all
 * but the background). Under the paper's rule `none` the `count` centers nearest to any audio
 * center are chosen. Only the mixture's
 * audio is used, never a clip's own, so the same rule serves training and test. A mixture at
 * another rate than the model's (a separation protocol's) is resampled to it, and the model
 * hears its first `duration` seconds.
 *
 * @param model the trained audiovisual model (not modified; no gradient reaches it).
 * @param opts clustering settings.
 * @returns the conditioner; vectors are `[D]` center features, padded to the batch's largest
 * count.
 * @category model
 */
export function alignedCenterConditioner(
  model: AVModel,
  opts: AlignedCenterOptions = {},
): AlignedCenterConditioner {
  const km = {
    iterations: opts.iterations ?? LOCALIZE_DEFAULTS.iterations,
    beta: opts.beta ?? LOCALIZE_DEFAULTS.beta,
  };
  const rule = opts.background ?? "largest";
  const extra = opts.extraVisualCenters ?? LOCALIZE_DEFAULTS.extraVisualCenters;
  if (!Number.isInteger(extra) || extra < 1) {
    throw new Error(
      `alignedCenterConditioner: extraVisualCenters must be an integer >= 1, got ${extra}`,
    );
  }
  if (!BACKGROUND_RULES.includes(rule)) {
    throw new Error(
      `alignedCenterConditioner: background must be one of ${BACKGROUND_RULES}, got "${rule}"`,
    );
  }
  const d = model.config.embedding;
  const unitNorm = opts.unitNorm ?? false;
  const pooling = opts.pooling ?? "center";
  if (!["center", "hard", "peak", "foreground"].includes(pooling)) {
    throw new Error(
      `alignedCenterConditioner: pooling must be "center", "hard", "peak" or "foreground", ` +
        `got "${pooling}"`,
    );
  }
  if (pooling === "foreground" && rule === "none") {
    throw new Error(
      `alignedCenterConditioner: pooling "foreground" needs a background rule, got "none"`,
    );
  }
  const init = checkVisualInit("alignedCenterConditioner: visualInit", opts.visualInit ?? "grid");
  if (init !== "grid" && pooling !== "center") {
    throw new Error(
      `alignedCenterConditioner: visualInit "${init}" takes only "center" pooling, got "${pooling}"`,
    );
  }
  const peakShare = opts.peakShare ?? 1 / 16;
  if (!(peakShare > 0 && peakShare <= 1)) {
    throw new Error(`alignedCenterConditioner: peakShare must be in (0, 1], got ${peakShare}`);
  }
  const codebook = opts.codebook;
  if (codebook !== undefined && (codebook.length === 0 || codebook.length % d !== 0)) {
    throw new Error(
      `alignedCenterConditioner: codebook must hold W * D values (D = ${d}), got ${codebook.length}`,
    );
  }
  if (codebook !== undefined && init !== "grid") {
    // the audio-started clustering keeps centers only, not the maps a histogram pools
    throw new Error(
      `alignedCenterConditioner: codebook needs visualInit "grid" (the mean-feature cue), ` +
        `got visualInit "${init}"`,
    );
  }
  const assignment = opts.wordAssignment ?? "nearest";
  if (assignment !== "nearest" && assignment !== "soft") {
    throw new Error(
      `alignedCenterConditioner: wordAssignment must be "nearest" or "soft", got "${assignment}"`,
    );
  }
  const temperature = opts.wordTemperature ?? 0.5;
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new Error(
      `alignedCenterConditioner: wordTemperature must be a positive number, got ${temperature}`,
    );
  }
  const histogram = opts.histogram ?? "share";
  if (histogram !== "share" && histogram !== "sqrt") {
    throw new Error(
      `alignedCenterConditioner: histogram must be "share" or "sqrt", got "${histogram}"`,
    );
  }
  if (!codebook && (assignment !== "nearest" || histogram !== "share")) {
    throw new Error(
      `alignedCenterConditioner: wordAssignment "${assignment}" and histogram "${histogram}" ` +
        `need a codebook`,
    );
  }
  const mapPower = opts.mapPower ?? 1;
  if (!(Number.isFinite(mapPower) && mapPower >= 0)) {
    throw new Error(`alignedCenterConditioner: mapPower must be a number >= 0, got ${mapPower}`);
  }
  if (mapPower !== 1 && pooling !== "center") {
    throw new Error(
      `alignedCenterConditioner: mapPower needs "center" pooling, got "${pooling}"`,
    );
  }
  const subtractBackground = opts.subtractBackground ?? false;
  const appendCenter = opts.appendCenter ?? false;
  if (!codebook && (subtractBackground || appendCenter)) {
    throw new Error(
      `alignedCenterConditioner: subtractBackground and appendCenter need a codebook`,
    );
  }
  const wordWeights = opts.wordWeights;
  if (wordWeights !== undefined) {
    if (!codebook) throw new Error(`alignedCenterConditioner: wordWeights need a codebook`);
    if (wordWeights.length !== codebook.length / d) {
      throw new Error(
        `alignedCenterConditioner: wordWeights must hold one weight per word ` +
          `(${codebook.length / d}), got ${wordWeights.length}`,
      );
    }
    if (!wordWeights.every((x) => Number.isFinite(x) && x > 0)) {
      throw new Error(`alignedCenterConditioner: wordWeights must be positive and finite`);
    }
  }
  if (subtractBackground && rule === "none") {
    throw new Error(
      `alignedCenterConditioner: subtractBackground needs a background rule, got "none"`,
    );
  }
  if (opts.wordTemperature !== undefined && assignment !== "soft") {
    throw new Error(`alignedCenterConditioner: wordTemperature needs wordAssignment "soft"`);
  }
  /** The codebook's W words. */
  const wordCount = codebook ? codebook.length / d : 0;
  /** Entries of each cue: D, or the codebook's W words (+ D with `appendCenter`). */
  const size = codebook ? wordCount + (appendCenter ? d : 0) : d;
  /** Each cached clip's cue per center (`[Kv * size]`), where it is not the center itself. */
  const cues = new Map<string, Float32Array>();
  const visualCenters = new Map<string, Float32Array>();
  const backgroundCenter = new Map<string, number>();
  const prepared = new WeakMap<
    MixtureBatch,
    { vectors: Float32Array; valid: Float32Array; k: number }
  >();

  /** The clip at the audiovisual model's rate (a separation protocol may use another). */
  const atModelRate = (clip: AVClip): AVClip =>
    clip.sampleRate === model.config.sampleRate ? clip : {
      ...clip,
      audio: resample(clip.audio, clip.sampleRate, model.config.sampleRate),
      sampleRate: model.config.sampleRate,
    };

  /**
   * With an audio `visualInit`: each clip's frame clustered from its mixture's audio centers
   * `[sounds * D]`, into the caches (overwriting an earlier mixture's).
   */
  function centersFromAudio(clips: AVClip[], audio: Float32Array, sounds: number): void {
    const [centers, background] = tf.tidy(() => {
      const features = embedVisual(model, modelInputs(model, clips.map(atModelRate)).images)
        .features;
      const start = tf.tensor3d(audio, [1, sounds, d]);
      const out = clips.map((c, j) => {
        const kv = _objects(c) + extra;
        if (sounds > kv) {
          throw new Error(
            `alignedCenterConditioner: visualInit "${init}" starts ${sounds} visual centers at ` +
              `the mixture's sounds, but clip ${c.id} has only ${kv}`,
          );
        }
        const x = tf.slice(features, [j, 0, 0], [1, -1, -1]) as tf.Tensor3D;
        const k = softKMeans(x, kv, {
          ...km,
          init: init === "grid" ? start : visualStarts(x, start, init) as tf.Tensor3D,
        });
        const mask = init === "audio"
          ? backgroundCenters(rule, k.assignments, kv - extra)
          : undefined;
        return [k.centers, mask ? tf.argMax(mask, 1) : tf.fill([1], -1, "int32")];
      });
      return [out.map((o) => o[0].dataSync() as Float32Array), out.map((o) => o[1].dataSync()[0])];
    });
    clips.forEach((c, j) => {
      visualCenters.set(c.id, centers[j] as Float32Array);
      backgroundCenter.set(c.id, background[j] as number);
    });
  }

  async function centersOf(clips: AVClip[]): Promise<void> {
    const todo = clips.filter((c, i) =>
      !visualCenters.has(c.id) && clips.findIndex((o) => o.id === c.id) === i
    );
    for (const kv of new Set(todo.map((c) => _objects(c) + extra))) {
      const group = todo.filter((c) => _objects(c) + extra === kv);
      const [centers, background, hard] = tf.tidy(() => {
        const x = modelInputs(model, group.map(atModelRate));
        const features = embedVisual(model, x.images).features; // [B, P, D]
        const k = softKMeans(features, kv, km);
        // the rule as training and `localize` apply it; -1: no background center
        const mask = backgroundCenters(rule, k.assignments, kv - extra);
        const bg = mask ? tf.argMax(mask, 1) : tf.fill([group.length], -1, "int32");
        if (pooling === "center" && !codebook && mapPower === 1) return [k.centers, bg];
        // what is pooled: the features, or each position's nearest word one-hot ([B, P, W])
        const pooled = !codebook
          ? features
          : assignment === "soft"
          ? _softWords(features, tf.tensor2d(codebook, [wordCount, d]), temperature)
          : _nearestWords(features, tf.tensor2d(codebook, [wordCount, d]));
        // each center's pooling weights over the positions, [B, Kv, P]
        const p = features.shape[1];
        let weights: tf.Tensor3D;
        if (pooling === "center") {
          weights = mapPower === 1 ? k.assignments : tf.pow(k.assignments, mapPower);
        } else if (pooling === "foreground") {
          // 1 - the background center's map, for every center: [B, 1, P] tiled to [B, Kv, P]
          const pick = tf.expandDims(tf.cast(tf.oneHot(bg, kv), "float32"), 1) as tf.Tensor3D;
          weights = tf.tile(tf.sub(1, tf.matMul(pick, k.assignments)), [1, kv, 1]);
        } else if (pooling === "peak") {
          // each center's m positions of largest assignment: [B, Kv, m] -> [B, Kv, P]
          const m = Math.max(1, Math.round(p * peakShare));
          weights = tf.cast(tf.sum(tf.oneHot(tf.topk(k.assignments, m).indices, p), 2), "float32");
        } else {
          // each position to its largest-assignment center; a center that wins none keeps
          // its soft map
          const owner = tf.cast(
            tf.transpose(tf.oneHot(tf.argMax(k.assignments, 1), kv), [0, 2, 1]),
            "float32",
          );
          const some = tf.cast(tf.greater(tf.sum(owner, 2, true), 0), "float32");
          weights = tf.add(tf.mul(some, owner), tf.mul(tf.sub(1, some), k.assignments));
        }
        const mass = tf.maximum(tf.sum(weights, 2, true), 1e-12); // [B, Kv, 1]
        let cue: tf.Tensor3D = tf.div(tf.matMul(weights, pooled), mass);
        if (histogram === "sqrt") cue = tf.sqrt(tf.relu(cue));
        if (wordWeights) cue = tf.mul(cue, tf.tensor1d(wordWeights));
        if (subtractBackground) {
          // the background center's row of each frame, [B, 1, W], from every center's
          const pick = tf.expandDims(tf.cast(tf.oneHot(bg, kv), "float32"), 1);
          cue = tf.sub(cue, tf.matMul(pick as tf.Tensor3D, cue));
        }
        if (appendCenter) cue = tf.concat([cue, k.centers], 2);
        return [k.centers, bg, cue];
      });
      const data = await centers.data() as Float32Array;
      const bg = await background.data();
      const pooled = hard ? await hard.data() as Float32Array : undefined;
      tf.dispose([centers, background, hard]);
      group.forEach((c, i) => {
        visualCenters.set(c.id, data.slice(i * kv * d, (i + 1) * kv * d));
        backgroundCenter.set(c.id, bg[i]);
        if (pooled) cues.set(c.id, pooled.slice(i * kv * size, (i + 1) * kv * size));
      });
    }
  }

  return {
    name: "ours",
    visualCenters,
    backgroundCenter,
    cueSize: size,
    async prepare(batch: MixtureBatch): Promise<void> {
      const clips = batch.clips.flat();
      if (init === "grid") await centersOf(clips);
      const n = batch.clips[0].length, b = batch.clips.length;
      const k = Math.max(...clips.map(_objects));
      const vectors = new Float32Array(b * n * k * size), valid = new Float32Array(b * n * k);
      // audio centers of each mixture, one forward per number of sounds
      const soundsOf = batch.clips.map((g) => g.reduce((a, c) => a + _objects(c), 0));
      const audioCenters: Float32Array[] = new Array(b);
      for (const sounds of new Set(soundsOf)) {
        const idx = [...soundsOf.keys()].filter((i) => soundsOf[i] === sounds);
        const centers = tf.tidy(() => {
          const x = modelInputs(
            model,
            idx.map((i) =>
              atModelRate({ ...batch.clips[i][0], id: `mixture-${i}`, audio: batch.mixtures[i] })
            ),
          );
          return softKMeans(embedAudio(model, x.logMel).features, sounds, km).centers;
        });
        const data = await centers.data() as Float32Array;
        centers.dispose();
        idx.forEach((i, r) => audioCenters[i] = data.slice(r * sounds * d, (r + 1) * sounds * d));
      }
      for (let i = 0; i < b; i++) {
        const sounds = soundsOf[i], a = audioCenters[i];
        if (init !== "grid") centersFromAudio(batch.clips[i], a, sounds);
        batch.clips[i].forEach((clip, j) => {
          const v = visualCenters.get(clip.id)!;
          const kv = v.length / d, bg = backgroundCenter.get(clip.id)!;
          // each visual center's distance to its nearest audio center (the background: none)
          const near = Array.from({ length: kv }, (_, c) => {
            if (c === bg) return Infinity;
            if (ownAligned(init)) {
              // only the centers the sounds started, each against its own sound
              if (c >= sounds) return Infinity;
              let dist = 0;
              for (let e = 0; e < d; e++) dist += (v[c * d + e] - a[c * d + e]) ** 2;
              return dist;
            }
            let best = Infinity;
            for (let s = 0; s < sounds; s++) {
              let dist = 0;
              for (let e = 0; e < d; e++) dist += (v[c * d + e] - a[s * d + e]) ** 2;
              best = Math.min(best, dist);
            }
            return best;
          });
          const chosen = [...near.keys()].sort((p, q) => near[p] - near[q]).slice(
            0,
            _objects(clip),
          );
          chosen.forEach((c, slot) => {
            const o = (i * n + j) * k + slot;
            const cue = cues.get(clip.id);
            const center = cue
              ? cue.subarray(c * size, (c + 1) * size)
              : v.subarray(c * d, (c + 1) * d);
            if (unitNorm) {
              const norm = Math.sqrt(center.reduce((a, x) => a + x * x, 0));
              for (let e = 0; e < size; e++) {
                vectors[o * size + e] = norm > 0 ? center[e] / norm : 0;
              }
            } else vectors.set(center, o * size);
            valid[o] = 1;
          });
        });
      }
      prepared.set(batch, { vectors, valid, k });
    },
    condition(batch: MixtureBatch): Conditioning {
      const p = prepared.get(batch);
      if (!p) {
        throw new Error("alignedCenterConditioner: condition() before prepare() for this batch");
      }
      const b = batch.clips.length, n = batch.clips[0].length;
      return {
        vectors: tf.tensor4d(p.vectors, [b, n, p.k, size]),
        valid: tf.tensor3d(p.valid, [b, n, p.k]),
      };
    },
  };
}

/**
 * Options of {@linkcode createOursSeparation} beyond the network's and the clustering's.
 *
 * @category model
 */
export interface OursCueOptions {
  /**
   * Width of a learned MLP (`D -> hidden ReLU -> D`, trained by the separation loss with the
   * network) that maps each cue before it conditions the network; 0 (the default): none.
   */
  cueMlp?: number;
}

/**
 * Our separation method: a separation network conditioned (Sound-of-Pixels' channel product)
 * on the aligned visual centers of the frozen audiovisual model `av`, optionally scaled to unit
 * norm (`unitNorm`) and mapped by a learned MLP (`cueMlp`) first; by default the centers as the
 * conditioner gives them (unit norm + a 64-wide MLP raised ours' SDR on 5 of 5 seeds before the
 * FMA kernels and on 1 of 3 after them: docs/separation.md).
 *
 * @param av the trained audiovisual model.
 * @param opts separation preset, seed, configuration overrides, clustering and cue settings.
 * @returns the network (conditioning size = the model's embedding D, or the codebook's W words; the MLP's variables
 * `cue.*` in its store) and its conditioner.
 * @category model
 */
export function createOursSeparation(
  av: AVModel,
  opts: CreateSeparationModelOptions & AlignedCenterOptions & OursCueOptions = {},
): SeparationMethod {
  const conditioner = alignedCenterConditioner(av, opts);
  const d = conditioner.cueSize;
  const model = createSeparationModel({
    preset: opts.preset ?? av.config.preset,
    seed: opts.seed,
    config: { ...opts.config, conditionSize: d },
  });
  const hidden = opts.cueMlp ?? 0;
  if (!Number.isInteger(hidden) || hidden < 0) {
    throw new Error(`createOursSeparation: cueMlp must be an integer >= 0, got ${hidden}`);
  }
  if (hidden === 0) return { model, conditioner };
  const p = model.params;
  p.heNormal("cue.w1", [d, hidden], d);
  p.constant("cue.b1", [hidden], 0);
  p.glorotUniform("cue.w2", [hidden, d], hidden, d);
  p.constant("cue.b2", [d], 0);
  const mlp: AlignedCenterConditioner = {
    name: conditioner.name,
    visualCenters: conditioner.visualCenters,
    backgroundCenter: conditioner.backgroundCenter,
    cueSize: d,
    prepare: (batch) => conditioner.prepare!(batch),
    dispose: () => conditioner.dispose?.(),
    condition(batch: MixtureBatch): Conditioning {
      const { vectors, valid } = conditioner.condition(batch);
      const [b, n, k] = vectors.shape;
      // called inside the caller's tidy (and gradient tape), as every conditioner is
      const h = tf.relu(tf.add(
        tf.matMul(tf.reshape(vectors, [b * n * k, d]), p.get("cue.w1") as tf.Tensor2D),
        p.get("cue.b1"),
      ));
      const out = tf.add(tf.matMul(h, p.get("cue.w2") as tf.Tensor2D), p.get("cue.b2"));
      return { vectors: tf.reshape(out, [b, n, k, d]) as tf.Tensor4D, valid };
    },
  };
  return { model, conditioner: mlp };
}
