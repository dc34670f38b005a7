import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import {
  decodeImage,
  encodeJpeg,
  encodePng,
  IMAGENET_MEAN,
  IMAGENET_STD,
  normalizeImage,
  readImage,
  resizeImage,
  sniffImageFormat,
  writeJpeg,
  writePng,
} from "../lib/vision/mod.ts";
import type { RGBImage } from "../lib/data/types.ts";
import { DecodeError } from "../lib/io/mod.ts";
import { Rng } from "../lib/random/mod.ts";

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG assembled by hand (zlib from node, chunks and CRCs here), independent of fast-png. */
function rawPng(
  width: number,
  height: number,
  colorType: number,
  depth: number,
  rows: number[][],
  palette?: number[][],
): Uint8Array {
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length), v = new DataView(out.buffer);
    v.setUint32(0, body.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(body, 8);
    v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const raw = Uint8Array.from(rows.flatMap((r) => [0, ...r])); // filter type 0 per row
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    ...(palette ? [chunk("PLTE", Uint8Array.from(palette.flat()))] : []),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), at += p.length);
  return out;
}

function randomImage(rng: Rng, height: number, width: number): RGBImage {
  return {
    data: Float32Array.from({ length: height * width * 3 }, () => rng.uniform()),
    height,
    width,
  };
}

Deno.test("decodeImage reads hand-made gray, gray+alpha, RGBA-16 and palette PNGs", () => {
  const gray = decodeImage(rawPng(2, 1, 0, 8, [[0, 255]]), "gray.png");
  assert.deepEqual([gray.height, gray.width], [1, 2]);
  assert.deepEqual(Array.from(gray.data), [0, 0, 0, 1, 1, 1]);
  const ga = decodeImage(rawPng(1, 1, 4, 8, [[51, 7]]), "ga.png");
  assert.deepEqual(Array.from(ga.data), [0.2, 0.2, 0.2].map(Math.fround));
  // 16-bit RGBA, big-endian samples: (65535, 0, 32768, alpha 1234)
  const rgba16 = decodeImage(rawPng(1, 1, 6, 16, [[255, 255, 0, 0, 128, 0, 4, 210]]), "rgba16.png");
  assert.deepEqual(Array.from(rgba16.data), [1, 0, 32768 / 65535].map(Math.fround));
  // 2-bit palette, 3 pixels packed in one byte: indices 2, 0, 1
  const pal = decodeImage(
    rawPng(3, 1, 3, 2, [[0b10_00_01_00]], [[255, 0, 0], [0, 255, 0], [0, 0, 255]]),
    "pal.png",
  );
  assert.deepEqual(Array.from(pal.data), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  // 1-bit gray, 10 pixels over two bytes
  const bits = decodeImage(rawPng(10, 1, 0, 1, [[0b10110000, 0b01000000]]), "bits.png");
  assert.deepEqual(
    Array.from({ length: 10 }, (_, i) => bits.data[3 * i]),
    [1, 0, 1, 1, 0, 0, 0, 0, 0, 1],
  );
});

Deno.test("PNG round trips are byte-exact; JPEG round trips are close", async () => {
  const rng = new Rng(7);
  const img = randomImage(rng, 9, 13);
  const dir = await Deno.makeTempDir();
  try {
    await writePng(`${dir}/a.png`, img);
    const bytes = await Deno.readFile(`${dir}/a.png`);
    assert.equal(sniffImageFormat(bytes), "png");
    const back = await readImage(`${dir}/a.png`);
    assert.deepEqual([back.height, back.width], [9, 13]);
    const err = back.data.reduce((m, v, i) => Math.max(m, Math.abs(v - img.data[i])), 0);
    assert.ok(err <= 0.5 / 255 + 1e-7, `8-bit quantisation error ${err}`);
    assert.deepEqual(encodePng(back), bytes);
    // a hand-made RGB PNG re-encodes to the same pixels
    const hand = decodeImage(rawPng(2, 1, 2, 8, [[10, 20, 30, 40, 50, 60]]), "hand.png");
    assert.deepEqual(decodeImage(encodePng(hand), "again.png"), hand);
    // JPEG: a smooth image survives quality 95 within a few grey levels
    const smooth: RGBImage = {
      data: Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => {
        const p = Math.floor(i / 3), c = i % 3;
        return 0.2 + 0.6 * (((p % 16) + Math.floor(p / 16)) / 30) * (c === 1 ? 0.5 : 1);
      }),
      height: 16,
      width: 16,
    };
    await writeJpeg(`${dir}/s.jpg`, smooth, 95);
    const jpg = await readImage(`${dir}/s.jpg`);
    assert.equal(sniffImageFormat(await Deno.readFile(`${dir}/s.jpg`)), "jpeg");
    let sum = 0;
    for (let i = 0; i < jpg.data.length; i++) sum += Math.abs(jpg.data[i] - smooth.data[i]);
    assert.ok(sum / jpg.data.length < 0.02, `mean JPEG error ${sum / jpg.data.length}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("corrupt, truncated or unknown images are errors naming the file", async () => {
  const png = encodePng(randomImage(new Rng(1), 8, 8));
  const jpg = encodeJpeg(randomImage(new Rng(2), 16, 16));
  assert.throws(
    () => decodeImage(new TextEncoder().encode("GIF89a...."), "anim.gif"),
    /anim\.gif: not a PNG or JPEG/,
  );
  assert.throws(
    () => decodeImage(png.subarray(0, png.length - 20), "cut.png"),
    /cut\.png: corrupt PNG/,
  );
  const flipped = png.slice();
  flipped[40] ^= 0xff; // inside IDAT: the CRC no longer matches
  assert.throws(() => decodeImage(flipped, "crc.png"), /crc\.png: corrupt PNG/);
  assert.throws(() => decodeImage(jpg.subarray(0, 200), "cut.jpg"), /cut\.jpg: corrupt JPEG/);
  await assert.rejects(readImage("/nonexistent/frame.jpg"), /frame\.jpg: cannot read/);
  assert.throws(
    () => encodePng({ data: new Float32Array(5), height: 1, width: 2 }),
    /encodePng: image data has 5 values/,
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      writePng(`${dir}/nan.png`, { data: Float32Array.of(0, NaN, 0), height: 1, width: 1 }),
      /nan\.png: .*not finite/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resizeImage: bilinear up, area-like down, constant images stay constant", () => {
  const constant: RGBImage = { data: new Float32Array(5 * 7 * 3).fill(0.3), height: 5, width: 7 };
  for (const [h, w] of [[10, 3], [2, 20], [1, 1], [5, 7]]) {
    const r = resizeImage(constant, h, w);
    assert.deepEqual([r.height, r.width, r.data.length], [h, w, h * w * 3]);
    assert.ok(r.data.every((v) => Math.abs(v - 0.3) < 1e-6));
  }
  // enlarging a 1x2 ramp by 2: pixel centres 0.25, 0.75, 1.25, 1.75 in input units
  const ramp: RGBImage = { data: Float32Array.of(0, 0, 0, 1, 1, 1), height: 1, width: 2 };
  const up = resizeImage(ramp, 1, 4);
  assert.deepEqual(Array.from({ length: 4 }, (_, i) => up.data[3 * i]), [0, 0.25, 0.75, 1]);
  // shrinking a fine checkerboard by 8 averages it to grey instead of picking one colour
  const n = 32;
  const checker: RGBImage = {
    data: Float32Array.from({ length: n * n * 3 }, (_, i) => {
      const p = Math.floor(i / 3);
      return (Math.floor(p / n) + (p % n)) % 2;
    }),
    height: n,
    width: n,
  };
  const small = resizeImage(checker, 4, 4);
  assert.ok(small.data.every((v) => Math.abs(v - 0.5) < 0.05), `${small.data.slice(0, 6)}`);
  // mean brightness is preserved when shrinking a random image
  const rng = new Rng(3);
  const img = randomImage(rng, 40, 60);
  const half = resizeImage(img, 20, 30);
  const mean = (d: Float32Array) => d.reduce((s, v) => s + v, 0) / d.length;
  assert.ok(Math.abs(mean(half.data) - mean(img.data)) < 5e-3);
  assert.throws(() => resizeImage(img, 0, 3), /height/);
});

Deno.test("normalizeImage subtracts the mean and divides by the std per channel", () => {
  const img: RGBImage = {
    data: Float32Array.of(0.485, 0.456, 0.406, 1, 1, 1),
    height: 1,
    width: 2,
  };
  const out = normalizeImage(img);
  assert.ok(out.subarray(0, 3).every((v) => Math.abs(v) < 1e-6), `${out.subarray(0, 3)}`);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(out[3 + c] - (1 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]) < 1e-6);
  }
  assert.deepEqual(Array.from(normalizeImage(img, [0, 0, 0], [0.5, 0.5, 0.5]).subarray(3)), [
    2,
    2,
    2,
  ]);
  assert.throws(() => normalizeImage(img, [0, 0, 0], [1, 0, 1]), /std/);
});

Deno.test("images over the pixel cap are rejected from the header, before decoding", () => {
  // a 1 x 1 PNG whose header declares 12000 x 12000 (1.7 GB as float RGB)
  const width = 12000, height = 12000;
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  const bomb = rawPng(1, 1, 0, 8, [[0]]);
  bomb.set(ihdr.subarray(0, 8), 16); // same file, header now declares 12000 x 12000
  const t0 = performance.now();
  assert.throws(
    () => decodeImage(bomb, "bomb.png"),
    (e) =>
      e instanceof DecodeError && e.file === "bomb.png" &&
      /bomb\.png: image declares 12000x12000 = 144000000 pixels, over the limit of 16777216/
        .test(e.message),
  );
  assert.ok(performance.now() - t0 < 200, "rejected from the header, not after inflating");

  // a JPEG whose frame header is patched to 60000 x 60000
  const jpg = encodeJpeg(randomImage(new Rng(3), 8, 8));
  const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
  const big = jpg.slice();
  big.set([0xea, 0x60, 0xea, 0x60], sof + 5);
  assert.throws(() => decodeImage(big, "big.jpg"), /big\.jpg: image declares 60000x60000/);

  // the cap is an option: a 4 x 4 image under maxPixels 8 fails, under 16 decodes
  const small = encodePng(randomImage(new Rng(4), 4, 4));
  assert.throws(() => decodeImage(small, "s.png", { maxPixels: 8 }), /4x4 = 16 pixels.*of 8/);
  assert.equal(decodeImage(small, "s.png", { maxPixels: 16 }).width, 4);
  const smallJpg = encodeJpeg(randomImage(new Rng(5), 4, 4));
  assert.throws(() => decodeImage(smallJpg, "s.jpg", { maxPixels: 8 }), DecodeError);
  assert.equal(decodeImage(smallJpg, "s.jpg", { maxPixels: 16 }).height, 4);
  assert.throws(() => decodeImage(small, "s.png", { maxPixels: 0 }), /maxPixels/);
});
