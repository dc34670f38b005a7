/**
 * WGSL passes of the split soft K-means backward sweep (see `_soft_kmeans_split_program.ts`):
 * the same math and the same sweep as the per-sample program
 * (`_soft_kmeans_backward_program.ts`), with each sample's work spread over many workgroups.
 * Per call, `init` (an invocation per block of 4 clusters x 1 channel) writes g^T = dL/dcenters;
 * then for t = T..1:
 * - `projections` (an invocation per sample, channel tile, cluster block, position quad):
 *   partial sums over the tile's channels of gu_kn = g^t_k . u_n;
 * - `mass_projections` (an invocation per cluster block): P_k = sum_n c_kn gu_kn / max(S_k, 1e-8),
 *   kept in the sweep;
 * - `softmax_grad` (an invocation per position): dL/dc_kn = [t = T] dL/dassignments_kn
 *   + (gu_kn - [S_k >= 1e-8] P_k) / max(S_k, 1e-8), then back through the softmax and the
 *   clamped square root to h^t_kn = dL/ds^t_kn;
 * - `center_grad_sums` (an invocation per sample, position tile, cluster block, channel quad):
 *   partial sums over the tile's positions of 2 h^t_kn (o^{t-1}_kd - u_nd);
 * - `center_grads` (an invocation per value): g^{t-1}_kd = the sum of the partials.
 *
 * @module
 */
import {
  blockCounts,
  type SoftKMeansDims,
  type SoftKMeansSplit,
  sweepLayout,
  unroll4,
} from "./_soft_kmeans_layout.ts";
import type { SplitPass } from "./_soft_kmeans_split_program.ts";

/** vec4s of the center-gradient partials `[B, NT, KB, 4 DQ]`. */
export function centerGradPartialsSize(dims: SoftKMeansDims, split: SoftKMeansSplit): number {
  const { kb, dq } = blockCounts(dims);
  return dims.batch * split.positionTiles * kb * 4 * dq;
}

function sweepShape(dims: SoftKMeansDims): number[] {
  return [dims.batch, 4 * sweepLayout(dims).size];
}

/** `init`: input dCenters `[B, K, D]`; output the sweep (new): g^T. */
export function initPass(dims: SoftKMeansDims): SplitPass {
  const { kb } = blockCounts(dims);
  return {
    name: "bwd_init",
    inputs: ["dCenters"],
    components: [1],
    outputShape: sweepShape(dims),
    outputComponent: 4,
    invocations: dims.batch * dims.channels * kb,
    body: `
    let b = index / DKB;
    let i = index - b * DKB;
    let d = i / KB;
    let j = i - d * KB;
    var v = vec4<f32>(0.0);
    ${
      unroll4((c) =>
        `if (4 * j + ${c} < K) { v[${c}] = dCenters[(b * K + 4 * j + ${c}) * D + d]; }`
      )
    }
    result[b * SWEEP + OFF_G + T * DKB + i] = v;`,
  };
}

/** `projections`: inputs the trace and the sweep; output partials `[B, DT, KB, 4 NQ]`. */
export function projectionsPass(
  dims: SoftKMeansDims,
  split: SoftKMeansSplit,
  partialsShape: number[],
): SplitPass {
  const { kb, nq } = blockCounts(dims);
  return {
    name: "bwd_projections",
    inputs: ["trace", "sweep"],
    components: [4, 4],
    outputShape: partialsShape,
    outputComponent: 4,
    invocations: dims.batch * split.channelTiles * kb * nq,
    body: `
    let q = index % NQ;
    let r = index / NQ;
    let j = r % KB;
    let bt = r / KB;
    let dt = bt % DT;
    let b = bt / DT;
    let xt = b * TRACE + OFF_XT;
    let gT = b * SWEEP + OFF_G + t * DKB;
    ${unroll4((p) => `var gu${p} = vec4<f32>(0.0);`)}
    for (var d = dt * DPT; d < min(D, (dt + 1) * DPT); d = d + 1) {
      let u = trace[xt + d * NQ + q];
      let g = sweep[gT + d * KB + j];
      ${unroll4((p) => `gu${p} = gu${p} + g * u[${p}];`)}
    }
    let at = ((b * DT + dt) * KB + j) * N4 + 4 * q;
    ${unroll4((p) => `result[at + ${p}] = gu${p};`)}`,
  };
}

/** WGSL `gu(b, j, n)`: the summed channel partials of g^t_k . u_n, clusters of block j. */
const GU_HELPER = `
  fn gu(b : i32, j : i32, n : i32) -> vec4<f32> {
    var s = vec4<f32>(0.0);
    for (var dt = 0; dt < DT; dt = dt + 1) {
      s = s + partials[((b * DT + dt) * KB + j) * N4 + n];
    }
    return s;
  }
`;

/** `mass_projections`: inputs the trace and the partials; output the sweep (in place): P^t. */
export function massProjectionsPass(dims: SoftKMeansDims): SplitPass {
  const { kb } = blockCounts(dims);
  return {
    name: "bwd_mass_projections",
    inputs: ["trace", "partials"],
    components: [4, 4],
    outputShape: sweepShape(dims),
    outputComponent: 4,
    invocations: dims.batch * kb,
    helpers: GU_HELPER,
    body: `
    let b = index / KB;
    let j = index - b * KB;
    let cT = b * TRACE + OFF_C + (t - 1) * KBN4;
    var p = vec4<f32>(0.0);
    for (var n = 0; n < N; n = n + 1) {
      p = p + trace[cT + j * N4 + n] * gu(b, j, n);
    }
    let mass = trace[b * TRACE + OFF_M + (t - 1) * KB + j];
    result[b * SWEEP + OFF_P + (t - 1) * KB + j] = p / max(mass, vec4<f32>(MIN_MASS));`,
  };
}

/**
 * `softmax_grad`: inputs the trace, the partials and dAssignments `[B, K, N]`; output the
 * sweep (in place): h^t.
 */
export function softmaxGradPass(dims: SoftKMeansDims): SplitPass {
  const { nq } = blockCounts(dims);
  return {
    name: "bwd_softmax_grad",
    inputs: ["trace", "partials", "dAssignments"],
    components: [4, 4, 1],
    outputShape: sweepShape(dims),
    outputComponent: 4,
    invocations: dims.batch * 4 * nq,
    helpers: GU_HELPER + `
  fn dAssignmentsBlock(b : i32, j : i32, n : i32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    ${
      unroll4((c) =>
        `if (4 * j + ${c} < K) { v[${c}] = dAssignments[(b * K + 4 * j + ${c}) * N + n]; }`
      )
    }
    return v;
  }`,
    body: `
    let b = index / N4;
    let n = index - b * N4;
    let tb = b * TRACE;
    let cT = tb + OFF_C + (t - 1) * KBN4;
    let sT = tb + OFF_S + (t - 1) * KBN4;
    let mT = tb + OFF_M + (t - 1) * KB;
    let hT = b * SWEEP + OFF_H + (t - 1) * KBN4;
    let pT = b * SWEEP + OFF_P + (t - 1) * KB;
    var m = 0.0;
    for (var j = 0; j < KB; j = j + 1) {
      let mass = trace[mT + j];
      let kept = select(vec4<f32>(0.0), result[pT + j], mass >= vec4<f32>(MIN_MASS));
      var gc = (gu(b, j, n) - kept) / max(mass, vec4<f32>(MIN_MASS));
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
    }`,
  };
}

/** `center_grad_sums`: inputs x, the trace and the sweep; output the center-gradient partials. */
export function centerGradSumsPass(
  dims: SoftKMeansDims,
  split: SoftKMeansSplit,
  xComponents: number,
): SplitPass {
  const { kb, dq } = blockCounts(dims);
  return {
    name: "bwd_center_grad_sums",
    inputs: ["x", "trace", "sweep"],
    components: [xComponents, 4, 4],
    outputShape: [dims.batch, (4 * centerGradPartialsSize(dims, split)) / dims.batch],
    outputComponent: 4,
    invocations: dims.batch * split.positionTiles * kb * dq,
    body: `
    let q = index % DQ;
    let r = index / DQ;
    let j = r % KB;
    let bt = r / KB;
    let nt = bt % NT;
    let b = bt / NT;
    let oPrev = b * TRACE + OFF_O + (t - 1) * DKB;
    let hT = b * SWEEP + OFF_H + (t - 1) * KBN4;
    ${unroll4((c) => `let o${c} = trace[oPrev + min(4 * q + ${c}, D - 1) * KB + j];`)}
    ${unroll4((c) => `var a${c} = vec4<f32>(0.0);`)}
    for (var n = nt * NPT; n < min(N, (nt + 1) * NPT); n = n + 1) {
      let u = loadX(b, n, q);
      let h = sweep[hT + j * N4 + n];
      ${unroll4((c) => `a${c} = a${c} + h * (o${c} - u[${c}]);`)}
    }
    let at = ((b * NT + nt) * KB + j) * 4 * DQ + 4 * q;
    ${unroll4((c) => `result[at + ${c}] = a${c};`)}`,
  };
}

/** `center_grads`: input the center-gradient partials; output the sweep (in place): g^{t-1}. */
export function centerGradsPass(dims: SoftKMeansDims): SplitPass {
  const { kb } = blockCounts(dims);
  return {
    name: "bwd_center_grads",
    inputs: ["partials"],
    components: [4],
    outputShape: sweepShape(dims),
    outputComponent: 4,
    invocations: dims.batch * dims.channels * kb,
    body: `
    let b = index / DKB;
    let i = index - b * DKB;
    let d = i / KB;
    let j = i - d * KB;
    var a = vec4<f32>(0.0);
    for (var nt = 0; nt < NT; nt = nt + 1) {
      a = a + partials[((b * NT + nt) * KB + j) * 4 * DQ + d];
    }
    result[b * SWEEP + OFF_G + (t - 1) * DKB + i] = 2.0 * a;`,
  };
}
