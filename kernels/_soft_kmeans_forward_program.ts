/**
 * WGSL program: the whole soft K-means forward pass of one sample in one workgroup.
 *
 * One dispatch runs all T iterations. Each workgroup owns one sample b; it first transposes
 * its x `[N, D]` into xT `[D, N]` (4x4 blocks: four vec4 loads, four vec4 stores) so that the
 * distance phase reads four positions with one load, then alternates, with barriers between
 * them, per iteration:
 * - distance + assignment (an invocation per block of 4 clusters x 4 positions, a loop over
 *   the D channels with two vec4 loads and 16 squared differences per channel):
 *   s_kn = |o_k - u_n|^2, d_kn = sqrt(max(s_kn, 1e-10)), c_kn = softmax_k(-beta d_kn) with
 *   the max subtracted (fused into the same invocation when K <= 4; a second pass over the
 *   blocks otherwise). Weights below e^-60 of the largest are flushed to 0: invisible at
 *   float32 precision, and it keeps denormals (a 100x slow path on CPU-emulated GPUs such as
 *   lavapipe) out of the sums;
 * - center update (an invocation per block of 4 clusters x 4 channels, a loop over the N
 *   positions with two vec4 loads and 16 multiply-adds per position):
 *   o_kd = sum_n c_kn u_nd / max(S_k, 1e-8) with the mass S_k = sum_n c_kn summed alongside.
 * Everything the backward pass needs (xT, o^0..o^T, c^t, s^t, S^t) is left in the output,
 * the per-sample trace described by {@linkcode traceLayout}.
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
  traceLayout,
  unroll4,
  xComponents,
} from "./_soft_kmeans_layout.ts";

/** Threads per workgroup of the per-sample programs (forward and backward sweep). */
export const SWEEP_WORKGROUP = 128;

/** WGSL: softmax over k of -beta sqrt(max(s, 1e-10)) for one position, all in one block. */
const SOFTMAX_ONE_BLOCK = `
  fn softmaxBlock(s : vec4<f32>, beta : f32) -> vec4<f32> {
    let valid = clusterMask(0) > vec4<f32>(0.5);
    let dist = sqrt(max(s, vec4<f32>(MIN_SQ)));
    let dm = select(vec4<f32>(3.0e38), dist, valid);
    let dMin = min(min(dm.x, dm.y), min(dm.z, dm.w));
    let logit = -beta * (dist - dMin);
    let keep = valid & (logit > vec4<f32>(MIN_LOGIT));
    let e = select(vec4<f32>(0.0), exp(max(logit, vec4<f32>(MIN_LOGIT))), keep);
    return e / (((e.x + e.y) + e.z) + e.w);
  }
`;

/** Input `x` `[B, N, D]`; output the trace `[B, 4 * traceSize]` (vec4s); uniform `beta : f32`. */
export class SoftKMeansForwardProgram implements WebGPUProgram {
  variableNames: string[] = ["x"];
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
    this.variableComponents = [xComponents(dims)];
    this.outputShape = [dims.batch, 4 * traceLayout(dims).size];
    this.dispatch = [dims.batch, 1, 1];
    this.shaderKey = `avscene_softkmeans_fwd_${dimsKey(dims)}`;
  }

  getUserCode(): string {
    const oneBlock = blockCounts(this.#dims).kb === 1;
    // K <= 4: the softmax is done in registers right after the distances.
    const assignOneBlock = `
        ${
      unroll4((p) =>
        `result[cT + 4 * q + ${p}] =
          select(vec4<f32>(0.0), softmaxBlock(acc${p}, beta), 4 * q + ${p} < N);`
      )
    }`;
    // K > 4: a second pass, an invocation per position, over all the blocks.
    const assignBlocks = `
      sync();
      for (var n = lid; n < N4; n = n + WG) {
        var dMin = 3.0e38;
        for (var j = 0; j < KB; j = j + 1) {
          let dist = sqrt(max(result[sT + j * N4 + n], vec4<f32>(MIN_SQ)));
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
        }
      }`;
    return `
  ${layoutWgsl(this.#dims)}
  ${loadXWgsl(this.#dims)}
  const WG : i32 = ${SWEEP_WORKGROUP};
  const MIN_LOGIT : f32 = -60.0;
  ${oneBlock ? SOFTMAX_ONE_BLOCK : ""}

  fn sync() {
    storageBarrier();
    workgroupBarrier();
  }

  fn main(index : i32) {
    let b = i32(workgroupId.x);
    let lid = i32(localIndex);
    let tb = b * TRACE;
    let xt = tb + OFF_XT;
    let beta = uniforms.beta;

    // xT[d][q] = positions 4q..4q+3 of channel d (0 past N): 4x4 block transposes
    for (var i = lid; i < DQ * NQ; i = i + WG) {
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
        `if (4 * dq + ${c} < D) { result[xt + (4 * dq + ${c}) * NQ + q] = block[${c}]; }`
      )
    }
    }
    sync();

    // o^0_k = u_{floor(k N / K)}, in blocks of 4 clusters per channel (0 past K)
    for (var i = lid; i < DKB; i = i + WG) {
      let d = i / KB;
      let j = i - d * KB;
      var o = vec4<f32>(0.0);
      for (var c = 0; c < 4; c = c + 1) {
        let k = 4 * j + c;
        if (k < K) {
          let n = (k * N) / K;
          o[c] = result[xt + d * NQ + n / 4][n % 4];
        }
      }
      result[tb + OFF_O + i] = o;
    }
    sync();

    for (var t = 1; t <= T; t = t + 1) {
      let oPrev = tb + OFF_O + (t - 1) * DKB;
      let cT = tb + OFF_C + (t - 1) * KBN4;
      let sT = tb + OFF_S + (t - 1) * KBN4;
      // distances: an invocation per (cluster block j, position quad q)
      for (var i = lid; i < KB * NQ; i = i + WG) {
        let j = i / NQ;
        let q = i - j * NQ;
        ${unroll4((p) => `var acc${p} = vec4<f32>(0.0);`)}
        for (var d = 0; d < D; d = d + 1) {
          let u = result[xt + d * NQ + q];
          let o = result[oPrev + d * KB + j];
          ${unroll4((p) => `let e${p} = o - u[${p}]; acc${p} = acc${p} + e${p} * e${p};`)}
        }
        ${unroll4((p) => `result[sT + j * N4 + 4 * q + ${p}] = acc${p};`)}
        ${oneBlock ? assignOneBlock : ""}
      }
      ${oneBlock ? "" : assignBlocks}
      sync();
      // update: an invocation per (cluster block j, channel quad q)
      let oNext = tb + OFF_O + t * DKB;
      for (var i = lid; i < KB * DQ; i = i + WG) {
        let j = i / DQ;
        let q = i - j * DQ;
        ${unroll4((c) => `var a${c} = vec4<f32>(0.0);`)}
        var mass = vec4<f32>(0.0);
        for (var n = 0; n < N; n = n + 1) {
          let u = loadX(b, n, q);
          let c = result[cT + j * N4 + n];
          ${unroll4((c) => `a${c} = a${c} + c * u[${c}];`)}
          mass = mass + c;
        }
        let denom = max(mass, vec4<f32>(MIN_MASS));
        ${
      unroll4((c) =>
        `if (4 * q + ${c} < D) { result[oNext + (4 * q + ${c}) * KB + j] = a${c} / denom; }`
      )
    }
        if (q == 0) {
          result[tb + OFF_M + (t - 1) * KB + j] = mass;
        }
      }
      sync();
    }
  }
`;
  }
}
