import assert from "node:assert/strict";
import { kMeans, nmf, nmfMfccSeparate } from "../lib/baselines/mod.ts";
import { istft, stft } from "../lib/audio/mod.ts";
import { bssEval } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/random/mod.ts";

const sr = 8000;

/** A low harmonic tone with a slow tremolo, and a high tone pulsing on and off. */
function twoTones(seconds: number) {
  const n = Math.round(sr * seconds);
  const low = Float64Array.from({ length: n }, (_, t) => {
    let v = 0;
    for (let k = 1; k <= 4; k++) v += Math.sin((2 * Math.PI * 150 * k * t) / sr) / k;
    return v * (0.7 + 0.3 * Math.sin((2 * Math.PI * 2 * t) / sr));
  });
  const high = Float64Array.from({ length: n }, (_, t) => {
    const on = Math.floor((t / sr) * 6) % 2 === 0 ? 1 : 0.2;
    return 0.8 * on * Math.sin((2 * Math.PI * 2600 * t) / sr);
  });
  const mix = Float32Array.from(low, (v, t) => v + high[t]);
  return { low, high, mix };
}

Deno.test("stft / istft reconstruct a signal (float32 storage)", () => {
  const rng = new Rng(1);
  const x = Float64Array.from({ length: 1000 }, () => rng.normal());
  for (const [nFft, hop] of [[256, 64], [64, 32], [128, 16]]) {
    const y = istft(stft(x, { nFft, hop }), { nFft, hop, length: x.length });
    const err = y.reduce((m, v, t) => Math.max(m, Math.abs(v - x[t])), 0);
    assert.ok(err < 1e-5, `nFft ${nFft} hop ${hop}: max error ${err}`);
  }
  // any even size works (Bluestein past the powers of two); an odd one is refused
  assert.throws(() => stft(x, { nFft: 101, hop: 25 }), /nFft/);
  assert.throws(() => stft(x, { nFft: 64, hop: 40 }), /hop/);
});

Deno.test("nmf recovers a non-negative rank-2 matrix and is seeded", () => {
  const rng = new Rng(2);
  const rows = 12, cols = 20;
  const a = Array.from(
    { length: 2 },
    () => Float64Array.from({ length: rows }, () => rng.uniform()),
  );
  const b = Array.from(
    { length: 2 },
    () => Float64Array.from({ length: cols }, () => rng.uniform()),
  );
  const v = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) v[r * cols + c] = a[0][r] * b[0][c] + a[1][r] * b[1][c];
  }
  const { w, h } = nmf(v, rows, cols, 2, { iterations: 2000, seed: 3 });
  let err = 0, norm = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const approx = w[r * 2] * h[c] + w[r * 2 + 1] * h[cols + c];
      err += (approx - v[r * cols + c]) ** 2;
      norm += v[r * cols + c] ** 2;
    }
  }
  assert.ok(err / norm < 1e-4, `relative error ${err / norm}`);
  for (let c = 0; c < 2; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += w[r * 2 + c];
    assert.ok(Math.abs(s - 1) < 1e-12, `basis ${c} sums to ${s}`);
  }
  assert.deepEqual(
    nmf(v, rows, cols, 2, { iterations: 10, seed: 3 }),
    nmf(v, rows, cols, 2, { iterations: 10, seed: 3 }),
  );
  assert.throws(() => nmf(v.map((x, i) => (i === 5 ? -1 : x)), rows, cols, 2), /v\[5\]/);
  assert.throws(() => nmf(v, rows, cols + 1, 2), /v has 240 values/);
});

/**
 * The multiplicative KL updates as plain matrix products (W H in full, then V / W H), the way
 * `nmf` computed them before it went frame by frame: the reference it must equal to the bit.
 */
function nmfReference(v: Float64Array, rows: number, cols: number, k: number, seed: number) {
  const rng = new Rng(seed);
  const w = Float64Array.from({ length: rows * k }, () => 0.1 + rng.uniform());
  const h = Float64Array.from({ length: k * cols }, () => 0.1 + rng.uniform());
  const ratio = () => {
    const approx = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < cols; j++) approx[r * cols + j] += w[r * k + c] * h[c * cols + j];
      }
    }
    return approx.map((a, i) => v[i] / (a + 1e-12));
  };
  for (let it = 0; it < 200; it++) {
    let q = ratio();
    const num = new Float64Array(k * cols), wSum = new Float64Array(k);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        wSum[c] += w[r * k + c];
        for (let j = 0; j < cols; j++) num[c * cols + j] += w[r * k + c] * q[r * cols + j];
      }
    }
    for (let i = 0; i < h.length; i++) h[i] *= num[i] / (wSum[Math.floor(i / cols)] + 1e-12);
    q = ratio();
    const hSum = new Float64Array(k);
    for (let i = 0; i < h.length; i++) hSum[Math.floor(i / cols)] += h[i];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += q[r * cols + j] * h[c * cols + j];
        w[r * k + c] *= s / (hSum[c] + 1e-12);
      }
    }
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += w[r * k + c];
      for (let r = 0; r < rows; r++) w[r * k + c] /= s;
      for (let j = 0; j < cols; j++) h[c * cols + j] *= s;
    }
  }
  return { w, h };
}

Deno.test("nmf equals the plain matrix-product updates to the bit (4-component passes and the rest)", () => {
  const rng = new Rng(9);
  for (const [rows, cols, k] of [[65, 9, 8], [33, 7, 6], [20, 5, 3]]) {
    const v = Float64Array.from({ length: rows * cols }, () => rng.uniform() ** 3);
    const got = nmf(v, rows, cols, k, { seed: 4 }), want = nmfReference(v, rows, cols, k, 4);
    assert.ok(
      got.w.every((x, i) => Object.is(x, want.w[i])),
      `W differs at ${rows}x${cols}, k ${k}`,
    );
    assert.ok(
      got.h.every((x, i) => Object.is(x, want.h[i])),
      `H differs at ${rows}x${cols}, k ${k}`,
    );
  }
});

Deno.test("kMeans separates well-separated groups and keeps every cluster non-empty", () => {
  const rng = new Rng(4);
  const pts = [0, 10, 20].flatMap((m) =>
    Array.from({ length: 7 }, () => Float64Array.from([m + rng.normal(), -m + rng.normal()]))
  );
  const { labels, inertia } = kMeans(pts, 3, { seed: 1 });
  for (let g = 0; g < 3; g++) {
    const group = labels.slice(7 * g, 7 * g + 7);
    assert.ok(group.every((l) => l === group[0]), `group ${g}: ${group}`);
  }
  assert.equal(new Set(labels).size, 3);
  assert.ok(inertia < 21 * 2 * 3, `inertia ${inertia}`);
  const dup = kMeans([[1], [1], [1], [2]].map((p) => Float64Array.from(p)), 3, { seed: 0 });
  assert.equal(new Set(dup.labels).size, 3);
  assert.throws(() => kMeans([Float64Array.from([1])], 2), /fewer than k/);
});

Deno.test("nmfMfccSeparate improves SDR over the mixture on two very different tones", () => {
  const { low, high, mix } = twoTones(1);
  const opts = { nFft: 512, components: 8, iterations: 150, seed: 5 };
  const ests = nmfMfccSeparate(mix, sr, 2, opts);
  assert.equal(ests.length, 2);
  assert.ok(ests.every((e) => e.length === mix.length));
  // the masks partition the mixture: estimates add back up to it
  const sumErr = mix.reduce((m, v, t) => Math.max(m, Math.abs(ests[0][t] + ests[1][t] - v)), 0);
  assert.ok(sumErr < 1e-4, `estimates should sum to the mixture, max error ${sumErr}`);
  const sep = bssEval([low, high], ests, { filterLength: 128 });
  const base = bssEval([low, high], [mix, mix], { filterLength: 128, permute: false });
  const gains = sep.sdr.map((v, j) => v - base.sdr[j]);
  assert.ok(gains.every((g) => g > 3), `SDR gains ${gains} (sep ${sep.sdr}, mixture ${base.sdr})`);
  // deterministic by seed
  assert.deepEqual(nmfMfccSeparate(mix, sr, 2, opts), ests);
  assert.throws(() => nmfMfccSeparate(mix, sr, 9, opts), /sources/);
  assert.throws(() => nmfMfccSeparate(mix, 0, 2, opts), /sampleRate/);
});
