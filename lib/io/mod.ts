/**
 * File utilities every layer shares: atomic writes, so that a killed run never leaves a
 * half-written file behind, and the error decoders throw for a bad file.
 *
 * @module
 */
export * from "./write_atomic.ts";
export * from "./decode_error.ts";
