/**
 * The learning recipe of a training stage: what each step computes beyond the paper's method
 * (beta schedule, negatives, learning-rate schedule, augmentation) and on which data (fresh
 * scenes or a recycled set). `paper` is the paper code's recipe; `ours` is the default, every
 * change in it measured by the ablation runner (see README, "The learning recipe").
 *
 * @module
 */

import { BACKGROUND_RULES, type BackgroundRule } from "../model/align_centers.ts";
import { checkWeightAverageDecay } from "./weight_average.ts";
import {
  checkVisualInit,
  checkVisualInitPairs,
  VISUAL_INITS,
  type VisualInit,
  type VisualInitPairs,
} from "../model/pair_distances.ts";
import { checkVisualSpatial } from "../model/visual_spatial.ts";
import { DEFAULT_ITERATIONS } from "../../kernels/soft_kmeans_types.ts";

/**
 * The named recipes.
 *
 * @category training
 */
export const RECIPE_NAMES = ["ours", "paper"] as const;

/**
 * One of {@linkcode RECIPE_NAMES}.
 *
 * @category training
 */
export type RecipeName = typeof RECIPE_NAMES[number];

/**
 * Everything a recipe fixes.
 *
 * @category training
 */
export interface Recipe {
  /** Soft K-means beta at the stage's first step. */
  betaStart: number;
  /** Soft K-means beta at the stage's last step (geometric schedule from `betaStart`). */
  betaEnd: number;
  /** `next`: one negative frame per audio (the next clip's); `all`: every other frame. */
  negatives: "next" | "all";
  /**
   * A new batch of scenes every step when the data can make them (a `batches` method, as the
   * synthetic world's), instead of cycling through one drawn set of `datasetSize` clips.
   */
  freshScenes: boolean;
  /** Steps of linear learning-rate warmup at the start of each stage (0: none). */
  warmupSteps: number;
  /** Learning-rate decay after warmup: `none`, or `cosine` down to 10% at the stage's end. */
  lrDecay: "none" | "cosine";
  /** Augmentation: flip each frame left-right with probability 1/2. */
  flip: boolean;
  /**
   * Augmentation: each clip's audio scaled by a gain uniform in [-this, +this] dB (0: none),
   * before the log-mel front end.
   */
  gainJitter: number;
  /**
   * Augmentation: each clip's audio shifted in time by a uniform share of its length in
   * [-this, +this], circularly (what leaves one end comes back at the other), in [0, 0.5]
   * (0: none).
   */
  timeShift: number;
  /**
   * Augmentation: colour jitter of each frame of strength `j` in [0, 1) (0: none): brightness,
   * saturation and contrast each scaled by a factor uniform in [1 - j, 1 + j] (saturation
   * around the pixel's grey, contrast around the frame's mean), clipped to [0, 1].
   */
  colorJitter: number;
  /**
   * Augmentation: random crops of the frames (absent or 0: none): each frame cut to a window of
   * the frame's aspect, of area share uniform in [this, 1] at a uniform position, and resized
   * back (bilinear), in (0, 1). The frame's scale and framing vary as in real footage; a small
   * share can cut the sounding object out. Measured, not the default (README, "The learning
   * recipe").
   */
  cropScale?: number;
  /**
   * The visual center never aligned to a sound: `none` (the paper: the nearest of all wins)
   * or `largest` (the center of largest assignment mass is the background), `border` or
   * `spread` (measured, rejected; see `BackgroundRule`).
   */
  background: BackgroundRule;
  /**
   * Weight of the in-frame negatives (0: none): each audio center against the nearest visual
   * center of its own frame that no sound is aligned to (the background center, and with
   * `extraVisualCenters` > 1 the others no sound chose), a hard negative in the same margin
   * form 0.5 max(0, m - d)^2 (the rest of the same image, as LVS's hard way). The step's loss
   * is then 0.5 (positives + other-frame negatives + weight * in-frame negatives), each a
   * mean.
   */
  inFrameNegative: number;
  /**
   * Visual centers beyond the sounds: K_visual = K_audio + this (1: the paper's one
   * background center), in training and in the ablation's localization. A stage's own
   * `kVisual` wins.
   */
  extraVisualCenters: number;
  /**
   * The contrastive loss: `margin` (the paper's 0.5 [y d^2 + (1 - y) max(0, m - d)^2] over
   * the positives and the negatives), `softmax` (InfoNCE: each audio picks its own frame among
   * the batch's frames, logits -d^2 / `temperature`; needs `negatives: "all"`) or
   * `softmax-symmetric` (also each frame its own audio among the batch's audios, the two
   * averaged). See `softmaxContrastiveLoss`.
   */
  loss: ContrastiveLossKind;
  /** The softmax losses' temperature tau (> 0; unused by `margin`). */
  temperature: number;
  /**
   * The softmax losses' temperature at the stage's last step (absent: `temperature`
   * throughout): geometric from `temperature` to this over each stage, as beta's schedule
   * (a smaller tau late sharpens the softmax onto the hardest negatives). Measured, not the
   * default (README, "The learning recipe").
   */
  temperatureEnd?: number;
  /**
   * Soft alignment in training (0: each sound to its nearest alignable visual center, the
   * paper's hard rule): the softmin temperature with which each sound's visual center is the
   * mix of the alignable centers weighted by softmin(D^2 / this), so a wrong choice still
   * passes gradient to the right center (`PairOptions.alignTemperature`). Localization and
   * the separation cue keep the hard nearest, the mix's largest weight.
   */
  alignTemperature: number;
  /**
   * Soft K-means beta of the visual clustering alone (absent or 0: the recipe's beta, the
   * `betaStart` to `betaEnd` schedule; the audio clustering keeps that beta), constant over the
   * stage, in training and in the ablation's localization and held-out measures. Larger: sharper
   * visual clusters. In C1 (K_audio = 1) the audio clustering has one center, so there it is
   * the only beta that acts. Measured, not the default (README, "The learning recipe").
   */
  visualBeta?: number;
  /**
   * Mean-field spatial coupling gamma of the visual soft K-means (absent or 0: none, each grid
   * position assigned on its own): from the second iteration on, each position's logit for a
   * visual center gains gamma times its 4 grid neighbours' mean previous assignment to that
   * center (compact, hole-free clusters; `PairOptions.visualCoupling`), in training (the
   * gradient flows through it) and in the ablation's localization and held-out measures. Runs
   * the composed tfjs soft K-means (not the fused kernels). Measured, not the default (README,
   * "The learning recipe").
   */
  visualCoupling?: number;
  /**
   * Spatial prior of the visual clustering (absent or 0: off): the visual feature map smoothed
   * by a Gaussian of this sigma in grid cells (borders normalised by the weights inside the
   * frame) before the visual soft K-means only, in training (the gradient flows through it)
   * and in the ablation's localization and held-out measures (`PairOptions.visualSmoothing`).
   * Needs the grid `visualInit`. Measured, not the default (README, "The learning recipe").
   */
  visualSmoothing?: number;
  /**
   * Spatial prior of the visual clustering (absent or 0: off): each position's (x, y) in
   * [-1, 1] appended to the visual features for the visual soft K-means, weighted by this
   * lambda (at 1 the coordinates spread as much as the frame's features), the centers'
   * coordinates dropped before the alignment; in training and in the ablation's localization
   * and held-out measures (`PairOptions.visualCoordinates`). Needs the grid `visualInit`.
   * Measured, not the default (README, "The learning recipe").
   */
  visualCoordinates?: number;
  /**
   * Where the visual soft K-means starts its centers (absent or `grid`: positions
   * floor(k N / K), the paper's; `audio`: the first K_audio visual centers start at the audio
   * centers of the pair's sound, so each frame is clustered once per audio of the batch, each
   * sound aligned by `background`; `audio-own`: the same, each sound aligned to the center it
   * started), in training and in the ablation's localization and held-out measures (see
   * `PairOptions.visualInit`). Needs no in-frame negatives.
   */
  visualInit?: VisualInit;
  /**
   * With an audio `visualInit`: which (audio, frame) pairs are clustered in training (absent or
   * `all`: every frame once per audio of the batch, B x B; `own`: each frame once, from its own
   * clip's sound, and the other audios compared with the centers that frame's own sound
   * started: B clusterings; see `PairOptions.visualInitPairs`). Localization and the held-out
   * pairs are not affected.
   */
  visualInitPairs?: VisualInitPairs;
  /**
   * With an audio `visualInit`: no gradient through the start in training (the audio centers
   * used as the first visual centers; absent or false: the gradient flows into it).
   */
  visualInitDetach?: boolean;
  /**
   * With an audio `visualInit`: the first this many steps of each stage start the visual
   * centers at grid positions (`grid`, with `background`), the audio start only after (absent
   * or 0: from the first step). Localization and the held-out pairs use `visualInit`.
   */
  visualInitAfter?: number;
  /**
   * Negatives that sound the same left out of the softmax losses (absent or 0: every other frame of
   * the batch is a negative): in (0, 1), frame j is left out as audio i's negative when the cosine
   * of the two clips' mean audio centers, each less the batch's mean (`PairDistances.audioCosine`,
   * no gradient), exceeds this. A batch often holds two clips of one kind of sound; their frames
   * then show the same kind of object, no evidence against each other's sound, and pushing them
   * apart fights the positive (false negatives). The model's own audio features judge, so no label
   * is used. Needs a softmax loss and the grid `visualInit`.
   */
  sameSoundCosine?: number;
  /**
   * Weight averaging (absent or 0: none): the decay in (0, 1) of an exponential moving average
   * of the weights (bias-corrected: the weighted mean of the stage's weights so far, the last
   * step's weighted most; 0.99 spans about the last 100 steps) that the trainer keeps beside
   * the online weights, restarted at each stage's start (as Adam's state). The online weights
   * keep training, unaffected (the history's accuracy is theirs); the trained model the trainer
   * leaves in the network when it completes, and `loadModel` reads from its checkpoint, is the
   * average (the checkpoint holds both; a resume continues from the online weights and needs a
   * checkpoint with the same average; the run cache's chains and `train --init` continue from
   * the online weights too). Not the recipe's default; the quick reproduce sets 0.99 for every
   * model it trains (`RunScale.weightAverage`; README, "The learning recipe").
   */
  weightAverage?: number;
  /**
   * Soft K-means iterations from the grid start (absent: the kernels' 4, the paper's), of the
   * audio and the visual clustering, in training and wherever the model is read
   * (`recipeClustering`: localization, the held-out pairs, the separation cue). Fewer leave the
   * centers nearer their grid start, and the gradient reaches the features through fewer
   * steps. Measured (README, "The learning recipe").
   */
  iterations?: number;
  /**
   * Each sound of a clip aligned to a different visual center (absent or false: each to its
   * nearest, the paper's rule, under which two sounds may share one center): the one-to-one
   * assignment of least total distance (`distinctAlignment`), in training and wherever the
   * model is read (`recipeClustering`). The same as the nearest rule with one sound (C1). Not
   * with `alignTemperature`. Measured (README, "The learning recipe").
   */
  distinctAlignment?: boolean;
}

/**
 * The contrastive losses a recipe can train with (see {@linkcode Recipe.loss}).
 *
 * @category training
 */
export const CONTRASTIVE_LOSSES = ["margin", "softmax", "softmax-symmetric"] as const;

/**
 * One of {@linkcode CONTRASTIVE_LOSSES}.
 *
 * @category training
 */
export type ContrastiveLossKind = typeof CONTRASTIVE_LOSSES[number];

/**
 * The recipes by name (frozen). `ours`: fresh scenes, beta 5, every other frame of the batch
 * as a negative, two visual centers beyond the sounds (K_visual = K_audio + 2), the visual
 * center of largest assignment mass as a background that is never aligned, and the softmax
 * (InfoNCE) loss over the batch's frames at temperature 2, two soft K-means iterations, and each
 * sound of a clip aligned to a different visual center (each measured with the ablation runner;
 * see README). `paper`: beta 30, the next clip's frame as the one negative, the margin loss, 256
 * recycled clips per stage, K_visual = K_audio + 1, every visual center alignable, four
 * iterations, each sound to its nearest center. `localize` defaults to how `ours` trains
 * (`LOCALIZE_DEFAULTS`).
 *
 * @category training
 */
export const RECIPES: Readonly<Record<RecipeName, Readonly<Recipe>>> = Object.freeze({
  ours: Object.freeze<Recipe>({
    betaStart: 5,
    betaEnd: 5,
    negatives: "all",
    freshScenes: true,
    warmupSteps: 0,
    lrDecay: "none",
    flip: false,
    gainJitter: 0,
    timeShift: 0,
    colorJitter: 0,
    background: "largest",
    inFrameNegative: 0,
    extraVisualCenters: 2,
    loss: "softmax",
    temperature: 2,
    alignTemperature: 0,
    iterations: 2,
    distinctAlignment: true,
  }),
  paper: Object.freeze<Recipe>({
    betaStart: 30,
    betaEnd: 30,
    negatives: "next",
    freshScenes: false,
    warmupSteps: 0,
    lrDecay: "none",
    flip: false,
    gainJitter: 0,
    timeShift: 0,
    colorJitter: 0,
    background: "none",
    inFrameNegative: 0,
    extraVisualCenters: 1,
    loss: "margin",
    temperature: 1,
    alignTemperature: 0,
  }),
});

/**
 * A recipe from its name or a partial override of the default (`ours`), checked.
 *
 * @param recipe a name, or fields overriding `base` (default `ours`).
 * @param base the recipe that `recipe`'s missing fields come from.
 * @returns the full recipe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RECIPES, resolveRecipe } from "./recipe.ts";
 * assert.equal(resolveRecipe("paper").betaStart, 30);
 * // the fields not given come from `base` (default `ours`)
 * assert.deepEqual(resolveRecipe({ flip: true }), { ...RECIPES.ours, flip: true });
 * assert.equal(resolveRecipe({ freshScenes: true }, "paper").betaStart, 30);
 * assert.throws(() => resolveRecipe({ betaEnd: 0 }), /betaEnd must be finite and > 0/);
 * assert.throws(() => resolveRecipe({ extraVisualCenters: 0 }), /extraVisualCenters must be/);
 * assert.throws(() => resolveRecipe({ timeShift: 0.6 }), /timeShift must be/);
 * assert.equal(resolveRecipe().loss, "softmax"); // ours; the paper's margin loss one field away
 * assert.equal(resolveRecipe({ loss: "margin" }).loss, "margin");
 * assert.throws(() => resolveRecipe({ loss: "softmax", temperature: 0 }), /temperature must be/);
 * assert.throws(() => resolveRecipe({ negatives: "next" }), /needs negatives "all"/);
 * assert.equal(resolveRecipe({ negatives: "next", loss: "margin" }).negatives, "next");
 * assert.throws(() => resolveRecipe({ visualBeta: -1 }), /visualBeta must be/);
 * assert.throws(() => resolveRecipe({ cropScale: 1 }), /cropScale must be/);
 * assert.throws(() => resolveRecipe({ visualCoupling: -1 }), /visualCoupling must be/);
 * assert.throws(() => resolveRecipe({ visualSmoothing: -1 }), /visualSmoothing must be/);
 * assert.throws(
 *   () => resolveRecipe({ visualCoordinates: 1, visualInit: "audio" }),
 *   /need the grid visualInit/,
 * );
 * assert.throws(() => resolveRecipe({ temperatureEnd: 0 }), /temperatureEnd must be/);
 * assert.throws(() => resolveRecipe({ visualInit: "sound" as "audio" }), /visualInit must be/);
 * assert.throws(() => resolveRecipe({ visualInitAfter: 150 }), /visualInitAfter 150 needs an audio/);
 * assert.throws(() => resolveRecipe({ weightAverage: 1 }), /weightAverage must be a decay/);
 * assert.throws(() => resolveRecipe({ sameSoundCosine: 1 }), /sameSoundCosine must be/);
 * assert.throws(() => resolveRecipe({ iterations: 0 }), /iterations must be an integer >= 1/);
 * assert.throws(
 *   () => resolveRecipe({ sameSoundCosine: 0.9, loss: "margin" }),
 *   /sameSoundCosine 0.9 leaves negatives out of a softmax loss/,
 * );
 * ```
 * @category training
 */
export function resolveRecipe(
  recipe: RecipeName | Partial<Recipe> = "ours",
  base: RecipeName = "ours",
): Recipe {
  if (typeof recipe === "string") {
    if (!(RECIPE_NAMES as readonly string[]).includes(recipe)) {
      throw new Error(`recipe: "${recipe}" is not one of ${RECIPE_NAMES.join(", ")}`);
    }
    return { ...RECIPES[recipe] };
  }
  const r: Recipe = { ...RECIPES[base], ...recipe };
  for (const key of ["betaStart", "betaEnd"] as const) {
    if (!(Number.isFinite(r[key]) && r[key] > 0)) {
      throw new Error(`recipe: ${key} must be finite and > 0, got ${r[key]}`);
    }
  }
  if (!Number.isInteger(r.warmupSteps) || r.warmupSteps < 0) {
    throw new Error(`recipe: warmupSteps must be an integer >= 0, got ${r.warmupSteps}`);
  }
  if (r.negatives !== "next" && r.negatives !== "all") {
    throw new Error(`recipe: negatives must be "next" or "all", got ${r.negatives}`);
  }
  if (r.lrDecay !== "none" && r.lrDecay !== "cosine") {
    throw new Error(`recipe: lrDecay must be "none" or "cosine", got ${r.lrDecay}`);
  }
  if (!BACKGROUND_RULES.includes(r.background)) {
    throw new Error(`recipe: background must be one of ${BACKGROUND_RULES}, got ${r.background}`);
  }
  if (!(Number.isFinite(r.inFrameNegative) && r.inFrameNegative >= 0)) {
    throw new Error(`recipe: inFrameNegative must be finite and >= 0, got ${r.inFrameNegative}`);
  }
  if (!(Number.isFinite(r.gainJitter) && r.gainJitter >= 0)) {
    throw new Error(`recipe: gainJitter must be finite and >= 0 (dB), got ${r.gainJitter}`);
  }
  if (!(Number.isFinite(r.timeShift) && r.timeShift >= 0 && r.timeShift <= 0.5)) {
    throw new Error(`recipe: timeShift must be in [0, 0.5], got ${r.timeShift}`);
  }
  if (!(Number.isFinite(r.colorJitter) && r.colorJitter >= 0 && r.colorJitter < 1)) {
    throw new Error(`recipe: colorJitter must be in [0, 1), got ${r.colorJitter}`);
  }
  if (r.cropScale !== undefined && !(r.cropScale >= 0 && r.cropScale < 1)) {
    throw new Error(`recipe: cropScale must be in [0, 1) (0: no crops), got ${r.cropScale}`);
  }
  if (!Number.isInteger(r.extraVisualCenters) || r.extraVisualCenters < 1) {
    throw new Error(
      `recipe: extraVisualCenters must be an integer >= 1, got ${r.extraVisualCenters}`,
    );
  }
  if (!(CONTRASTIVE_LOSSES as readonly string[]).includes(r.loss)) {
    throw new Error(`recipe: loss must be one of ${CONTRASTIVE_LOSSES.join(", ")}, got ${r.loss}`);
  }
  if (!(Number.isFinite(r.temperature) && r.temperature > 0)) {
    throw new Error(`recipe: temperature must be finite and > 0, got ${r.temperature}`);
  }
  if (
    r.temperatureEnd !== undefined && !(Number.isFinite(r.temperatureEnd) && r.temperatureEnd > 0)
  ) {
    throw new Error(`recipe: temperatureEnd must be finite and > 0, got ${r.temperatureEnd}`);
  }
  if (!(Number.isFinite(r.alignTemperature) && r.alignTemperature >= 0)) {
    throw new Error(`recipe: alignTemperature must be finite and >= 0, got ${r.alignTemperature}`);
  }
  if (r.visualBeta !== undefined && !(Number.isFinite(r.visualBeta) && r.visualBeta >= 0)) {
    throw new Error(
      `recipe: visualBeta must be finite and >= 0 (0: the recipe's beta), got ${r.visualBeta}`,
    );
  }
  if (
    r.visualCoupling !== undefined &&
    !(Number.isFinite(r.visualCoupling) && r.visualCoupling >= 0)
  ) {
    throw new Error(
      `recipe: visualCoupling must be finite and >= 0 (0: no coupling), got ${r.visualCoupling}`,
    );
  }
  if (
    checkVisualSpatial("recipe", r) && r.visualInit !== undefined && r.visualInit !== "grid"
  ) {
    throw new Error(
      `recipe: visualSmoothing / visualCoordinates need the grid visualInit, got ` +
        `"${r.visualInit}"`,
    );
  }
  if (r.visualInit !== undefined) {
    checkVisualInit("recipe: visualInit", r.visualInit);
    if (r.visualInit !== "grid" && r.inFrameNegative > 0) {
      throw new Error(
        `recipe: visualInit "${r.visualInit}" takes no in-frame negatives (inFrameNegative ` +
          `${r.inFrameNegative}): each pair's frame is clustered from its own sound`,
      );
    }
  }
  const audioInit = r.visualInit !== undefined && r.visualInit !== "grid";
  if (r.visualInitPairs !== undefined) {
    checkVisualInitPairs("recipe: visualInitPairs", r.visualInitPairs);
  }
  if (r.visualInitDetach !== undefined && typeof r.visualInitDetach !== "boolean") {
    throw new Error(`recipe: visualInitDetach must be a boolean, got ${r.visualInitDetach}`);
  }
  if (
    r.visualInitAfter !== undefined &&
    !(Number.isInteger(r.visualInitAfter) && r.visualInitAfter >= 0)
  ) {
    throw new Error(`recipe: visualInitAfter must be an integer >= 0, got ${r.visualInitAfter}`);
  }
  if (r.weightAverage !== undefined) {
    checkWeightAverageDecay("recipe: weightAverage", r.weightAverage);
  }
  if (r.iterations !== undefined && !(Number.isInteger(r.iterations) && r.iterations >= 1)) {
    throw new Error(`recipe: iterations must be an integer >= 1, got ${r.iterations}`);
  }
  if (r.distinctAlignment !== undefined && typeof r.distinctAlignment !== "boolean") {
    throw new Error(`recipe: distinctAlignment must be a boolean, got ${r.distinctAlignment}`);
  }
  if (r.distinctAlignment && r.alignTemperature > 0) {
    throw new Error(
      `recipe: distinctAlignment is a hard choice; got alignTemperature ${r.alignTemperature}`,
    );
  }
  // each field away from its default needs an audio-started clustering to act on
  const audioOnly = {
    visualInitPairs: (r.visualInitPairs ?? "all") !== "all",
    visualInitDetach: r.visualInitDetach === true,
    visualInitAfter: (r.visualInitAfter ?? 0) > 0,
  };
  for (const [key, set] of Object.entries(audioOnly) as [keyof typeof audioOnly, boolean][]) {
    if (set && !audioInit) {
      throw new Error(
        `recipe: ${key} ${JSON.stringify(r[key])} needs an audio visualInit (one of ` +
          `${VISUAL_INITS.filter((i) => i !== "grid").join(", ")}), got ` +
          JSON.stringify(r.visualInit ?? "grid"),
      );
    }
  }
  if (r.loss !== "margin" && r.negatives !== "all") {
    throw new Error(
      `recipe: loss "${r.loss}" picks each audio's frame among all the batch's frames: it ` +
        `needs negatives "all", got "${r.negatives}" (the margin loss takes either: loss "margin")`,
    );
  }
  if (r.sameSoundCosine !== undefined) {
    const c = r.sameSoundCosine;
    if (!(Number.isFinite(c) && c >= 0 && c < 1)) {
      throw new Error(`recipe: sameSoundCosine must be in [0, 1) (0: off), got ${c}`);
    }
    if (c > 0 && (r.loss === "margin" || audioInit)) {
      throw new Error(
        `recipe: sameSoundCosine ${c} leaves negatives out of a softmax loss over the grid ` +
          `visualInit's clustering; got loss "${r.loss}", visualInit ` +
          JSON.stringify(r.visualInit ?? "grid"),
      );
    }
  }
  if (r.loss !== "margin" && r.inFrameNegative > 0) {
    throw new Error(
      `recipe: in-frame negatives (inFrameNegative ${r.inFrameNegative}) are a margin-loss ` +
        `term; loss "${r.loss}" takes none (set loss "margin")`,
    );
  }
  return r;
}

/**
 * The clustering a model trained with a recipe is read with (localization, the held-out pairs,
 * the separation cue): the fields of `LocalizeOptions` / `oursHeatmaps` that the recipe fixes.
 * See {@linkcode recipeClustering}.
 *
 * @category training
 */
export interface RecipeClustering {
  /** Soft K-means beta: the recipe's last (`betaEnd`). */
  beta: number;
  /** Which visual center is the background, never aligned (the recipe's `background`). */
  background: BackgroundRule;
  /** Visual centers beyond the sounds: K_visual = K_audio + this. */
  extraVisualCenters: number;
  /** The visual clustering's own beta (present when the recipe sets one). */
  visualBeta?: number;
  /** Mean-field spatial coupling of the visual clustering (present when the recipe sets one). */
  visualCoupling?: number;
  /** Where the visual centers start (present when the recipe sets it). */
  visualInit?: VisualInit;
  /** Gaussian smoothing before the visual clustering (present when the recipe sets one). */
  visualSmoothing?: number;
  /** Coordinates appended for the visual clustering (present when the recipe sets them). */
  visualCoordinates?: number;
  /** Soft K-means iterations (the recipe's; absent there: the paper's 4). */
  iterations: number;
  /** Each sound to a different visual center (the recipe's; absent there: false, the paper's). */
  distinctAlignment: boolean;
}

/**
 * The fields of a {@linkcode Recipe} that {@linkcode recipeClustering} reads (a whole recipe
 * will do).
 *
 * @category training
 */
export type ClusteringRecipe = Pick<
  Recipe,
  | "betaEnd"
  | "background"
  | "extraVisualCenters"
  | "visualBeta"
  | "visualCoupling"
  | "visualInit"
  | "visualSmoothing"
  | "visualCoordinates"
  | "iterations"
  | "distinctAlignment"
>;

/**
 * The clustering a model trained with `recipe` is read with, as it was trained: the recipe's last
 * beta (`betaEnd`), its background rule, its visual centers beyond the sounds, its soft K-means
 * iterations and alignment rule (absent in the recipe: the paper's 4 and nearest), and the visual
 * clustering's own settings the recipe sets (`visualBeta`, `visualCoupling`, `visualInit`,
 * `visualSmoothing`, `visualCoordinates`; absent ones are left out, so the reader's defaults
 * apply). Spread it into `oursHeatmaps`' options (or `localize`'s with `kVisual: kAudio +
 * extraVisualCenters`). `ours` gives `LOCALIZE_DEFAULTS`; a model trained with `paper` is read at
 * beta 30, every visual center alignable, K_visual = K_audio + 1.
 *
 * @param recipe the recipe the model was trained with (e.g. from `resolveRecipe`).
 * @returns the clustering settings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOCALIZE_DEFAULTS } from "@avscene/avscene/model";
 * import { recipeClustering, resolveRecipe } from "@avscene/avscene/train";
 * assert.deepEqual(recipeClustering(resolveRecipe("ours")), LOCALIZE_DEFAULTS);
 * assert.deepEqual(recipeClustering(resolveRecipe("paper")), {
 *   beta: 30,
 *   background: "none",
 *   extraVisualCenters: 1,
 *   iterations: 4,
 *   distinctAlignment: false,
 * });
 * // the visual clustering's own settings travel with it; a beta schedule is read at its end
 * const r = resolveRecipe({ betaStart: 2, betaEnd: 8, visualBeta: 2.5, iterations: 3 });
 * assert.deepEqual(recipeClustering(r), {
 *   beta: 8,
 *   background: "largest",
 *   extraVisualCenters: 2,
 *   iterations: 3,
 *   distinctAlignment: true,
 *   visualBeta: 2.5,
 * });
 * ```
 * @category training
 */
export function recipeClustering(recipe: ClusteringRecipe): RecipeClustering {
  const out: RecipeClustering = {
    beta: recipe.betaEnd,
    background: recipe.background,
    extraVisualCenters: recipe.extraVisualCenters,
    // explicit, so a paper-trained model is not read at localize's defaults
    iterations: recipe.iterations ?? DEFAULT_ITERATIONS,
    distinctAlignment: recipe.distinctAlignment ?? false,
  };
  for (
    const key of [
      "visualBeta",
      "visualCoupling",
      "visualSmoothing",
      "visualCoordinates",
    ] as const
  ) {
    if (recipe[key] !== undefined) out[key] = recipe[key];
  }
  if (recipe.visualInit !== undefined) out.visualInit = recipe.visualInit;
  return out;
}

/**
 * Beta at step `step` (0-based) of a stage of `steps` steps: geometric from `betaStart` to
 * `betaEnd` (constant when they are equal).
 *
 * @param recipe the recipe.
 * @param step 0-based step of the stage.
 * @param steps steps of the stage.
 * @returns beta.
 * @category training
 */
export function recipeBeta(recipe: Recipe, step: number, steps: number): number {
  if (recipe.betaStart === recipe.betaEnd || steps <= 1) return recipe.betaEnd;
  const f = Math.min(1, Math.max(0, step / (steps - 1)));
  return recipe.betaStart * Math.pow(recipe.betaEnd / recipe.betaStart, f);
}

/**
 * The softmax losses' temperature at step `step` (0-based) of a stage of `steps` steps:
 * geometric from `temperature` to `temperatureEnd` (constant without `temperatureEnd`).
 *
 * @param recipe the recipe.
 * @param step 0-based step of the stage.
 * @param steps steps of the stage.
 * @returns tau.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recipeTemperature, resolveRecipe } from "@avscene/avscene/train";
 * const r = resolveRecipe({ temperature: 4, temperatureEnd: 1 });
 * assert.deepEqual([0, 50, 100].map((t) => recipeTemperature(r, t, 101)), [4, 2, 1]);
 * assert.equal(recipeTemperature(resolveRecipe(), 7, 100), 2); // ours: constant tau 2
 * ```
 * @category training
 */
export function recipeTemperature(recipe: Recipe, step: number, steps: number): number {
  const end = recipe.temperatureEnd;
  if (end === undefined || end === recipe.temperature || steps <= 1) {
    return end ?? recipe.temperature;
  }
  const f = Math.min(1, Math.max(0, step / (steps - 1)));
  return recipe.temperature * Math.pow(end / recipe.temperature, f);
}

/**
 * Learning rate at step `step` (0-based) of a stage: linear warmup over `warmupSteps`, then
 * constant or cosine decay to 10% of `lr` at the stage's last step.
 *
 * @param recipe the recipe.
 * @param lr the peak learning rate.
 * @param step 0-based step of the stage.
 * @param steps steps of the stage.
 * @returns the step's learning rate.
 * @category training
 */
export function recipeLearningRate(
  recipe: Recipe,
  lr: number,
  step: number,
  steps: number,
): number {
  const w = recipe.warmupSteps;
  if (step < w) return lr * (step + 1) / w;
  if (recipe.lrDecay === "none") return lr;
  const span = Math.max(1, steps - 1 - w);
  const f = Math.min(1, (step - w) / span);
  return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * f)));
}
