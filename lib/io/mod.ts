/**
 * File utilities every layer shares: atomic writes, so that a killed run never leaves a
 * half-written file behind; the error decoders throw for a bad file; one writer per directory.
 *
 * @module
 */
export * from "./write_atomic.ts";
export * from "./decode_error.ts";
export * from "./run_lock.ts";
