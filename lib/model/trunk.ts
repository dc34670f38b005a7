/**
 * Conv trunks built from a list of {@linkcode TrunkLayer}s: plain conv layers, max pooling and
 * ResNet basic-block stages, with group norm, on the model's own variables.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ParamStore } from "./param_store.ts";
import type { TrunkLayer } from "./presets.ts";
import type { ConvPadding } from "./conv2d_same.ts";
import { groupNorm, positionNorm } from "./group_norm.ts";
import { conv2dSame } from "./conv2d_same.ts";

/**
 * Native conv2d on webgpu (it has every conv gradient kernel); elsewhere {@linkcode conv2dSame},
 * whose gradients run on the fast forward convolution and which skips the input gradient of a
 * convolution reading the trunk's input (data, never trained).
 */
function conv(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  isInput: boolean,
  padding: ConvPadding,
): tf.Tensor4D {
  return tf.getBackend() === "webgpu" && padding === "zeros"
    ? tf.conv2d(x, w, stride, "same")
    : conv2dSame(x, w, stride, { inputGradient: !isInput, padding });
}

function createConv(
  params: ParamStore,
  name: string,
  inC: number,
  outC: number,
  kernel: number,
): void {
  params.heNormal(`${name}.w`, [kernel, kernel, inC, outC], kernel * kernel * inC);
  params.constant(`${name}.gamma`, [outC], 1);
  params.constant(`${name}.beta`, [outC], 0);
}

function applyConv(
  params: ParamStore,
  name: string,
  x: tf.Tensor4D,
  stride: number,
  groups: number,
  relu: boolean,
  isInput: boolean,
  padding: ConvPadding,
): tf.Tensor4D {
  const w = params.get(`${name}.w`) as tf.Tensor4D;
  const c = conv(x, w, stride, isInput, padding);
  const gamma = params.get(`${name}.gamma`), beta = params.get(`${name}.beta`);
  // the ReLU runs inside the normalisation's kernel
  return groups === 0
    ? positionNorm(c, gamma, beta, { relu })
    : groupNorm(c, gamma, beta, groups, { relu });
}

/**
 * Create the variables of a trunk in `params` under `prefix`.
 *
 * @param params the model's parameter store.
 * @param prefix name prefix (`visual`, `audio`).
 * @param inChannels channels of the trunk's input.
 * @param layers the trunk's layers.
 * @returns channels of the trunk's output.
 * @category model
 */
export function createTrunk(
  params: ParamStore,
  prefix: string,
  inChannels: number,
  layers: readonly TrunkLayer[],
): number {
  let c = inChannels;
  layers.forEach((layer, i) => {
    const name = `${prefix}.${i}`;
    if (layer.type === "conv") {
      createConv(params, name, c, layer.out, layer.kernel);
      c = layer.out;
    } else if (layer.type === "res") {
      for (let b = 0; b < layer.blocks; b++) {
        const stride = b === 0 ? layer.stride : 1;
        createConv(params, `${name}.${b}.a`, c, layer.out, 3);
        createConv(params, `${name}.${b}.b`, layer.out, layer.out, 3);
        if (stride !== 1 || c !== layer.out) {
          createConv(params, `${name}.${b}.skip`, c, layer.out, 1);
        }
        c = layer.out;
      }
    }
  });
  return c;
}

/**
 * Run a trunk created by {@linkcode createTrunk}.
 *
 * @param params the model's parameter store.
 * @param prefix the name prefix used at creation.
 * @param layers the trunk's layers.
 * @param x input `[batch, height, width, channels]`: data (images, spectrograms); off webgpu no
 *   gradient flows back to it (its gradient is zeros), which saves the first layer's
 *   input-gradient convolution.
 * @param groups group-norm groups.
 * @param padding the convolutions' border padding (default `"zeros"`; `"reflect"`: the input
 *   mirrored at its edges, see {@linkcode ConvPadding}).
 * @returns features `[batch, height', width', channels']`.
 * @category model
 */
export function applyTrunk(
  params: ParamStore,
  prefix: string,
  layers: readonly TrunkLayer[],
  x: tf.Tensor4D,
  groups: number,
  padding: ConvPadding = "zeros",
): tf.Tensor4D {
  return tf.tidy(() => {
    let h = x;
    layers.forEach((layer, i) => {
      const name = `${prefix}.${i}`;
      if (layer.type === "conv") {
        h = applyConv(params, name, h, layer.stride, groups, true, h === x, padding);
      } else if (layer.type === "maxpool") {
        h = tf.maxPool(h, 3, layer.stride, "same");
      } else {
        for (let b = 0; b < layer.blocks; b++) {
          const stride = b === 0 ? layer.stride : 1;
          const block = `${name}.${b}`;
          const a = applyConv(params, `${block}.a`, h, stride, groups, true, h === x, padding);
          const out = applyConv(params, `${block}.b`, a, 1, groups, false, false, padding);
          const skip = h.shape[3] !== layer.out || stride !== 1
            ? applyConv(params, `${block}.skip`, h, stride, groups, false, h === x, padding)
            : h;
          h = tf.relu(tf.add(out, skip));
        }
      }
    });
    return h;
  });
}
