/**
 * WGSL program: `[B, N, D]` -> `[B, D, N]`, so that the per-position phases of the sweep
 * kernels (a thread per position n) read channel d of neighbouring positions from neighbouring
 * addresses.
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

/** Input `x` `[B, N, D]`; output `[B, D, N]`. */
export class TransposePositionsProgram implements WebGPUProgram {
  variableNames: string[] = ["x"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  #n: number;
  #d: number;

  constructor(batch: number, positions: number, channels: number) {
    this.outputShape = [batch, channels, positions];
    this.#n = positions;
    this.#d = channels;
    this.dispatch = [Math.ceil((batch * positions * channels) / 64), 1, 1];
    this.shaderKey = `avscene_transpose_positions_${positions}_${channels}`;
  }

  getUserCode(): string {
    const n = this.#n, d = this.#d;
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let b = index / ${n * d};
      let r = index - b * ${n * d};
      let c = r / ${n};
      let p = r - c * ${n};
      setOutputAtIndex(index, x[b * ${n * d} + p * ${d} + c]);
    }
  }
`;
  }
}
