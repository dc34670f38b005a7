/**
 * Shapes of the separation network: STFT front end, log-frequency warp, U-Net widths, mask
 * type and how the visual vector conditions the masks, per preset.
 *
 * @module
 */
import { PRESET_NAMES, type PresetName } from "../presets.ts";

/**
 * How a visual vector conditions the U-Net.
 *
 * @category model
 */
export type ConditioningMode =
  /**
   * Sound-of-Pixels: the U-Net gives `maskChannels` maps, the vector is projected to as many
   * weights, the mask logit is their weighted sum (one U-Net pass serves every vector).
   */
  | "product"
  /**
   * Co-Separation / AV-Mix-Sep: the vector is tiled over the U-Net's bottleneck and
   * concatenated to it (one U-Net pass per vector).
   */
  | "bottleneck";

/**
 * The two mask targets of mix-and-separate.
 *
 * @category model
 */
export type MaskType =
  /** 1 where the source dominates the mixture's bin, else 0; BCE loss. */
  | "binary"
  /** `|S| / |X|` clipped to [0, 1]; L1 loss. */
  | "ratio";

/**
 * Everything that fixes a separation network's shapes.
 *
 * @category model
 */
export interface SeparationConfig {
  /** The preset it was made from (also checked when loading a checkpoint). */
  preset: PresetName;
  /** Audio sample rate in Hz. */
  sampleRate: number;
  /** Clip length in seconds. */
  duration: number;
  /** STFT size (even; powers of two are fastest). */
  nFft: number;
  /** STFT hop in samples. */
  hop: number;
  /** Log-frequency bins of the U-Net's input (the warp of `nFft / 2 + 1` linear bins). */
  warpBins: number;
  /** Encoder widths, one per down-sampling level (the U-Net's depth is their count). */
  channels: number[];
  /** Maps K the U-Net outputs (SoP's K = 32). */
  maskChannels: number;
  /** Length of the conditioning vector. */
  conditionSize: number;
  /** How the vector conditions the masks. */
  conditioning: ConditioningMode;
  /** Binary or ratio masks. */
  maskType: MaskType;
  /** Group-norm groups (clamped to each layer's width). */
  groups: number;
}

const BASE: Record<PresetName, Omit<SeparationConfig, "conditionSize">> = {
  // 1 s at 8 kHz: 32 frames x 257 bins -> 32 x 32 warped (ideal binary masks on the warped
  // bins, back through this path, give 17.7 dB SDR on 16 synthetic test mixtures of two solo
  // clips, 24.5 dB with 64 bins; the mixture 0.4 dB); trains in minutes on 2 CPU cores.
  tiny: {
    preset: "tiny",
    sampleRate: 8000,
    duration: 1,
    nFft: 512,
    hop: 256,
    warpBins: 32,
    channels: [16, 32, 64],
    maskChannels: 16,
    conditioning: "product",
    maskType: "binary",
    groups: 4,
  },
  // 1 s at 16 kHz: 126 frames x 257 bins -> 128 x 128 warped.
  small: {
    preset: "small",
    sampleRate: 16000,
    duration: 1,
    nFft: 512,
    hop: 128,
    warpBins: 128,
    channels: [16, 32, 64, 128],
    maskChannels: 16,
    conditioning: "product",
    maskType: "binary",
    groups: 8,
  },
  // Sound-of-Pixels' scale: 256 warped bins, K = 32, five levels up to 512 channels.
  paper: {
    preset: "paper",
    sampleRate: 16000,
    duration: 1,
    nFft: 1024,
    hop: 128,
    warpBins: 256,
    channels: [32, 64, 128, 256, 512],
    maskChannels: 32,
    conditioning: "product",
    maskType: "binary",
    groups: 16,
  },
};

/** The conditioning size of each preset: the audiovisual model's embedding D. */
const CONDITION_SIZE: Record<PresetName, number> = { tiny: 32, small: 64, paper: 512 };

/**
 * A separation configuration: a preset's, with overrides, validated.
 *
 * @param preset `tiny`, `small` or `paper` (default `tiny`).
 * @param overrides fields to change (e.g. `{ maskType: "ratio", conditionSize: 16 }`).
 * @returns the configuration (a fresh object).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { separationConfig } from "@avscene/avscene/model";
 * const c = separationConfig("tiny", { maskType: "ratio" });
 * assert.deepEqual([c.warpBins, c.maskType], [32, "ratio"]);
 * ```
 * @category model
 */
export function separationConfig(
  preset: PresetName = "tiny",
  overrides: Partial<Omit<SeparationConfig, "preset">> = {},
): SeparationConfig {
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
    throw new Error(
      `separationConfig: preset "${preset}" is not one of ${PRESET_NAMES.join(", ")}`,
    );
  }
  const c: SeparationConfig = {
    ...structuredClone(BASE[preset]),
    conditionSize: CONDITION_SIZE[preset],
    ...structuredClone(overrides),
  };
  const positive = (name: keyof SeparationConfig, v: number) => {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`separationConfig: ${name} must be a positive integer, got ${v}`);
    }
  };
  positive("nFft", c.nFft);
  positive("hop", c.hop);
  positive("warpBins", c.warpBins);
  positive("maskChannels", c.maskChannels);
  positive("conditionSize", c.conditionSize);
  positive("groups", c.groups);
  if (c.channels.length === 0) throw new Error("separationConfig: channels is empty");
  c.channels.forEach((v) => positive("channels", v));
  if (c.warpBins % 2 ** c.channels.length !== 0) {
    throw new Error(
      `separationConfig: warpBins (${c.warpBins}) must be divisible by 2^depth = ${
        2 ** c.channels.length
      }`,
    );
  }
  if (c.conditioning !== "product" && c.conditioning !== "bottleneck") {
    throw new Error(`separationConfig: conditioning must be "product" or "bottleneck"`);
  }
  if (c.maskType !== "binary" && c.maskType !== "ratio") {
    throw new Error(`separationConfig: maskType must be "binary" or "ratio"`);
  }
  return c;
}

/**
 * Frames of a clip's STFT and the U-Net's padded frame count (a multiple of `2^depth`).
 *
 * @param config a separation configuration.
 * @returns `frames` of the STFT and `paddedFrames` the U-Net sees.
 * @category model
 */
export function separationFrames(
  config: SeparationConfig,
): { frames: number; paddedFrames: number } {
  const samples = Math.round(config.sampleRate * config.duration);
  const frames = 1 + Math.floor(samples / config.hop); // centred STFT
  const unit = 2 ** config.channels.length;
  return { frames, paddedFrames: Math.ceil(frames / unit) * unit };
}

/**
 * The separation protocols: `preset` keeps the preset's own audio front end (the quick
 * synthetic-world runs); `sound-of-pixels` is the published MUSIC protocol of Zhao et al.
 * (2018), which Table 3's literature numbers use.
 *
 * @category model
 */
export const SEPARATION_PROTOCOLS = ["preset", "sound-of-pixels"] as const;

/**
 * A separation protocol's name (see {@linkcode SEPARATION_PROTOCOLS}).
 *
 * @category model
 */
export type SeparationProtocol = typeof SEPARATION_PROTOCOLS[number];

/**
 * The audio front end a protocol fixes, as overrides of {@linkcode separationConfig} (the
 * preset still fixes the network's widths). `sound-of-pixels`: 11025 Hz, 65535 samples
 * (5.94 s), STFT 1022 / 256 (512 linear bins x 256 frames), 256 log-frequency bins, binary
 * masks; the estimate takes the mixture's phase, as every configuration here does.
 *
 * @param protocol a protocol name (default `preset`: no override).
 * @returns the overrides (a fresh object).
 * @throws Error naming the protocols when `protocol` is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { separationConfig, separationFrames, separationProtocol } from "@avscene/avscene/model";
 * const c = separationConfig("tiny", separationProtocol("sound-of-pixels"));
 * assert.deepEqual([c.sampleRate, Math.round(c.sampleRate * c.duration)], [11025, 65535]);
 * assert.deepEqual([c.nFft / 2 + 1, separationFrames(c).frames, c.warpBins], [512, 256, 256]);
 * ```
 * @category model
 */
export function separationProtocol(
  protocol: SeparationProtocol = "preset",
): Partial<Omit<SeparationConfig, "preset">> {
  if (protocol === "preset") return {};
  if (protocol === "sound-of-pixels") {
    return {
      sampleRate: 11025,
      duration: 65535 / 11025,
      nFft: 1022,
      hop: 256,
      warpBins: 256,
      maskType: "binary",
    };
  }
  throw new Error(
    `separationProtocol: "${protocol}" is not one of ${SEPARATION_PROTOCOLS.join(", ")}`,
  );
}
