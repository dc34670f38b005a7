/**
 * WGSL program: dL/dx of soft K-means from the backward sweep, one thread per input element.
 *
 * dL/du_nd = sum_t sum_k [ c^t_kn g^t_kd / max(S^t_k, 1e-8) + 2 h^t_kn (u_nd - o^{t-1}_kd) ]
 *          + sum_k [n = floor(k N / K)] g^0_kd
 * (the center update, the distances, and the initialisation from evenly spaced positions).
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { dimsKey, layoutConstants, type SoftKMeansDims } from "./_soft_kmeans_layout.ts";

/** Inputs `x` `[B, N, D]`, `trace`, `sweep`; output dL/dx `[B, N, D]`. */
export class SoftKMeansInputGradProgram implements WebGPUProgram {
  variableNames: string[] = ["x", "trace", "sweep"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  #dims: SoftKMeansDims;

  constructor(dims: SoftKMeansDims) {
    this.#dims = dims;
    this.outputShape = [dims.batch, dims.positions, dims.channels];
    this.dispatch = [Math.ceil((dims.batch * dims.positions * dims.channels) / 64), 1, 1];
    this.shaderKey = `avscene_softkmeans_dx_${dimsKey(dims)}`;
  }

  getUserCode(): string {
    return `
  ${layoutConstants(this.#dims)}

  fn main(index : i32) {
    if (index < uniforms.size) {
      let b = index / (N * D);
      let r = index - b * N * D;
      let n = r / D;
      let d = r - n * D;
      let tb = b * TRACE;
      let gb = b * SWEEP;
      let u = x[index];
      var acc = 0.0;
      for (var t = 1; t <= T; t = t + 1) {
        for (var k = 0; k < K; k = k + 1) {
          let c = trace[tb + OFF_C + (t - 1) * KN + k * N + n];
          let mass = max(trace[tb + OFF_M + (t - 1) * K + k], MIN_MASS);
          let g = sweep[gb + OFF_G + t * KD + k * D + d];
          let h = sweep[gb + OFF_H + (t - 1) * KN + k * N + n];
          let o = trace[tb + OFF_O + (t - 1) * KD + k * D + d];
          acc = acc + c * g / mass + 2.0 * h * (u - o);
        }
      }
      for (var k = 0; k < K; k = k + 1) {
        if ((k * N) / K == n) {
          acc = acc + sweep[gb + OFF_G + k * D + d];
        }
      }
      setOutputAtIndex(index, acc);
    }
  }
`;
  }
}
