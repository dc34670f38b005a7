/**
 * The gradient of the {@linkcode SoftKMeans} kernel: back-propagation through all T iterations
 * by the {@linkcode SoftKMeansGrad} kernel (WGSL on webgpu), from the saved forward trace.
 * Importing this module registers it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { SoftKMeans, type SoftKMeansAttrs, SoftKMeansGrad } from "./kernel_names.ts";

tf.registerGradient({
  kernelName: SoftKMeans,
  inputsToSave: ["x"],
  outputsToSave: [false, false, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, trace] = saved;
    const [b, n, d] = x.shape;
    const [dCenters, dAssignments] = dy as (tf.Tensor | null)[];
    const a = attrs as SoftKMeansAttrs;
    return {
      x: () =>
        tf.tidy(() =>
          tf.engine().runKernel(SoftKMeansGrad, {
            x,
            trace,
            dCenters: dCenters ?? tf.zeros([b, a.k, d]),
            dAssignments: dAssignments ?? tf.zeros([b, a.k, n]),
          }, { k: a.k, iterations: a.iterations, beta: a.beta }) as tf.Tensor
        ),
    };
  },
});
