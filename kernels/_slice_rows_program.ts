/**
 * WGSL program: copy a contiguous slice of every row of a `[B, P]` buffer into its own tensor.
 * Used to hand the final centers and assignments out of the forward trace.
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

/** Input `source` `[B, P]`; output `[B, ...rowShape]` = `source[b, offset : offset + prod(rowShape)]`. */
export class SliceRowsProgram implements WebGPUProgram {
  variableNames: string[] = ["source"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  #rowSize: number;
  #rowStride: number;
  #offset: number;

  constructor(batch: number, rowShape: number[], rowStride: number, offset: number) {
    this.outputShape = [batch, ...rowShape];
    this.#rowSize = rowShape.reduce((a, b) => a * b, 1);
    this.#rowStride = rowStride;
    this.#offset = offset;
    this.dispatchLayout = { x: this.outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil((batch * this.#rowSize) / 64), 1, 1];
    this.shaderKey = `avscene_slice_rows_${this.#rowSize}_${rowStride}_${offset}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let b = index / ${this.#rowSize};
      let i = index - b * ${this.#rowSize};
      setOutputAtIndex(index, source[b * ${this.#rowStride} + ${this.#offset} + i]);
    }
  }
`;
  }
}
