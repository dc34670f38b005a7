/**
 * Training throughput: one contrastive training step (forward, backward, Adam) of a batch of 8
 * clips per backend (webgpu, wasm, cpu) and preset (tiny, small). clips/s = 8 / (time per
 * iteration). Peak tensor memory of a step (`tf.profile`'s `peakBytes`) and the process's
 * resident size are printed per case.
 *
 *   deno bench -A bench/train_bench.ts
 */
import * as tf from "@tensorflow/tfjs";
import { BACKENDS, initBackend } from "../lib/backend/mod.ts";
import { contrastiveLoss, createModel, pairDistances, type PresetName } from "../lib/model/mod.ts";
import { Adam } from "../lib/train/mod.ts";

const BATCH = 8;
const FRAMES: Record<string, number> = { tiny: 63, small: 201 };

for (const backend of BACKENDS) {
  for (const preset of ["tiny", "small"] as PresetName[]) {
    let ok = true;
    try {
      await initBackend(backend);
    } catch {
      ok = false;
    }
    Deno.bench({
      name: `train step ${preset} x${BATCH} on ${backend}`,
      group: preset,
      ignore: !ok,
      n: preset === "tiny" ? 10 : 3,
      warmup: 1,
      async fn(b) {
        await initBackend(backend);
        const model = createModel({ preset, seed: 0 });
        const c = model.config;
        const images = tf.randomUniform(
          [BATCH, c.imageSize, c.imageSize, 3],
          0,
          1,
          "float32",
          1,
        ) as tf.Tensor4D;
        const logMel = tf.randomNormal(
          [BATCH, FRAMES[preset], c.nMels],
          0,
          1,
          "float32",
          2,
        ) as tf.Tensor3D;
        const labels = tf.tidy(() =>
          tf.concat([tf.ones([BATCH]), tf.zeros([BATCH])]) as tf.Tensor1D
        );
        const opt = new Adam(model.params.variables(), { lr: 1e-4 });
        const step = () =>
          opt.minimize(() => {
            const d = pairDistances(model, images, logMel, { kAudio: 1, kVisual: 2 });
            return contrastiveLoss(tf.concat([d.positive2, d.negative2]) as tf.Tensor1D, labels);
          });
        // The warm-up step also measures peak tensor memory: tf.profile tracks every
        // allocation of the step (activations, gradients, optimiser temporaries).
        const profile = await tf.profile(() => step());
        tf.dispose(profile.result);
        b.start();
        const loss = step();
        await loss.data();
        b.end();
        loss.dispose();
        console.log(
          `${preset}/${backend}: peak tensor memory of one step ` +
            `${(profile.peakBytes / 2 ** 20).toFixed(1)} MiB, ` +
            `process rss ${(Deno.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
        );
        opt.dispose();
        tf.dispose([images, logMel, labels]);
        model.params.dispose();
      },
    });
  }
}
