/**
 * WGSL program: the whole soft K-means forward pass of one sample in one workgroup.
 *
 * One dispatch runs all T iterations. Each workgroup owns one sample b and alternates, with
 * barriers between them, three phases per iteration:
 * - assign (a thread per position n): s_kn = |o_k - u_n|^2, d_kn = sqrt(max(s_kn, 1e-10)),
 *   c_kn = softmax_k(-beta d_kn) with the max subtracted (fused distance + assignment);
 *   weights below e^-60 of the largest are flushed to 0: invisible at float32 precision, and
 *   it keeps denormals (a 100x slow path on CPU-emulated GPUs such as lavapipe) out of the
 *   sums;
 * - mass (a thread per cluster k): S_k = sum_n c_kn, kept in workgroup memory;
 * - update (a thread per (k, channel)): o_kd = sum_n c_kn u_nd / max(S_k, 1e-8).
 * Everything the backward pass needs (o^0..o^T, c^t, s^t, S^t) is left in the output, the
 * per-sample trace described by {@linkcode traceLayout}.
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import {
  dimsKey,
  layoutConstants,
  type SoftKMeansDims,
  traceLayout,
} from "./_soft_kmeans_layout.ts";

/** Threads per workgroup of the sweep programs. */
export const SWEEP_WORKGROUP = 128;

/**
 * Inputs `x` `[B, N, D]` and its transpose `xT` `[B, D, N]`; output the trace
 * `[B, traceSize]`; uniform `beta : f32`.
 */
export class SoftKMeansForwardProgram implements WebGPUProgram {
  variableNames: string[] = ["x", "xT"];
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
    this.outputShape = [dims.batch, traceLayout(dims).size];
    this.dispatch = [dims.batch, 1, 1];
    this.shaderKey = `avscene_softkmeans_fwd_${dimsKey(dims)}`;
  }

  getUserCode(): string {
    return `
  ${layoutConstants(this.#dims)}
  const WG : i32 = ${SWEEP_WORKGROUP};
  const MIN_LOGIT : f32 = -60.0;
  var<workgroup> mass : array<f32, ${this.#dims.clusters}>;

  fn sync() {
    storageBarrier();
    workgroupBarrier();
  }

  fn main(index : i32) {
    let b = i32(workgroupId.x);
    let lid = i32(localIndex);
    let xb = b * N * D;
    let tb = b * TRACE;
    let beta = uniforms.beta;

    // o^0_k = u_{floor(k N / K)}
    for (var i = lid; i < KD; i = i + WG) {
      let k = i / D;
      let d = i - k * D;
      result[tb + OFF_O + i] = x[xb + ((k * N) / K) * D + d];
    }
    sync();

    for (var t = 1; t <= T; t = t + 1) {
      let oPrev = tb + OFF_O + (t - 1) * KD;
      let cT = tb + OFF_C + (t - 1) * KN;
      let sT = tb + OFF_S + (t - 1) * KN;
      // assign: one thread per position
      for (var n = lid; n < N; n = n + WG) {
        let un = xb + n;
        var dMin = 3.0e38;
        for (var k = 0; k < K; k = k + 1) {
          let ok = oPrev + k * D;
          var s = 0.0;
          for (var d = 0; d < D; d = d + 1) {
            let diff = result[ok + d] - xT[un + d * N];
            s = s + diff * diff;
          }
          result[sT + k * N + n] = s;
          dMin = min(dMin, sqrt(max(s, MIN_SQ)));
        }
        var z = 0.0;
        for (var k = 0; k < K; k = k + 1) {
          let logit = -beta * (sqrt(max(result[sT + k * N + n], MIN_SQ)) - dMin);
          let e = select(0.0, exp(logit), logit > MIN_LOGIT);
          result[cT + k * N + n] = e;
          z = z + e;
        }
        for (var k = 0; k < K; k = k + 1) {
          result[cT + k * N + n] = result[cT + k * N + n] / z;
        }
      }
      sync();
      // mass: one thread per cluster
      for (var k = lid; k < K; k = k + WG) {
        var m = 0.0;
        for (var n = 0; n < N; n = n + 1) {
          m = m + result[cT + k * N + n];
        }
        result[tb + OFF_M + (t - 1) * K + k] = m;
        mass[k] = max(m, MIN_MASS);
      }
      sync();
      // update: one thread per (cluster, channel)
      let oNext = tb + OFF_O + t * KD;
      for (var i = lid; i < KD; i = i + WG) {
        let k = i / D;
        let d = i - k * D;
        let ck = cT + k * N;
        var acc = 0.0;
        for (var n = 0; n < N; n = n + 1) {
          acc = acc + result[ck + n] * x[xb + n * D + d];
        }
        result[oNext + i] = acc / mass[k];
      }
      sync();
    }
  }
`;
  }
}
