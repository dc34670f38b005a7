/**
 * WGSL program: the backward sweep of soft K-means through its T iterations, one workgroup
 * per sample, from the forward trace.
 *
 * With g^t = dL/do^t (g^T = dL/dcenters) it runs, for t = T..1, with barriers between phases:
 * - a thread per cluster: P_k = g^t_k . o^t_k (workgroup memory);
 * - a thread per position: dL/dc_kn = [t = T] dL/dassignments_kn
 *   + (g^t_k . u_n - [S_k >= 1e-8] P_k) / max(S_k, 1e-8), then back through the softmax and
 *   the clamped square root to h^t_kn = dL/ds^t_kn (zero where s < 1e-10);
 * - a thread per (cluster, channel): g^{t-1}_kd = sum_n 2 h^t_kn (o^{t-1}_kd - u_nd).
 * It leaves g^0..g^T and h^1..h^T in its output (see {@linkcode sweepLayout}); the gradient
 * with respect to the input is then a parallel reduction over them (`input_grad` program).
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import {
  dimsKey,
  layoutConstants,
  type SoftKMeansDims,
  sweepLayout,
} from "./_soft_kmeans_layout.ts";
import { SWEEP_WORKGROUP } from "./_soft_kmeans_forward_program.ts";

/**
 * Inputs `x` `[B, N, D]`, its transpose `xT` `[B, D, N]`, `trace` `[B, traceSize]`, `dCenters` `[B, K, D]`,
 * `dAssignments` `[B, K, N]`; output the sweep `[B, sweepSize]`; uniform `beta : f32`.
 */
export class SoftKMeansBackwardProgram implements WebGPUProgram {
  variableNames: string[] = ["x", "xT", "trace", "dCenters", "dAssignments"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [SWEEP_WORKGROUP, 1, 1];
  uniforms = "beta : f32,";
  size = false;
  #dims: SoftKMeansDims;

  constructor(dims: SoftKMeansDims) {
    this.#dims = dims;
    this.outputShape = [dims.batch, sweepLayout(dims).size];
    this.dispatch = [dims.batch, 1, 1];
    this.shaderKey = `avscene_softkmeans_bwd_${dimsKey(dims)}`;
  }

  getUserCode(): string {
    return `
  ${layoutConstants(this.#dims)}
  const WG : i32 = ${SWEEP_WORKGROUP};
  var<workgroup> proj : array<f32, ${this.#dims.clusters}>;

  fn sync() {
    storageBarrier();
    workgroupBarrier();
  }

  fn main(index : i32) {
    let b = i32(workgroupId.x);
    let lid = i32(localIndex);
    let xb = b * N * D;
    let tb = b * TRACE;
    let gb = b * SWEEP;
    let beta = uniforms.beta;

    // g^T = dL/dcenters
    for (var i = lid; i < KD; i = i + WG) {
      result[gb + OFF_G + T * KD + i] = dCenters[b * KD + i];
    }
    sync();

    for (var step = 0; step < T; step = step + 1) {
      let t = T - step;
      let oT = tb + OFF_O + t * KD;
      let oPrev = tb + OFF_O + (t - 1) * KD;
      let cT = tb + OFF_C + (t - 1) * KN;
      let sT = tb + OFF_S + (t - 1) * KN;
      let mT = tb + OFF_M + (t - 1) * K;
      let gT = gb + OFF_G + t * KD;
      let hT = gb + OFF_H + (t - 1) * KN;
      // P_k = g^t_k . o^t_k
      for (var k = lid; k < K; k = k + WG) {
        var p = 0.0;
        for (var d = 0; d < D; d = d + 1) {
          p = p + result[gT + k * D + d] * trace[oT + k * D + d];
        }
        proj[k] = p;
      }
      sync();
      // one thread per position: dL/dc, softmax backward, sqrt/clamp backward
      for (var n = lid; n < N; n = n + WG) {
        let un = xb + n;
        var m = 0.0;
        for (var k = 0; k < K; k = k + 1) {
          let mass = trace[mT + k];
          var gu = 0.0;
          for (var d = 0; d < D; d = d + 1) {
            gu = gu + result[gT + k * D + d] * xT[un + d * N];
          }
          var gc = (gu - select(0.0, proj[k], mass >= MIN_MASS)) / max(mass, MIN_MASS);
          if (t == T) {
            gc = gc + dAssignments[b * KN + k * N + n];
          }
          result[hT + k * N + n] = gc;
          m = m + trace[cT + k * N + n] * gc;
        }
        for (var k = 0; k < K; k = k + 1) {
          let c = trace[cT + k * N + n];
          let s = trace[sT + k * N + n];
          let gz = c * (result[hT + k * N + n] - m);
          result[hT + k * N + n] = select(0.0, -beta * gz * 0.5 / sqrt(s), s >= MIN_SQ);
        }
      }
      sync();
      // one thread per (cluster, channel): g^{t-1}
      let gPrev = gb + OFF_G + (t - 1) * KD;
      for (var i = lid; i < KD; i = i + WG) {
        let k = i / D;
        let d = i - k * D;
        let o = trace[oPrev + i];
        var acc = 0.0;
        for (var n = 0; n < N; n = n + 1) {
          acc = acc + result[hT + k * N + n] * (o - x[xb + n * D + d]);
        }
        result[gPrev + i] = 2.0 * acc;
      }
      sync();
    }
  }
`;
  }
}
