/**
 * WGSL passes of the split soft K-means forward (see `_soft_kmeans_split_program.ts`): the
 * same math and the same trace as the per-sample program (`_soft_kmeans_forward_program.ts`),
 * with each sample's work spread over many workgroups. Per call:
 * - `prepare` (an invocation per 4x4 block of xT, and per block of 4 initial centers x 1
 *   channel): xT and o^0 = u_{floor(k N / K)};
 * then per iteration t:
 * - `distances` (an invocation per sample, channel tile, cluster block, position quad):
 *   partial sums over the tile's channels of s_kn = |o_k - u_n|^2 (two vec4 loads, 16
 *   squared differences per channel);
 * - `assign` (an invocation per position): s_kn = the sum of the partials, then the softmax
 *   c_kn = softmax_k(-beta sqrt(max(s_kn, 1e-10))), weights below e^-60 flushed to 0, as in
 *   the per-sample program;
 * - `center_sums` (an invocation per sample, position tile, cluster block, channel quad):
 *   partial sums over the tile's positions of c_kn u_nd and of the mass c_kn;
 * - `centers` (an invocation per center value): o^t_kd = sum of partials / max(S_k, 1e-8),
 *   with S^t_k, the summed mass, kept in the trace.
 *
 * @module
 */
import {
  blockCounts,
  type SoftKMeansDims,
  type SoftKMeansSplit,
  traceLayout,
  unroll4,
} from "./_soft_kmeans_layout.ts";
import type { SplitPass } from "./_soft_kmeans_split_program.ts";

/** vec4s of the distance partials `[B, DT, KB, 4 NQ]`. */
export function distancePartialsSize(dims: SoftKMeansDims, split: SoftKMeansSplit): number {
  const { kb, nq } = blockCounts(dims);
  return dims.batch * split.channelTiles * kb * 4 * nq;
}

/** vec4s of the center partials `[B, NT, KB, 4 DQ + 1]` (sums per channel, then the mass). */
export function centerPartialsSize(dims: SoftKMeansDims, split: SoftKMeansSplit): number {
  const { kb, dq } = blockCounts(dims);
  return dims.batch * split.positionTiles * kb * (4 * dq + 1);
}

/** Output shape of a `[B, ...]` buffer of `size` vec4s in all (flat floats per sample). */
function shapeOf(dims: SoftKMeansDims, size: number): number[] {
  return [dims.batch, (4 * size) / dims.batch];
}

/** `prepare`: input x; output the trace (new): xT and o^0. */
export function preparePass(dims: SoftKMeansDims, xComponents: number): SplitPass {
  const { kb, nq, dq } = blockCounts(dims);
  const per = dq * nq + dims.channels * kb;
  return {
    name: "prepare",
    inputs: ["x"],
    components: [xComponents],
    outputShape: [dims.batch, 4 * traceLayout(dims).size],
    outputComponent: 4,
    invocations: dims.batch * per,
    body: `
    let b = index / ${per};
    let i = index - b * ${per};
    let tb = b * TRACE;
    if (i < DQ * NQ) {
      let dq = i / NQ;
      let q = i - dq * NQ;
      let n = 4 * q;
      let block = transpose(mat4x4<f32>(
        loadX(b, n, dq),
        select(vec4<f32>(0.0), loadX(b, min(n + 1, N - 1), dq), n + 1 < N),
        select(vec4<f32>(0.0), loadX(b, min(n + 2, N - 1), dq), n + 2 < N),
        select(vec4<f32>(0.0), loadX(b, min(n + 3, N - 1), dq), n + 3 < N)));
      ${
      unroll4((c) =>
        `if (4 * dq + ${c} < D) { result[tb + OFF_XT + (4 * dq + ${c}) * NQ + q] = block[${c}]; }`
      )
    }
    } else {
      let r = i - DQ * NQ;
      let d = r / KB;
      let j = r - d * KB;
      var o = vec4<f32>(0.0);
      for (var c = 0; c < 4; c = c + 1) {
        let k = 4 * j + c;
        if (k < K) {
          o[c] = loadX(b, (k * N) / K, d / 4)[d % 4];
        }
      }
      result[tb + OFF_O + r] = o;
    }`,
  };
}

/** `distances`: input the trace; output the distance partials. */
export function distancesPass(dims: SoftKMeansDims, split: SoftKMeansSplit): SplitPass {
  const { kb, nq } = blockCounts(dims);
  return {
    name: "distances",
    inputs: ["trace"],
    components: [4],
    outputShape: shapeOf(dims, distancePartialsSize(dims, split)),
    outputComponent: 4,
    invocations: dims.batch * split.channelTiles * kb * nq,
    body: `
    let q = index % NQ;
    let r = index / NQ;
    let j = r % KB;
    let bt = r / KB;
    let dt = bt % DT;
    let b = bt / DT;
    let tb = b * TRACE;
    let xt = tb + OFF_XT;
    let oPrev = tb + OFF_O + (t - 1) * DKB;
    ${unroll4((p) => `var acc${p} = vec4<f32>(0.0);`)}
    for (var d = dt * DPT; d < min(D, (dt + 1) * DPT); d = d + 1) {
      let u = trace[xt + d * NQ + q];
      let o = trace[oPrev + d * KB + j];
      ${unroll4((p) => `let e${p} = o - u[${p}]; acc${p} = acc${p} + e${p} * e${p};`)}
    }
    let at = ((b * DT + dt) * KB + j) * N4 + 4 * q;
    ${unroll4((p) => `result[at + ${p}] = acc${p};`)}`,
  };
}

/** `assign`: input the distance partials; output the trace (in place): s^t and c^t. */
export function assignPass(dims: SoftKMeansDims): SplitPass {
  const { nq } = blockCounts(dims);
  return {
    name: "assign",
    inputs: ["partials"],
    components: [4],
    outputShape: [dims.batch, 4 * traceLayout(dims).size],
    outputComponent: 4,
    invocations: dims.batch * 4 * nq,
    body: `
    let b = index / N4;
    let n = index - b * N4;
    let tb = b * TRACE;
    let cT = tb + OFF_C + (t - 1) * KBN4;
    let sT = tb + OFF_S + (t - 1) * KBN4;
    var dMin = 3.0e38;
    for (var j = 0; j < KB; j = j + 1) {
      var s = vec4<f32>(0.0);
      for (var dt = 0; dt < DT; dt = dt + 1) {
        s = s + partials[((b * DT + dt) * KB + j) * N4 + n];
      }
      result[sT + j * N4 + n] = s;
      let dist = sqrt(max(s, vec4<f32>(MIN_SQ)));
      let dm = select(vec4<f32>(3.0e38), dist, clusterMask(j) > vec4<f32>(0.5));
      dMin = min(dMin, min(min(dm.x, dm.y), min(dm.z, dm.w)));
    }
    var z = 0.0;
    for (var j = 0; j < KB; j = j + 1) {
      let dist = sqrt(max(result[sT + j * N4 + n], vec4<f32>(MIN_SQ)));
      let logit = -beta * (dist - dMin);
      let keep = (clusterMask(j) > vec4<f32>(0.5)) & (logit > vec4<f32>(MIN_LOGIT));
      let e = select(vec4<f32>(0.0), exp(max(logit, vec4<f32>(MIN_LOGIT))), keep);
      result[cT + j * N4 + n] = e;
      z = z + (((e.x + e.y) + e.z) + e.w);
    }
    for (var j = 0; j < KB; j = j + 1) {
      result[cT + j * N4 + n] = select(vec4<f32>(0.0), result[cT + j * N4 + n] / z, n < N);
    }`,
  };
}

/** `center_sums`: inputs x and the trace; output the center partials. */
export function centerSumsPass(
  dims: SoftKMeansDims,
  split: SoftKMeansSplit,
  xComponents: number,
): SplitPass {
  const { kb, dq } = blockCounts(dims);
  return {
    name: "center_sums",
    inputs: ["x", "trace"],
    components: [xComponents, 4],
    outputShape: shapeOf(dims, centerPartialsSize(dims, split)),
    outputComponent: 4,
    invocations: dims.batch * split.positionTiles * kb * dq,
    body: `
    let q = index % DQ;
    let r = index / DQ;
    let j = r % KB;
    let bt = r / KB;
    let nt = bt % NT;
    let b = bt / NT;
    let cT = b * TRACE + OFF_C + (t - 1) * KBN4;
    ${unroll4((c) => `var a${c} = vec4<f32>(0.0);`)}
    var mass = vec4<f32>(0.0);
    for (var n = nt * NPT; n < min(N, (nt + 1) * NPT); n = n + 1) {
      let u = loadX(b, n, q);
      let c = trace[cT + j * N4 + n];
      ${unroll4((c) => `a${c} = a${c} + c * u[${c}];`)}
      mass = mass + c;
    }
    let at = ((b * NT + nt) * KB + j) * (4 * DQ + 1);
    ${unroll4((c) => `result[at + 4 * q + ${c}] = a${c};`)}
    if (q == 0) {
      result[at + 4 * DQ] = mass;
    }`,
  };
}

/** `centers`: input the center partials; output the trace (in place): o^t and S^t. */
export function centersPass(dims: SoftKMeansDims): SplitPass {
  const { kb } = blockCounts(dims);
  return {
    name: "centers",
    inputs: ["partials"],
    components: [4],
    outputShape: [dims.batch, 4 * traceLayout(dims).size],
    outputComponent: 4,
    invocations: dims.batch * dims.channels * kb,
    body: `
    let b = index / DKB;
    let i = index - b * DKB;
    let d = i / KB;
    let j = i - d * KB;
    var a = vec4<f32>(0.0);
    var mass = vec4<f32>(0.0);
    for (var nt = 0; nt < NT; nt = nt + 1) {
      let at = ((b * NT + nt) * KB + j) * (4 * DQ + 1);
      a = a + partials[at + d];
      mass = mass + partials[at + 4 * DQ];
    }
    let tb = b * TRACE;
    result[tb + OFF_O + t * DKB + i] = a / max(mass, vec4<f32>(MIN_MASS));
    if (d == 0) {
      result[tb + OFF_M + (t - 1) * KB + j] = mass;
    }`,
  };
}
