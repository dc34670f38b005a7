import assert from "node:assert/strict";
import {
  inverseLogFrequencyWarp,
  istft,
  logFrequencyHz,
  logFrequencyWarp,
  magnitude,
  stft,
  stftFrames,
} from "../lib/audio/mod.ts";
import { Rng } from "../lib/random/mod.ts";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("istft(stft(x)) reconstructs x for several nFft / hop (centred)", () => {
  const rng = new Rng(1);
  const x = Float32Array.from({ length: 2001 }, () => 0.5 * rng.normal());
  for (const [nFft, hop] of [[256, 64], [256, 128], [64, 16], [64, 32], [512, 128], [32, 5]]) {
    const spec = stft(x, { nFft, hop });
    assert.equal(spec.bins, nFft / 2 + 1);
    assert.equal(spec.frames, 1 + Math.floor(x.length / hop));
    assert.equal(spec.re.length, spec.frames * spec.bins);
    const y = istft(spec, { nFft, hop, length: x.length });
    const err = maxAbsDiff(x, y);
    assert.ok(err < 1e-4, `nFft ${nFft} hop ${hop}: max error ${err}`);
  }
});

Deno.test("uncentred stft reconstructs wherever a window covers the sample", () => {
  const rng = new Rng(2);
  const x = Float32Array.from({ length: 1000 }, () => rng.normal());
  const opts = { nFft: 128, hop: 32, center: false };
  const spec = stft(x, opts);
  assert.equal(spec.frames, stftFrames(x.length, opts));
  assert.equal(spec.frames, 1 + Math.floor((1000 - 128) / 32));
  const y = istft(spec, { ...opts, length: x.length });
  // the last frame ends at (frames - 1) * hop + nFft; sample 0 sits where the Hann window is 0
  const covered = (spec.frames - 1) * 32 + 128;
  assert.ok(maxAbsDiff(x.subarray(1, covered), y.subarray(1, covered)) < 1e-4);
  assert.equal(y[0], 0);
  assert.ok(y.subarray(covered).every((v) => v === 0));
});

Deno.test("stft puts a sine's energy in its bin, Hann-weighted and unnormalised", () => {
  const nFft = 256, k = 20;
  const x = Float32Array.from({ length: 4096 }, (_, t) => Math.cos((2 * Math.PI * k * t) / nFft));
  const spec = stft(x, { nFft, hop: 64 });
  const mag = magnitude(spec);
  const mid = Math.floor(spec.frames / 2) * spec.bins;
  // periodic Hann sums to nFft / 2, a unit cosine splits it over +/- frequency: nFft / 4
  assert.ok(Math.abs(mag[mid + k] - nFft / 4) < 1e-3, `peak ${mag[mid + k]}`);
  assert.ok(Math.abs(mag[mid + k + 1] - nFft / 8) < 1e-3, `side lobe ${mag[mid + k + 1]}`);
  assert.ok(mag[mid + k + 3] < 1e-3);
});

Deno.test("stft / istft reject bad sizes, naming the argument", () => {
  const x = new Float32Array(100);
  assert.throws(() => stft(x, { nFft: 101, hop: 25 }), /nFft/);
  assert.throws(() => stft(x, { nFft: 2, hop: 1 }), /nFft/);
  assert.throws(() => stft(x, { nFft: 64, hop: 40 }), /hop/);
  const spec = stft(x, { nFft: 64, hop: 16 });
  assert.throws(() => istft(spec, { nFft: 128, hop: 16, length: 100 }), /bins/);
  assert.throws(() => istft(spec, { nFft: 64, hop: 16, length: -1 }), /length/);
});

/** The DFT bin k of a real frame, summed directly in float64. */
function directDft(frame: ArrayLike<number>, k: number): [number, number] {
  const n = frame.length;
  let re = 0, im = 0;
  for (let t = 0; t < n; t++) {
    const angle = (-2 * Math.PI * ((k * t) % n)) / n;
    re += frame[t] * Math.cos(angle);
    im += frame[t] * Math.sin(angle);
  }
  return [re, im];
}

Deno.test("stft of any even size (Bluestein) matches a direct float64 DFT", () => {
  const rng = new Rng(3);
  for (const nFft of [1022, 6, 30, 100, 1000]) {
    const x = Float64Array.from({ length: nFft }, () => rng.normal());
    const spec = stft(x, { nFft, hop: nFft / 2, center: false });
    assert.deepEqual([spec.frames, spec.bins], [1, nFft / 2 + 1]);
    const hann = x.map((v, i) => v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft)));
    let err = 0, scale = 0;
    for (let k = 0; k < spec.bins; k++) {
      const [re, im] = directDft(hann, k);
      err = Math.max(err, Math.abs(spec.re[k] - re), Math.abs(spec.im[k] - im));
      scale = Math.max(scale, Math.hypot(re, im));
    }
    // float32 storage of values up to `scale`: ~1e-7 relative; Bluestein adds ~1e-12
    assert.ok(err < 1e-6 * scale, `nFft ${nFft}: max error ${err} (largest bin ${scale})`);
  }
});

Deno.test("Sound-of-Pixels STFT: 65535 samples, 1022 / 256 give 256 frames x 512 bins, invertible", () => {
  const rng = new Rng(4);
  const x = Float32Array.from({ length: 65535 }, () => 0.3 * rng.normal());
  const opts = { nFft: 1022, hop: 256 };
  const spec = stft(x, opts);
  assert.deepEqual([spec.frames, spec.bins], [256, 512]);
  const y = istft(spec, { ...opts, length: x.length });
  const err = maxAbsDiff(x, y);
  assert.ok(err < 1e-4, `max reconstruction error ${err}`);
  // a sine on bin 100 of 1022 points peaks there, as with a power-of-two size
  const sine = Float32Array.from(
    { length: 4088 },
    (_, t) => Math.cos((2 * Math.PI * 100 * t) / 1022),
  );
  const mag = magnitude(stft(sine, opts));
  const mid = 8 * 512;
  assert.ok(Math.abs(mag[mid + 100] - 1022 / 4) < 1e-2, `peak ${mag[mid + 100]}`);
  assert.ok(mag[mid + 103] < 1e-2);
});

Deno.test("log-frequency warp then its inverse is close to identity on smooth spectra", () => {
  const frames = 3, bins = 513, outBins = 256, sr = 11025;
  const mag = new Float32Array(frames * bins);
  for (let f = 0; f < frames; f++) {
    for (let b = 0; b < bins; b++) {
      const u = b / (bins - 1);
      mag[f * bins + b] = 1 + f + Math.exp(-3 * u) + 0.3 * Math.cos(2 * Math.PI * u);
    }
  }
  const warped = logFrequencyWarp(mag, frames, bins, outBins, sr);
  assert.equal(warped.length, frames * outBins);
  const back = inverseLogFrequencyWarp(warped, frames, outBins, bins, sr);
  assert.equal(back.length, mag.length);
  const err = maxAbsDiff(mag, back);
  assert.ok(err < 1e-3, `round-trip max error ${err}`);
  // endpoints map to endpoints: DC and Nyquist survive exactly
  assert.ok(Math.abs(warped[0] - mag[0]) < 1e-6);
  assert.ok(Math.abs(warped[outBins - 1] - mag[bins - 1]) < 1e-6);
  // the axis is log-like: the lower half of the warped bins covers well under half the band
  const hz = logFrequencyHz(outBins, sr);
  assert.equal(hz[outBins - 1], sr / 2);
  assert.ok(hz[outBins / 2] < sr / 2 / 4, `middle warped bin at ${hz[outBins / 2]} Hz`);
  // and the inverse of a warp built from the mapping lands back on the linear bins
  const ramp = Float32Array.from({ length: bins }, (_, b) => b);
  const rampWarped = logFrequencyWarp(ramp, 1, bins, outBins, sr);
  for (let j = 0; j < outBins; j += 51) {
    assert.ok(Math.abs(rampWarped[j] - (hz[j] / (sr / 2)) * (bins - 1)) < 1e-3);
  }
  assert.throws(() => logFrequencyWarp(mag, frames, bins + 1, outBins, sr), /frames \* bins/);
  assert.throws(() => logFrequencyWarp(mag, frames, bins, outBins, 0), /sampleRate/);
});

Deno.test("magnitude equals Math.hypot rounded to float32, from tiny to huge values", () => {
  const rng = new Rng(3);
  for (const scale of [1e-38, 1e-20, 1e-3, 1, 1e3, 1e20, 1e38]) {
    const n = 20000;
    const re = Float32Array.from({ length: n }, () => scale * rng.normal());
    // every tenth bin has a much smaller imaginary part
    const im = Float32Array.from(
      { length: n },
      (_, i) => scale * (i % 10 ? 1 : 1e-6) * rng.normal(),
    );
    const mag = magnitude({ re, im, frames: 1, bins: n });
    for (let i = 0; i < n; i++) {
      const want = Math.fround(Math.hypot(re[i], im[i]));
      if (mag[i] !== want) assert.fail(`scale ${scale}, bin ${i}: ${mag[i]} vs hypot ${want}`);
    }
  }
});
