/**
 * The separation network: a U-Net over the log-frequency-warped, log-compressed mixture
 * magnitude, whose output maps a visual vector turns into one mask per sounding object
 * (Sound-of-Pixels' mix-and-separate design).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../param_store.ts";
import { conv2dSame } from "../conv2d_same.ts";
import { groupNorm } from "../group_norm.ts";
import type { PresetName } from "../presets.ts";
import { type SeparationConfig, separationConfig } from "./separation_config.ts";

/**
 * A separation network: configuration, seed and variables (U-Net, conditioning, any extra).
 *
 * @category model
 */
export interface SeparationModel {
  /** Shapes, mask type and conditioning. */
  config: SeparationConfig;
  /** Seed of the initial weights. */
  seed: number;
  /**
   * All trainable variables: `unet.*`, `cond.*`, `mask.*`, and whatever a method adds after
   * creation (the baselines' visual nets), all saved together in checkpoints.
   */
  params: ParamStore;
}

/**
 * Options of {@linkcode createSeparationModel}.
 *
 * @category model
 */
export interface CreateSeparationModelOptions {
  /** Built-in preset (default `tiny`). */
  preset?: PresetName;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Overrides of the preset's configuration. */
  config?: Partial<Omit<SeparationConfig, "preset">>;
}

/** Native conv2d on webgpu; elsewhere the custom-gradient one (wasm lacks a filter gradient). */
function _conv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.getBackend() === "webgpu" ? tf.conv2d(x, w, stride, "same") : conv2dSame(x, w, stride);
}

function _createConv(p: ParamStore, name: string, k: number, inC: number, outC: number): void {
  p.heNormal(`${name}.w`, [k, k, inC, outC], k * k * inC);
  p.constant(`${name}.gamma`, [outC], 1);
  p.constant(`${name}.beta`, [outC], 0);
}

function _applyConv(
  model: SeparationModel,
  name: string,
  x: tf.Tensor4D,
  stride: number,
  act: "leaky" | "relu",
): tf.Tensor4D {
  const p = model.params;
  const y = groupNorm(
    _conv(x, p.get(`${name}.w`) as tf.Tensor4D, stride),
    p.get(`${name}.gamma`),
    p.get(`${name}.beta`),
    model.config.groups,
  );
  return act === "leaky" ? tf.leakyRelu(y, 0.2) : tf.relu(y);
}

/** Nearest-neighbour 2x up-sampling by broadcasting (its gradient is a plain sum everywhere). */
function _upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const spread = tf.mul(tf.reshape(x, [b, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1]));
  return tf.reshape(spread, [b, 2 * h, 2 * w, c]) as tf.Tensor4D;
}

/**
 * Create a separation network with seeded initial weights.
 *
 * @param opts preset, seed and configuration overrides.
 * @returns the network; release it with `model.params.dispose()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSeparationModel } from "@avscene/avscene/model";
 * const m = createSeparationModel({ preset: "tiny", seed: 1 });
 * assert.deepEqual([m.params.size > 0, m.config.conditioning], [true, "product"]);
 * m.params.dispose();
 * ```
 * @category model
 */
export function createSeparationModel(opts: CreateSeparationModelOptions = {}): SeparationModel {
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new Error(`createSeparationModel: seed must be an integer, got ${seed}`);
  }
  const config = separationConfig(opts.preset ?? "tiny", opts.config);
  const p = new ParamStore(seed);
  const ch = config.channels, depth = ch.length, k = config.maskChannels;
  for (let i = 1; i <= depth; i++) {
    _createConv(p, `unet.enc${i}`, 3, i === 1 ? 1 : ch[i - 2], ch[i - 1]);
  }
  if (config.conditioning === "bottleneck") {
    p.glorotUniform(
      "cond.w",
      [config.conditionSize, ch[depth - 1]],
      config.conditionSize,
      ch[depth - 1],
    );
    p.constant("cond.b", [ch[depth - 1]], 0);
    _createConv(p, "unet.fuse", 1, 2 * ch[depth - 1], ch[depth - 1]);
  }
  for (let i = depth; i >= 1; i--) {
    const inC = ch[i - 1] + (i === 1 ? 1 : ch[i - 2]);
    const outC = i === 1 ? k : ch[i - 2];
    if (i === 1) {
      p.heNormal(`unet.dec1.w`, [3, 3, inC, outC], 9 * inC);
      p.constant(`unet.dec1.b`, [outC], 0);
    } else _createConv(p, `unet.dec${i}`, 3, inC, outC);
  }
  if (config.conditioning === "product") {
    p.glorotUniform("cond.w", [config.conditionSize, k], config.conditionSize, k);
    p.constant("cond.b", [k], 0);
  } else {
    p.glorotUniform("mask.w", [k, 1], k, 1);
  }
  p.constant("mask.b", [1], 0);
  return { config, seed, params: p };
}

/** U-Net from the standardised input `[B, T, F, 1]` to K maps `[B, T, F, K]`. */
function _unet(model: SeparationModel, x: tf.Tensor4D, cond?: tf.Tensor2D): tf.Tensor4D {
  const depth = model.config.channels.length;
  const skips: tf.Tensor4D[] = [x];
  let h = x;
  for (let i = 1; i <= depth; i++) {
    h = _applyConv(model, `unet.enc${i}`, h, 2, "leaky");
    if (i < depth) skips.push(h);
  }
  if (cond) {
    // Co-Separation's conditioning: the projected vector tiled over the bottleneck
    const [b, hh, ww] = h.shape;
    const v = tf.add(
      tf.matMul(cond, model.params.get("cond.w") as tf.Tensor2D),
      model.params.get("cond.b"),
    );
    const tiled = tf.tile(tf.reshape(v, [b, 1, 1, -1]), [1, hh, ww, 1]) as tf.Tensor4D;
    h = _applyConv(model, "unet.fuse", tf.concat([h, tiled], 3) as tf.Tensor4D, 1, "relu");
  }
  for (let i = depth; i >= 1; i--) {
    const joined = tf.concat([_upsample2(h), skips[i - 1]], 3) as tf.Tensor4D;
    h = i === 1
      ? tf.add(
        _conv(joined, model.params.get("unet.dec1.w") as tf.Tensor4D, 1),
        model.params.get("unet.dec1.b"),
      )
      : _applyConv(model, `unet.dec${i}`, joined, 1, "relu");
  }
  return h;
}

/**
 * Mask logits of every conditioning vector of every mixture. The input is standardised per
 * mixture first, so any log-magnitude scale works.
 *
 * @param model the separation network.
 * @param logMix log-compressed warped mixture magnitudes `[batch, frames, warpBins]`; `frames`
 * must be a multiple of `2^depth` (pad with `separationFrames(config).paddedFrames`).
 * @param condition conditioning vectors `[batch, vectors, conditionSize]`.
 * @returns logits `[batch, vectors, frames, warpBins]` (sigmoid gives the masks).
 * @category model
 */
export function predictMaskLogits(
  model: SeparationModel,
  logMix: tf.Tensor3D,
  condition: tf.Tensor3D,
): tf.Tensor4D {
  const c = model.config;
  const [b, t, f] = logMix.shape;
  const unit = 2 ** c.channels.length;
  if (logMix.rank !== 3 || f !== c.warpBins || t % unit !== 0) {
    throw new Error(
      `predictMaskLogits: logMix must be [batch, frames (multiple of ${unit}), ${c.warpBins}], got [${logMix.shape}]`,
    );
  }
  if (condition.rank !== 3 || condition.shape[0] !== b || condition.shape[2] !== c.conditionSize) {
    throw new Error(
      `predictMaskLogits: condition must be [${b}, vectors, ${c.conditionSize}], got [${condition.shape}]`,
    );
  }
  const m = condition.shape[1];
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(logMix, [1, 2], true);
    const x = tf.expandDims(
      tf.div(tf.sub(logMix, mean), tf.sqrt(tf.add(variance, 1e-6))),
      3,
    ) as tf.Tensor4D;
    if (c.conditioning === "product") {
      const maps = tf.reshape(_unet(model, x), [b, t * f, c.maskChannels]); // [B, TF, K]
      const w = tf.add(
        tf.matMul(
          tf.reshape(condition, [b * m, c.conditionSize]),
          model.params.get("cond.w") as tf.Tensor2D,
        ),
        model.params.get("cond.b"),
      ); // [B M, K]
      const logits = tf.matMul(tf.reshape(w, [b, m, c.maskChannels]), maps, false, true); // [B, M, TF]
      return tf.reshape(tf.add(logits, model.params.get("mask.b")), [b, m, t, f]) as tf.Tensor4D;
    }
    // one U-Net pass per vector: repeat each mixture for its vectors
    const xs = tf.reshape(tf.tile(tf.expandDims(x, 1), [1, m, 1, 1, 1]), [
      b * m,
      t,
      f,
      1,
    ]) as tf.Tensor4D;
    const maps = _unet(model, xs, tf.reshape(condition, [b * m, c.conditionSize]) as tf.Tensor2D);
    const logits = tf.add(
      tf.matMul(
        tf.reshape(maps, [b * m * t * f, c.maskChannels]),
        model.params.get("mask.w") as tf.Tensor2D,
      ),
      model.params.get("mask.b"),
    );
    return tf.reshape(logits, [b, m, t, f]) as tf.Tensor4D;
  });
}
