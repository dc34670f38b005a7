/**
 * Media fixtures the tests write themselves (nothing is downloaded): MP3 files encoded with the
 * pure-JS LAME port.
 *
 * @module
 */
import lamejs from "@breezystack/lamejs";

/** Encode mono float samples as MP3 with the pure-JS LAME port (a fixture, written by the test). */
export function encodeMp3Fixture(samples: Float32Array, sampleRate: number, kbps = 64): Uint8Array {
  const encoder = new lamejs.Mp3Encoder(1, sampleRate, kbps);
  const pcm = Int16Array.from(
    samples,
    (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))),
  );
  const parts: Uint8Array[] = [];
  for (let i = 0; i < pcm.length; i += 1152) {
    parts.push(encoder.encodeBuffer(pcm.subarray(i, i + 1152)));
  }
  parts.push(encoder.flush());
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
