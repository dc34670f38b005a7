/**
 * A minimal private log-mel front end (tfjs), used until `lib/audio`'s `logMelSpectrogram`
 * exists: centred (zero-padded) periodic-Hann STFT as a DFT matMul (every backend has matMul),
 * power, HTK mel filterbank, log(x + 1e-6). Frames: 1 + floor(samples / hop).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const banks = new Map<string, Float32Array>();

function melFilterbank(sampleRate: number, nFft: number, nMels: number): Float32Array {
  const key = `${sampleRate}/${nFft}/${nMels}`;
  const hit = banks.get(key);
  if (hit) return hit;
  const bins = nFft / 2 + 1;
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const top = mel(sampleRate / 2);
  const points = Array.from({ length: nMels + 2 }, (_, i) => hz((top * i) / (nMels + 1)));
  const fb = new Float32Array(bins * nMels);
  for (let m = 0; m < nMels; m++) {
    const [lo, mid, hi] = [points[m], points[m + 1], points[m + 2]];
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = f <= lo || f >= hi ? 0 : f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
      fb[k * nMels + m] = w;
    }
  }
  banks.set(key, fb);
  return fb;
}

function dftBasis(nFft: number): { cos: Float32Array; sin: Float32Array } {
  const bins = nFft / 2 + 1;
  const cos = new Float32Array(nFft * bins), sin = new Float32Array(nFft * bins);
  for (let n = 0; n < nFft; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft); // periodic Hann
    for (let k = 0; k < bins; k++) {
      const a = (2 * Math.PI * n * k) / nFft;
      cos[n * bins + k] = w * Math.cos(a);
      sin[n * bins + k] = w * Math.sin(a);
    }
  }
  return { cos, sin };
}

/** Log-mel spectrograms `[batch, frames, nMels]` of waves `[batch, samples]`. */
export function logMelSpectrogram(
  waves: tf.Tensor2D,
  opts: { sampleRate: number; nFft: number; hop: number; nMels: number },
): tf.Tensor3D {
  const { sampleRate, nFft, hop, nMels } = opts;
  const [batch, samples] = waves.shape;
  const frames = 1 + Math.floor(samples / hop);
  const bins = nFft / 2 + 1;
  return tf.tidy(() => {
    const padded = tf.pad(waves, [[0, 0], [nFft / 2, nFft / 2 + hop]]);
    const index = new Int32Array(frames * nFft);
    for (let f = 0; f < frames; f++) {
      for (let n = 0; n < nFft; n++) index[f * nFft + n] = f * hop + n;
    }
    const framed = tf.reshape(tf.gather(padded, tf.tensor1d(index, "int32"), 1), [
      batch * frames,
      nFft,
    ]) as tf.Tensor2D;
    const { cos, sin } = dftBasis(nFft);
    const re = tf.matMul(framed, tf.tensor2d(cos, [nFft, bins]));
    const im = tf.matMul(framed, tf.tensor2d(sin, [nFft, bins]));
    const power = tf.add(tf.square(re), tf.square(im)) as tf.Tensor2D;
    const fb = tf.tensor2d(melFilterbank(sampleRate, nFft, nMels), [bins, nMels]);
    const mel = tf.log(tf.add(tf.matMul(power, fb), 1e-6));
    return tf.reshape(mel, [batch, frames, nMels]) as tf.Tensor3D;
  });
}
