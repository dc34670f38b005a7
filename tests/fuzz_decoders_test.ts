/**
 * Seeded fuzzing of the file decoders: valid WAV, PNG and JPEG files are mutated (bytes
 * overwritten, size fields set to extremes, bytes inserted or deleted) and truncated; every
 * input must decode or throw a `DecodeError`, quickly, and never decode to more than its limit.
 */
import assert from "node:assert/strict";
import { decodeWav, encodeWav } from "../lib/audio/mod.ts";
import { decodeImage, encodeJpeg, encodePng } from "../lib/vision/mod.ts";
import { DecodeError } from "../lib/io/mod.ts";
import { Rng } from "../lib/random/mod.ts";

const CASES_PER_SEED = 600; // x 3 seeds x 3 formats = 5400 inputs
const SEEDS = [1, 2, 3];
const MAX_PIXELS = 1 << 16; // a small cap: a mutated header declaring more must be rejected
const SLOW_MS = 2000; // one decode taking longer counts as a hang

/** Extreme values for 16/32-bit fields: what breaks naive size arithmetic. */
const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0xffffffff];

/** An integer in [0, n). */
function below(rng: Rng, n: number): number {
  return rng.int(0, Math.max(0, n - 1));
}

function mutate(rng: Rng, file: Uint8Array): Uint8Array {
  const kind = below(rng, 5);
  if (kind === 0) return file.slice(0, below(rng, file.length)); // truncation
  let out = file.slice();
  if (kind === 1) { // a few random bytes
    for (let i = rng.int(1, 8); i > 0; i--) out[below(rng, out.length)] = below(rng, 256);
  } else if (kind === 2) { // a 32-bit field (either endianness) set to an extreme value
    const at = below(rng, out.length - 3);
    const v = EXTREMES[below(rng, EXTREMES.length)];
    new DataView(out.buffer).setUint32(at, v, rng.uniform() < 0.5);
  } else if (kind === 3) { // bytes inserted
    const at = below(rng, out.length + 1), n = rng.int(1, 16);
    const ins = Uint8Array.from({ length: n }, () => below(rng, 256));
    out = Uint8Array.from([...out.subarray(0, at), ...ins, ...out.subarray(at)]);
  } else { // bytes deleted
    const at = below(rng, out.length), n = rng.int(1, 16);
    out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + n)]);
  }
  return out;
}

interface Outcome {
  decoded: number;
  rejected: number;
}

function fuzz(
  name: string,
  seeds: Uint8Array[],
  decode: (bytes: Uint8Array, name: string) => number, // returns the decoded element count
  maxElements: (bytes: Uint8Array) => number,
  fixUp: (bytes: Uint8Array, rng: Rng) => Uint8Array = (bytes) => bytes,
): Outcome {
  const outcome: Outcome = { decoded: 0, rejected: 0 };
  for (const seed of SEEDS) {
    const rng = new Rng(seed);
    for (let c = 0; c < CASES_PER_SEED; c++) {
      const file = seeds[below(rng, seeds.length)];
      const input = fixUp(mutate(rng, file), rng);
      const label = `${name} seed ${seed} case ${c}`;
      const t0 = performance.now();
      try {
        const elements = decode(input, label);
        assert.ok(
          elements <= maxElements(input),
          `${label}: decoded ${elements} values, over the limit`,
        );
        outcome.decoded++;
      } catch (e) {
        if (!(e instanceof DecodeError)) {
          throw new Error(`${label}: not a DecodeError: ${(e as Error)?.stack ?? e}`);
        }
        assert.ok(e.message.startsWith(`${label}: `), `${label}: error does not name the file`);
        outcome.rejected++;
      }
      const ms = performance.now() - t0;
      assert.ok(ms < SLOW_MS, `${label}: took ${ms.toFixed(0)} ms`);
    }
  }
  return outcome;
}

/** A stereo 24-bit PCM WAV with an odd-sized, padded LIST chunk before fmt. */
function stereo24(data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(12 + 12 + 24 + 8 + data.length);
  const v = new DataView(bytes.buffer);
  const put = (at: number, id: string) =>
    [...id].forEach((c, i) => bytes[at + i] = c.charCodeAt(0));
  put(0, "RIFF");
  v.setUint32(4, bytes.length - 8, true);
  put(8, "WAVE");
  put(12, "LIST");
  v.setUint32(16, 3, true); // 3 bytes + 1 pad byte
  put(24, "fmt ");
  v.setUint32(28, 16, true);
  v.setUint16(32, 1, true); // PCM
  v.setUint16(34, 2, true); // channels
  v.setUint32(36, 44100, true);
  v.setUint32(40, 44100 * 6, true);
  v.setUint16(44, 6, true); // block align
  v.setUint16(46, 24, true);
  put(48, "data");
  v.setUint32(52, data.length, true);
  bytes.set(data, 56);
  return bytes;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Recompute the CRC of every whole chunk, so mutations reach the inflater and filters. */
function fixPngCrcs(png: Uint8Array): Uint8Array {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let at = 8; at + 12 <= png.length;) {
    const len = v.getUint32(at);
    if (at + 12 + len > png.length) break;
    v.setUint32(at + 8 + len, crc32(png.subarray(at + 4, at + 8 + len)));
    at += 12 + len;
  }
  return png;
}

function image(rng: Rng, height: number, width: number) {
  return {
    data: Float32Array.from({ length: height * width * 3 }, () => rng.uniform()),
    height,
    width,
  };
}

Deno.test("fuzz: mutated and truncated WAV files decode or throw DecodeError", () => {
  const rng = new Rng(10);
  const tone = Float32Array.from({ length: 300 }, (_, t) => 0.5 * Math.sin(0.1 * t));
  const seeds = [
    encodeWav(tone, 8000),
    encodeWav(tone, 16000, { bitDepth: "32f" }),
    stereo24(Uint8Array.from({ length: 6 * 50 }, () => below(rng, 256))),
  ];
  assert.equal(decodeWav(seeds[2], "stereo24.wav").samples.length, 50); // the seeds are valid
  const { decoded, rejected } = fuzz(
    "wav",
    seeds,
    (bytes, name) => decodeWav(bytes, name).samples.length,
    (bytes) => bytes.length, // one sample takes at least one byte
  );
  assert.equal(decoded + rejected, CASES_PER_SEED * SEEDS.length);
  assert.ok(decoded > 0 && rejected > 0, `decoded ${decoded}, rejected ${rejected}`);
});

Deno.test("fuzz: mutated and truncated PNG files decode or throw DecodeError", () => {
  const rng = new Rng(11);
  const seeds = [encodePng(image(rng, 8, 8)), encodePng(image(rng, 3, 17))];
  const { decoded, rejected } = fuzz(
    "png",
    seeds,
    (bytes, name) => {
      const img = decodeImage(bytes, name, { maxPixels: MAX_PIXELS });
      assert.equal(img.data.length, img.height * img.width * 3);
      return img.height * img.width;
    },
    () => MAX_PIXELS,
    // half the cases get valid CRCs, so the damage reaches past the checksum
    (bytes, rng) => rng.uniform() < 0.5 ? fixPngCrcs(bytes) : bytes,
  );
  assert.equal(decoded + rejected, CASES_PER_SEED * SEEDS.length);
  assert.ok(decoded > 0 && rejected > 0, `decoded ${decoded}, rejected ${rejected}`);
});

Deno.test("fuzz: mutated and truncated JPEG files decode or throw DecodeError", () => {
  const rng = new Rng(12);
  const seeds = [encodeJpeg(image(rng, 16, 16), 80), encodeJpeg(image(rng, 9, 23), 50)];
  const { decoded, rejected } = fuzz(
    "jpeg",
    seeds,
    (bytes, name) => {
      const img = decodeImage(bytes, name, { maxPixels: MAX_PIXELS });
      assert.equal(img.data.length, img.height * img.width * 3);
      return img.height * img.width;
    },
    () => MAX_PIXELS,
  );
  assert.equal(decoded + rejected, CASES_PER_SEED * SEEDS.length);
  assert.ok(decoded > 0 && rejected > 0, `decoded ${decoded}, rejected ${rejected}`);
});
