/**
 * Seeded pseudo-random numbers, so that every generator, initialiser and split in avscene is
 * deterministic by seed, and the FNV-1a hash that names and checks files.
 *
 * @module
 */
export * from "./rng.ts";
export * from "./fnv1a.ts";
