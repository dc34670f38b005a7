/**
 * WGSL program: the backward sweep of soft K-means through its T iterations, one workgroup
 * per sample, from the forward trace.
 *
 * With g^t = dL/do^t (g^T = dL/dcenters) it runs, for t = T..1, with barriers between phases:
 * - an invocation per block of 4 clusters x 4 positions (a loop over D, two vec4 loads per
 *   channel from the trace's xT and g^t): gu_kn = g^t_k . u_n;
 * - an invocation per cluster block: P_k = sum_n c_kn gu_kn / max(S_k, 1e-8), which is
 *   g^t_k . o^t_k (workgroup memory);
 * - an invocation per position: dL/dc_kn = [t = T] dL/dassignments_kn
 *   + (gu_kn - [S_k >= 1e-8] P_k) / max(S_k, 1e-8), then back through the softmax and the
 *   clamped square root to h^t_kn = dL/ds^t_kn (zero where s < 1e-10);
 * - an invocation per block of 4 clusters x 4 channels (a loop over N, two vec4 loads per
 *   position): g^{t-1}_kd = sum_n 2 h^t_kn (o^{t-1}_kd - u_nd).
 * It leaves g^0..g^T and h^1..h^T in its output (see {@linkcode sweepLayout}); the gradient
 * with respect to the input is then a parallel reduction over them (`input_grad` program).
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import {
  blockCounts,
  dimsKey,
  layoutWgsl,
  loadXWgsl,
  type SoftKMeansDims,
  sweepLayout,
  unroll4,
  xComponents,
} from "./_soft_kmeans_layout.ts";
import { SWEEP_WORKGROUP } from "./_soft_kmeans_forward_program.ts";

/**
 * Inputs `x` `[B, N, D]`, `trace` `[B, 4 * traceSize]` (vec4s), `dCenters` `[B, K, D]`,
 * `dAssignments` `[B, K, N]`; output the sweep `[B, 4 * sweepSize]` (vec4s); uniform
 * `beta : f32`.
 */
export class SoftKMeansBackwardProgram implements WebGPUProgram {
  variableNames: string[] = ["x", "trace", "dCenters", "dAssignments"];
  variableComponents: number[];
  outputComponent = 4;
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
    this.variableComponents = [xComponents(dims), 4, 1, 1];
    this.outputShape = [dims.batch, 4 * sweepLayout(dims).size];
    this.dispatch = [dims.batch, 1, 1];
    this.shaderKey = `avscene_softkmeans_bwd_${dimsKey(dims)}`;
  }

  getUserCode(): string {
    return `
  ${layoutWgsl(this.#dims)}
  ${loadXWgsl(this.#dims)}
  const WG : i32 = ${SWEEP_WORKGROUP};
  var<workgroup> proj : array<vec4<f32>, ${blockCounts(this.#dims).kb}>;

  fn sync() {
    storageBarrier();
    workgroupBarrier();
  }

  // clusters 4j..4j+3 of dCenters [B, K, D] at channel d, of dAssignments [B, K, N] at
  // position n (0 past K)
  fn dCentersBlock(b : i32, j : i32, d : i32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    ${
      unroll4((c) =>
        `if (4 * j + ${c} < K) { v[${c}] = dCenters[(b * K + 4 * j + ${c}) * D + d]; }`
      )
    }
    return v;
  }
  fn dAssignmentsBlock(b : i32, j : i32, n : i32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    ${
      unroll4((c) =>
        `if (4 * j + ${c} < K) { v[${c}] = dAssignments[(b * K + 4 * j + ${c}) * N + n]; }`
      )
    }
    return v;
  }

  fn main(index : i32) {
    let b = i32(workgroupId.x);
    let lid = i32(localIndex);
    let tb = b * TRACE;
    let xt = tb + OFF_XT;
    let gb = b * SWEEP;
    let beta = uniforms.beta;

    // g^T = dL/dcenters, in blocks of 4 clusters per channel
    for (var i = lid; i < DKB; i = i + WG) {
      let d = i / KB;
      result[gb + OFF_G + T * DKB + i] = dCentersBlock(b, i - d * KB, d);
    }
    sync();

    for (var step = 0; step < T; step = step + 1) {
      let t = T - step;
      let oPrev = tb + OFF_O + (t - 1) * DKB;
      let cT = tb + OFF_C + (t - 1) * KBN4;
      let sT = tb + OFF_S + (t - 1) * KBN4;
      let mT = tb + OFF_M + (t - 1) * KB;
      let gT = gb + OFF_G + t * DKB;
      let hT = gb + OFF_H + (t - 1) * KBN4;
      // gu_kn = g^t_k . u_n: an invocation per (cluster block j, position quad q), into h^t
      for (var i = lid; i < KB * NQ; i = i + WG) {
        let j = i / NQ;
        let q = i - j * NQ;
        ${unroll4((p) => `var gu${p} = vec4<f32>(0.0);`)}
        for (var d = 0; d < D; d = d + 1) {
          let u = trace[xt + d * NQ + q];
          let g = result[gT + d * KB + j];
          ${unroll4((p) => `gu${p} = gu${p} + g * u[${p}];`)}
        }
        ${unroll4((p) => `result[hT + j * N4 + 4 * q + ${p}] = gu${p};`)}
      }
      sync();
      // P_k = sum_n c_kn gu_kn / max(S_k, 1e-8) = g^t_k . o^t_k
      for (var j = lid; j < KB; j = j + WG) {
        var p = vec4<f32>(0.0);
        for (var n = 0; n < N; n = n + 1) {
          p = p + trace[cT + j * N4 + n] * result[hT + j * N4 + n];
        }
        proj[j] = p / max(trace[mT + j], vec4<f32>(MIN_MASS));
      }
      sync();
      // an invocation per position: dL/dc, softmax backward, sqrt/clamp backward
      for (var n = lid; n < N4; n = n + WG) {
        var m = 0.0;
        for (var j = 0; j < KB; j = j + 1) {
          let mass = trace[mT + j];
          let kept = select(vec4<f32>(0.0), proj[j], mass >= vec4<f32>(MIN_MASS));
          var gc = (result[hT + j * N4 + n] - kept) / max(mass, vec4<f32>(MIN_MASS));
          if (t == T && n < N) {
            gc = gc + dAssignmentsBlock(b, j, n);
          }
          result[hT + j * N4 + n] = gc;
          m = m + dot(trace[cT + j * N4 + n], gc);
        }
        for (var j = 0; j < KB; j = j + 1) {
          let s = trace[sT + j * N4 + n];
          let gz = trace[cT + j * N4 + n] * (result[hT + j * N4 + n] - m);
          let h = -beta * gz * 0.5 / sqrt(max(s, vec4<f32>(MIN_SQ)));
          result[hT + j * N4 + n] = select(vec4<f32>(0.0), h, s >= vec4<f32>(MIN_SQ));
        }
      }
      sync();
      // g^{t-1}: an invocation per (cluster block j, channel quad q)
      let gPrev = gb + OFF_G + (t - 1) * DKB;
      for (var i = lid; i < KB * DQ; i = i + WG) {
        let j = i / DQ;
        let q = i - j * DQ;
        ${unroll4((c) => `let o${c} = trace[oPrev + min(4 * q + ${c}, D - 1) * KB + j];`)}
        ${unroll4((c) => `var a${c} = vec4<f32>(0.0);`)}
        for (var n = 0; n < N; n = n + 1) {
          let u = loadX(b, n, q);
          let h = result[hT + j * N4 + n];
          ${unroll4((c) => `a${c} = a${c} + h * (o${c} - u[${c}]);`)}
        }
        ${
      unroll4((c) =>
        `if (4 * q + ${c} < D) { result[gPrev + (4 * q + ${c}) * KB + j] = 2.0 * a${c}; }`
      )
    }
      }
      sync();
    }
  }
`;
  }
}
