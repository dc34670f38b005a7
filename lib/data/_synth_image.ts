/**
 * The visual half of a synthetic scene: a smooth textured background, objects placed with
 * limited overlap, drawn through their class templates with an owner map for the masks.
 *
 * @module
 */
import type { Rng } from "../random/mod.ts";
import type { Box } from "./types.ts";
import type { SynthClass } from "./synth_classes.ts";
import { classTemplate, OUTSIDE, PATTERN, TEMPLATE_SIZE } from "./_synth_templates.ts";

/** One object as placed in the image. */
export interface PlacedObject {
  /** Class index. */
  cls: number;
  /** Centre in pixels. */
  cx: number;
  /** Centre in pixels. */
  cy: number;
  /** Radius in pixels (the shape fits the disc of this radius). */
  r: number;
  /** Rotation in radians. */
  angle: number;
  /** Jittered base colour. */
  colour: [number, number, number];
}

/**
 * Radius ranges as a share of the image side. A sounding object's size depends on how many
 * objects sound in the scene: a lone source fills much of the frame (diameters of 36% to 60%,
 * as the sounding objects of SoundNet-Flickr's test images do, which is also what lets the
 * median-threshold cIoU reach 0.5 at all), four share it (18% to 28%). Silent distractors keep
 * the smallest size.
 */
const SOUNDING_RADIUS: Record<number, [number, number]> = {
  1: [0.18, 0.3],
  2: [0.13, 0.2],
  3: [0.1, 0.16],
  4: [0.09, 0.14],
};
const DISTRACTOR_RADIUS: [number, number] = [0.09, 0.15];
/** Largest tolerated overlap of two objects' boxes, as a share of the smaller box. */
const MAX_OVERLAP = 0.1;
const PLACEMENT_TRIES = 40;
/** Side of the (per-world) film-grain table, a power of two. */
export const GRAIN_SIZE = 256;
/** Value-noise grid cells per image side. */
const NOISE_CELLS = 4;

/** A table of fine grain in [-1, 1], read at a random offset per scene. */
export function grainTable(rng: Rng): Float32Array {
  const g = new Float32Array(GRAIN_SIZE * GRAIN_SIZE);
  for (let i = 0; i < g.length; i++) g[i] = rng.uniform() * 2 - 1;
  return g;
}

function overlapShare(a: PlacedObject, b: PlacedObject): number {
  const w = Math.min(a.cx + a.r, b.cx + b.r) - Math.max(a.cx - a.r, b.cx - b.r);
  const h = Math.min(a.cy + a.r, b.cy + b.r) - Math.max(a.cy - a.r, b.cy - b.r);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (4 * Math.min(a.r, b.r) ** 2);
}

/**
 * Place objects of the given classes one after another (the first `sounding` of them sized as
 * sounding objects), each at the position (of `PLACEMENT_TRIES` draws) that overlaps the
 * earlier ones least, stopping at the first within `MAX_OVERLAP`.
 */
export function placeObjects(
  rng: Rng,
  size: number,
  classIds: number[],
  classes: readonly SynthClass[],
  sounding: number,
): PlacedObject[] {
  const placed: PlacedObject[] = [];
  for (const [i, cls] of classIds.entries()) {
    const [lo, hi] = i < sounding ? SOUNDING_RADIUS[sounding] : DISTRACTOR_RADIUS;
    const r = size * rng.range(lo, hi);
    const base = classes[cls].colour;
    const colour: [number, number, number] = [0, 0, 0];
    for (let c = 0; c < 3; c++) colour[c] = clamp01(base[c] + rng.range(-0.05, 0.05));
    const angle = rng.range(0, 2 * Math.PI);
    let best: PlacedObject | undefined;
    let bestOverlap = Infinity;
    for (let t = 0; t < PLACEMENT_TRIES && bestOverlap > MAX_OVERLAP; t++) {
      const cand = {
        cls,
        cx: rng.range(r, size - r),
        cy: rng.range(r, size - r),
        r,
        angle,
        colour,
      };
      const overlap = placed.reduce((m, p) => Math.max(m, overlapShare(cand, p)), 0);
      if (overlap < bestOverlap) [best, bestOverlap] = [cand, overlap];
    }
    placed.push(best!);
  }
  return placed;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * Paint a smooth background into `data` (`size² * 3`): a gradient between two muted colours,
 * low-frequency value noise and a little grain.
 */
export function paintBackground(
  rng: Rng,
  size: number,
  data: Float32Array,
  grain: Float32Array,
): void {
  const grey0 = rng.range(0.3, 0.6), grey1 = rng.range(0.3, 0.6);
  const c0 = [0, 1, 2].map(() => grey0 + rng.range(-0.08, 0.08));
  const c1 = [0, 1, 2].map(() => grey1 + rng.range(-0.08, 0.08));
  const dir = rng.range(0, 2 * Math.PI);
  const dx = Math.cos(dir) / size, dy = Math.sin(dir) / size;
  const nodes = NOISE_CELLS + 1;
  const noise = new Float32Array(nodes * nodes);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.range(-0.08, 0.08);
  const gx = rng.int(0, GRAIN_SIZE - 1), gy = rng.int(0, GRAIN_SIZE - 1);
  const cell = size / NOISE_CELLS;
  const mask = GRAIN_SIZE - 1;
  // what depends on x alone, once per column
  const ixs = new Int32Array(size), fxs = new Float64Array(size), ramp = new Float64Array(size);
  for (let x = 0; x < size; x++) {
    const nx = Math.min(x / cell, NOISE_CELLS - 1e-6);
    ixs[x] = Math.floor(nx);
    fxs[x] = nx - ixs[x];
    ramp[x] = 0.5 + (x - size / 2) * dx;
  }
  const [r0, g0, b0] = c0, dr = c1[0] - r0, dg = c1[1] - g0, db = c1[2] - b0;
  for (let y = 0; y < size; y++) {
    const ny = Math.min(y / cell, NOISE_CELLS - 1e-6);
    const iy = Math.floor(ny), fy = ny - iy;
    const grainRow = ((y + gy) & mask) * GRAIN_SIZE;
    const tilt = (y - size / 2) * dy;
    for (let x = 0; x < size; x++) {
      const ix = ixs[x], fx = fxs[x];
      const k = iy * nodes + ix;
      const top = noise[k] + (noise[k + 1] - noise[k]) * fx;
      const bottom = noise[k + nodes] + (noise[k + nodes + 1] - noise[k + nodes]) * fx;
      const shade = top + (bottom - top) * fy + 0.03 * grain[grainRow + ((x + gx) & mask)];
      const t = clamp01(ramp[x] + tilt);
      const p = (y * size + x) * 3;
      data[p] = clamp01(r0 + dr * t + shade);
      data[p + 1] = clamp01(g0 + dg * t + shade);
      data[p + 2] = clamp01(b0 + db * t + shade);
    }
  }
}

/**
 * Draw an object over `data` and mark its pixels with `id` in `owner`. Returns the tight box
 * of the pixels it covers (before any later object occludes it).
 */
export function drawObject(
  obj: PlacedObject,
  cls: SynthClass,
  id: number,
  size: number,
  data: Float32Array,
  owner: Int16Array,
): Box {
  const tpl = classTemplate(cls);
  const half = TEMPLATE_SIZE / 2;
  // Pixel offsets to template cells: rotate by -angle and scale the radius to half a template.
  const cos = (Math.cos(obj.angle) / obj.r) * half, sin = (Math.sin(obj.angle) / obj.r) * half;
  const [r, g, b] = obj.colour;
  const pr = r * 0.5, pg = g * 0.5, pb = b * 0.5;
  const x0 = Math.max(0, Math.floor(obj.cx - obj.r)),
    x1 = Math.min(size, Math.ceil(obj.cx + obj.r));
  const y0 = Math.max(0, Math.floor(obj.cy - obj.r)),
    y1 = Math.min(size, Math.ceil(obj.cy + obj.r));
  let bx0 = size, by0 = size, bx1 = 0, by1 = 0;
  for (let y = y0; y < y1; y++) {
    const py = y + 0.5 - obj.cy;
    for (let x = x0; x < x1; x++) {
      const px = x + 0.5 - obj.cx;
      const tu = px * cos + py * sin + half, tv = py * cos - px * sin + half;
      if (tu < 0 || tv < 0 || tu >= TEMPLATE_SIZE || tv >= TEMPLATE_SIZE) continue;
      const cell = tpl[(tv | 0) * TEMPLATE_SIZE + (tu | 0)];
      if (cell === OUTSIDE) continue;
      const i = y * size + x, p = i * 3;
      const patterned = cell === PATTERN;
      data[p] = patterned ? pr : r;
      data[p + 1] = patterned ? pg : g;
      data[p + 2] = patterned ? pb : b;
      owner[i] = id;
      if (x < bx0) bx0 = x;
      if (x >= bx1) bx1 = x + 1;
      if (y < by0) by0 = y;
      if (y >= by1) by1 = y + 1;
    }
  }
  if (bx1 <= bx0) throw new Error(`drawObject: object of class ${cls.name} covers no pixel`);
  return [bx0, by0, bx1, by1];
}
