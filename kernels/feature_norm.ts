/**
 * Feature normalisation (group or positional), affine and optional ReLU in one op: the
 * {@linkcode FeatureNorm} kernel where the backend has it (cpu, wasm), composed tfjs ops
 * elsewhere (webgpu), with the same gradient either way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FeatureNorm, type FeatureNormAttrs, FeatureNormGrad } from "./kernel_names.ts";
import { FEATURE_NORM_BACKENDS } from "./feature_norm_plain.ts";
import "./feature_norm_simd.ts";

/**
 * (x - mean) / sqrt(variance + epsilon) over `axes` (kept), with a hand-written gradient:
 * dx = (dy - mean(dy) - xhat mean(dy xhat)) / sqrt(variance + epsilon). The same math as
 * tfjs autodiff through `tf.moments`, in a third of the ops.
 */
function standardize(x: tf.Tensor, axes: number[], epsilon: number): tf.Tensor {
  const f = tf.customGrad(
    ((xt: tf.Tensor, save: tf.GradSaveFunc) => {
      const mean = tf.mean(xt, axes, true);
      const centred = tf.sub(xt, mean);
      const inv = tf.rsqrt(tf.add(tf.mean(tf.square(centred), axes, true), epsilon));
      const xhat = tf.mul(centred, inv);
      save([xhat, inv]);
      return {
        value: xhat,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xh, iv] = saved;
          const projected = tf.mul(xh, tf.mean(tf.mul(dy, xh), axes, true));
          return tf.mul(tf.sub(tf.sub(dy, tf.mean(dy, axes, true)), projected), iv);
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return f(x) as tf.Tensor;
}

/** {@linkcode featureNorm} from tfjs ops (autodiff through the affine and ReLU). */
function featureNormComposed(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  attrs: FeatureNormAttrs,
): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const { groups, epsilon, relu } = attrs;
  return tf.tidy(() => {
    const xhat = groups === 0 ? standardize(x, [3], epsilon) : tf.reshape(
      standardize(tf.reshape(x, [b, h, w, groups, c / groups]), [1, 2, 4], epsilon),
      [b, h, w, c],
    );
    const y = tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  });
}

/**
 * `relu?(xhat gamma + beta)`, `xhat` the features standardised (zero mean, unit variance with
 * `epsilon` added to the variance) over each sample's positions and channel groups
 * (`groups > 0`, group norm: Wu and He, 2018) or over each position's channels (`groups = 0`,
 * positional norm). One kernel forward and one backward on cpu and wasm; composed tfjs ops
 * elsewhere.
 *
 * @param x features `[batch, height, width, channels]`.
 * @param gamma per-channel scale `[channels]`.
 * @param beta per-channel shift `[channels]`.
 * @param attrs `groups` (a divisor of the channels, or 0), `epsilon`, `relu`.
 * @returns the normalised features, same shape as `x`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { featureNorm } from "@avscene/avscene/kernels";
 * const x = tf.tensor4d([1, 3, -2, 2], [1, 1, 2, 2]);
 * const y = featureNorm(x, tf.ones([2]), tf.zeros([2]), { groups: 0, epsilon: 0, relu: true });
 * assert.deepEqual(Array.from(y.dataSync()), [0, 1, 0, 1]);
 * ```
 * @category kernels
 */
export function featureNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  attrs: FeatureNormAttrs,
): tf.Tensor4D {
  const c = x.shape[3];
  if (gamma.size !== c || beta.size !== c) {
    throw new Error(
      `featureNorm: gamma [${gamma.shape}] and beta [${beta.shape}] must have ${c} values`,
    );
  }
  if (
    !(Number.isInteger(attrs.groups) && attrs.groups >= 0 && c % Math.max(attrs.groups, 1) === 0)
  ) {
    throw new Error(`featureNorm: groups ${attrs.groups} must be 0 or divide ${c} channels`);
  }
  const backend = tf.getBackend();
  if (!(FEATURE_NORM_BACKENDS as readonly string[]).includes(backend)) {
    return featureNormComposed(x, gamma, beta, attrs);
  }
  const f = tf.customGrad(
    ((xt: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
      const [y, xhat, inv] = tf.engine().runKernel(
        FeatureNorm,
        { x: xt, gamma: g, beta: b },
        attrs,
      ) as tf.Tensor[];
      save([y, xhat, inv, g]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [ys, xh, iv, gs] = saved;
          const [dx, dgamma, dbeta] = tf.engine().runKernel(
            FeatureNormGrad,
            { dy, y: ys, xhat: xh, inv: iv, gamma: gs },
            attrs,
          ) as tf.Tensor[];
          // dgamma and dbeta come in gamma's shape: no Reshape kernel unless beta's differs
          const sameShape = tf.util.arraysEqual(b.shape, g.shape);
          return [dx, dgamma, sameShape ? dbeta : tf.reshape(dbeta, b.shape)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return f(x, gamma, beta) as tf.Tensor4D;
}
