/**
 * Backend choice: webgpu, then wasm, then cpu.
 *
 * @module
 */
export * from "./backend.ts";
