/**
 * The recipe ablations: train the model with variants of the learning recipe, several seeds
 * each, and measure what the recipe is for: training accuracy, held-out pair accuracy,
 * localization on the held-out test set (cIoU@0.5 and AUC against the half-image ceiling)
 * and, after multi-source stages, whether each sound's aligned map stays on its own object.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import { synthWorld } from "../data/synth_world.ts";
import { createModel } from "../model/create_model.ts";
import type { AVModel } from "../model/create_model.ts";
import { localize, LOCALIZE_DEFAULTS, type LocalizeOptions } from "../model/localize.ts";
import { modelInputs } from "../model/model_inputs.ts";
import { pairDistances, type PairOptions } from "../model/pair_distances.ts";
import { pairAccuracy } from "../model/contrastive_loss.ts";
import type { ModelConfig, PresetName, TrunkLayer } from "../model/presets.ts";
import { presetConfig } from "../model/presets.ts";
import {
  type Recipe,
  type RecipeClustering,
  recipeClustering,
  type RecipeName,
  resolveRecipe,
} from "../train/recipe.ts";
import { type CurriculumData, trainCurriculum } from "../train/train_curriculum.ts";
import type { CurriculumLevel } from "../train/curriculum.ts";
import { cIoU } from "../metrics/ciou.ts";
import { consensusMap } from "../metrics/consensus_map.ts";
import { upsampleHeatmap } from "../metrics/upsample_heatmap.ts";
import { localizationScores } from "../metrics/localization_scores.ts";
import { objectMassShare } from "../metrics/object_mass_share.ts";
import { clipCIoUs } from "../metrics/clip_cious.ts";
import { halfImageCeiling } from "./run_table2.ts";
import { FIG3_FINAL_WINDOW } from "./run_fig3.ts";
import { oursHeatmaps } from "../model/ours_heatmaps.ts";
import { pooledAudioFeatures } from "../model/pooled_features.ts";
import { classifyFrozenFeatures } from "../metrics/classify_frozen_features.ts";
import { saveModelWeights } from "../train/checkpoint.ts";
import { cpuUsage } from "node:process";

/**
 * One recipe variant of the ablation.
 *
 * @category experiments
 */
export interface AblationVariant {
  /** Short name, e.g. `"paper"`, `"+ fresh scenes"`. */
  name: string;
  /** What changes against the previous variant, in words. */
  change: string;
  /** The recipe: a name or a partial override of `paper` (so each change is explicit). */
  recipe: RecipeName | Partial<Recipe>;
  /** Curriculum levels trained in order (default `[1]`: C1 only). */
  levels?: CurriculumLevel[];
  /**
   * Overrides of the preset's model configuration (e.g. deeper trunks, the frequency
   * channel); none: the preset as it is. Input sizes and the audio front end stay the
   * preset's (the synthetic world is made for them).
   */
  model?: Partial<
    Omit<ModelConfig, "preset" | "imageSize" | "sampleRate" | "duration" | "nFft" | "hop" | "nMels">
  >;
  /** Steps of every stage (default: the run's `steps`), e.g. to compare at equal CPU time. */
  steps?: number;
  /**
   * Steps of each stage in order, one per level (e.g. a long C1 then C2 at the run's scale);
   * wins over `steps` and `stepsFactor`, the result's `steps` the last stage's.
   */
  stageSteps?: number[];
  /**
   * Steps of every stage as a multiple of the run's `steps` (rounded), e.g. to compare batch
   * sizes at equal clips; `steps` wins.
   */
  stepsFactor?: number;
  /** Clips per batch (default: the run's `batchSize`). */
  batchSize?: number;
  /** Learning rate (default: the run's `lr`). */
  lr?: number;
  /** Adam's weight decay (default: the trainer's, the paper code's 1e-4). */
  weightDecay?: number;
}

/** A 3x3 conv layer of a trunk, `out` channels. */
const conv3 = (out: number, stride: number): TrunkLayer => ({
  type: "conv",
  out,
  kernel: 3,
  stride,
});

/** tiny's trunk as it was before this ablation: receptive field 15 x 15. */
const TINY3: TrunkLayer[] = [conv3(16, 2), conv3(32, 2), conv3(32, 1)];

/** Both tiny trunks with `extra` layers after the three of {@linkcode TINY3}. */
const tinyTrunks = (...extra: TrunkLayer[]) => ({
  visual: [...TINY3, ...extra],
  audio: [...TINY3, ...extra],
});

/**
 * The default recipe as the variants changed on top of it were measured: fresh scenes, beta 5,
 * every other frame of the batch as a negative, the center of largest assignment mass as the
 * background, one visual center beyond the sounds (the default until K_visual = K_audio + 2).
 * Frozen here rather than `RECIPES.ours`, so those variants do not change when the default
 * does.
 */
const OURS_MEASURED: Readonly<Recipe> = Object.freeze<Recipe>({
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
  extraVisualCenters: 1,
  loss: "margin",
  temperature: 1,
  alignTemperature: 0,
});

/**
 * The default recipe before the softmax loss: {@linkcode OURS_MEASURED} with K_visual =
 * K_audio + 2 and the margin loss. The variants measured on it keep it when the default
 * changes (frozen here rather than `RECIPES.ours`, as `OURS_MEASURED`).
 */
const OURS_MARGIN: Readonly<Recipe> = Object.freeze<Recipe>({
  ...OURS_MEASURED,
  extraVisualCenters: 2,
});

/**
 * The default recipe when the learning-rate schedule, steps and temperature were measured on it
 * (issue 9's C1 accuracy): {@linkcode OURS_MARGIN} with the softmax loss at temperature 2.
 * Frozen, so those variants keep it when the default changes.
 */
const OURS_SOFTMAX: Readonly<Recipe> = Object.freeze<Recipe>({
  ...OURS_MARGIN,
  loss: "softmax",
  temperature: 2,
});

/**
 * The ablation ladder: from the paper's recipe, one change at a time, to ours; the
 * multi-source curricula checked for sounds staying on their objects (and the aligned center
 * off the background); and changes tried on top of ours.
 * @category experiments
 */
export const ABLATION_VARIANTS: readonly AblationVariant[] = [
  {
    name: "paper",
    change: "the paper code's recipe (beta 30, one negative, 256 clips)",
    recipe: "paper",
  },
  {
    name: "fresh",
    change: "a new batch of scenes every step instead of 256 recycled clips",
    recipe: { freshScenes: true },
  },
  {
    name: "fresh+beta5",
    change: "soft clustering: beta 5",
    recipe: { freshScenes: true, betaStart: 5, betaEnd: 5 },
  },
  {
    name: "fresh+beta5+all",
    change: "every other frame of the batch as a negative",
    recipe: { freshScenes: true, betaStart: 5, betaEnd: 5, negatives: "all" },
  },
  {
    name: "fresh+beta5to30+all",
    change: "beta schedule from 5 to 30 (geometric) instead of 5 (measured worse: not in ours)",
    recipe: { freshScenes: true, betaStart: 5, betaEnd: 30, negatives: "all" },
  },
  {
    name: "ours",
    change: "the default recipe: fresh+beta5+all, the visual center of largest assignment " +
      "mass a background never aligned, and K_visual = K_audio + 2 (in training and " +
      "localization; before ours+kv2's results, K_audio + 1: the variants on OURS_MEASURED), " +
      "and the softmax loss at temperature 2 (before ours+softmax t2's results, the margin " +
      "loss: the variants on OURS_MARGIN)",
    recipe: "ours",
  },
  {
    name: "ours C2(C1)",
    change: "the default recipe, C1 then C2",
    recipe: OURS_MEASURED,
    levels: [1, 2],
  },
  {
    name: "nearest C2(C1)",
    change: "C1 then C2, every visual center alignable (the paper's rule; the aligned center " +
      "flips to the background in 2 of 3 seeds)",
    recipe: { ...OURS_MEASURED, background: "none" },
    levels: [1, 2],
  },
  {
    name: "ours+warmup C2(C1)",
    change: "C1 then C2, 30 warmup steps and cosine learning-rate decay per stage",
    recipe: { ...OURS_MEASURED, warmupSteps: 30, lrDecay: "cosine" },
    levels: [1, 2],
  },
  {
    name: "ours+flip C2(C1)",
    change: "C1 then C2, left-right flips of the frames",
    recipe: { ...OURS_MEASURED, flip: true },
    levels: [1, 2],
  },
  {
    name: "ours C3(C2(C1))",
    change: "the default recipe, C1, C2 then C3",
    recipe: OURS_MEASURED,
    levels: [1, 2, 3],
  },
  {
    name: "ours+reflect",
    change: "the default recipe, the trunks' convolutions reflect-padded instead of zero-padded",
    recipe: OURS_MEASURED,
    model: { padding: "reflect" },
  },
  {
    name: "ours+deep4",
    change: "tiny trunks with a 4th 3x3 stride-1 conv (receptive field 23 instead of 15)",
    recipe: OURS_MEASURED,
    model: tinyTrunks(conv3(32, 1)),
  },
  {
    name: "ours+deep5",
    change: "tiny trunks with a 4th and 5th 3x3 stride-1 conv (receptive field 31)",
    recipe: OURS_MEASURED,
    model: tinyTrunks(conv3(32, 1), conv3(32, 1)),
  },
  {
    name: "ours+s2x4",
    change: "tiny trunks with a 4th 3x3 stride-2 conv (receptive field 31, 8x8 visual and " +
      "8x4 audio positions)",
    recipe: OURS_MEASURED,
    model: tinyTrunks(conv3(32, 2)),
  },
  {
    name: "ours+freq",
    change: "the mel band's position as a second input channel of the audio trunk",
    recipe: OURS_MEASURED,
    model: { frequencyChannel: true },
  },
  {
    name: "ours+deep5+freq",
    change: "deep5 trunks and the frequency channel",
    recipe: OURS_MEASURED,
    model: { ...tinyTrunks(conv3(32, 1), conv3(32, 1)), frequencyChannel: true },
  },
  {
    name: "ours+freq C2(C1)",
    change: "the frequency channel, C1 then C2",
    recipe: OURS_MEASURED,
    model: { frequencyChannel: true },
    levels: [1, 2],
  },
  {
    name: "ours+freq lr2e-3",
    change: "the frequency channel, learning rate 2e-3 (tiny's default 1e-3)",
    recipe: OURS_MEASURED,
    model: { frequencyChannel: true },
    lr: 2e-3,
  },
  {
    name: "ours+freq@600",
    change: "the frequency channel, 600 steps per stage",
    recipe: OURS_MEASURED,
    model: { frequencyChannel: true },
    steps: 600,
  },
  {
    name: "ours@600",
    change: "the default recipe and model, 600 steps per stage",
    recipe: OURS_MEASURED,
    steps: 600,
  },
  {
    name: "ours b32",
    change: "the default recipe and model, 32 clips per batch (the CPU of 600 steps of 16)",
    recipe: OURS_MEASURED,
    batchSize: 32,
  },
  {
    name: "ours+s2x4+freq",
    change: "s2x4 trunks and the frequency channel",
    recipe: OURS_MEASURED,
    model: { ...tinyTrunks(conv3(32, 2)), frequencyChannel: true },
  },
  {
    name: "ours+s2x4+freq C2(C1)",
    change: "s2x4 trunks and the frequency channel, C1 then C2",
    recipe: OURS_MEASURED,
    model: { ...tinyTrunks(conv3(32, 2)), frequencyChannel: true },
    levels: [1, 2],
  },
  {
    name: "ours+s2x4+freq lr2e-3",
    change: "s2x4 trunks and the frequency channel, learning rate 2e-3 (tiny's default 1e-3)",
    recipe: OURS_MEASURED,
    model: { ...tinyTrunks(conv3(32, 2)), frequencyChannel: true },
    lr: 2e-3,
  },
  {
    name: "ours+s2x4+freq@600",
    change: "s2x4 trunks and the frequency channel, 600 steps per stage",
    recipe: OURS_MEASURED,
    model: { ...tinyTrunks(conv3(32, 2)), frequencyChannel: true },
    steps: 600,
  },
  {
    name: "ours+inframe0.5",
    change: "each audio center also a negative of its own frame's background center " +
      "(in-frame hard negative, weight 0.5)",
    recipe: { ...OURS_MEASURED, inFrameNegative: 0.5 },
  },
  {
    name: "ours+inframe1",
    change: "each audio center also a negative of its own frame's background center " +
      "(in-frame hard negative, weight 1)",
    recipe: { ...OURS_MEASURED, inFrameNegative: 1 },
  },
  {
    name: "ours+kv2",
    change: "two visual centers beyond the sound (K_visual = K_audio + 2) in training and " +
      "localization, the largest-mass one the background",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 2 },
  },
  {
    name: "nearest+inframe0.5",
    change: "every visual center alignable (nearest rule) and each audio center a negative of " +
      "its own frame's unaligned center (weight 0.5): pull to the nearer, push from the other",
    recipe: { ...OURS_MEASURED, background: "none", inFrameNegative: 0.5 },
  },
  {
    name: "ours+kv2+inframe0.5",
    change: "K_visual = K_audio + 2, and each audio center a negative of the nearest center " +
      "of its frame it is not aligned to (weight 0.5)",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 2, inFrameNegative: 0.5 },
  },
  {
    name: "ours+kv2 C2(C1)",
    change: "K_visual = K_audio + 2, C1 then C2 (the flip check)",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 2 },
    levels: [1, 2],
  },
  {
    name: "ours+kv3",
    change: "three visual centers beyond the sound (K_visual = K_audio + 3)",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 3 },
  },
  {
    name: "ours@1000",
    change: "the default recipe (as measured here) and model, 1000 steps per stage",
    recipe: OURS_MEASURED,
    steps: 1000,
  },
  {
    name: "ours+kv2@1000",
    change: "K_visual = K_audio + 2, 1000 steps per stage",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 2 },
    steps: 1000,
  },
  {
    name: "ours+kv3 C2(C1)",
    change: "K_visual = K_audio + 3, C1 then C2 (the flip check)",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 3 },
    levels: [1, 2],
  },
  {
    name: "ours+kv3@1000",
    change: "K_visual = K_audio + 3, 1000 steps per stage",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 3 },
    steps: 1000,
  },
  {
    name: "ours-kv1",
    change: "the default recipe before K_visual = K_audio + 2 (one visual center beyond the " +
      "sounds), C1: the baseline of ours+kv2 at further seeds",
    recipe: OURS_MEASURED,
  },
  {
    name: "ours+kv2 C3(C2(C1))",
    change: "K_visual = K_audio + 2, C1, C2 then C3 (the flip check after C3)",
    recipe: { ...OURS_MEASURED, extraVisualCenters: 2 },
    levels: [1, 2, 3],
  },
  {
    name: "ours+gn4",
    change: "the default recipe, tiny's trunks with group norm (4 groups) after each conv " +
      "instead of positional normalisation",
    recipe: OURS_MARGIN,
    model: { groups: 4 },
  },
  {
    name: "ours+gn8",
    change: "the default recipe, tiny's trunks with group norm (8 groups) after each conv " +
      "instead of positional normalisation",
    recipe: OURS_MARGIN,
    model: { groups: 8 },
  },
  {
    name: "ours+gn8 C2(C1)",
    change: "group norm (8 groups), C1 then C2 (the flip check)",
    recipe: OURS_MARGIN,
    model: { groups: 8 },
    levels: [1, 2],
  },
  {
    name: "ours C2(C1) kv2",
    change: "the default recipe (K_visual = K_audio + 2), C1 then C2: the baseline of the " +
      "C2(C1) variants measured on it",
    recipe: OURS_MARGIN,
    levels: [1, 2],
  },
  {
    name: "ours+gain6",
    change: "the default recipe, each clip's audio gain jittered uniformly in +-6 dB",
    recipe: { ...OURS_MARGIN, gainJitter: 6 },
  },
  {
    name: "ours+shift",
    change: "the default recipe, each clip's audio rolled in time by up to +-25% of its length",
    recipe: { ...OURS_MARGIN, timeShift: 0.25 },
  },
  {
    name: "ours+colour",
    change: "the default recipe, each frame's brightness, saturation and contrast jittered " +
      "by up to +-30%",
    recipe: { ...OURS_MARGIN, colorJitter: 0.3 },
  },
  {
    name: "ours+gain6+shift",
    change: "the default recipe, audio gain (+-6 dB) and time-shift (+-25%) jitter",
    recipe: { ...OURS_MARGIN, gainJitter: 6, timeShift: 0.25 },
  },
  {
    name: "ours b32/2",
    change: "the default recipe, 32 clips per batch for half the steps (the same clips)",
    recipe: OURS_MARGIN,
    batchSize: 32,
    stepsFactor: 0.5,
  },
  {
    name: "ours b8x2",
    change: "the default recipe, 8 clips per batch for twice the steps (the same clips)",
    recipe: OURS_MARGIN,
    batchSize: 8,
    stepsFactor: 2,
  },
  {
    name: "ours wd0",
    change: "the default recipe, no weight decay (the paper code's 1e-4)",
    recipe: OURS_MARGIN,
    weightDecay: 0,
  },
  {
    name: "ours wd1e-3",
    change: "the default recipe, weight decay 1e-3 (the paper code's 1e-4)",
    recipe: OURS_MARGIN,
    weightDecay: 1e-3,
  },
  {
    name: "ours lr2e-3",
    change: "the default recipe, learning rate 2e-3 (tiny's default 1e-3)",
    recipe: OURS_MARGIN,
    lr: 2e-3,
  },
  {
    name: "ours+agn4",
    change: "the default recipe, group norm (4 groups) in the audio trunk only; the visual " +
      "trunk keeps positional normalisation",
    recipe: OURS_MARGIN,
    model: { audioGroups: 4 },
  },
  {
    name: "ours+agn8",
    change: "the default recipe, group norm (8 groups) in the audio trunk only; the visual " +
      "trunk keeps positional normalisation",
    recipe: OURS_MARGIN,
    model: { audioGroups: 8 },
  },
  {
    name: "ours+agn8 sm",
    change: "the default recipe (softmax loss) with group norm (8 groups) in the audio trunk " +
      "only; ours+agn8 is the same on the margin loss",
    recipe: OURS_SOFTMAX,
    model: { audioGroups: 8 },
  },
  {
    name: "ours+agn8 C2(C1)",
    change: "group norm (8 groups) in the audio trunk only, C1 then C2 (the flip check)",
    recipe: OURS_MARGIN,
    model: { audioGroups: 8 },
    levels: [1, 2],
  },
  {
    name: "ours b8x2 C2(C1)",
    change: "8 clips per batch for twice the steps (the same clips), C1 then C2 (the flip check)",
    recipe: OURS_MARGIN,
    batchSize: 8,
    stepsFactor: 2,
    levels: [1, 2],
  },
  {
    name: "ours b4x4",
    change: "the default recipe, 4 clips per batch for four times the steps (the same clips)",
    recipe: OURS_MARGIN,
    batchSize: 4,
    stepsFactor: 4,
  },
  {
    name: "ours b4x4 C2(C1)",
    change: "4 clips per batch for four times the steps (the same clips), C1 then C2 (the " +
      "flip check)",
    recipe: OURS_MARGIN,
    batchSize: 4,
    stepsFactor: 4,
    levels: [1, 2],
  },
  {
    name: "ours+agn8 b8x2",
    change: "group norm (8 groups) in the audio trunk only, 8 clips per batch for twice the " +
      "steps (the same clips)",
    recipe: OURS_MARGIN,
    model: { audioGroups: 8 },
    batchSize: 8,
    stepsFactor: 2,
  },
  {
    name: "ours+agn8 b8x2 C2(C1)",
    change: "group norm (8 groups) in the audio trunk only, 8 clips x twice the steps, C1 then " +
      "C2 (the flip check)",
    recipe: OURS_MARGIN,
    model: { audioGroups: 8 },
    batchSize: 8,
    stepsFactor: 2,
    levels: [1, 2],
  },
  {
    name: "ours+awide",
    change: "the default recipe, tiny's audio trunk twice as wide (32, 64, 64 channels instead " +
      "of 16, 32, 32); the visual trunk as it is",
    recipe: OURS_MARGIN,
    model: { audio: [conv3(32, 2), conv3(64, 2), conv3(64, 1)] },
  },
  {
    name: "ours+vwide",
    change: "the default recipe, tiny's visual trunk twice as wide (32, 64, 64 channels " +
      "instead of 16, 32, 32); the audio trunk as it is",
    recipe: OURS_MARGIN,
    model: { visual: [conv3(32, 2), conv3(64, 2), conv3(64, 1)] },
  },
  {
    name: "ours+vk5",
    change: "the default recipe, tiny's first visual conv 5x5 instead of 3x3 (receptive " +
      "field 19 instead of 15 pixels)",
    recipe: OURS_MARGIN,
    model: {
      visual: [{ type: "conv", out: 16, kernel: 5, stride: 2 }, conv3(32, 2), conv3(32, 1)],
    },
  },
  {
    name: "ours beta10",
    change: "the default recipe with beta 10 instead of 5: sharper visual clusters (in C1 " +
      "K_audio = 1, so beta acts on the visual clustering alone), in training and localization",
    recipe: { ...OURS_MARGIN, betaStart: 10, betaEnd: 10 },
  },
  {
    name: "ours beta15",
    change: "the default recipe with beta 15 instead of 5 (sharper visual clusters)",
    recipe: { ...OURS_MARGIN, betaStart: 15, betaEnd: 15 },
  },
  {
    name: "ours beta2.5",
    change: "the default recipe with beta 2.5 instead of 5 (softer visual clusters)",
    recipe: { ...OURS_MARGIN, betaStart: 2.5, betaEnd: 2.5 },
  },
  ...[0.5, 1, 2, 4, 8].map((t): AblationVariant => ({
    name: `ours+softmax t${t}`,
    change: `the default recipe with the softmax (InfoNCE) loss over the batch's frames, ` +
      `temperature ${t}, instead of the margin loss`,
    recipe: { ...OURS_MARGIN, loss: "softmax", temperature: t },
  })),
  ...[2, 4].map((t): AblationVariant => ({
    name: `ours+softmax2 t${t}`,
    change: `the default recipe with the symmetric softmax loss (audio to frame and frame to ` +
      `audio), temperature ${t}, instead of the margin loss`,
    recipe: { ...OURS_MARGIN, loss: "softmax-symmetric", temperature: t },
  })),
  {
    name: "ours+softmax t2 C2(C1)",
    change: "the softmax loss, temperature 2, C1 then C2 (the flip check)",
    recipe: OURS_SOFTMAX,
    levels: [1, 2],
  },
  {
    name: "ours+softmax2 t4 C2(C1)",
    change: "the symmetric softmax loss, temperature 4, C1 then C2 (the flip check)",
    recipe: { ...OURS_MARGIN, loss: "softmax-symmetric", temperature: 4 },
    levels: [1, 2],
  },
  {
    name: "ours+softmax t2 b32/2",
    change: "the softmax loss, temperature 2, 32 clips per batch for half the steps (the same " +
      "clips)",
    recipe: OURS_SOFTMAX,
    batchSize: 32,
    stepsFactor: 0.5,
  },
  {
    name: "ours+softmax2 t4 b32/2",
    change: "the symmetric softmax loss, temperature 4, 32 clips per batch for half the steps " +
      "(the same clips)",
    recipe: { ...OURS_MARGIN, loss: "softmax-symmetric", temperature: 4 },
    batchSize: 32,
    stepsFactor: 0.5,
  },
  {
    name: "ours+softmax t2 C3(C2(C1))",
    change: "the softmax loss, temperature 2, C1, C2 then C3 (the flip check after C3)",
    recipe: OURS_SOFTMAX,
    levels: [1, 2, 3],
  },
  {
    name: "ours-softmax",
    change: "the default recipe with the paper's margin loss instead of the softmax loss",
    recipe: { ...OURS_SOFTMAX, loss: "margin" },
  },
  ...(["border", "spread"] as const).map((rule): AblationVariant => ({
    name: `ours+bg ${rule}`,
    change: `the default recipe (softmax t2) with the background rule \`${rule}\` instead of ` +
      `\`largest\`: the visual center with ${
        rule === "border"
          ? "the largest share of its assignment mass on the feature grid's border ring"
          : "the largest spatial variance of its assignment map"
      } is never aligned, in training and localization`,
    recipe: { ...OURS_SOFTMAX, background: rule },
  })),
  ...(["border", "spread"] as const).map((rule): AblationVariant => ({
    name: `ours+bg ${rule} C2(C1)`,
    change: `the background rule \`${rule}\`, softmax t2, C1 then C2 (the flip check)`,
    recipe: { ...OURS_SOFTMAX, background: rule },
    levels: [1, 2],
  })),
  ...[1, 4].map((t): AblationVariant => ({
    name: `ours+soft align t${t}`,
    change: `the default recipe (softmax t2) with a soft alignment in training: each sound's ` +
      `visual center the softmin(D^2 / ${t})-weighted mix of the non-background centers ` +
      `instead of the nearest (localization keeps the nearest)`,
    recipe: { ...OURS_SOFTMAX, alignTemperature: t },
  })),
  {
    name: "ours+softmax t2 kv1",
    change: "the default recipe (softmax t2) with K_visual = K_audio + 1 (one background " +
      "center) instead of + 2, in training and localization",
    recipe: { ...OURS_SOFTMAX, extraVisualCenters: 1 },
  },
  ...(["border", "spread"] as const).map((rule): AblationVariant => ({
    name: `ours+softmax t2 kv1 bg ${rule}`,
    change: `K_visual = K_audio + 1 under the softmax loss, with the background rule ` +
      `\`${rule}\` instead of \`largest\` (in training and localization)`,
    recipe: {
      ...OURS_SOFTMAX,
      extraVisualCenters: 1,
      background: rule,
    },
  })),
  {
    name: "ours+softmax t2 kv1 C2(C1)",
    change: "K_visual = K_audio + 1 under the softmax loss, C1 then C2 (the flip check)",
    recipe: { ...OURS_SOFTMAX, extraVisualCenters: 1 },
    levels: [1, 2],
  },
  ...[10, 20, 2.5].map((b): AblationVariant => ({
    name: `ours vbeta${b}`,
    change: `the default recipe (softmax t2) with beta ${b} for the visual clustering alone ` +
      `instead of 5 (the audio's stays 5; in C1, K_audio = 1, so the visual beta is the one ` +
      `that acts), in training, localization and the held-out pairs`,
    recipe: { ...OURS_SOFTMAX, visualBeta: b },
  })),
  {
    name: "ours vbeta2.5 C2(C1)",
    change: "visual beta 2.5 (the audio's 5), softmax t2, C1 then C2 (the flip check; in C2 " +
      "the audio clustering has two centers and keeps beta 5)",
    recipe: { ...OURS_SOFTMAX, visualBeta: 2.5 },
    levels: [1, 2],
  },
  ...[1, 3, 10].map((g): AblationVariant => ({
    name: `ours mf${g}`,
    change: `the default recipe (softmax t2) with a mean-field spatial coupling of the visual ` +
      `soft K-means: from the second iteration on each grid position's logit for a center ` +
      `gains ${g} x its 4 neighbours' mean previous assignment to it (beta 5 x distance ` +
      `margins are ~3 at the median), in training, localization and the held-out pairs`,
    recipe: { ...OURS_SOFTMAX, visualCoupling: g },
  })),
  ...[1, 3, 10].map((g): AblationVariant => ({
    name: `ours mf${g} C2(C1)`,
    change: `the mean-field coupling ${g} of the visual clustering (softmax t2), C1 then C2 ` +
      `(the flip check)`,
    recipe: { ...OURS_SOFTMAX, visualCoupling: g },
    levels: [1, 2],
  })),
  ...[0.5, 1, 2].flatMap((sigma): AblationVariant[] => [{
    name: `ours vsmooth${sigma}`,
    change: `the default recipe (softmax t2) with the visual feature map smoothed by a ` +
      `Gaussian of sigma ${sigma} cells (borders normalised inside the frame) before the ` +
      `visual clustering only, in training, localization and the held-out pairs`,
    recipe: { ...OURS_SOFTMAX, visualSmoothing: sigma },
  }, {
    name: `ours vsmooth${sigma} C2(C1)`,
    change: `visual smoothing sigma ${sigma}, softmax t2, C1 then C2 (the flip check)`,
    recipe: { ...OURS_SOFTMAX, visualSmoothing: sigma },
    levels: [1, 2],
  }]),
  ...[0.1, 0.25, 0.5, 1].flatMap((lambda): AblationVariant[] => [{
    name: `ours vxy${lambda}`,
    change: `the default recipe (softmax t2) with each position's (x, y) in [-1, 1] appended ` +
      `to the visual features for the visual clustering, weighted ${lambda} (1: spread as the ` +
      `frame's features), the centers' coordinates dropped before the alignment; in ` +
      `training, localization and the held-out pairs`,
    recipe: { ...OURS_SOFTMAX, visualCoordinates: lambda },
  }, {
    name: `ours vxy${lambda} C2(C1)`,
    change: `visual coordinates weight ${lambda}, softmax t2, C1 then C2 (the flip check)`,
    recipe: { ...OURS_SOFTMAX, visualCoordinates: lambda },
    levels: [1, 2],
  }]),
  {
    name: "ours(sm)@1000",
    change: "the default recipe (softmax t2), 1000 steps: its accuracy curve gives every " +
      "shorter run's too (constant learning rate, fresh scenes drawn by step)",
    recipe: OURS_SOFTMAX,
    steps: 1000,
  },
  {
    name: "ours(sm)@2000",
    change: "the default recipe (softmax t2), 2000 steps: where the accuracy curve flattens",
    recipe: OURS_SOFTMAX,
    steps: 2000,
  },
  {
    name: "ours(sm)@600",
    change: "the default recipe (softmax t2), 600 steps (what the quick reproduce's headroom " +
      "could buy as firstStageSteps)",
    recipe: OURS_SOFTMAX,
    steps: 600,
  },
  {
    name: "ours cosine",
    change: "the default recipe (softmax t2) with the learning rate decayed by a cosine to 10% " +
      "at the stage's end (no warmup)",
    recipe: { ...OURS_SOFTMAX, lrDecay: "cosine" },
  },
  {
    name: "ours warmup50 cosine",
    change: "the default recipe (softmax t2) with 50 steps of linear warmup, then a cosine " +
      "to 10% at the stage's end",
    recipe: { ...OURS_SOFTMAX, warmupSteps: 50, lrDecay: "cosine" },
  },
  {
    name: "ours(sm) lr2e-3",
    change: "the default recipe (softmax t2), learning rate 2e-3 (tiny's default 1e-3)",
    recipe: OURS_SOFTMAX,
    lr: 2e-3,
  },
  {
    name: "ours(sm) lr5e-4",
    change: "the default recipe (softmax t2), learning rate 5e-4 (tiny's default 1e-3)",
    recipe: OURS_SOFTMAX,
    lr: 5e-4,
  },
  ...([[3e-4, "3e-4"], [1e-3, "1e-3"]] as const).map(([lr, txt]): AblationVariant => ({
    name: `ours(sm) lr${txt}`,
    change: `the default recipe (softmax t2), learning rate ${txt}: for the small preset, ` +
      `whose default is the paper code's 1e-4 (on tiny, 1e-3 is the default itself)`,
    recipe: OURS_SOFTMAX,
    lr,
  })),
  {
    name: "ours(sm) lr3e-4 vpn",
    change: "the default recipe (softmax t2), learning rate 3e-4, the visual trunk with " +
      "positional normalisation (groups 0) and the audio trunk's group norm kept (audioGroups " +
      "8): for the small preset, whose trunks both have group norm (8 groups), which on tiny " +
      "put the aligned center off the object",
    recipe: OURS_SOFTMAX,
    lr: 3e-4,
    model: { groups: 0, audioGroups: 8 },
  },
  {
    name: "ours cosine lr2e-3",
    change: "the default recipe (softmax t2), learning rate 2e-3 (tiny's default 1e-3) " +
      "decayed by a cosine to 10% at the stage's end",
    recipe: { ...OURS_SOFTMAX, lrDecay: "cosine" },
    lr: 2e-3,
  },
  {
    name: "ours cosine@600",
    change: "the default recipe (softmax t2) with the learning rate decayed by a cosine to 10% " +
      "at the stage's end, 600 steps (what the quick reproduce's headroom could buy)",
    recipe: { ...OURS_SOFTMAX, lrDecay: "cosine" },
    steps: 600,
  },
  {
    name: "ours t1",
    change: "the default recipe with softmax temperature 1 instead of 2",
    recipe: { ...OURS_SOFTMAX, temperature: 1 },
  },
  ...([[2, 1], [4, 1]] as const).map(([from, to]): AblationVariant => ({
    name: `ours t${from}to${to}`,
    change: `the default recipe with the softmax temperature annealed geometrically from ` +
      `${from} to ${to} over the stage (a sharper softmax late) instead of 2 throughout`,
    recipe: { ...OURS_SOFTMAX, temperature: from, temperatureEnd: to },
  })),
  {
    name: "ours(sm) b32",
    change: "the default recipe (softmax t2), 32 clips per batch for the same steps (twice " +
      "the clips and CPU; 31 in-batch negatives instead of 15)",
    recipe: OURS_SOFTMAX,
    batchSize: 32,
  },
  ...(["audio", "audio-own"] as const).flatMap((init): AblationVariant[] => {
    const name = init === "audio" ? "ours+audioinit" : "ours+audioinit own";
    const change = `the default recipe (softmax t2) with the first K_audio visual centers ` +
      `started at the pair's audio centers instead of grid positions (each frame clustered once ` +
      `per audio of the batch), each sound aligned ${
        init === "audio"
          ? "to its nearest visual center other than the largest"
          : "to the visual center its audio center started"
      }, in training, localization and the held-out pairs`;
    const recipe: Recipe = { ...OURS_SOFTMAX, visualInit: init };
    return [
      { name, change, recipe },
      {
        name: `${name} C2(C1)`,
        change: `${change}; C1 then C2 (the flip check)`,
        recipe,
        levels: [1, 2],
      },
    ];
  }),
  // audio-own made cheaper / steadier (issue 9): each frame clustered from its own sound only
  // (B clusterings, not B x B), the start detached, grid-started first steps, and combinations
  ...([
    [
      "ao own",
      "each frame clustered only from its own clip's sound (B clusterings), the " +
      "other audios compared with the centers that frame's sound started",
      {
        visualInitPairs: "own",
      },
    ],
    ["ao detach", "no gradient through the start", { visualInitDetach: true }],
    ["ao warm150", "the first 150 steps grid-started", { visualInitAfter: 150 }],
    ["ao warm300", "the first 300 steps grid-started", { visualInitAfter: 300 }],
    ["ao own detach", "own pairs and no gradient through the start", {
      visualInitPairs: "own",
      visualInitDetach: true,
    }],
    ["ao own warm150", "own pairs, the first 150 steps grid-started", {
      visualInitPairs: "own",
      visualInitAfter: 150,
    }],
    [
      "ao own detach warm150",
      "own pairs, no gradient through the start, the first 150 steps " +
      "grid-started",
      { visualInitPairs: "own", visualInitDetach: true, visualInitAfter: 150 },
    ],
    [
      "fo",
      "each sound's visual center started at the frame's visual feature nearest its audio " +
      "center (visual init feature-own), not at the audio center",
      { visualInit: "feature-own" },
    ],
    [
      "fo warm150",
      "started at the nearest visual feature (feature-own), the first 150 steps " +
      "grid-started",
      { visualInit: "feature-own", visualInitAfter: 150 },
    ],
    [
      "fo warm300",
      "started at the nearest visual feature (feature-own), the first 300 steps " +
      "grid-started",
      { visualInit: "feature-own", visualInitAfter: 300 },
    ],
    ["fo own", "started at the nearest visual feature (feature-own), own pairs", {
      visualInit: "feature-own",
      visualInitPairs: "own",
    }],
  ] as const).map(([name, what, extra]): AblationVariant => ({
    name: `ours+${name}`,
    change: `the default recipe (softmax t2) with visual init audio-own unless said (each sound ` +
      `aligned to the visual center it started; localization and held-out pairs too), ${what}`,
    recipe: { ...OURS_SOFTMAX, visualInit: "audio-own", ...extra },
  })),
  {
    name: "ours+ao warm300 C2(C1)",
    change: "the default recipe (softmax t2) with visual init audio-own (each sound aligned to " +
      "the visual center it started; localization and held-out pairs too), the first 300 " +
      "steps of each stage grid-started (visualInitAfter is per stage: C2 grid-starts again " +
      "for its first 300 steps, then the audio start), C1 then C2 (the flip check)",
    recipe: { ...OURS_SOFTMAX, visualInit: "audio-own", visualInitAfter: 300 },
    levels: [1, 2],
  },
  // weight averaging (issue 9): one training measured twice, with the average (the result)
  // and with the online weights (`online`), a paired comparison free of training noise
  ...[0.99, 0.995, 0.998, 0.95].flatMap((decay): AblationVariant[] => [{
    name: `ours+ema ${decay}`,
    change: `the default recipe (softmax t2) with weight averaging: the trained model is the ` +
      `bias-corrected exponential moving average of the weights, decay ${decay} (about the last ` +
      `${Math.round(1 / (1 - decay))} steps), the online weights training unaffected (the ` +
      `result's \`online\` measures them, the same training)`,
    recipe: { ...OURS_SOFTMAX, weightAverage: decay },
  }, {
    name: `ours+ema ${decay} C2(C1)`,
    change: `weight averaging of decay ${decay} (restarted at each stage), softmax t2, C1 then ` +
      `C2 (the flip check)`,
    recipe: { ...OURS_SOFTMAX, weightAverage: decay },
    levels: [1, 2],
  }]),
  ...[0.99, 0.95].map((decay): AblationVariant => ({
    name: `ours+ema ${decay}@1000`,
    change: `weight averaging of decay ${decay}, softmax t2, 1000 steps (where the accuracy ` +
      `curve is flatter, so the average lags less behind the online weights)`,
    recipe: { ...OURS_SOFTMAX, weightAverage: decay },
    steps: 1000,
  })),
  // longer first stages with the average (issue 9: can the quick reproduce's C1 reach a
  // training accuracy of 0.9 by training longer, the average keeping localization?)
  ...[2000, 3000].flatMap((steps) =>
    [0.99, 0.995].map((decay): AblationVariant => ({
      name: `ours+ema ${decay}@${steps}`,
      change: `weight averaging of decay ${decay}, softmax t2, ${steps} steps (the training ` +
        `accuracy's 0.9 in reach; the average to keep localization from degrading as the ` +
        `online weights' did at 1000 steps)`,
      recipe: { ...OURS_SOFTMAX, weightAverage: decay },
      steps,
    }))
  ),
  ...[[0.99, 2000], [0.995, 2000], [0.995, 3000]].map(([decay, c1]): AblationVariant => ({
    name: `ours+ema ${decay}@${c1} C2(C1)`,
    change: `weight averaging of decay ${decay} (restarted at each stage), softmax t2, ${c1} ` +
      `steps of C1 then 450 of C2 (the flip check of the longer first stage)`,
    recipe: { ...OURS_SOFTMAX, weightAverage: decay },
    levels: [1, 2],
    stageSteps: [c1, 450],
  })),
  // random crops (issue 9's augmentations), measured at the quick scale's first stage: run
  // with --steps 800 against `ours+ema 0.99` at the same steps
  ...[0.5, 0.75].map((share): AblationVariant => ({
    name: `ours+ema 0.99 crop${share}`,
    change: `weight averaging of decay 0.99, softmax t2, each frame randomly cropped to an ` +
      `area share uniform in [${share}, 1] of the frame and resized back`,
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99, cropScale: share },
  })),
  // a higher learning rate under the average (the average smooths the noisier steps away)
  ...([[2e-3, "2e-3"], [3e-3, "3e-3"]] as const).map(([lr, txt]): AblationVariant => ({
    name: `ours+ema 0.99 lr${txt}`,
    change: `weight averaging of decay 0.99, softmax t2, learning rate ${txt} (tiny's ` +
      `default 1e-3; 2e-3 without the average was rejected)`,
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99 },
    lr,
  })),
  // the two "open" visual-clustering options, measured at 450 steps without the average,
  // again at the quick scale's first stage
  ...([
    ["vbeta2.5", "visual beta 2.5 (the audio's 5)", { visualBeta: 2.5 }],
    ["vsmooth0.5", "the visual features smoothed (sigma 0.5 cells) before clustering", {
      visualSmoothing: 0.5,
    }],
  ] as const).map(([label, what, change]): AblationVariant => ({
    name: `ours+ema 0.99 ${label}`,
    change: `weight averaging of decay 0.99, softmax t2, ${what}, in training, ` +
      `localization and the held-out pairs`,
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99, ...change },
  })),
  // a wider receptive field of the visual trunk alone (the deeper trunks above grew both, under
  // the margin loss): the map lacks 18-36% of the object's box, and a 15-pixel field sees only
  // part of a larger object
  ...([
    ["vk5", "the visual trunk's third conv 5x5 (receptive field 23 instead of 15)", {
      visual: [conv3(16, 2), conv3(32, 2), { type: "conv", out: 32, kernel: 5, stride: 1 }],
    }],
    ["vdeep4", "a 4th 3x3 stride-1 conv in the visual trunk (receptive field 23)", {
      visual: [...TINY3, conv3(32, 1)],
    }],
  ] as const).map(([label, what, model]): AblationVariant => ({
    name: `ours+ema 0.99 ${label}`,
    change: `weight averaging of decay 0.99, softmax t2, ${what}`,
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99 },
    model: { visual: [...model.visual] },
  })),
  // features of a fixed norm (issue 9's "normalising features before clustering"; the Attention
  // baseline's cosine map gains with training length where ours' map does not): every
  // position's embedded feature scaled to norm 4, so only its direction counts (trained models'
  // features have norms of about 3-7, so 4 keeps beta's and the temperature's scale)
  {
    name: "ours+ema 0.99 norm4",
    change: "weight averaging of decay 0.99, softmax t2, every position's embedded feature " +
      "(audio and visual) scaled to L2 norm 4 after the projection",
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99 },
    model: { embeddingNorm: 4 },
  },
  // false negatives (issue 9's negatives): with 10 kinds of sound, 16 clips hold a kind twice
  // most batches; the softmax pushes each audio away from the other clip's frame of its kind
  // as hard as from any other. Left out when the model itself hears the two clips alike
  ...[0.9, 0.8].map((c) => ({
    name: `ours+ema 0.99 same${c}`,
    change: `weight averaging of decay 0.99, softmax t2, negatives whose clips' mean audio ` +
      `centers (less the batch's mean) have cosine > ${c} left out of the softmax (the same sound)`,
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99, sameSoundCosine: c },
  })),
  // fewer soft K-means iterations from the grid start than the paper's 4 (measured at 800 and
  // 2000 steps, and after C2 at 800 + 800 and 2000 + 2000; 8 lowered training accuracy)
  ...[1, 2, 3, 8].map((n): AblationVariant => ({
    name: `ours+ema 0.99 it${n}`,
    change: `weight averaging of decay 0.99, softmax t2, ${n} soft K-means iteration` +
      `${n === 1 ? "" : "s"} instead of 4, in training and read-out`,
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99, iterations: n },
  })),
  {
    name: "ours+ema 0.99 it2 C2(C1)",
    change: "weight averaging of decay 0.99, softmax t2, 2 soft K-means iterations, C1 then C2 " +
      "(the flip check and the duets' own object)",
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99, iterations: 2 },
    levels: [1, 2],
  },
  // one-to-one alignment: two sounds of a clip never share a visual center (with the nearest
  // rule, two iterations' C2 maps cover both objects of a duet alike)
  ...[4, 2].map((n): AblationVariant => ({
    name: `ours+ema 0.99${n === 4 ? "" : ` it${n}`} distinct C2(C1)`,
    change: `weight averaging of decay 0.99, softmax t2, ${n} soft K-means iterations, each ` +
      `sound of a clip aligned to a different visual center, C1 then C2`,
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99, iterations: n, distinctAlignment: true },
    levels: [1, 2],
  })),
  {
    name: "ours+ema 0.99@1000 C2(C1)",
    change: "weight averaging of decay 0.99, softmax t2, 1000 steps of C1 then 1000 of C2 (the " +
      "flip check at the longer scale)",
    recipe: { ...OURS_SOFTMAX, weightAverage: 0.99 },
    levels: [1, 2],
    steps: 1000,
  },
];

/**
 * Options of {@linkcode runAblation}.
 *
 * @category experiments
 */
export interface AblationOptions {
  /** Variants to run (default: all of {@linkcode ABLATION_VARIANTS}). */
  variants?: readonly AblationVariant[];
  /** Seeds (default `[0, 1, 2]`). */
  seeds?: number[];
  /** Steps of every stage (default 400). */
  steps?: number;
  /** Clips per batch (default 16). */
  batchSize?: number;
  /** Held-out test scenes for localization and pair accuracy (default 64). */
  testSize?: number;
  /**
   * Fresh training scenes of a weight-averaged variant's `freshAccuracy` (default
   * {@linkcode ABLATION_FRESH_CLIPS}; at least the batch size).
   */
  freshScenes?: number;
  /** Model preset (default `tiny`). */
  preset?: PresetName;
  /** Learning rate (default: the trainer's for the preset). */
  lr?: number;
  /**
   * Directory to write each trained model's weights to, as `<variant>-s<seed>.bin` (float32,
   * parameters in creation order: the format `loadPretrained` reads). None: not written.
   */
  weightsDir?: string;
  /** Results already measured (same variant, seed and settings are skipped). */
  done?: readonly AblationResult[];
  /** Called with each finished (variant, seed) result. */
  onResult?: (r: AblationResult) => void | Promise<void>;
}

/**
 * The measurements of one (variant, seed).
 *
 * @category experiments
 */
export interface AblationResult {
  /** Variant name. */
  variant: string;
  /** Seed of the model and batch order. */
  seed: number;
  /** Steps per stage. */
  steps: number;
  /** Curriculum, e.g. `C1` or `C1,C2`. */
  curriculum: string;
  /** Mean training accuracy of the last 50 steps (or fewer) of the last stage. */
  trainAccuracy: number;
  /** Mean loss of the same steps. */
  trainLoss: number;
  /**
   * Mean training accuracy of the last 20% of the last stage's steps: how `reproduce` reports
   * the "final training accuracy" (Fig. 3's `FIG3_FINAL_WINDOW`), for comparison with it.
   */
  trainAccuracyFinalWindow: number;
  /**
   * Mean training accuracy of each block of {@linkcode ABLATION_CURVE_BLOCK} steps of the last
   * stage (the last block may be shorter): how accuracy grows with steps. Under a constant
   * learning rate the first n steps of a longer run are the n-step run's (fresh scenes are
   * drawn by step), so one long run gives the curve of every shorter one.
   */
  accuracyCurve: number[];
  /**
   * Share of held-out C1 test scenes closer to their own frame than to the next clip's
   * (clustered with the variant's final beta and background rule).
   */
  heldOutAccuracy: number;
  /**
   * cIoU@0.5 (%) of the aligned map on the C1 localization test set (localized with the
   * variant's final beta and background rule).
   */
  ciou50: number;
  /** AUC (%) of the same. */
  auc: number;
  /**
   * AUC (%) of the unaligned (background) center's map on the same images: above `auc`, the
   * aligned center sits on the background (the flip).
   */
  backgroundAuc: number;
  /**
   * Share of the same test scenes whose aligned center is off the object: under 10% of its
   * assignment mass on the sounding object's pixels (`objectMassShare`, K_visual = 1 + the
   * recipe's `extraVisualCenters`).
   */
  offObject: number;
  /** The half-image ceiling's cIoU@0.5 (%) on the same set. */
  ceilingCiou50: number;
  /** Its AUC (%). */
  ceilingAuc: number;
  /**
   * On two-source test scenes: mean per-source cIoU of each sound's aligned map (its own
   * audio alone, K_audio 1, K_visual = 2 + the recipe's `extraVisualCenters`) against its own
   * object's box.
   */
  ownObjectCIoU: number;
  /** The same map's mean cIoU against the other source's box. */
  otherObjectCIoU: number;
  /**
   * Share of sounds whose aligned map scores a higher cIoU against its own object's box than
   * every unaligned visual center's map (the background and the other object) does.
   */
  onOwnObject: number;
  /**
   * Table 1 protocol: 5-fold accuracy of a linear classifier on the trained audio net's pooled
   * features of the labelled set (4 clips per class and fold).
   */
  classification: number;
  /**
   * Pair accuracy as training measures it (the same clustering, the next clip's frame as the
   * negative) on `AblationOptions.freshScenes` (default {@linkcode ABLATION_FRESH_CLIPS}) fresh
   * scenes of the last stage's level that no step trained on, in batches of the run's size,
   * with the trained model's weights: what the last steps' `trainAccuracy` would read for the
   * weights the trainer returns (with a weight average, the average; `trainAccuracy` is the
   * online weights', measured during training). Only for variants with a weight average
   * (absent otherwise).
   */
  freshAccuracy?: number;
  /**
   * With a weight average (a recipe's `weightAverage`): the same measures with the online
   * weights of the same training (the weights the last steps trained), so that the average's
   * effect is read without training noise. Absent otherwise.
   */
  online?: AblationMeasures & { freshAccuracy: number };
  /** Seconds of training and evaluation. */
  seconds: number;
  /** Seconds of training alone (all stages). */
  trainSeconds: number;
  /** CPU seconds of the process during training (all threads; steadier than wall time on a shared machine). */
  trainCpuSeconds: number;
  /**
   * What was computed, as JSON (as the run cache keys its cells): preset, test-set size, clips
   * per batch, learning rate and weight decay, steps, curriculum, the resolved recipe, the
   * model overrides and, with a weight average, the fresh scenes' count. A result in `done` is
   * reused only when this matches, so a variant redefined under the same name (or a run with
   * other settings) is measured again, not silently reused.
   */
  settings: string;
}

/**
 * The measures of a trained network that {@linkcode AblationResult} holds (and its `online`
 * part, for the online weights of a weight-averaged training).
 *
 * @category experiments
 */
export type AblationMeasures = Pick<
  AblationResult,
  | "heldOutAccuracy"
  | "ciou50"
  | "auc"
  | "backgroundAuc"
  | "offObject"
  | "ownObjectCIoU"
  | "otherObjectCIoU"
  | "onOwnObject"
  | "classification"
>;

/**
 * Fresh scenes of {@linkcode AblationResult.freshAccuracy}.
 *
 * @category experiments
 */
export const ABLATION_FRESH_CLIPS = 320;

/**
 * Steps per block of {@linkcode AblationResult.accuracyCurve}.
 *
 * @category experiments
 */
export const ABLATION_CURVE_BLOCK = 50;

/**
 * Mean training accuracy of each block of `block` steps of `accuracies` (the last block may be
 * shorter).
 *
 * @param accuracies per-step accuracies, in order.
 * @param block steps per block (an integer >= 1).
 * @returns one mean per block.
 * @throws Error when `block` is not an integer >= 1.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockMeans } from "@avscene/avscene/experiments";
 * assert.deepEqual(blockMeans([0.5, 0.7, 0.9], 2), [0.6, 0.9]);
 * ```
 * @category experiments
 */
export function blockMeans(accuracies: readonly number[], block: number): number[] {
  if (!Number.isInteger(block) || block < 1) {
    throw new Error(`blockMeans: block must be an integer >= 1, got ${block}`);
  }
  const out: number[] = [];
  for (let i = 0; i < accuracies.length; i += block) {
    const part = accuracies.slice(i, i + block);
    out.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  return out;
}

/**
 * The clustering settings a model is measured with, as it was trained (`recipeClustering`'s,
 * but the visual centers, which each measure counts its own way).
 */
type ClusteringField = Exclude<keyof RecipeClustering, "extraVisualCenters">;

const levelName = (l: CurriculumLevel) => l === "uncurated" ? "U" : `C${l}`;

/**
 * Held-out pair accuracy on C1 test scenes (next clip's frame as negative), as trained: the
 * recipe's beta, background rule and visual centers.
 */
async function heldOutAccuracy(
  model: AVModel,
  clips: AVClip[],
  how: Pick<PairOptions, ClusteringField> & { extraVisualCenters: number },
): Promise<number> {
  const x = modelInputs(model, clips);
  const { extraVisualCenters, ...rest } = how;
  const kVisual = 1 + extraVisualCenters;
  const d = pairDistances(model, x.images, x.logMel, { ...rest, kAudio: 1, kVisual });
  const acc = pairAccuracy(await d.positive2.data(), await d.negative2.data());
  tf.dispose([x.images, x.logMel, d.positive2, d.negative2]);
  return acc;
}

/**
 * `n` training scenes of `level` that no step of a `stages`-stage
 * run of seed `seed` trains on: the trainer draws stage s's fresh scenes from index
 * `seed 10^7 + s 10^6` on (`steps x batch` of them), these start 900 000 further.
 */
function freshTrainingScenes(
  world: ReturnType<typeof synthWorld>,
  level: 1 | 2 | 3 | 4,
  seed: number,
  stages: number,
  n: number,
): AVClip[] {
  const first = (seed % 1000) * 10_000_000 + (stages - 1) * 1_000_000 + 900_000;
  return Array.from({ length: n }, (_, i) => world.scene(first + i, level));
}

/**
 * Pair accuracy of `clips` in batches of `batchSize` as a training step measures it: each
 * audio's distance to its own frame against the next clip's of the batch, K_audio `kAudio`,
 * K_visual = `kAudio` + `extraVisualCenters`, the recipe's clustering; pooled over all pairs.
 */
async function trainingStyleAccuracy(
  model: AVModel,
  clips: AVClip[],
  batchSize: number,
  how: Omit<PairOptions, "kVisual"> & { extraVisualCenters: number },
): Promise<number> {
  if (clips.length < batchSize) {
    throw new Error(
      `runAblation: freshScenes (${clips.length}) must be at least the batch size (${batchSize})`,
    );
  }
  const { extraVisualCenters, ...rest } = how;
  let right = 0;
  for (let i = 0; i + batchSize <= clips.length; i += batchSize) {
    const x = modelInputs(model, clips.slice(i, i + batchSize));
    const [p2, n2] = tf.tidy(() => {
      const d = pairDistances(model, x.images, x.logMel, {
        ...rest,
        kVisual: rest.kAudio + extraVisualCenters,
      });
      return [d.positive2, d.negative2];
    });
    right += batchSize * pairAccuracy(await p2.data(), await n2.data());
    tf.dispose([x.images, x.logMel, p2, n2]);
  }
  return right / (batchSize * Math.floor(clips.length / batchSize));
}

/**
 * Share of single-source test scenes whose aligned center has under 10% of its assignment
 * mass on the sounding object (K_audio 1, K_visual 1 + `extraVisualCenters`, the scene's
 * object mask).
 *
 * @param model the trained network.
 * @param scenes single-source test scenes with `masks`.
 * @param opts clustering beta and background rule of `localize`, extra visual centers.
 * @returns a share in [0, 1].
 */
async function offObjectShare(
  model: AVModel,
  scenes: readonly AVClip[],
  opts:
    & Pick<LocalizeOptions, ClusteringField>
    & {
      extraVisualCenters: number;
    },
): Promise<number> {
  const { extraVisualCenters, ...how } = opts;
  let off = 0;
  for (let i = 0; i < scenes.length; i += 32) {
    const part = scenes.slice(i, i + 32);
    const maps = await localize(model, part, {
      ...how,
      kAudio: 1,
      kVisual: 1 + extraVisualCenters,
      // the clustering's assignment mass, not the smoothed map that is scored
      mapSmoothing: 0,
    });
    maps.forEach((m, j) => {
      const { image, masks, id } = part[j];
      if (!masks?.length) throw new Error(`offObjectShare: scene ${id} has no object mask`);
      const share = objectMassShare(
        m.aligned[0],
        m.height,
        m.width,
        masks[0],
        image.height,
        image.width,
      );
      if (share < 0.1) off++;
    });
  }
  return off / scenes.length;
}

/**
 * Each sound of two-source test scenes localized alone (its own waveform as the audio, the
 * whole frame, K_audio 1, K_visual 2 + `extraVisualCenters`): per-source cIoU of its aligned map against its own
 * box and against the other source's box, and the share of sounds whose aligned map is on its
 * own object more than any unaligned center's map is.
 *
 * @param model the trained network.
 * @param scenes two-source test scenes with `sources` and `boxes`.
 * @param opts the clustering (`localize`'s beta, background rule and visual clustering
 * settings, default its defaults; for a model trained with a recipe, `recipeClustering` of it),
 * and the visual centers beyond the sounds (default `LOCALIZE_DEFAULTS`': K_visual 4).
 * @returns mean own-object cIoU, mean other-object cIoU, share on the own object.
 * @category experiments
 */
export async function perSourceLocalization(
  model: AVModel,
  scenes: readonly AVClip[],
  opts: Partial<RecipeClustering> = {},
): Promise<{ ownObjectCIoU: number; otherObjectCIoU: number; onOwnObject: number }> {
  const { extraVisualCenters = LOCALIZE_DEFAULTS.extraVisualCenters, ...how } = opts;
  const solo: AVClip[] = [];
  for (const c of scenes) {
    if (!c.sources || !c.boxes || c.sources.length !== 2 || c.boxes.length < 2) {
      throw new Error(`perSourceLocalization: scene ${c.id} needs two sources and their boxes`);
    }
    c.sources.forEach((s, i) => solo.push({ ...c, id: `${c.id}-src${i}`, audio: s }));
  }
  let own = 0, other = 0, on = 0, k = 0;
  for (let i = 0; i < solo.length; i += 32) {
    const part = solo.slice(i, i + 32);
    const maps = await localize(model, part, {
      ...how,
      kAudio: 1,
      kVisual: 2 + extraVisualCenters,
    });
    maps.forEach((m, j) => {
      const clip = part[j];
      const src = Number(clip.id.slice(clip.id.lastIndexOf("src") + 3));
      const { height: H, width: W } = clip.image;
      const up = (map: Float32Array) => upsampleHeatmap(map, m.height, m.width, H, W);
      const ownBox = consensusMap([[clip.boxes![src]]], H, W);
      const o = cIoU(up(m.aligned[0]), ownBox);
      own += o;
      other += cIoU(up(m.aligned[0]), consensusMap([[clip.boxes![1 - src]]], H, W));
      if (m.unaligned.every((u) => cIoU(up(u), ownBox) < o)) on++;
      k++;
    });
  }
  return { ownObjectCIoU: own / k, otherObjectCIoU: other / k, onOwnObject: on / k };
}

/**
 * Run the ablation: each variant with each seed, trained from scratch on the synthetic world
 * (tiny preset by default, C1 for `steps` steps unless the variant says otherwise), then
 * measured on held-out test scenes.
 *
 * @param opts variants, seeds, steps, batch and test sizes, preset, callbacks.
 * @returns one result per (variant, seed), seed by seed.
 * @category experiments
 */
export async function runAblation(opts: AblationOptions = {}): Promise<AblationResult[]> {
  const variants = opts.variants ?? ABLATION_VARIANTS;
  const seeds = opts.seeds ?? [0, 1, 2];
  const runSteps = opts.steps ?? 400;
  const runBatchSize = opts.batchSize ?? 16;
  const testSize = opts.testSize ?? 64;
  const freshScenes = opts.freshScenes ?? ABLATION_FRESH_CLIPS;
  const preset = opts.preset ?? "tiny";
  const config = presetConfig(preset);
  const world = synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
  const locSet = world.localizationSet(testSize);
  const c1Test = Array.from({ length: testSize }, (_, i) => world.scene(i, 1, "test"));
  const duets = Array.from(
    { length: Math.max(8, testSize / 4) },
    (_, i) => world.scene(i, 2, "test"),
  );
  const ceiling = localizationScores(halfImageCeiling(locSet));
  const labelled = world.classificationSet(4);
  const out: AblationResult[] = [];
  // seeds outermost: a cut-off run has every variant at its first seeds
  for (const seed of seeds) {
    for (const v of variants) {
      const levels = v.levels ?? [1];
      const stageSteps = v.stageSteps ??
        levels.map(() => v.steps ?? Math.round(runSteps * (v.stepsFactor ?? 1)));
      if (
        stageSteps.length !== levels.length ||
        stageSteps.some((n) => !Number.isInteger(n) || n < 1)
      ) {
        throw new Error(
          `runAblation: ${v.name}: stageSteps must be one positive integer per level ` +
            `(${levels.length}), got ${JSON.stringify(stageSteps)}`,
        );
      }
      const steps = stageSteps[stageSteps.length - 1];
      const batchSize = v.batchSize ?? runBatchSize;
      const curriculum = levels.map(levelName).join(",");
      const recipe = resolveRecipe(v.recipe, "paper");
      const lr = v.lr ?? opts.lr;
      const settings = JSON.stringify({
        preset,
        testSize,
        batchSize,
        lr: lr ?? null,
        weightDecay: v.weightDecay ?? null,
        steps,
        // per-stage steps only when they differ (so every other variant's key is unchanged)
        ...(v.stageSteps ? { stageSteps } : {}),
        curriculum,
        recipe,
        model: v.model ?? null,
        // a weight average's fresh scenes (what its freshAccuracy is measured on)
        ...((recipe.weightAverage ?? 0) > 0 ? { freshScenes } : {}),
      });
      const prior = opts.done?.find((r) =>
        r.variant === v.name && r.seed === seed && r.settings === settings
      );
      if (prior) {
        out.push(prior);
        continue;
      }
      const t0 = performance.now();
      const cpu0 = cpuUsage();
      const model = createModel({ preset, seed, config: v.model });
      try {
        const { history, onlineWeights } = await trainCurriculum(model, {
          data: world as CurriculumData,
          stages: levels.map((level, i) => ({ level, steps: stageSteps[i] })),
          batchSize,
          recipe,
          lr,
          weightDecay: v.weightDecay,
          seed,
        });
        const trainSeconds = (performance.now() - t0) / 1000;
        const cpu = cpuUsage(cpu0);
        const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
        const tail = history.slice(-Math.min(50, steps));
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const lastStage = history.filter((h) => h.stage === levels.length - 1)
          .map((h) => h.accuracy);
        const finalWindow = lastStage.slice(
          -Math.max(1, Math.round(lastStage.length * FIG3_FINAL_WINDOW)),
        );
        // localized as trained: the recipe's last beta, background rule and visual centers
        const how = recipeClustering(recipe);
        const measures = async (): Promise<AblationMeasures> => {
          const scores = async (which: "aligned" | "unaligned") =>
            localizationScores(clipCIoUs(locSet, await oursHeatmaps(model, locSet, which, how)));
          const loc = await scores("aligned");
          const per = await perSourceLocalization(model, duets, how);
          const classification = classifyFrozenFeatures(
            await pooledAudioFeatures(model, labelled),
            labelled.map((c) => c.target),
            labelled.map((c) => c.fold),
          ).meanAccuracy;
          return {
            heldOutAccuracy: await heldOutAccuracy(model, c1Test, how),
            ciou50: 100 * loc.ciou50,
            auc: 100 * loc.auc,
            backgroundAuc: 100 * (await scores("unaligned")).auc,
            offObject: await offObjectShare(model, locSet, how),
            ...per,
            classification,
          };
        };
        const m = await measures();
        // a weight average: the same measures with the online weights, and both weights'
        // training-style accuracy on fresh scenes (the network ends with the average)
        let averaged: Pick<AblationResult, "freshAccuracy" | "online"> = {};
        if (onlineWeights) {
          const level = levels[levels.length - 1];
          if (level === "uncurated") {
            throw new Error(
              `runAblation: ${v.name}: a weight average's fresh scenes need a C level`,
            );
          }
          const fresh = freshTrainingScenes(world, level, seed, levels.length, freshScenes);
          const pairHow = { ...how, kAudio: level };
          const freshAccuracy = await trainingStyleAccuracy(model, fresh, batchSize, pairHow);
          const average = await model.params.toFlat();
          model.params.fromFlat(onlineWeights);
          averaged = {
            freshAccuracy,
            online: {
              ...(await measures()),
              freshAccuracy: await trainingStyleAccuracy(model, fresh, batchSize, pairHow),
            },
          };
          model.params.fromFlat(average); // the trained model, as the weights file keeps it
        }
        const r: AblationResult = {
          variant: v.name,
          seed,
          steps,
          curriculum,
          trainAccuracy: mean(tail.map((h) => h.accuracy)),
          trainLoss: mean(tail.map((h) => h.loss)),
          trainAccuracyFinalWindow: mean(finalWindow),
          accuracyCurve: blockMeans(lastStage, ABLATION_CURVE_BLOCK),
          heldOutAccuracy: m.heldOutAccuracy,
          ciou50: m.ciou50,
          auc: m.auc,
          backgroundAuc: m.backgroundAuc,
          offObject: m.offObject,
          ceilingCiou50: 100 * ceiling.ciou50,
          ceilingAuc: 100 * ceiling.auc,
          ownObjectCIoU: m.ownObjectCIoU,
          otherObjectCIoU: m.otherObjectCIoU,
          onOwnObject: m.onOwnObject,
          classification: m.classification,
          ...averaged,
          seconds: (performance.now() - t0) / 1000,
          trainSeconds,
          trainCpuSeconds,
          settings,
        };
        out.push(r);
        if (opts.weightsDir) {
          await saveModelWeights(ablationWeightsPath(opts.weightsDir, v.name, seed), model);
        }
        await opts.onResult?.(r);
      } finally {
        model.params.dispose();
      }
    }
  }
  return out;
}

/**
 * Where {@linkcode runAblation} writes the weights of `variant` trained on `seed` in
 * `weightsDir`: `<variant>-s<seed>.bin`, the name's characters other than letters, digits, `.`,
 * `_` and `-` each run replaced by `_`.
 *
 * @param weightsDir the run's `AblationOptions.weightsDir`.
 * @param variant the variant's name.
 * @param seed the seed.
 * @returns the file's path.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ablationWeightsPath } from "@avscene/avscene/experiments";
 * assert.equal(ablationWeightsPath("runs/a/weights", "ours+ema 0.99", 3), "runs/a/weights/ours_ema_0.99-s3.bin");
 * ```
 * @category experiments
 */
export function ablationWeightsPath(weightsDir: string, variant: string, seed: number): string {
  return `${weightsDir}/${variant.replace(/[^A-Za-z0-9._-]+/g, "_")}-s${seed}.bin`;
}

/**
 * Load weights {@linkcode runAblation} wrote (float32, the parameters in creation order) into
 * `model`, which must be of the preset (and model overrides) they were trained with.
 *
 * @param model the model whose parameters are overwritten.
 * @param path the weights file (see {@linkcode ablationWeightsPath}).
 * @throws Error naming the file when it cannot be read or its size is not the model's.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { loadAblationWeights } from "@avscene/avscene/experiments";
 * import { createModel } from "@avscene/avscene/model";
 *
 * await initBackend("cpu");
 * const trained = createModel({ preset: "tiny", seed: 1 });
 * const other = createModel({ preset: "tiny", seed: 2 });
 * const path = `${await Deno.makeTempDir()}/ours-s1.bin`;
 * const flat = await trained.params.toFlat();
 * await Deno.writeFile(path, new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength));
 * await loadAblationWeights(other, path);
 * assert.deepEqual(await other.params.toFlat(), flat);
 * await Deno.writeFile(path, new Uint8Array(8));
 * await assert.rejects(() => loadAblationWeights(other, path), /ours-s1\.bin holds 8 bytes/);
 * trained.params.dispose();
 * other.params.dispose();
 * ```
 * @category experiments
 */
export async function loadAblationWeights(model: AVModel, path: string): Promise<void> {
  const bytes = await Deno.readFile(path).catch((err) => {
    throw new Error(`ablation weights: cannot read ${path}: ${err.message}`);
  });
  if (bytes.byteLength !== 4 * model.params.size) {
    throw new Error(
      `ablation weights: ${path} holds ${bytes.byteLength} bytes, the ${model.config.preset} ` +
        `model ${4 * model.params.size}`,
    );
  }
  model.params.fromFlat(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}
