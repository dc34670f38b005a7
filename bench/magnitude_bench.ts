/**
 * `magnitude` (the STFT magnitude every separation step takes 3 x batch times: the mixture's and
 * each clip's, before the log-frequency warp) against its former `Math.hypot` loop, the anchor,
 * on one tiny separation spectrum (32 frames x 257 bins) and one small one (126 x 257).
 *
 *   deno bench -A bench/magnitude_bench.ts
 *
 * @module
 */
import { magnitude, type Spectrogram } from "../lib/audio/mod.ts";
import { Rng } from "../lib/random/mod.ts";

const rng = new Rng(0);
for (const [preset, frames] of [["tiny", 32], ["small", 126]] as const) {
  const bins = 257, n = frames * bins;
  const spec: Spectrogram = {
    re: Float32Array.from({ length: n }, () => rng.normal()),
    im: Float32Array.from({ length: n }, () => rng.normal()),
    frames,
    bins,
  };
  Deno.bench({
    name: `${preset} ${frames} x ${bins}: Math.hypot loop (anchor)`,
    group: preset,
    baseline: true,
    fn() {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.hypot(spec.re[i], spec.im[i]);
      if (!(out[0] >= 0)) throw new Error("Math.hypot gave no magnitude");
    },
  });
  Deno.bench({
    name: `${preset} ${frames} x ${bins}: magnitude`,
    group: preset,
    fn() {
      if (!(magnitude(spec)[0] >= 0)) throw new Error("magnitude gave no magnitude");
    },
  });
}
