/**
 * Model presets: input sizes, audio front end and the two conv trunks of `tiny`, `small` and
 * `paper`.
 *
 * @module
 */

/**
 * One layer of a conv trunk.
 *
 * @category model
 */
export type TrunkLayer =
  /** 2-D convolution (same padding), group norm and ReLU. */
  | { type: "conv"; out: number; kernel: number; stride: number }
  /** 3x3 max pooling (same padding). */
  | { type: "maxpool"; stride: number }
  /** A ResNet stage of `blocks` basic blocks; the first has stride `stride`. */
  | { type: "res"; out: number; blocks: number; stride: number };

/**
 * Everything that fixes a model's shapes.
 *
 * @category model
 */
export interface ModelConfig {
  /** The preset's name. */
  preset: PresetName;
  /** Square image side in pixels (the visual net's input is `[imageSize, imageSize, 3]`). */
  imageSize: number;
  /** Audio sample rate in Hz. */
  sampleRate: number;
  /** Audio clip length in seconds. */
  duration: number;
  /** STFT size of the log-mel front end. */
  nFft: number;
  /** STFT hop in samples. */
  hop: number;
  /** Mel bands. */
  nMels: number;
  /** Visual trunk layers (input: 3 channels). */
  visual: TrunkLayer[];
  /**
   * Audio trunk layers (input: the log-mel spectrogram, 1 channel, and the frequency channel
   * where {@linkcode ModelConfig.frequencyChannel} is set).
   */
  audio: TrunkLayer[];
  /**
   * Feed the audio trunk a second input channel holding each mel band's position, from -1
   * (lowest band) to 1 (highest), CoordConv-style: a translation-equivariant conv otherwise
   * cannot tell at which frequency it sits. Default false.
   */
  frequencyChannel?: boolean;
  /** Embedding size D after the per-position linear projection. */
  embedding: number;
  /**
   * Scale every position's embedded feature (both modalities) to this L2 norm after the
   * projection, so that only its direction carries information, as a cosine does (absent or
   * 0: as projected). Trained tiny models' features have norms of about 3-7. Measured, not
   * the default (README, "The learning recipe").
   */
  embeddingNorm?: number;
  /**
   * Groups of the group norm after each conv (clamped to the channel count); 0: positional
   * normalisation (per-position layer norm, no statistic shared between positions).
   */
  groups: number;
  /**
   * Groups of the audio trunk's group norm, where it should differ from the visual trunk's
   * (default: {@linkcode ModelConfig.groups}); 0: positional normalisation. The audio map is
   * pooled into the sound's centers and never drawn, so statistics shared between its
   * positions do not blur a localization map.
   */
  audioGroups?: number;
  /**
   * Border padding of the trunks' convolutions: `"zeros"` (default) or `"reflect"` (the input
   * mirrored at its edges, then a valid convolution), so that border cells do not see a zero
   * frame of their own.
   */
  padding?: "zeros" | "reflect";
}

/**
 * The names of the built-in presets.
 *
 * @category model
 */
export const PRESET_NAMES = ["tiny", "small", "paper"] as const;

/**
 * One of {@linkcode PRESET_NAMES}.
 *
 * @category model
 */
export type PresetName = typeof PRESET_NAMES[number];

const resnet18 = (layer4Stride: number): TrunkLayer[] => [
  { type: "conv", out: 64, kernel: 7, stride: 2 },
  { type: "maxpool", stride: 2 },
  { type: "res", out: 64, blocks: 2, stride: 1 },
  { type: "res", out: 128, blocks: 2, stride: 2 },
  { type: "res", out: 256, blocks: 2, stride: 2 },
  { type: "res", out: 512, blocks: 2, stride: layer4Stride },
];

const CONFIGS: Record<PresetName, ModelConfig> = {
  // CI: 64x64 image -> 16x16 visual positions; 1 s at 8 kHz, 63 frames x 32 mels -> 16x8 audio
  // positions; D = 32.
  tiny: {
    preset: "tiny",
    imageSize: 64,
    sampleRate: 8000,
    duration: 1,
    nFft: 256,
    hop: 128,
    nMels: 32,
    visual: [
      { type: "conv", out: 16, kernel: 3, stride: 2 },
      { type: "conv", out: 32, kernel: 3, stride: 2 },
      { type: "conv", out: 32, kernel: 3, stride: 1 },
    ],
    audio: [
      { type: "conv", out: 16, kernel: 3, stride: 2 },
      { type: "conv", out: 32, kernel: 3, stride: 2 },
      { type: "conv", out: 32, kernel: 3, stride: 1 },
    ],
    embedding: 32,
    groups: 0,
  },
  // Laptop: 128x128 image -> 16x16; 1 s at 16 kHz, 201 x 64 log-mel -> 26x8; D = 64.
  small: {
    preset: "small",
    imageSize: 128,
    sampleRate: 16000,
    duration: 1,
    nFft: 160,
    hop: 80,
    nMels: 64,
    visual: [
      { type: "conv", out: 32, kernel: 5, stride: 2 },
      { type: "conv", out: 64, kernel: 3, stride: 2 },
      { type: "res", out: 64, blocks: 1, stride: 1 },
      { type: "res", out: 128, blocks: 1, stride: 2 },
    ],
    audio: [
      { type: "conv", out: 32, kernel: 5, stride: 2 },
      { type: "conv", out: 64, kernel: 3, stride: 2 },
      { type: "res", out: 64, blocks: 1, stride: 1 },
      { type: "res", out: 128, blocks: 1, stride: 2 },
    ],
    embedding: 64,
    groups: 8,
  },
  // The paper: ResNet-18 trunks, layer4 stride 1: 224x224 -> 14x14x512; 16 kHz 1 s audio,
  // n_fft 160, hop 80, 64 mel -> 201x64 -> 13x4x512.
  paper: {
    preset: "paper",
    imageSize: 224,
    sampleRate: 16000,
    duration: 1,
    nFft: 160,
    hop: 80,
    nMels: 64,
    visual: resnet18(1),
    audio: resnet18(1),
    embedding: 512,
    groups: 32,
  },
};

/**
 * The configuration of a built-in preset (a fresh copy: callers may modify it).
 *
 * @param name `tiny`, `small` or `paper`.
 * @returns its {@linkcode ModelConfig}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { presetConfig } from "@avscene/avscene/model";
 * assert.equal(presetConfig("tiny").imageSize, 64);
 * ```
 * @category model
 */
export function presetConfig(name: PresetName): ModelConfig {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new Error(`preset "${name}" is not one of ${PRESET_NAMES.join(", ")}`);
  }
  return structuredClone(CONFIGS[name]);
}
