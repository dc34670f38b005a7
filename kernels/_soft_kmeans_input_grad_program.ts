/**
 * WGSL program: dL/dx of soft K-means from the backward sweep, one invocation per 4 positions
 * x 4 channels (vec4 loads of blocks of 4 clusters, reused across the 16 outputs).
 *
 * dL/du_nd = sum_t sum_k [ c^t_kn g^t_kd / max(S^t_k, 1e-8) + 2 h^t_kn (u_nd - o^{t-1}_kd) ]
 *          + sum_k [n = floor(k N / K)] g^0_kd
 * (the center update, the distances, and the initialisation from evenly spaced positions).
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import {
  blockCounts,
  channelsAligned,
  dimsKey,
  layoutWgsl,
  loadXWgsl,
  type SoftKMeansDims,
  unroll4,
  xComponents,
} from "./_soft_kmeans_layout.ts";

/**
 * Inputs `x` `[B, N, D]`, `trace`, `sweep` (vec4s); output dL/dx `[B, N, D]` (bound as vec4s
 * when D is a multiple of 4); uniform `batch : i32`. One invocation per 4 positions x 4
 * channels: per (iteration, cluster block) it loads 17 vec4s for 128 multiply-adds.
 */
export class SoftKMeansInputGradProgram implements WebGPUProgram {
  variableNames: string[] = ["x", "trace", "sweep"];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = "batch : i32,";
  size = false;
  #dims: SoftKMeansDims;

  constructor(dims: SoftKMeansDims) {
    this.#dims = dims;
    this.variableComponents = [xComponents(dims), 4, 4];
    this.outputComponent = xComponents(dims);
    this.outputShape = [dims.batch, dims.positions, dims.channels];
    const { nq, dq } = blockCounts(dims);
    this.dispatch = [Math.ceil((dims.batch * nq * dq) / 64), 1, 1];
    this.shaderKey = `avscene_softkmeans_dx_${dimsKey(dims)}`;
  }

  getUserCode(): string {
    const store = channelsAligned(this.#dims)
      ? (p: number) => `result[(b * N + n${p}) * DQ + q] = acc${p};`
      : (p: number) =>
        unroll4((c) =>
          `if (4 * q + ${c} < D) { result[(b * N + n${p}) * D + 4 * q + ${c}] = acc${p}[${c}]; }`
        );
    return `
  ${layoutWgsl(this.#dims)}
  ${loadXWgsl(this.#dims)}

  fn main(index : i32) {
    if (index >= uniforms.batch * NQ * DQ) {
      return;
    }
    let b = index / (NQ * DQ);
    let r = index - b * NQ * DQ;
    let pq = r / DQ;
    let q = r - pq * DQ;
    let tb = b * TRACE;
    let gb = b * SWEEP;
    ${unroll4((c) => `let d${c} = min(4 * q + ${c}, D - 1);`)}
    ${unroll4((p) => `let n${p} = 4 * pq + ${p};`)}
    ${unroll4((p) => `let u${p} = loadX(b, min(n${p}, N - 1), q);`)}
    ${unroll4((p) => `var acc${p} = vec4<f32>(0.0);`)}
    for (var t = 1; t <= T; t = t + 1) {
      let gT = gb + OFF_G + t * DKB;
      let oPrev = tb + OFF_O + (t - 1) * DKB;
      for (var j = 0; j < KB; j = j + 1) {
        let at = (t - 1) * KBN4 + j * N4 + 4 * pq;
        let mass = max(trace[tb + OFF_M + (t - 1) * KB + j], vec4<f32>(MIN_MASS));
        // g^t and o^{t-1} of the 4 channels (columns), clusters of block j (rows)
        let g = mat4x4<f32>(${[0, 1, 2, 3].map((c) => `sweep[gT + d${c} * KB + j]`).join(", ")});
        let o = mat4x4<f32>(${[0, 1, 2, 3].map((c) => `trace[oPrev + d${c} * KB + j]`).join(", ")});
        ${
      unroll4((p) => `
        {
          let w = trace[tb + OFF_C + at + ${p}] / mass;
          let h2 = 2.0 * sweep[gb + OFF_H + at + ${p}];
          acc${p} = acc${p} + w * g + vec4<f32>(${
        [0, 1, 2, 3].map((c) => `dot(h2, vec4<f32>(u${p}[${c}]) - o[${c}])`).join(", ")
      });
        }`)
    }
      }
    }
    // the k (at most one: floor(k N / K) is strictly increasing) initialised from position n
    ${
      unroll4((p) => `
    {
      let k0 = (n${p} * K + N - 1) / N;
      if (n${p} < N && k0 < K && (k0 * N) / K == n${p}) {
        acc${p} = acc${p} + vec4<f32>(${
        [0, 1, 2, 3].map((c) => `sweep[gb + OFF_G + d${c} * KB + k0 / 4][k0 % 4]`).join(", ")
      });
      }
    }`)
    }
    ${unroll4((p) => `if (n${p} < N) { ${store(p)} }`)}
  }
`;
  }
}
