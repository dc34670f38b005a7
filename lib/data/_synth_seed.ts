/**
 * Per-scene seeds: each scene's random stream is a hash of (world seed, stream, count,
 * index), so any scene can be generated alone, in any order, and streams never share a scene.
 *
 * @module
 */

/** Murmur3's 32-bit finaliser: spreads every input bit over the output. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Stream codes, so that e.g. the train and test splits draw from unrelated streams. */
export const STREAMS = {
  train: 0x7a1,
  test: 0x7e5,
  classification: 0xc1a,
  uncurated: 0x0c0,
  world: 0x301,
} as const;

/** The stream a seed belongs to. */
export type StreamName = keyof typeof STREAMS;

/** A 32-bit seed for `Rng` from a world seed and the parts naming one item of one stream. */
export function streamSeed(seed: number, stream: StreamName, ...parts: number[]): number {
  let h = mix32((Math.floor(seed) >>> 0) ^ 0x9e3779b9);
  h = mix32(h ^ Math.imul(STREAMS[stream], 0x27d4eb2f));
  for (const p of parts) h = mix32((h + Math.imul(Math.floor(p) >>> 0, 0x165667b1)) >>> 0);
  return h;
}
