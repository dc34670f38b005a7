import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  logMelOfWave,
  logMelSpectrogram,
  magnitude,
  melBands,
  melFilterbank,
  mfcc,
  resample,
  stft,
} from "../lib/audio/mod.ts";
import { Rng } from "../lib/random/mod.ts";

function sine(hz: number, rate: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, t) => Math.sin((2 * Math.PI * hz * t) / rate),
  );
}

/** Frequency of the strongest bin of the middle frames, refined by parabolic interpolation. */
function peakHz(x: Float32Array, rate: number): number {
  const nFft = 4096;
  const mag = magnitude(stft(x, { nFft, hop: 1024 }));
  const bins = nFft / 2 + 1, f = Math.floor(mag.length / bins / 2);
  let k = 1;
  for (let b = 1; b < bins - 1; b++) if (mag[f * bins + b] > mag[f * bins + k]) k = b;
  const [a, b, c] = [mag[f * bins + k - 1], mag[f * bins + k], mag[f * bins + k + 1]];
  return ((k + (0.5 * (a - c)) / (a - 2 * b + c)) * rate) / nFft;
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

Deno.test("resample keeps a sine's frequency and amplitude, and the length ratio", () => {
  for (const [from, to] of [[16000, 22050], [44100, 16000], [8000, 16000], [11025, 8000]]) {
    const x = sine(440, from, 0.5);
    const y = resample(x, from, to);
    assert.equal(y.length, Math.ceil((x.length * to) / from), `${from} -> ${to} length`);
    const hz = peakHz(y, to);
    assert.ok(Math.abs(hz - 440) < 0.5, `${from} -> ${to}: peak at ${hz} Hz`);
    // away from the zero-padded ends the amplitude is kept (sine RMS = 1 / sqrt 2)
    const level = rms(y, Math.floor(y.length / 4), Math.floor((3 * y.length) / 4));
    assert.ok(Math.abs(level - Math.SQRT1_2) < 2e-3, `${from} -> ${to}: rms ${level}`);
    // and the waveform matches the ideal one sample by sample
    const ideal = sine(440, to, y.length / to);
    let err = 0;
    for (let t = Math.floor(y.length / 4); t < (3 * y.length) / 4; t++) {
      err = Math.max(err, Math.abs(y[t] - ideal[t]));
    }
    assert.ok(err < 1e-4, `${from} -> ${to}: max deviation from the ideal sine ${err}`);
  }
});

Deno.test("resample removes content above the new Nyquist (no aliasing)", () => {
  const y = resample(sine(7000, 16000, 0.5), 16000, 8000); // would alias to 1000 Hz
  const level = rms(y, 1000, 3000);
  assert.ok(level < 1e-5, `aliased residue rms ${level}`);
  assert.deepEqual(resample(Float32Array.of(1, 2, 3), 8000, 8000), Float32Array.of(1, 2, 3));
  assert.throws(() => resample(Float32Array.of(1, NaN), 8000, 16000), /x\[1\]/);
  assert.throws(() => resample(new Float32Array(4), 8000.5, 16000), /fromRate/);
});

Deno.test("melFilterbank: unit-peak triangles covering the band, as a bin-major matrix", () => {
  const sr = 16000, nFft = 512, nMels = 40, bins = nFft / 2 + 1;
  const fb = melFilterbank(sr, nFft, nMels);
  assert.equal(fb.length, bins * nMels);
  for (let m = 0; m < nMels; m++) {
    let peak = 0;
    for (let k = 0; k < bins; k++) peak = Math.max(peak, fb[k * nMels + m]);
    assert.ok(peak > 0.5 && peak <= 1, `band ${m} peak ${peak}`);
  }
  // neighbouring triangles overlap so that the weights sum to 1 between the first and last peak
  const k = Math.round((2000 * nFft) / sr);
  let sum = 0;
  for (let m = 0; m < nMels; m++) sum += fb[k * nMels + m];
  assert.ok(Math.abs(sum - 1) < 1e-5, `weights at 2 kHz sum to ${sum}`);
  fb[0] = 99; // a copy: the cached bank used by logMelSpectrogram is not touched
  assert.notEqual(melFilterbank(sr, nFft, nMels)[0], 99);
  assert.throws(() => melFilterbank(sr, 511, nMels), /nFft/);
});

Deno.test("tfjs logMelSpectrogram agrees with meyda's mel bands on the same frames", async () => {
  // cpu unless a backend is forced: the comparison is about numerics, not speed
  await initBackend(Deno.env.get("AVSCENE_BACKEND") ? undefined : "cpu");
  const before = tf.memory().numTensors;
  const sr = 16000, nFft = 1024, hop = 256, nMels = 26;
  const rng = new Rng(3);
  const x = Float32Array.from(
    { length: sr },
    (_, t) =>
      0.3 * rng.normal() * (1 + Math.sin(t / 900)) + 0.5 * Math.sin((2 * Math.PI * 440 * t) / sr),
  );
  const wave = tf.tensor2d(x, [1, x.length]);
  const mel = logMelSpectrogram(wave, {
    sampleRate: sr,
    nFft,
    hop,
    nMels,
  });
  assert.deepEqual(mel.shape, [1, 1 + Math.floor(x.length / hop), nMels]);
  const ours = await mel.data();
  tf.dispose([wave, mel]);
  const theirs = melBands(x, sr, { frameSize: nFft, hop, melBands: nMels });
  assert.equal(theirs.length, 1 + Math.floor(x.length / hop)); // the same centred framing
  // Conventions that differ: ours takes log(E + 1e-6), meyda ln(E + 1) -> both mapped back to
  // ln E; ours uses a periodic Hann window and exact triangle edges on the HTK mel scale
  // (2595 log10), meyda a symmetric Hann (n - 1), edges rounded down to FFT bins, 1125 ln, and
  // no Nyquist bin. The spectral shape per frame must still agree; the narrow low bands
  // (a few bins wide, where edge rounding matters) may differ in level.
  let minCorr = 1, worstUpper = 0;
  for (let f = 0; f < theirs.length; f++) {
    const a = Array.from(
      { length: nMels },
      (_, b) => Math.log(Math.exp(ours[f * nMels + b]) - 1e-6),
    );
    const b = Array.from(theirs[f], (v) => Math.log(Math.expm1(v)));
    const ma = a.reduce((s, v) => s + v) / nMels, mb = b.reduce((s, v) => s + v) / nMels;
    let sab = 0, saa = 0, sbb = 0;
    for (let i = 0; i < nMels; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    minCorr = Math.min(minCorr, sab / Math.sqrt(saa * sbb));
    for (let i = 8; i < nMels; i++) worstUpper = Math.max(worstUpper, Math.abs(a[i] - b[i]));
  }
  assert.ok(minCorr > 0.99, `lowest per-frame correlation of log energies ${minCorr}`);
  // above the narrow bands the energies agree to within 10 % (0.1 in ln)
  assert.ok(worstUpper < 0.1, `largest ln-energy difference in bands 8..25: ${worstUpper}`);
  assert.equal(tf.memory().numTensors, before, "logMelSpectrogram leaked tensors");
});

Deno.test("logMelSpectrogram and logMelOfWave equal a float64 direct DFT, hop dividing nFft or not", async () => {
  await initBackend(Deno.env.get("AVSCENE_BACKEND") ? undefined : "cpu");
  const before = tf.memory().numTensors;
  const rng = new Rng(5);
  // the tiny and small presets' front ends (hop divides nFft: chunked frames), one hop that
  // does not (gathered frames) and one past nFft / 2
  for (
    const [sampleRate, nFft, hop, nMels, samples] of [
      [8000, 256, 128, 32, 1000],
      [16000, 160, 80, 64, 1203],
      [8000, 64, 48, 16, 500],
      [8000, 128, 48, 16, 700],
      [8000, 32, 24, 8, 101],
      [8000, 32, 32, 8, 123], // hop = nFft: the waves' tail past the last frame is cut
    ]
  ) {
    const batch = 2, bins = nFft / 2 + 1, frames = 1 + Math.floor(samples / hop);
    const x = Float32Array.from({ length: batch * samples }, () => 0.3 * rng.normal());
    const wave = tf.tensor2d(x, [batch, samples]);
    const mel = logMelSpectrogram(wave, { sampleRate, nFft, hop, nMels });
    assert.deepEqual(mel.shape, [batch, frames, nMels]);
    const ours = await mel.data();
    tf.dispose([wave, mel]);
    const fb = melFilterbank(sampleRate, nFft, nMels);
    // the plain-JS way (rFFT per frame; Bluestein's for 160) where stft takes the hop
    const rfft = hop <= nFft / 2;
    const js = rfft
      ? Array.from(
        { length: batch },
        (_, b) =>
          logMelOfWave(x.subarray(b * samples, (b + 1) * samples), {
            sampleRate,
            nFft,
            hop,
            nMels,
          }),
      )
      : [];
    let worst = 0, worstJs = 0;
    for (let b = 0; b < batch; b++) {
      for (let f = 0; f < frames; f++) {
        const power = new Float64Array(bins);
        for (let k = 0; k < bins; k++) {
          let re = 0, im = 0;
          for (let n = 0; n < nFft; n++) {
            const t = f * hop + n - nFft / 2; // centred, zero outside the wave
            if (t < 0 || t >= samples) continue;
            const v = x[b * samples + t] * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft));
            re += v * Math.cos((2 * Math.PI * n * k) / nFft);
            im += v * Math.sin((2 * Math.PI * n * k) / nFft);
          }
          power[k] = re * re + im * im;
        }
        for (let m = 0; m < nMels; m++) {
          let e = 0;
          for (let k = 0; k < bins; k++) e += power[k] * fb[k * nMels + m];
          const want = Math.log(e + 1e-6), got = ours[(b * frames + f) * nMels + m];
          worst = Math.max(worst, Math.abs(got - want) / Math.max(1, Math.abs(want)));
          if (rfft) {
            const v = js[b][f * nMels + m];
            worstJs = Math.max(worstJs, Math.abs(v - want) / Math.max(1, Math.abs(want)));
          }
        }
      }
    }
    assert.ok(worst < 1e-5, `nFft ${nFft} hop ${hop}: largest relative difference ${worst}`);
    assert.ok(worstJs < 1e-6, `logMelOfWave nFft ${nFft} hop ${hop}: ${worstJs}`);
    if (rfft) assert.equal(js[0].length, frames * nMels);
  }
  assert.equal(tf.memory().numTensors, before, "logMelSpectrogram leaked tensors");
  const o = { sampleRate: 8000, nFft: 256, hop: 128, nMels: 32 };
  assert.throws(() => logMelOfWave(new Float32Array(800), { ...o, nMels: 0 }), /nMels/);
  assert.throws(() => logMelOfWave(new Float32Array(800), { ...o, hop: 200 }), /hop/);
});

Deno.test("mfcc via meyda: shapes, determinism and the first coefficient tracking level", () => {
  const sr = 8000;
  const quiet = sine(300, sr, 0.5).map((v) => 0.01 * v);
  const loud = sine(300, sr, 0.5);
  const a = mfcc(quiet, sr, { frameSize: 256, hop: 128, nMfcc: 13 });
  const b = mfcc(loud, sr, { frameSize: 256, hop: 128, nMfcc: 13 });
  assert.equal(a.length, 1 + Math.floor(quiet.length / 128));
  assert.ok(a.every((c) => c.length === 13 && c.every(Number.isFinite)));
  assert.ok(b[10][0] > a[10][0], `c0 loud ${b[10][0]} vs quiet ${a[10][0]}`);
  assert.deepEqual(mfcc(loud, sr, { frameSize: 256, hop: 128, nMfcc: 13 }), b);
  // the filter bank follows the sample rate (meyda itself would keep a stale one)
  const at16 = melBands(loud, 16000, { frameSize: 256, hop: 128 });
  const at8 = melBands(loud, sr, { frameSize: 256, hop: 128 });
  assert.notDeepEqual(at16[10], at8[10]);
  const uncentred = mfcc(loud, sr, { frameSize: 256, hop: 128, center: false });
  assert.equal(uncentred.length, 1 + Math.floor((loud.length - 256) / 128));
  assert.throws(() => mfcc(loud, sr, { frameSize: 200, hop: 100 }), /frameSize/);
  assert.throws(() => mfcc(loud, sr, { frameSize: 256, hop: 128, nMfcc: 30 }), /nMfcc/);
});
