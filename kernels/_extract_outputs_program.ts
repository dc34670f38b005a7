/**
 * WGSL program: hand the final centers `[B, K, D]` or assignments `[B, K, N]` out of the
 * forward trace, where they are stored in blocks of 4 clusters (see `traceLayout` in `_soft_kmeans_layout.ts`).
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { dimsKey, layoutWgsl, type SoftKMeansDims } from "./_soft_kmeans_layout.ts";

/** Which final output to extract. */
export type SoftKMeansOutput = "centers" | "assignments";

/** Input `trace` `[B, 4 * traceSize]` (vec4s); output centers `[B, K, D]` or assignments `[B, K, N]`. */
export class ExtractOutputsProgram implements WebGPUProgram {
  variableNames: string[] = ["trace"];
  variableComponents: number[] = [4];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  #dims: SoftKMeansDims;
  #which: SoftKMeansOutput;

  constructor(dims: SoftKMeansDims, which: SoftKMeansOutput) {
    this.#dims = dims;
    this.#which = which;
    const inner = which === "centers" ? dims.channels : dims.positions;
    this.outputShape = [dims.batch, dims.clusters, inner];
    this.dispatch = [Math.ceil((dims.batch * dims.clusters * inner) / 64), 1, 1];
    this.shaderKey = `avscene_softkmeans_extract_${which}_${dimsKey(dims)}`;
  }

  getUserCode(): string {
    const centers = this.#which === "centers";
    const inner = centers ? "D" : "N";
    // centers: o^T[d][k/4]; assignments: c^T[k/4][n]
    const at = centers
      ? "OFF_O + T * DKB + i * KB + k / 4"
      : "OFF_C + (T - 1) * KBN4 + (k / 4) * N4 + i";
    return `
  ${layoutWgsl(this.#dims)}

  fn main(index : i32) {
    if (index < uniforms.size) {
      let b = index / (K * ${inner});
      let r = index - b * K * ${inner};
      let k = r / ${inner};
      let i = r - k * ${inner};
      result[index] = trace[b * TRACE + ${at}][k % 4];
    }
  }
`;
  }
}
