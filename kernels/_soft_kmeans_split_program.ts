/**
 * The common shape of the split soft K-means programs: one invocation per independent piece
 * of work (a sample's position quad, channel tile, ...), spread flat over as many 64-wide
 * workgroups as the batch and the split need, so a batch of 1 fills a GPU as well as a batch
 * of 64. Each program is one pass of one iteration; the passes of an iteration are separate
 * dispatches (a dispatch boundary is the only barrier between workgroups). Programs that
 * update the trace or the sweep write it in place: it is handed to `runWebGPUProgram` as the
 * output, and read back through `result`.
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import {
  layoutWgsl,
  loadXWgsl,
  type SoftKMeansDims,
  type SoftKMeansSplit,
  splitKey,
  splitWgsl,
} from "./_soft_kmeans_layout.ts";

/** Threads per workgroup of the split programs. */
export const SPLIT_WORKGROUP = 64;

/** What one split pass is: its inputs, output, invocation count and WGSL body. */
export interface SplitPass {
  /** Shader-cache name of the pass. */
  name: string;
  /** Input names, bound in order. */
  inputs: string[];
  /** Component width of each input (4: vec4s). */
  components: number[];
  /** Output shape (ignored when an existing tensor is written in place; must then equal its shape). */
  outputShape: number[];
  /** Component width of the output. */
  outputComponent: number;
  /** Invocations: `main` runs for index = 0..invocations-1. */
  invocations: number;
  /** WGSL statements run per invocation with `index : i32` in scope. */
  body: string;
  /** Extra WGSL declarations (functions). */
  helpers?: string;
}

/** One split pass as a tfjs WebGPU program; uniforms `beta : f32, t : i32` (t = iteration). */
export class SoftKMeansSplitProgram implements WebGPUProgram {
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [SPLIT_WORKGROUP, 1, 1];
  uniforms = "beta : f32, t : i32,";
  size = false;
  #dims: SoftKMeansDims;
  #split: SoftKMeansSplit;
  #pass: SplitPass;

  constructor(dims: SoftKMeansDims, split: SoftKMeansSplit, pass: SplitPass) {
    this.#dims = dims;
    this.#split = split;
    this.#pass = pass;
    this.variableNames = pass.inputs;
    this.variableComponents = pass.components;
    this.outputComponent = pass.outputComponent;
    this.outputShape = pass.outputShape;
    this.dispatch = [Math.ceil(pass.invocations / SPLIT_WORKGROUP), 1, 1];
    this.shaderKey = `avscene_softkmeans_split_${pass.name}_${splitKey(dims, split)}`;
  }

  getUserCode(): string {
    return `
  ${layoutWgsl(this.#dims)}
  ${splitWgsl(this.#dims, this.#split)}
  ${this.#pass.inputs.includes("x") ? loadXWgsl(this.#dims) : ""}
  const MIN_LOGIT : f32 = -60.0;
  ${this.#pass.helpers ?? ""}

  fn main(index : i32) {
    if (index >= ${this.#pass.invocations}) {
      return;
    }
    let beta = uniforms.beta;
    let t = uniforms.t;
    ${this.#pass.body}
  }
`;
  }
}
