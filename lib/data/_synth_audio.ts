/**
 * The audio half of a synthetic scene: per-world tables (wavetables of each class's harmonic
 * timbre, band-limited noise), one waveform per sounding object, and the mix.
 *
 * @module
 */
import type { Rng } from "../random/mod.ts";
import type { SynthClass } from "./synth_classes.ts";

/** Wavetable length (a power of two); nearest-cell lookup stays ~60 dB below the tone. */
const WAVE_SIZE = 4096;
const WAVE_MASK = WAVE_SIZE - 1;
/** Noise table length (a power of two), read circularly from a random offset. */
const NOISE_SIZE = 1 << 15;
const NOISE_MASK = NOISE_SIZE - 1;
/** Partials stay below this share of the sample rate (below Nyquist, no aliasing). */
const MAX_PARTIAL_SHARE = 0.45;
/** RMS of a source before mixing, times its drawn loudness. */
const SOURCE_RMS = 0.1;
/** Peak of the normalised mix: about 2 dB of headroom below full scale. */
export const MIX_PEAK = 0.8;

/** Precomputed per-class synthesis data for one sample rate. */
interface ClassTables {
  /** One period of the harmonic timbre, or undefined for inharmonic partials. */
  wave?: Float32Array;
  /** Inharmonic partials kept below Nyquist. */
  partials: [number, number][];
  /** RMS of the steady tone (partials at full envelope). */
  toneRms: number;
  /** Band-limited noise at unit RMS, if the class has a noise band. */
  noise?: Float32Array;
}

/** Everything the audio synthesis precomputes for a world. */
export interface AudioTables {
  /** Sample rate in Hz. */
  sampleRate: number;
  /** One period of a sine. */
  sine: Float32Array;
  /** Per class, in class order. */
  classes: ClassTables[];
  /** Off-screen noise at unit RMS: low-passed (rumble) plus a little white noise. */
  offscreen: Float32Array;
}

function unitRms(x: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const k = 1 / Math.sqrt(s / x.length || 1);
  for (let i = 0; i < x.length; i++) x[i] *= k;
  return x;
}

/** White noise through an RBJ band-pass biquad over [lo, hi] Hz, at unit RMS. */
function bandNoise(rng: Rng, sampleRate: number, lo: number, hi: number): Float32Array {
  const centre = Math.sqrt(lo * hi);
  const w = (2 * Math.PI * centre) / sampleRate;
  const alpha = Math.sin(w) / (2 * (centre / (hi - lo)));
  const a0 = 1 + alpha;
  const b0 = alpha / a0, b2 = -alpha / a0, a1 = (-2 * Math.cos(w)) / a0, a2 = (1 - alpha) / a0;
  const warmup = 2048;
  const out = new Float32Array(NOISE_SIZE);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let n = 0; n < NOISE_SIZE + warmup; n++) {
    const x = rng.uniform() * 2 - 1; // filtered, uniform noise is as good as Gaussian
    const y = b0 * x + b2 * x2 - a1 * y1 - a2 * y2;
    [x2, x1, y2, y1] = [x1, x, y1, y];
    if (n >= warmup) out[n - warmup] = y;
  }
  return unitRms(out);
}

/** Build a world's audio tables. */
export function audioTables(
  classes: readonly SynthClass[],
  sampleRate: number,
  rng: Rng,
): AudioTables {
  const sine = new Float32Array(WAVE_SIZE);
  for (let i = 0; i < WAVE_SIZE; i++) sine[i] = Math.sin((2 * Math.PI * i) / WAVE_SIZE);
  const limit = MAX_PARTIAL_SHARE * sampleRate;
  const perClass = classes.map((cls): ClassTables => {
    const kept = cls.partials.filter(([ratio]) => ratio * cls.pitchRange[1] <= limit)
      .map(([r, a]) => [r, a] as [number, number]);
    if (kept.length === 0) {
      throw new Error(`audioTables: class ${cls.name} has no partial below ${limit} Hz`);
    }
    const toneRms = Math.sqrt(kept.reduce((s, [, a]) => s + a * a / 2, 0));
    const noise = cls.noise && bandNoise(rng, sampleRate, cls.noise.lo, cls.noise.hi);
    if (!kept.every(([r]) => Number.isInteger(r))) return { partials: kept, toneRms, noise };
    const wave = new Float32Array(WAVE_SIZE);
    for (const [ratio, amp] of kept) {
      for (let i = 0; i < WAVE_SIZE; i++) wave[i] += amp * sine[(i * ratio) & WAVE_MASK];
    }
    return { wave, partials: kept, toneRms, noise };
  });
  const offscreen = new Float32Array(NOISE_SIZE);
  let low = 0;
  const k = 1 - Math.exp((-2 * Math.PI * 300) / sampleRate);
  for (let n = 0; n < NOISE_SIZE; n++) {
    const white = rng.uniform() * 2 - 1;
    low += (white - low) * k;
    offscreen[n] = 3 * low + 0.3 * white;
  }
  return { sampleRate, sine, classes: perClass, offscreen: unitRms(offscreen) };
}

/**
 * One source's waveform: the class's tone (with FM), its noise band, the envelope and AM,
 * scaled to RMS `SOURCE_RMS * loudness` (loudness drawn in [0.5, 1]).
 */
export function renderSource(
  tables: AudioTables,
  classes: readonly SynthClass[],
  cls: number,
  rng: Rng,
  samples: number,
): Float32Array {
  const spec = classes[cls], tab = tables.classes[cls], sr = tables.sampleRate, sine = tables.sine;
  const out = new Float32Array(samples);
  const fmDepth = spec.fm?.depth ?? 0;
  const [lo, hi] = spec.pitchRange;
  // The fundamental swings by +-fmDepth and must stay inside the class's pitch range.
  const f0 = rng.range(lo * (1 + fmDepth), hi / (1 + fmDepth));
  const fmInc = spec.fm ? rng.range(spec.fm.rate[0], spec.fm.rate[1]) / sr : 0;
  const amDepth = spec.am?.depth ?? 0;
  const amInc = spec.am ? rng.range(spec.am.rate[0], spec.am.rate[1]) / sr : 0;
  let fmPhase = rng.uniform(), amPhase = rng.uniform();
  const env = spec.envelope;
  const attack = 1 - Math.exp(-1 / (Math.max(env.attack, 1e-4) * sr));
  const rate = env.pulseRate ? rng.range(env.pulseRate[0], env.pulseRate[1]) : 0;
  const period = rate > 0 ? sr / rate : Infinity;
  const decay = Math.exp(-1 / ((env.decay ?? 1) * sr));
  const duty = env.duty ?? 1;
  const struck = env.kind === "struck", pulsed = rate > 0, onLength = duty * period;
  // Start inside an ongoing pattern: `pos` samples since the last hit or burst start.
  let pos = pulsed ? rng.range(0, period) : 0;
  let hit = struck ? Math.pow(decay, pos) : 1;
  let level = !pulsed ? 0 : struck ? hit : pos < onLength ? 1 : 0;
  const noiseLevel = (spec.noise?.level ?? 0) * tab.toneRms;
  const noise = tab.noise;
  let noisePos = rng.int(0, NOISE_MASK);
  const partialPhases = Float64Array.from(tab.partials, () => rng.uniform());
  const ratios = Float64Array.from(tab.partials, ([r]) => r);
  const amps = Float64Array.from(tab.partials, ([, a]) => a);
  const wave = tab.wave;
  let phase = partialPhases[0] ?? 0;
  const baseInc = f0 / sr;
  for (let n = 0; n < samples; n++) {
    const inc = fmDepth > 0
      ? baseInc * (1 + fmDepth * sine[(fmPhase * WAVE_SIZE) & WAVE_MASK])
      : baseInc;
    fmPhase += fmInc;
    if (fmPhase >= 1) fmPhase -= 1;
    let tone = 0;
    if (wave) {
      phase += inc;
      if (phase >= 1) phase -= 1;
      tone = wave[(phase * WAVE_SIZE) & WAVE_MASK];
    } else {
      for (let k = 0; k < ratios.length; k++) {
        let p = partialPhases[k] + inc * ratios[k];
        if (p >= 1) p -= Math.floor(p);
        partialPhases[k] = p;
        tone += amps[k] * sine[(p * WAVE_SIZE) & WAVE_MASK];
      }
    }
    if (noise) {
      tone += noiseLevel * noise[noisePos];
      noisePos = (noisePos + 1) & NOISE_MASK;
    }
    // Envelope: the target level by kind, reached through one-pole (attack) smoothing.
    let target = 1;
    if (pulsed) {
      pos += 1;
      if (pos >= period) {
        pos -= period;
        hit = 1;
      }
      if (struck) {
        target = hit;
        hit *= decay;
      } else target = pos < onLength ? 1 : 0;
    }
    level += (target - level) * attack;
    let gain = level;
    if (amDepth > 0) {
      gain *= 1 - amDepth * 0.5 * (1 - sine[(amPhase * WAVE_SIZE) & WAVE_MASK]);
      amPhase += amInc;
      if (amPhase >= 1) amPhase -= 1;
    }
    out[n] = tone * gain;
  }
  let energy = 0;
  for (let n = 0; n < samples; n++) energy += out[n] * out[n];
  const rms = Math.sqrt(energy / samples);
  const scale = rms > 0 ? (SOURCE_RMS * rng.range(0.5, 1)) / rms : 0;
  for (let n = 0; n < samples; n++) out[n] *= scale;
  return out;
}

/** Off-screen noise for a scene: the world's noise table from a random offset, at `rms`. */
export function offscreenNoise(
  tables: AudioTables,
  rng: Rng,
  samples: number,
  rms: number,
): Float32Array {
  const out = new Float32Array(samples);
  let pos = rng.int(0, NOISE_MASK);
  for (let n = 0; n < samples; n++) {
    out[n] = rms * tables.offscreen[pos];
    pos = (pos + 1) & NOISE_MASK;
  }
  return out;
}

/**
 * Mix sources and optional noise, then scale all of them (in place) so the mix peaks at
 * `MIX_PEAK`: afterwards `mix[n] == sum(sources[n]) + noise[n]` up to float32 rounding.
 */
export function mixNormalised(
  sources: Float32Array[],
  noise: Float32Array | undefined,
  samples: number,
): Float32Array {
  const sum = new Float64Array(samples);
  for (const s of sources) for (let n = 0; n < samples; n++) sum[n] += s[n];
  if (noise) { for (let n = 0; n < samples; n++) sum[n] += noise[n]; }
  let peak = 0;
  for (let n = 0; n < samples; n++) peak = Math.max(peak, Math.abs(sum[n]));
  const scale = peak > 0 ? MIX_PEAK / peak : 1;
  const parts = noise ? [...sources, noise] : sources;
  for (const s of parts) for (let n = 0; n < samples; n++) s[n] *= scale;
  // Re-sum the stored (rounded) parts so the identity holds for what callers see.
  const mix = new Float32Array(samples);
  sum.fill(0);
  for (const s of parts) for (let n = 0; n < samples; n++) sum[n] += s[n];
  for (let n = 0; n < samples; n++) mix[n] = sum[n];
  return mix;
}
