/**
 * Shape-and-texture templates: each class is rasterised once into a `TEMPLATE_SIZE`² grid over
 * the unit square, so drawing an object costs one rotation and one lookup per pixel.
 *
 * @module
 */
import type { SynthClass, SynthShape, SynthTexture } from "./synth_classes.ts";

/** Side of a template in cells; fine enough for objects up to ~100 pixels wide. */
export const TEMPLATE_SIZE = 128;

/** Template cell values. */
export const OUTSIDE = 0, BASE = 1, PATTERN = 2;

const TAU = 2 * Math.PI;

/** Whether the unit-square point (u, v) (v pointing down) lies inside the shape. */
function insideShape(shape: SynthShape, u: number, v: number): boolean {
  const r = Math.hypot(u, v);
  switch (shape) {
    case "disc":
      return r < 0.95;
    case "square":
      return Math.max(Math.abs(u), Math.abs(v)) < 0.68;
    case "triangle": {
      // Equilateral, circumradius 0.95, apex up: inside all three edges (inradius 0.475).
      for (const a of [Math.PI / 2, Math.PI / 2 + TAU / 3, Math.PI / 2 + 2 * TAU / 3]) {
        if (u * Math.cos(a) + v * Math.sin(a) > 0.475) return false;
      }
      return true;
    }
    case "ring":
      return r > 0.55 && r < 0.95;
    case "star": {
      // Five points: radius swings linearly in angle between 0.42 and 0.95.
      const sector = TAU / 5;
      const phase = (((Math.atan2(v, u) + Math.PI / 2) % sector) + sector) % sector;
      const toPoint = Math.abs(phase - sector / 2) / (sector / 2); // 1 at a point, 0 between
      return r < 0.42 + (0.95 - 0.42) * toPoint;
    }
    case "cross":
      return (Math.abs(u) < 0.3 && Math.abs(v) < 0.9) || (Math.abs(v) < 0.3 && Math.abs(u) < 0.9);
    case "hexagon": {
      const apothem = 0.95 * Math.cos(Math.PI / 6);
      for (const a of [0, Math.PI / 3, 2 * Math.PI / 3]) {
        if (Math.abs(u * Math.cos(a) + v * Math.sin(a)) > apothem) return false;
      }
      return true;
    }
    case "diamond":
      return Math.abs(u) / 0.6 + Math.abs(v) / 0.95 < 1;
    case "ellipse":
      return (u / 0.95) ** 2 + (v / 0.55) ** 2 < 1;
    case "crescent":
      return r < 0.95 && Math.hypot(u - 0.45, v + 0.1) > 0.72;
  }
}

/** Whether (u, v) falls on the pattern's second colour. */
function onPattern(texture: SynthTexture, u: number, v: number): boolean {
  switch (texture) {
    case "solid":
      return false;
    case "stripes":
      // Period 0.6, 40% of it patterned: about three stripes across an object.
      return ((u + 1) % 0.6) < 0.24;
    case "checks":
      return (Math.floor((u + 1) / 0.4) + Math.floor((v + 1) / 0.4)) % 2 === 1;
    case "dots": {
      const du = (((u + 1) % 0.5) + 0.5) % 0.5 - 0.25;
      const dv = (((v + 1) % 0.5) + 0.5) % 0.5 - 0.25;
      return du * du + dv * dv < 0.13 * 0.13;
    }
  }
}

function rasterise(cls: SynthClass): Uint8Array {
  const n = TEMPLATE_SIZE;
  const out = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) {
    const v = ((y + 0.5) / n) * 2 - 1;
    for (let x = 0; x < n; x++) {
      const u = ((x + 0.5) / n) * 2 - 1;
      if (!insideShape(cls.shape, u, v)) continue;
      out[y * n + x] = onPattern(cls.texture, u, v) ? PATTERN : BASE;
    }
  }
  return out;
}

const cache = new WeakMap<SynthClass, Uint8Array>();

/** The class's template (cached): `TEMPLATE_SIZE`² cells of OUTSIDE, BASE or PATTERN. */
export function classTemplate(cls: SynthClass): Uint8Array {
  let t = cache.get(cls);
  if (!t) cache.set(cls, t = rasterise(cls));
  return t;
}
