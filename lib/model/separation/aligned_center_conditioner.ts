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
import { modelInputs } from "../model_inputs.ts";
import type { Conditioner, Conditioning, MixtureBatch, SeparationMethod } from "./conditioner.ts";
import { createSeparationModel, type CreateSeparationModelOptions } from "./separation_model.ts";

/**
 * Options of {@linkcode alignedCenterConditioner}.
 *
 * @category model
 */
export interface AlignedCenterOptions {
  /** Soft K-means iterations (default 4). */
  iterations?: number;
  /** Soft K-means beta (default 30). */
  beta?: number;
  /**
   * A visual net to take the clips' visual centers from instead of `model`'s (same
   * configuration): {@linkcode createOursSeparation} passes the trainable copy it fine-tunes.
   * Its centers are recomputed for every batch (never cached) and `condition` computes them
   * inside the gradient tape, so the separation loss reaches its variables.
   */
  visual?: AVModel;
}

/**
 * The conditioner of {@linkcode alignedCenterConditioner}, with the cache it keeps.
 *
 * @category model
 */
export interface AlignedCenterConditioner extends Conditioner {
  /** Visual centers computed so far, by clip id (`[Kv * D]` each). */
  readonly visualCenters: Map<string, Float32Array>;
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
 * `count + 1` centers (one background center, as in training), the mixture's audio into as many
 * centers as the mixture holds sounds (the sum of its clips' counts); the `count` visual
 * centers nearest to any audio center are the clip's sounding objects. Only the mixture's
 * audio is used, never a clip's own, so the same rule serves training and test.
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
  const km = { iterations: opts.iterations, beta: opts.beta };
  const d = model.config.embedding;
  const visual = opts.visual;
  const visualCenters = new Map<string, Float32Array>();
  const prepared = new WeakMap<
    MixtureBatch,
    { vectors: Float32Array; valid: Float32Array; k: number; chosen: Int32Array }
  >();

  /** The distinct clips of a list, grouped by their number of visual centers. */
  function groups(clips: AVClip[]): Map<number, AVClip[]> {
    const out = new Map<number, AVClip[]>();
    const seen = new Set<string>();
    for (const c of clips) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      const kv = _objects(c) + 1;
      out.set(kv, [...out.get(kv) ?? [], c]);
    }
    return out;
  }

  /** Visual centers of a group of clips `[clips, kv, D]` (inside a tidy or a tape). */
  function groupCenters(net: AVModel, group: AVClip[], kv: number): tf.Tensor3D {
    const x = modelInputs(net, group);
    return softKMeans(embedVisual(net, x.images).features, kv, km).centers;
  }

  async function centersOf(clips: AVClip[]): Promise<void> {
    if (visual) visualCenters.clear(); // the fine-tuned net changes every step
    const todo = clips.filter((c) => !visualCenters.has(c.id));
    for (const [kv, group] of groups(todo)) {
      const centers = tf.tidy(() => groupCenters(visual ?? model, group, kv));
      const data = await centers.data() as Float32Array;
      centers.dispose();
      group.forEach((c, i) => visualCenters.set(c.id, data.slice(i * kv * d, (i + 1) * kv * d)));
    }
  }

  return {
    name: "ours",
    visualCenters,
    async prepare(batch: MixtureBatch): Promise<void> {
      const clips = batch.clips.flat();
      await centersOf(clips);
      const n = batch.clips[0].length, b = batch.clips.length;
      const k = Math.max(...clips.map(_objects));
      const vectors = new Float32Array(b * n * k * d), valid = new Float32Array(b * n * k);
      const chosenOf = new Int32Array(b * n * k).fill(-1); // visual center index of each slot
      // audio centers of each mixture, one forward per number of sounds
      const soundsOf = batch.clips.map((g) => g.reduce((a, c) => a + _objects(c), 0));
      const audioCenters: Float32Array[] = new Array(b);
      for (const sounds of new Set(soundsOf)) {
        const idx = [...soundsOf.keys()].filter((i) => soundsOf[i] === sounds);
        const centers = tf.tidy(() => {
          const x = modelInputs(
            model,
            idx.map((i) => ({
              ...batch.clips[i][0],
              id: `mixture-${i}`,
              audio: batch.mixtures[i],
            })),
          );
          return softKMeans(embedAudio(model, x.logMel).features, sounds, km).centers;
        });
        const data = await centers.data() as Float32Array;
        centers.dispose();
        idx.forEach((i, r) => audioCenters[i] = data.slice(r * sounds * d, (r + 1) * sounds * d));
      }
      for (let i = 0; i < b; i++) {
        const sounds = soundsOf[i], a = audioCenters[i];
        batch.clips[i].forEach((clip, j) => {
          const v = visualCenters.get(clip.id)!;
          const kv = v.length / d;
          // each visual center's distance to its nearest audio center
          const near = Array.from({ length: kv }, (_, c) => {
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
            vectors.set(v.subarray(c * d, (c + 1) * d), o * d);
            valid[o] = 1;
            chosenOf[o] = c;
          });
        });
      }
      prepared.set(batch, { vectors, valid, k, chosen: chosenOf });
    },
    condition(batch: MixtureBatch): Conditioning {
      const p = prepared.get(batch);
      if (!p) {
        throw new Error("alignedCenterConditioner: condition() before prepare() for this batch");
      }
      const b = batch.clips.length, n = batch.clips[0].length;
      if (!visual) {
        return {
          vectors: tf.tensor4d(p.vectors, [b, n, p.k, d]),
          valid: tf.tensor3d(p.valid, [b, n, p.k]),
        };
      }
      // fine-tuning: the same centers, recomputed where the gradient can reach the visual net
      return tf.tidy(() => {
        const rows: tf.Tensor2D[] = [];
        const rowOf = new Map<string, number>(); // first center row of each clip
        let next = 0;
        for (const [kv, group] of groups(batch.clips.flat())) {
          rows.push(tf.reshape(groupCenters(visual, group, kv), [group.length * kv, d]));
          group.forEach((c) => {
            rowOf.set(c.id, next);
            next += kv;
          });
        }
        // a one-hot selection (a gather's gradient needs a kernel wasm lacks); padding: zeros
        const select = new Float32Array(p.chosen.length * next);
        p.chosen.forEach((c, o) => {
          if (c < 0) return;
          const clip = batch.clips[Math.floor(o / (n * p.k))][Math.floor(o / p.k) % n];
          select[o * next + rowOf.get(clip.id)! + c] = 1;
        });
        return {
          vectors: tf.reshape(
            tf.matMul(tf.tensor2d(select, [p.chosen.length, next]), tf.concat(rows, 0)),
            [b, n, p.k, d],
          ) as tf.Tensor4D,
          valid: tf.tensor3d(p.valid, [b, n, p.k]),
        };
      });
    },
  };
}

/**
 * Options of {@linkcode createOursSeparation}.
 *
 * @category model
 */
export interface OursSeparationOptions
  extends CreateSeparationModelOptions, Omit<AlignedCenterOptions, "visual"> {
  /**
   * Fine-tune the visual net by the separation loss (default false: frozen). A copy of the
   * audiovisual model's `visual.*` variables (trunk and projection) joins the separation
   * network's store, is trained with it and saved in its checkpoints; the audio net, which
   * finds the mixture's sounds, stays frozen, and `av` itself is never modified.
   */
  fineTune?: boolean;
}

/**
 * Our separation method: a separation network conditioned (Sound-of-Pixels' channel product)
 * on the aligned visual centers of the audiovisual model `av`, frozen or fine-tuned.
 *
 * @param av the trained audiovisual model.
 * @param opts separation preset, seed, configuration overrides, clustering settings and
 * whether the visual net is fine-tuned.
 * @returns the network (conditioning size = the model's embedding D) and its conditioner.
 * @category model
 */
export function createOursSeparation(
  av: AVModel,
  opts: OursSeparationOptions = {},
): SeparationMethod {
  const model = createSeparationModel({
    preset: opts.preset ?? av.config.preset,
    seed: opts.seed,
    config: { ...opts.config, conditionSize: av.config.embedding },
  });
  const km = { iterations: opts.iterations, beta: opts.beta };
  if (!opts.fineTune) return { model, conditioner: alignedCenterConditioner(av, km) };
  for (const { name, shape } of av.params.specs()) {
    if (!name.startsWith("visual.")) continue;
    model.params.constant(name, shape, 0).assign(av.params.get(name));
  }
  const visual: AVModel = { config: av.config, seed: av.seed, params: model.params };
  return { model, conditioner: alignedCenterConditioner(av, { ...km, visual }) };
}
