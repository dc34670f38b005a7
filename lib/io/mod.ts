/**
 * File utilities every layer shares: atomic writes, so that a killed run never leaves a
 * half-written file behind.
 *
 * @module
 */
export * from "./write_atomic.ts";
