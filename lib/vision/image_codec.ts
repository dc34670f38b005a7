/**
 * PNG (fast-png) and JPEG (jpeg-js) files to and from {@linkcode RGBImage}: decoding sniffs
 * the format from the magic bytes, expands grayscale and palettes to RGB and drops alpha.
 *
 * @module
 */

import { decode as decodePngRaw, encode as encodePngRaw } from "fast-png";
import jpeg from "jpeg-js";
import type { RGBImage } from "./rgb_image.ts";
import { writeFileAtomic } from "../io/write_atomic.ts";
import { DecodeError } from "../io/decode_error.ts";

/**
 * The image formats {@linkcode decodeImage} recognises.
 *
 * @category data
 */
export type ImageFormat = "png" | "jpeg";

/**
 * Default {@linkcode ImageDecodeOptions.maxPixels}: 2^24 (16.8 megapixels, e.g. 4096 x 4096),
 * about 200 MB once decoded to float RGB.
 * @category data
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 2 ** 24;

/**
 * Options of {@linkcode decodeImage} / {@linkcode readImage}.
 *
 * @category data
 */
export interface ImageDecodeOptions {
  /**
   * Most pixels (width x height) an image may declare, default
   * {@linkcode DEFAULT_MAX_IMAGE_PIXELS}. Checked against the header before any pixel memory
   * is allocated, so a small file declaring a huge image fails at once.
   */
  maxPixels?: number;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The format of an image file from its first bytes, or `null` when neither PNG nor JPEG.
 *
 * @param bytes The file's bytes (the first 8 suffice).
 * @returns `"png"`, `"jpeg"` or `null`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sniffImageFormat } from "@avscene/avscene/vision";
 * assert.equal(sniffImageFormat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)), "jpeg");
 * ```
 * @category data
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  return null;
}

/** Unpack `depth`-bit samples (1, 2, 4) of each row (rows start on byte boundaries). */
function _unpackBits(
  packed: ArrayLike<number>,
  width: number,
  height: number,
  samplesPerPixel: number,
  depth: number,
): Uint8Array {
  const perRow = width * samplesPerPixel, rowBytes = Math.ceil((perRow * depth) / 8);
  const out = new Uint8Array(perRow * height), mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      out[y * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Reject a PNG whose IHDR declares more than `maxPixels` pixels, before inflating anything. */
function _checkPngHeader(bytes: Uint8Array, maxPixels: number): void {
  // signature (8), IHDR length (4), "IHDR" (4), width (4), height (4)
  if (bytes.length < 24) throw new Error(`file too short for a PNG header (${bytes.length} bytes)`);
  const ihdr = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (ihdr !== "IHDR") throw new Error("first chunk is not IHDR");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16), height = view.getUint32(20);
  _checkPixels(width, height, maxPixels);
}

/** An image over the pixel cap: not corrupt, just too large for the caller's limit. */
class _TooLarge extends Error {}

/**
 * Reject a JPEG whose frame header (SOFn) declares more than `maxPixels` pixels. Walks the
 * markers before the first scan; a file it cannot walk is left to the decoder to reject.
 */
function _checkJpegHeader(bytes: Uint8Array, maxPixels: number): void {
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xda) return; // start of scan: no frame header before it
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
      marker !== 0xcc;
    if (sof && at + 9 <= bytes.length) {
      const height = (bytes[at + 5] << 8) | bytes[at + 6];
      const width = (bytes[at + 7] << 8) | bytes[at + 8];
      _checkPixels(width, height, maxPixels);
      return;
    }
    at += 2 + length;
  }
}

function _checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new _TooLarge(
      `image declares ${width}x${height} = ${width * height} pixels, over the limit of ` +
        `${maxPixels} (raise maxPixels to decode it)`,
    );
  }
}

function _decodePng(bytes: Uint8Array, maxPixels: number): RGBImage {
  _checkPngHeader(bytes, maxPixels);
  const png = decodePngRaw(bytes, { checkCrc: true });
  const { width, height, channels, depth } = png;
  const n = width * height;
  const data = new Float32Array(n * 3);
  if (png.palette) {
    const index = depth === 8 ? png.data : _unpackBits(png.data, width, height, 1, depth);
    for (let i = 0; i < n; i++) {
      const entry = png.palette[index[i]];
      if (!entry) throw new Error(`palette index ${index[i]} out of range`);
      for (let c = 0; c < 3; c++) data[3 * i + c] = entry[c] / 255;
    }
    return { data, height, width };
  }
  const samples = depth >= 8 ? png.data : _unpackBits(png.data, width, height, channels, depth);
  if (samples.length < n * channels) {
    throw new Error(`pixel data too short (${samples.length} < ${n * channels})`);
  }
  const max = 2 ** depth - 1;
  const colour = channels >= 3; // 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      data[3 * i + c] = samples[i * channels + (colour ? c : 0)] / max;
    }
  }
  return { data, height, width };
}

function _decodeJpeg(bytes: Uint8Array, maxPixels: number): RGBImage {
  _checkJpegHeader(bytes, maxPixels);
  // strict decoding: a damaged scan is an error, not a silently grey image; jpeg-js checks the
  // frame header's size against maxResolutionInMP before allocating, and caps all its buffers
  const raw = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: maxPixels / 1e6,
    // component planes and the RGB output: a few bytes a pixel, plus tables
    maxMemoryUsageInMB: Math.ceil((maxPixels * 8) / 2 ** 20) + 64,
  });
  const { width, height } = raw;
  _checkPixels(width, height, maxPixels);
  if (raw.data.length !== width * height * 3) {
    throw new Error(`decoded ${raw.data.length} bytes for ${width}x${height} RGB`);
  }
  const data = new Float32Array(raw.data.length);
  for (let i = 0; i < data.length; i++) data[i] = raw.data[i] / 255;
  return { data, height, width };
}

/**
 * Decode a PNG or JPEG file (format sniffed from its magic bytes) to an RGB image in [0, 1]:
 * grayscale expanded to RGB, palettes looked up, alpha dropped (not composited), 16-bit PNG
 * samples divided by 65535.
 *
 * Neither codec can decode at a reduced size (jpeg-js has no DCT scaling, PNG has none), so the
 * pixel cap is what bounds memory: about 12 bytes a pixel for the result.
 *
 * @param bytes The file's bytes.
 * @param name The file's name, quoted in every error.
 * @param opts Limits (see {@linkcode ImageDecodeOptions}).
 * @returns The image.
 * @throws DecodeError naming `name` for an unknown format, a corrupt / truncated file, or an
 *   image over `opts.maxPixels`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeImage, encodePng } from "@avscene/avscene/vision";
 * const img = { data: new Float32Array([1, 0, 0, 0, 0, 1]), height: 1, width: 2 };
 * assert.deepEqual(Array.from(decodeImage(encodePng(img), "two.png").data), [1, 0, 0, 0, 0, 1]);
 * ```
 * @category data
 */
export function decodeImage(
  bytes: Uint8Array,
  name: string,
  opts: ImageDecodeOptions = {},
): RGBImage {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (!(maxPixels >= 1)) {
    throw new RangeError(`decodeImage: maxPixels must be at least 1, got ${maxPixels}`);
  }
  const format = sniffImageFormat(bytes);
  if (!format) throw new DecodeError(name, "not a PNG or JPEG image (unrecognised magic bytes)");
  let img: RGBImage;
  try {
    img = format === "png" ? _decodePng(bytes, maxPixels) : _decodeJpeg(bytes, maxPixels);
  } catch (e) {
    if (e instanceof _TooLarge) throw new DecodeError(name, e.message);
    const why = e instanceof Error ? e.message : String(e);
    throw new DecodeError(name, `corrupt ${format.toUpperCase()} image (${why})`);
  }
  if (!(img.width > 0 && img.height > 0)) {
    throw new DecodeError(name, `image has no pixels (${img.width}x${img.height})`);
  }
  return img;
}

/**
 * Read and decode a PNG or JPEG file.
 *
 * @param path The file.
 * @param opts Limits (see {@linkcode ImageDecodeOptions}).
 * @returns The image (see {@linkcode decodeImage}).
 * @throws Error naming `path` when missing; DecodeError when unknown, corrupt or too large.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImage, writePng } from "@avscene/avscene/vision";
 * const dir = await Deno.makeTempDir();
 * await writePng(`${dir}/a.png`, { data: new Float32Array(12).fill(0.5), height: 2, width: 2 });
 * assert.equal((await readImage(`${dir}/a.png`)).width, 2);
 * ```
 * @category data
 */
export async function readImage(path: string, opts: ImageDecodeOptions = {}): Promise<RGBImage> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read image (${(e as Error).message})`);
  }
  return decodeImage(bytes, path, opts);
}

/** Check an image's shape and values, and quantise it to 8-bit RGBA or RGB bytes. */
function _toBytes(img: RGBImage, what: string, alpha: boolean): Uint8Array {
  const { data, height, width } = img;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new Error(
      `${what}: image height/width must be positive integers, got ${height}x${width}`,
    );
  }
  if (data.length !== height * width * 3) {
    throw new Error(`${what}: image data has ${data.length} values, ${height}x${width}x3 expected`);
  }
  const stride = alpha ? 4 : 3;
  const out = new Uint8Array(height * width * stride);
  for (let i = 0; i < height * width; i++) {
    for (let c = 0; c < 3; c++) {
      const v = data[3 * i + c];
      if (!Number.isFinite(v)) throw new Error(`${what}: image data[${3 * i + c}] is not finite`);
      out[stride * i + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    if (alpha) out[stride * i + 3] = 255;
  }
  return out;
}

/**
 * Encode an RGB image as an 8-bit RGB PNG (values clamped to [0, 1], rounded to k / 255), so
 * decoding and encoding again reproduces the bytes.
 *
 * @param img The image.
 * @returns The PNG file's bytes.
 * @throws Error for a wrong data length or non-finite values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePng } from "@avscene/avscene/vision";
 * const png = encodePng({ data: new Float32Array(3), height: 1, width: 1 });
 * assert.equal(new TextDecoder().decode(png.subarray(1, 4)), "PNG");
 * ```
 * @category data
 */
export function encodePng(img: RGBImage): Uint8Array {
  const data = _toBytes(img, "encodePng", false);
  return encodePngRaw({ width: img.width, height: img.height, data, channels: 3, depth: 8 });
}

/**
 * Encode an RGB image as a baseline JPEG (lossy).
 *
 * @param img The image.
 * @param quality JPEG quality 1..100, default 90.
 * @returns The JPEG file's bytes.
 * @throws Error for a wrong data length, non-finite values or a bad quality.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeJpeg } from "@avscene/avscene/vision";
 * const jpg = encodeJpeg({ data: new Float32Array(48).fill(0.5), height: 4, width: 4 });
 * assert.deepEqual([jpg[0], jpg[1]], [255, 216]);
 * ```
 * @category data
 */
export function encodeJpeg(img: RGBImage, quality = 90): Uint8Array {
  if (!(quality >= 1 && quality <= 100)) {
    throw new Error(`encodeJpeg: quality must be in [1, 100], got ${quality}`);
  }
  const data = _toBytes(img, "encodeJpeg", true);
  const out = jpeg.encode({ width: img.width, height: img.height, data }, quality);
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

async function _writeEncoded(path: string, encode: () => Uint8Array): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encode();
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  await writeFileAtomic(path, bytes);
}

/**
 * Write an RGB image as a PNG file atomically (temporary file, then rename).
 *
 * @param path The target file.
 * @param img The image.
 * @throws Error naming `path` for a malformed image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImage, writePng } from "@avscene/avscene/vision";
 * const dir = await Deno.makeTempDir();
 * await writePng(`${dir}/black.png`, { data: new Float32Array(3), height: 1, width: 1 });
 * assert.deepEqual([...(await readImage(`${dir}/black.png`)).data], [0, 0, 0]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @category data
 */
export async function writePng(path: string, img: RGBImage): Promise<void> {
  await _writeEncoded(path, () => encodePng(img));
}

/**
 * Write an RGB image as a JPEG file atomically (temporary file, then rename).
 *
 * @param path The target file.
 * @param img The image.
 * @param quality JPEG quality 1..100, default 90.
 * @throws Error naming `path` for a malformed image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImage, writeJpeg } from "@avscene/avscene/vision";
 * const dir = await Deno.makeTempDir();
 * await writeJpeg(`${dir}/grey.jpg`, { data: new Float32Array(3).fill(0.5), height: 1, width: 1 });
 * const grey = await readImage(`${dir}/grey.jpg`);
 * assert.ok(grey.data.every((v) => Math.abs(v - 0.5) < 0.02)); // lossy, but close
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @category data
 */
export async function writeJpeg(path: string, img: RGBImage, quality = 90): Promise<void> {
  await _writeEncoded(path, () => encodeJpeg(img, quality));
}
