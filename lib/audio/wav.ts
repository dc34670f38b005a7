/**
 * WAV (RIFF/WAVE) files: decoding PCM 8/16/24/32-bit integer and 32/64-bit float, plain or
 * `WAVE_FORMAT_EXTENSIBLE`, to mono float samples; encoding 16-bit PCM or 32-bit float.
 *
 * @module
 */

import { writeFileAtomic } from "../io/write_atomic.ts";
import { DecodeError } from "../io/decode_error.ts";

/**
 * A decoded WAV file.
 *
 * @category data
 */
export interface WavAudio {
  /** Mono samples (channels averaged), nominally in [-1, 1]. */
  samples: Float32Array;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Channels in the file (before averaging). */
  channels: number;
}

/**
 * Sample encodings {@linkcode encodeWav} can write: 16-bit PCM or 32-bit IEEE float.
 *
 * @category data
 */
export type WavBitDepth = 16 | "32f";

/**
 * Options of {@linkcode encodeWav} / {@linkcode writeWav}.
 *
 * @category data
 */
export interface WavEncodeOptions {
  /** Sample encoding, default 16 (PCM; samples clipped to [-1, 1)). */
  bitDepth?: WavBitDepth;
}

const FORMAT_PCM = 1, FORMAT_FLOAT = 3, FORMAT_EXTENSIBLE = 0xfffe;

function _ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/**
 * Options of {@linkcode decodeWav} / {@linkcode readWav}.
 *
 * @category data
 */
export interface WavDecodeOptions {
  /**
   * Largest magnitude a float sample may have, default {@linkcode DEFAULT_MAX_ABS_SAMPLE}.
   * Float WAVs may go somewhat past full scale (1.0); a value far beyond it (e.g. 1e30) is a
   * damaged or mislabelled file, and decoding it is an error rather than a silent clamp.
   */
  maxAbsSample?: number;
}

/**
 * Default {@linkcode WavDecodeOptions.maxAbsSample}: 64, i.e. 36 dB above full scale.
 *
 * @category data
 */
export const DEFAULT_MAX_ABS_SAMPLE = 64;

/** Four printable ASCII bytes at `at`: what a RIFF chunk id looks like. */
function _isChunkId(bytes: Uint8Array, at: number): boolean {
  if (at + 8 > bytes.length) return false;
  for (let i = 0; i < 4; i++) if (bytes[at + i] < 0x20 || bytes[at + i] > 0x7e) return false;
  return true;
}

/**
 * Decode the bytes of a WAV file.
 *
 * Streamed files are accepted: a data chunk whose size is `0xFFFFFFFF`, or `0` with sample
 * bytes after it, runs to the end of the file (whole frames only). Odd-sized chunks are read
 * whether or not the writer added the pad byte RIFF asks for.
 *
 * @param bytes The whole file.
 * @param name The file's name, quoted in every error.
 * @param opts Limits (see {@linkcode WavDecodeOptions}).
 * @returns Mono float samples (multi-channel averaged), the sample rate and channel count.
 * @throws DecodeError naming `name` for a non-RIFF/WAVE file, a truncated or malformed header
 *   or data chunk, an unsupported encoding (e.g. compressed), or float samples that are not
 *   finite or larger in magnitude than `opts.maxAbsSample`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWav, encodeWav } from "@avscene/avscene/audio";
 * const wav = decodeWav(encodeWav(Float32Array.of(0, 0.5, -0.5), 8000), "tone.wav");
 * assert.deepEqual([wav.sampleRate, wav.samples[1]], [8000, 0.5]);
 * ```
 * @category data
 */
export function decodeWav(bytes: Uint8Array, name: string, opts: WavDecodeOptions = {}): WavAudio {
  const fail = (why: string): never => {
    throw new DecodeError(name, why);
  };
  const maxAbs = opts.maxAbsSample ?? DEFAULT_MAX_ABS_SAMPLE;
  if (!(maxAbs > 0)) {
    throw new RangeError(`decodeWav: maxAbsSample must be positive, got ${maxAbs}`);
  }
  if (bytes.length < 12) fail(`not a WAV file (${bytes.length} bytes, too short for a header)`);
  if (_ascii(bytes, 0) !== "RIFF" || _ascii(bytes, 8) !== "WAVE") {
    fail("not a WAV file (no RIFF/WAVE header)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { format: number; channels: number; rate: number; align: number; bits: number } | null =
    null;
  let data: Uint8Array | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = _ascii(bytes, at), body = at + 8;
    let size = view.getUint32(at + 4, true);
    const streamed = id === "data" &&
      (size === 0xffffffff || (size === 0 && body < bytes.length && !_isChunkId(bytes, body)));
    if (streamed) size = bytes.length - body; // a streaming writer never came back to fill it in
    if (body + size > bytes.length) {
      fail(`truncated '${id}' chunk: ${size} bytes declared, ${bytes.length - body} present`);
    }
    if (id === "fmt ") {
      if (size < 16) fail(`fmt chunk too short (${size} bytes)`);
      let format = view.getUint16(body, true);
      if (format === FORMAT_EXTENSIBLE) {
        if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk too short (${size} bytes)`);
        // the sub-format GUID starts with the actual format code
        format = view.getUint16(body + 24, true);
      }
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        align: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      data = bytes.subarray(body, body + size);
      if (fmt) break;
    }
    // chunks are padded to even sizes, but some writers leave the pad byte out
    at = body + size;
    if (size & 1 && !(_isChunkId(bytes, at) && !_isChunkId(bytes, at + 1))) at += 1;
  }
  if (!fmt) return fail("no fmt chunk");
  if (!data) return fail("no data chunk");
  const { format, channels, rate, bits } = fmt;
  if (channels < 1) fail(`invalid channel count ${channels}`);
  if (rate < 1) fail(`invalid sample rate ${rate}`);
  const pcmOk = format === FORMAT_PCM && [8, 16, 24, 32].includes(bits);
  const floatOk = format === FORMAT_FLOAT && (bits === 32 || bits === 64);
  if (!pcmOk && !floatOk) {
    fail(
      `unsupported WAV encoding (format ${format}, ${bits} bits); supported: PCM 8/16/24/32-bit, ` +
        "float 32/64-bit",
    );
  }
  const width = bits / 8, frameBytes = width * channels;
  if (fmt.align !== frameBytes) {
    fail(`block align ${fmt.align} does not match ${channels} channels x ${bits} bits`);
  }
  const frames = Math.floor(data.length / frameBytes);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read: (offset: number) => number = format === FORMAT_FLOAT
    ? bits === 32 ? (o) => dv.getFloat32(o, true) : (o) => dv.getFloat64(o, true)
    : bits === 8
    ? (o) => (dv.getUint8(o) - 128) / 128
    : bits === 16
    ? (o) => dv.getInt16(o, true) / 32768
    : bits === 24
    ? (o) => ((dv.getUint8(o) | (dv.getUint8(o + 1) << 8) | (dv.getInt8(o + 2) << 16)) / 8388608)
    : (o) => dv.getInt32(o, true) / 2147483648;
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const v = read(f * frameBytes + c * width);
      // integer PCM is always within [-1, 1); only float samples can be out of range
      if (!(Math.abs(v) <= maxAbs)) {
        fail(
          Number.isFinite(v)
            ? `sample ${f} is ${v} (channel ${c}), beyond the sane range +-${maxAbs} ` +
              "(raise maxAbsSample if the file is really that loud)"
            : `sample ${f} is not finite (${v}, channel ${c})`,
        );
      }
      sum += v;
    }
    samples[f] = sum / channels;
  }
  return { samples, sampleRate: rate, channels };
}

/**
 * Read and decode a WAV file.
 *
 * @param path The file.
 * @param opts Limits (see {@linkcode WavDecodeOptions}).
 * @returns Mono samples, sample rate and channel count (see {@linkcode decodeWav}).
 * @throws Error naming `path` when the file is missing; DecodeError when it is not a
 *   supported WAV.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readWav, writeWav } from "@avscene/avscene/audio";
 * const dir = await Deno.makeTempDir();
 * await writeWav(`${dir}/a.wav`, Float32Array.of(0.25, -0.25), 16000);
 * assert.equal((await readWav(`${dir}/a.wav`)).samples[0], 0.25);
 * ```
 * @category data
 */
export async function readWav(path: string, opts: WavDecodeOptions = {}): Promise<WavAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read WAV file (${(e as Error).message})`);
  }
  return decodeWav(bytes, path, opts);
}

/**
 * Encode mono samples as a WAV file: 16-bit PCM (`round(v * 32768)`, clipped to the int16
 * range, so decoding a 16-bit file and encoding it again gives the same bytes) or 32-bit float
 * (lossless for float32 samples).
 *
 * @param samples Mono samples in [-1, 1] (16-bit clips outside).
 * @param sampleRate Sample rate in Hz (positive integer).
 * @param opts Sample encoding.
 * @returns The file's bytes (a 44-byte canonical header, then the data).
 * @throws Error naming the first non-finite sample, or a bad sample rate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWav } from "@avscene/avscene/audio";
 * assert.equal(encodeWav(new Float32Array(10), 8000, { bitDepth: "32f" }).length, 84);
 * ```
 * @category data
 */
export function encodeWav(
  samples: ArrayLike<number>,
  sampleRate: number,
  opts: WavEncodeOptions = {},
): Uint8Array {
  const bitDepth = opts.bitDepth ?? 16;
  if (bitDepth !== 16 && bitDepth !== "32f") {
    throw new Error(`encodeWav: bitDepth must be 16 or "32f", got ${bitDepth}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 1) {
    throw new Error(`encodeWav: sampleRate must be a positive integer, got ${sampleRate}`);
  }
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new Error(`encodeWav: samples[${i}] is not finite (${samples[i]})`);
    }
  }
  const width = bitDepth === 16 ? 2 : 4;
  const dataBytes = samples.length * width;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, bitDepth === 16 ? FORMAT_PCM : FORMAT_FLOAT, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * width, true);
  view.setUint16(32, width, true);
  view.setUint16(34, width * 8, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  if (bitDepth === 16) {
    for (let i = 0; i < samples.length; i++) {
      const v = Math.round(samples[i] * 32768);
      view.setInt16(44 + 2 * i, v > 32767 ? 32767 : v < -32768 ? -32768 : v, true);
    }
  } else {
    for (let i = 0; i < samples.length; i++) view.setFloat32(44 + 4 * i, samples[i], true);
  }
  // odd data sizes cannot occur: widths are 2 or 4 bytes, so no pad byte is needed
  return bytes;
}

/**
 * Write mono samples to a WAV file atomically (temporary file, then rename).
 *
 * @param path The target file.
 * @param samples Mono samples.
 * @param sampleRate Sample rate in Hz.
 * @param opts Sample encoding (see {@linkcode encodeWav}).
 * @throws Error naming `path` for non-finite samples or a bad sample rate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeWav } from "@avscene/avscene/audio";
 * const dir = await Deno.makeTempDir();
 * await writeWav(`${dir}/silence.wav`, new Float32Array(8000), 8000);
 * assert.equal((await Deno.stat(`${dir}/silence.wav`)).size, 16044);
 * ```
 * @category data
 */
export async function writeWav(
  path: string,
  samples: ArrayLike<number>,
  sampleRate: number,
  opts: WavEncodeOptions = {},
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encodeWav(samples, sampleRate, opts);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  await writeFileAtomic(path, bytes);
}
