/**
 * The contract between a separation network and what conditions it: ours (the aligned visual
 * center of the trained audiovisual model) or a baseline's visual net.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../../data/types.ts";
import type { SeparationModel } from "./separation_model.ts";

/**
 * A batch of mixtures: the clips mixed in each, and the mixed waveforms.
 *
 * @category model
 */
export interface MixtureBatch {
  /** `clips[b][n]`: clip n of mixture b (every mixture holds the same number of clips). */
  clips: AVClip[][];
  /** `mixtures[b]`: the sum of mixture b's clips (the only audio a method may look at). */
  mixtures: Float32Array[];
}

/**
 * The conditioning vectors of a batch.
 *
 * @category model
 */
export interface Conditioning {
  /** `[batch, clips, vectors, conditionSize]`: each clip's vectors (one per sounding object). */
  vectors: tf.Tensor4D;
  /** `[batch, clips, vectors]`: 1 for a real vector, 0 for padding (clips with fewer objects). */
  valid: tf.Tensor3D;
}

/**
 * Turns the clips of mixtures into conditioning vectors.
 *
 * @category model
 */
export interface Conditioner {
  /** Short name (`ours`, `sound-of-pixels`, ...). */
  readonly name: string;
  /**
   * Asynchronous work before {@linkcode Conditioner.condition} (e.g. a frozen network's
   * features read back from the backend); optional.
   */
  prepare?(batch: MixtureBatch): Promise<void>;
  /**
   * The vectors of the batch; called inside the gradient tape, so trainable visual nets learn
   * through it. `prepare` (when present) has been awaited for this batch.
   */
  condition(batch: MixtureBatch): Conditioning;
  /** Release cached tensors. */
  dispose?(): void;
}

/**
 * A separation method: its network (every trainable variable) and its conditioner.
 *
 * @category model
 */
export interface SeparationMethod {
  /** The network; baselines keep their visual net's variables in the same store. */
  model: SeparationModel;
  /** What conditions it. */
  conditioner: Conditioner;
}
