/**
 * Visually guided separation of mixtures: conditioning vectors, mask prediction, masks back to
 * waveforms with the mixture's phase.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../../data/types.ts";
import type { Spectrogram } from "../../audio/stft.ts";
import type { Conditioner, MixtureBatch } from "./conditioner.ts";
import { maskToWaveform } from "./mask_to_waveform.ts";
import {
  mixClips,
  type MixtureSpectra,
  mixtureSpectra,
  separationStft,
} from "./mixture_spectra.ts";
import { predictMaskLogits, type SeparationModel } from "./separation_model.ts";
import { clipMasks } from "./separation_loss.ts";
import { separationFrames } from "./separation_config.ts";

/**
 * Options of {@linkcode separateMixtures} and {@linkcode separateObjects}.
 *
 * @category model
 */
export interface SeparateOptions {
  /**
   * Use a binary network's masks as they are, without the 0.5 threshold (default false, as
   * Sound-of-Pixels); ratio masks are always used as they are.
   */
  soft?: boolean;
}

/**
 * A batch of mixtures from groups of clips: each group's clips are summed.
 *
 * @param model the separation network (its configuration fixes rate and length).
 * @param groups the clips of each mixture (same count in every group).
 * @returns the batch.
 * @category model
 */
export function mixtureBatch(model: SeparationModel, groups: readonly AVClip[][]): MixtureBatch {
  if (groups.length === 0) throw new Error("mixtureBatch: groups is empty");
  const n = groups[0].length;
  groups.forEach((g, i) => {
    if (g.length !== n) {
      throw new Error(`mixtureBatch: groups[${i}] has ${g.length} clips, groups[0] ${n}`);
    }
  });
  return {
    clips: groups.map((g) => g.slice()),
    mixtures: groups.map((g) => mixClips(g, model.config)),
  };
}

/**
 * The spectra of each mixture of a batch.
 *
 * @param model the separation network.
 * @param batch the mixtures.
 * @param cache clip STFTs by clip id, reused across calls (training draws clips repeatedly).
 * @returns one {@linkcode MixtureSpectra} per mixture.
 * @category model
 */
export function batchSpectra(
  model: SeparationModel,
  batch: MixtureBatch,
  cache?: Map<string, Spectrogram>,
): MixtureSpectra[] {
  const clipStft = (c: AVClip) => {
    let s = cache?.get(c.id);
    if (!s) {
      s = separationStft(mixClips([c], model.config), model.config);
      cache?.set(c.id, s);
    }
    return s;
  };
  return batch.clips.map((g) => mixtureSpectra(g.map(clipStft), model.config));
}

/**
 * The mask logits of every conditioning vector of every clip
 * `[batch, clips, vectors, paddedFrames, warpBins]` and which vectors are real `[batch, clips,
 * vectors]`; call inside `tf.tidy`.
 */
function vectorLogits(
  model: SeparationModel,
  conditioner: Conditioner,
  batch: MixtureBatch,
  spectra: readonly MixtureSpectra[],
): { logits: tf.Tensor5D; valid: tf.Tensor3D } {
  const { paddedFrames } = separationFrames(model.config);
  const w = model.config.warpBins;
  const { vectors, valid } = conditioner.condition(batch);
  const [b, n, k, c] = vectors.shape;
  const logMix = tf.tensor3d(
    Float32Array.from(spectra.flatMap((s) => Array.from(s.logMix))),
    [spectra.length, paddedFrames, w],
  );
  const logits = predictMaskLogits(
    model,
    logMix,
    tf.reshape(vectors, [b, n * k, c]) as tf.Tensor3D,
  );
  return { logits: tf.reshape(logits, [b, n, k, paddedFrames, w]) as tf.Tensor5D, valid };
}

/**
 * The masks of every clip of every mixture `[batch, clips, paddedFrames, warpBins]`, as
 * {@linkcode clipMasks} combines the logits of each clip's vectors.
 *
 * @param model the separation network.
 * @param conditioner what conditions it (its `prepare` must have been awaited).
 * @param batch the mixtures.
 * @param spectra their spectra (from {@linkcode batchSpectra}).
 * @returns the masks.
 * @category model
 */
export function predictClipMasks(
  model: SeparationModel,
  conditioner: Conditioner,
  batch: MixtureBatch,
  spectra: readonly MixtureSpectra[],
): tf.Tensor4D {
  return tf.tidy(() => {
    const { logits, valid } = vectorLogits(model, conditioner, batch, spectra);
    return clipMasks(logits, valid);
  });
}

/**
 * Separate each clip's sound from its mixture: `result[b][n]` is the waveform the network
 * attributes to clip n of mixture b (each clip conditioned on its own frame), with the
 * mixture's phase.
 *
 * @param model the trained separation network.
 * @param conditioner what conditions it.
 * @param batch the mixtures.
 * @param opts `soft`: a binary network's masks without the 0.5 threshold (see
 * {@linkcode maskToWaveform}; default false).
 * @returns one waveform per clip of each mixture.
 * @category model
 */
export async function separateMixtures(
  model: SeparationModel,
  conditioner: Conditioner,
  batch: MixtureBatch,
  opts: SeparateOptions = {},
): Promise<Float32Array[][]> {
  const spectra = batchSpectra(model, batch);
  await conditioner.prepare?.(batch);
  const masks = predictClipMasks(model, conditioner, batch, spectra);
  const data = await masks.data() as Float32Array;
  const [b, n, tp, w] = masks.shape;
  masks.dispose();
  const { frames } = separationFrames(model.config);
  return Array.from({ length: b }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const start = (i * n + j) * tp * w;
      return maskToWaveform(
        data.slice(start, start + frames * w),
        spectra[i].mixture,
        model.config,
        undefined,
        opts.soft,
      );
    }));
}

/**
 * Per-object masks: the sigmoid of each conditioning vector's logits on its own, `[batch,
 * clips, vectors, paddedFrames, warpBins]`, 0 for padded vectors. A clip's mask
 * ({@linkcode predictClipMasks}) is the union of its objects' masks.
 *
 * @param model the separation network.
 * @param conditioner what conditions it (its `prepare` must have been awaited).
 * @param batch the mixtures.
 * @param spectra their spectra (from {@linkcode batchSpectra}).
 * @returns the masks and the `valid` flags `[batch, clips, vectors]`.
 * @category model
 */
export function predictObjectMasks(
  model: SeparationModel,
  conditioner: Conditioner,
  batch: MixtureBatch,
  spectra: readonly MixtureSpectra[],
): { masks: tf.Tensor5D; valid: tf.Tensor3D } {
  return tf.tidy(() => {
    const { logits, valid } = vectorLogits(model, conditioner, batch, spectra);
    const [b, n, k] = valid.shape;
    const masks = tf.mul(tf.sigmoid(logits), tf.reshape(valid, [b, n, k, 1, 1])) as tf.Tensor5D;
    return { masks, valid: tf.keep(valid) };
  });
}

/**
 * Separate every sounding object of every clip: `result[b][n][j]` is the waveform of object j
 * of clip n of mixture b, masked by that object's own conditioning vector alone (ours: its own
 * aligned visual center), with the mixture's phase. A duet clip (two vectors) yields two
 * sources, as in the MUSIC duet protocol; padded vectors yield nothing.
 *
 * @param model the trained separation network.
 * @param conditioner what conditions it.
 * @param batch the mixtures (a single duet clip is a mixture of one clip).
 * @param opts `soft`: a binary network's masks without the 0.5 threshold (default false).
 * @returns one waveform per real object of each clip of each mixture.
 * @category model
 */
export async function separateObjects(
  model: SeparationModel,
  conditioner: Conditioner,
  batch: MixtureBatch,
  opts: SeparateOptions = {},
): Promise<Float32Array[][][]> {
  const spectra = batchSpectra(model, batch);
  await conditioner.prepare?.(batch);
  const { masks, valid } = predictObjectMasks(model, conditioner, batch, spectra);
  const data = await masks.data() as Float32Array;
  const flags = await valid.data();
  const [b, n, k, tp, w] = masks.shape;
  tf.dispose([masks, valid]);
  const { frames } = separationFrames(model.config);
  return Array.from({ length: b }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const out: Float32Array[] = [];
      for (let o = 0; o < k; o++) {
        if (flags[(i * n + j) * k + o] === 0) continue;
        const start = ((i * n + j) * k + o) * tp * w;
        out.push(
          maskToWaveform(
            data.slice(start, start + frames * w),
            spectra[i].mixture,
            model.config,
            undefined,
            opts.soft,
          ),
        );
      }
      return out;
    }));
}
