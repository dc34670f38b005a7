/**
 * The sound-makers of the synthetic world: each class has a visual appearance (shape, colour,
 * texture) and an audio signature (timbre, pitch range, envelope, modulation, noise band).
 * Classes are distinct enough to learn but deliberately not trivially separable: `drum` and
 * `horn` share a colour, `horn` and `buzzer` share a pitch range, `flute` and `bell` overlap
 * in pitch.
 *
 * @module
 */

/**
 * A silhouette drawn inside the unit disc, so that any rotation stays inside its box.
 *
 * @category data
 */
export type SynthShape =
  | "disc"
  | "square"
  | "triangle"
  | "ring"
  | "star"
  | "cross"
  | "hexagon"
  | "diamond"
  | "ellipse"
  | "crescent";

/**
 * The surface pattern of a shape: a darker second colour in stripes, checks or dots.
 *
 * @category data
 */
export type SynthTexture = "solid" | "stripes" | "checks" | "dots";

/**
 * How a source's loudness evolves: `sustained` (attack, then steady), `struck` (repeated hits
 * decaying exponentially), `gated` (on/off bursts).
 * @category data
 */
export type SynthEnvelopeKind = "sustained" | "struck" | "gated";

/**
 * A class's envelope.
 *
 * @category data
 */
export interface SynthEnvelope {
  /** Envelope kind. */
  kind: SynthEnvelopeKind;
  /** Attack time in seconds (one-pole smoothing towards the target level). */
  attack: number;
  /** `struck`: exponential decay time constant in seconds. */
  decay?: number;
  /** `struck`/`gated`: hits or bursts per second, drawn per source in `[lo, hi]`. */
  pulseRate?: readonly [number, number];
  /** `gated`: share of each period that is on. */
  duty?: number;
}

/**
 * A sinusoidal modulation, with its rate drawn per source in `rate`.
 *
 * @category data
 */
export interface SynthModulation {
  /** Modulation rate range in Hz. */
  rate: readonly [number, number];
  /** Depth: relative frequency deviation (FM) or share of amplitude (AM), in [0, 1). */
  depth: number;
}

/**
 * A band of filtered noise mixed under the tone, following the same envelope.
 *
 * @category data
 */
export interface SynthNoiseBand {
  /** Lower band edge in Hz. */
  lo: number;
  /** Upper band edge in Hz. */
  hi: number;
  /** RMS of the noise relative to the tone's RMS. */
  level: number;
}

/**
 * One class of sound-maker: what it looks like and what it sounds like.
 *
 * @category data
 */
export interface SynthClass {
  /** Class name (the `category` of the classification set). */
  name: string;
  /** Silhouette. */
  shape: SynthShape;
  /** Base RGB colour in [0, 1]; each object jitters it a little. */
  colour: readonly [number, number, number];
  /** Surface pattern. */
  texture: SynthTexture;
  /** Range in Hz that the instantaneous fundamental always stays inside (FM included). */
  pitchRange: readonly [number, number];
  /**
   * Partials as `[frequency ratio, amplitude]`; ratio 1 first and loudest. Partials above
   * 0.45 of the sample rate are dropped (no aliasing).
   */
  partials: readonly (readonly [number, number])[];
  /** Loudness over time. */
  envelope: SynthEnvelope;
  /** Tremolo, if any. */
  am?: SynthModulation;
  /** Vibrato or chirping, if any. */
  fm?: SynthModulation;
  /** Noise under the tone, if any. */
  noise?: SynthNoiseBand;
}

/** Harmonic series `[n, amp(n)]` for n = 1..count. */
function harmonics(count: number, amp: (n: number) => number): [number, number][] {
  return Array.from({ length: count }, (_, i) => [i + 1, amp(i + 1)] as [number, number]);
}

/**
 * The ten classes of the synthetic world. Every pitch range lies below 3.5 kHz, so the tiny
 * preset's 8 kHz sample rate represents all of them.
 * @category data
 */
export const SYNTH_CLASSES: readonly SynthClass[] = Object.freeze(
  [
    {
      name: "bell",
      shape: "disc",
      colour: [0.95, 0.75, 0.1],
      texture: "solid",
      pitchRange: [520, 780],
      // Inharmonic partials of a struck bar/bell.
      partials: [[1, 1], [2.76, 0.45], [4.07, 0.2]],
      envelope: { kind: "struck", attack: 0.002, decay: 0.25, pulseRate: [1.5, 2.5] },
    },
    {
      name: "drum",
      shape: "square",
      colour: [0.85, 0.12, 0.12],
      texture: "checks",
      pitchRange: [90, 150],
      partials: [[1, 1], [2, 0.25]],
      envelope: { kind: "struck", attack: 0.002, decay: 0.08, pulseRate: [3, 5] },
      noise: { lo: 200, hi: 1200, level: 0.6 },
    },
    {
      name: "horn",
      shape: "ring",
      colour: [0.85, 0.12, 0.12],
      texture: "solid",
      pitchRange: [180, 300],
      partials: [[1, 1], [2, 0.7], [3, 0.5], [4, 0.35], [5, 0.25], [6, 0.15]],
      envelope: { kind: "sustained", attack: 0.05 },
      am: { rate: [4, 6], depth: 0.2 },
    },
    {
      name: "flute",
      shape: "triangle",
      colour: [0.3, 0.65, 0.95],
      texture: "stripes",
      pitchRange: [600, 1100],
      partials: [[1, 1], [2, 0.25], [3, 0.1]],
      envelope: { kind: "sustained", attack: 0.12 },
      fm: { rate: [4.5, 6], depth: 0.015 },
      noise: { lo: 1500, hi: 3000, level: 0.08 },
    },
    {
      name: "whistle",
      shape: "star",
      colour: [0.15, 0.75, 0.25],
      texture: "solid",
      pitchRange: [1600, 2600],
      partials: [[1, 1]],
      envelope: { kind: "gated", attack: 0.005, pulseRate: [6, 9], duty: 0.6 },
      fm: { rate: [2, 3], depth: 0.08 },
    },
    {
      name: "buzzer",
      shape: "cross",
      colour: [0.6, 0.2, 0.8],
      texture: "dots",
      pitchRange: [180, 300],
      // Odd harmonics: a square-ish buzz, same pitch range as the horn.
      partials: harmonics(9, (n) => (n % 2 === 1 ? 1 / n : 0)).filter(([, a]) => a > 0),
      envelope: { kind: "gated", attack: 0.005, pulseRate: [2, 3], duty: 0.6 },
      noise: { lo: 2000, hi: 3500, level: 0.05 },
    },
    {
      name: "motor",
      shape: "hexagon",
      colour: [0.95, 0.5, 0.1],
      texture: "stripes",
      pitchRange: [60, 110],
      // Sawtooth-like 1/n series.
      partials: harmonics(24, (n) => 1 / n),
      envelope: { kind: "sustained", attack: 0.1 },
      am: { rate: [8, 15], depth: 0.5 },
      noise: { lo: 100, hi: 600, level: 0.3 },
    },
    {
      name: "bird",
      shape: "diamond",
      colour: [0.95, 0.9, 0.2],
      texture: "dots",
      pitchRange: [2300, 3400],
      partials: [[1, 1]],
      envelope: { kind: "struck", attack: 0.004, decay: 0.06, pulseRate: [4, 6] },
      fm: { rate: [10, 14], depth: 0.07 },
    },
    {
      name: "shaker",
      shape: "ellipse",
      colour: [0.1, 0.7, 0.7],
      texture: "checks",
      pitchRange: [1000, 1400],
      partials: [[1, 1], [2, 0.2]],
      envelope: { kind: "struck", attack: 0.002, decay: 0.04, pulseRate: [8, 12] },
      noise: { lo: 2000, hi: 3500, level: 0.7 },
    },
    {
      name: "chime",
      shape: "crescent",
      colour: [0.2, 0.3, 0.9],
      texture: "solid",
      pitchRange: [1150, 1550],
      // Two slightly detuned partials beat slowly.
      partials: [[1, 1], [1.004, 0.7], [3, 0.25]],
      envelope: { kind: "sustained", attack: 0.02 },
      am: { rate: [0.5, 1.5], depth: 0.3 },
    },
  ] satisfies SynthClass[],
);
