import assert from "node:assert/strict";
import { decodeWav, encodeWav, readWav, writeWav } from "../lib/audio/mod.ts";
import { DecodeError } from "../lib/io/mod.ts";
import { Rng } from "../lib/random/mod.ts";

/** A WAV file assembled by hand, independent of encodeWav: header fields + raw sample bytes. */
function rawWav(opts: {
  format: number;
  channels: number;
  rate: number;
  bits: number;
  data: Uint8Array;
  extensibleSubFormat?: number;
  extraChunk?: boolean;
}): Uint8Array {
  const ext = opts.extensibleSubFormat !== undefined;
  const fmtSize = ext ? 40 : 16;
  const extra = opts.extraChunk ? 8 + 3 + 1 : 0; // an odd-sized LIST chunk plus its pad byte
  const bytes = new Uint8Array(12 + 8 + fmtSize + extra + 8 + opts.data.length);
  const v = new DataView(bytes.buffer);
  const put = (at: number, s: string) =>
    [...s].forEach((c, i) => (bytes[at + i] = c.charCodeAt(0)));
  put(0, "RIFF");
  v.setUint32(4, bytes.length - 8, true);
  put(8, "WAVE");
  let at = 12;
  if (opts.extraChunk) {
    put(at, "LIST");
    v.setUint32(at + 4, 3, true);
    at += 12;
  }
  put(at, "fmt ");
  v.setUint32(at + 4, fmtSize, true);
  v.setUint16(at + 8, ext ? 0xfffe : opts.format, true);
  v.setUint16(at + 10, opts.channels, true);
  v.setUint32(at + 12, opts.rate, true);
  const align = (opts.channels * opts.bits) / 8;
  v.setUint32(at + 16, opts.rate * align, true);
  v.setUint16(at + 20, align, true);
  v.setUint16(at + 22, opts.bits, true);
  if (ext) {
    v.setUint16(at + 24, 22, true); // cbSize
    v.setUint16(at + 26, opts.bits, true); // valid bits
    v.setUint32(at + 28, opts.channels === 2 ? 3 : 4, true); // channel mask
    v.setUint16(at + 32, opts.extensibleSubFormat!, true); // GUID starts with the format code
  }
  at += 8 + fmtSize;
  put(at, "data");
  v.setUint32(at + 4, opts.data.length, true);
  bytes.set(opts.data, at + 8);
  return bytes;
}

function le(values: number[], width: number, signed = true): Uint8Array {
  const out = new Uint8Array(values.length * width);
  values.forEach((x, i) => {
    let u = signed && x < 0 ? x + 2 ** (8 * width) : x;
    for (let b = 0; b < width; b++) {
      out[i * width + b] = u & 0xff;
      u = Math.floor(u / 256);
    }
  });
  return out;
}

Deno.test("decodeWav reads hand-made PCM 8/16/24/32-bit, float and extensible files", () => {
  const cases = [
    { bits: 8, format: 1, data: Uint8Array.of(0, 128, 255, 64), want: [-1, 0, 127 / 128, -0.5] },
    {
      bits: 16,
      format: 1,
      data: le([-32768, 0, 16384, 32767], 2),
      want: [-1, 0, 0.5, 32767 / 32768],
    },
    {
      bits: 24,
      format: 1,
      data: le([-8388608, 4194304, -1, 8388607], 3),
      want: [-1, 0.5, -1 / 8388608, 8388607 / 8388608],
    },
    {
      bits: 32,
      format: 1,
      data: le([-2147483648, 1073741824, 0, -536870912], 4),
      want: [-1, 0.5, 0, -0.25],
    },
  ];
  for (const c of cases) {
    const wav = decodeWav(rawWav({ ...c, channels: 1, rate: 22050 }), `pcm${c.bits}.wav`);
    assert.equal(wav.sampleRate, 22050);
    assert.equal(wav.channels, 1);
    assert.deepEqual(Array.from(wav.samples), c.want.map(Math.fround), `${c.bits}-bit`);
  }
  const floats = new Uint8Array(Float32Array.of(0.25, -0.75, 1.5).buffer);
  const f = decodeWav(rawWav({ format: 3, channels: 1, rate: 8000, bits: 32, data: floats }), "f");
  assert.deepEqual(Array.from(f.samples), [0.25, -0.75, 1.5]);
  // stereo extensible 16-bit, with an odd-sized chunk before fmt: channels are averaged
  const stereo = rawWav({
    format: 1,
    channels: 2,
    rate: 44100,
    bits: 16,
    data: le([16384, -16384, 32767, 32767, -8192, 0], 2),
    extensibleSubFormat: 1,
    extraChunk: true,
  });
  const s = decodeWav(stereo, "stereo.wav");
  assert.equal(s.channels, 2);
  assert.deepEqual(Array.from(s.samples), [0, 32767 / 32768, -0.125].map(Math.fround));
  const extFloat = rawWav({
    format: 3,
    channels: 1,
    rate: 8000,
    bits: 32,
    data: floats,
    extensibleSubFormat: 3,
  });
  assert.deepEqual(Array.from(decodeWav(extFloat, "x").samples), [0.25, -0.75, 1.5]);
});

Deno.test("encodeWav / decodeWav round trips are byte-exact (16-bit and float)", async () => {
  const rng = new Rng(5);
  const dir = await Deno.makeTempDir();
  try {
    const x = Float32Array.from(
      { length: 1001 },
      () => Math.max(-1, Math.min(0.999, rng.normal() / 3)),
    );
    for (const bitDepth of [16, "32f"] as const) {
      const path = `${dir}/a-${bitDepth}.wav`;
      await writeWav(path, x, 16000, { bitDepth });
      const first = await Deno.readFile(path);
      const wav = await readWav(path);
      assert.equal(wav.sampleRate, 16000);
      assert.equal(wav.samples.length, x.length);
      const err = wav.samples.reduce((m, v, i) => Math.max(m, Math.abs(v - x[i])), 0);
      assert.ok(err <= (bitDepth === 16 ? 0.5 / 32768 : 0), `${bitDepth}: max error ${err}`);
      // decoding then encoding again reproduces the file exactly
      assert.deepEqual(encodeWav(wav.samples, wav.sampleRate, { bitDepth }), first);
    }
    // the hand-made 16-bit file re-encodes to the same sample bytes
    const hand = rawWav({
      format: 1,
      channels: 1,
      rate: 8000,
      bits: 16,
      data: le([-5, 7, 32767], 2),
    });
    const again = encodeWav(decodeWav(hand, "hand").samples, 8000);
    assert.deepEqual(again, hand);
    // the temporary file of the atomic write is gone
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), ["a-16.wav", "a-32f.wav"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("16-bit encoding clips out-of-range samples to the int16 range", () => {
  const w = decodeWav(encodeWav(Float32Array.of(2, -3, 1), 8000), "clip");
  assert.deepEqual(Array.from(w.samples), [32767 / 32768, -1, 32767 / 32768].map(Math.fround));
});

Deno.test("bad WAV input is an error naming the file", async () => {
  const good = encodeWav(Float32Array.of(0.1, 0.2, 0.3), 8000);
  assert.throws(() => decodeWav(new Uint8Array(5), "tiny.wav"), /tiny\.wav: .*too short/);
  assert.throws(
    () => decodeWav(new TextEncoder().encode("RIFF....AVI LIST"), "movie.wav"),
    /movie\.wav: not a WAV/,
  );
  assert.throws(
    () => decodeWav(good.subarray(0, good.length - 2), "cut.wav"),
    /cut\.wav: truncated/,
  );
  assert.throws(
    () => decodeWav(good.subarray(0, 30), "header.wav"),
    /header\.wav: truncated 'fmt '/,
  );
  const adpcm = rawWav({ format: 2, channels: 1, rate: 8000, bits: 4, data: new Uint8Array(4) });
  assert.throws(() => decodeWav(adpcm, "adpcm.wav"), /adpcm\.wav: unsupported WAV encoding/);
  const nan = new Uint8Array(Float32Array.of(0, NaN).buffer);
  assert.throws(
    () => decodeWav(rawWav({ format: 3, channels: 1, rate: 8000, bits: 32, data: nan }), "nan.wav"),
    /nan\.wav: sample 1 is not finite/,
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(readWav(`${dir}/missing.wav`), /missing\.wav: cannot read/);
    await assert.rejects(
      writeWav(`${dir}/bad.wav`, Float32Array.of(0, NaN), 8000),
      /bad\.wav: .*samples\[1\] is not finite/,
    );
    await assert.rejects(
      writeWav(`${dir}/rate.wav`, new Float32Array(2), 0),
      /rate\.wav: .*sampleRate/,
    );
    await assert.rejects(Deno.stat(`${dir}/bad.wav`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeWav accepts streamed sizes and unpadded odd chunks", () => {
  const good = encodeWav(Float32Array.of(0.5, -0.25, 0.125), 8000); // data chunk at byte 36
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const size of [0xffffffff, 0]) {
    const streamed = good.slice();
    view(streamed).setUint32(4, size, true); // RIFF size
    view(streamed).setUint32(40, size, true); // data size
    assert.deepEqual(Array.from(decodeWav(streamed, "s.wav").samples), [0.5, -0.25, 0.125]);
  }
  // a streamed file cut mid-frame keeps the whole frames
  const cut = good.slice(0, good.length - 1);
  view(cut).setUint32(40, 0xffffffff, true);
  assert.deepEqual(Array.from(decodeWav(cut, "c.wav").samples), [0.5, -0.25]);
  // an empty data chunk followed by another chunk is an empty clip, not a streamed one
  const empty = new Uint8Array(44 + 12);
  empty.set(good.subarray(0, 44));
  view(empty).setUint32(40, 0, true);
  empty.set([..."LIST"].map((c) => c.charCodeAt(0)), 44);
  view(empty).setUint32(48, 4, true);
  assert.equal(decodeWav(empty, "e.wav").samples.length, 0);

  // an odd-sized chunk without its pad byte before fmt and data
  const odd = new Uint8Array(good.length + 11);
  odd.set(good.subarray(0, 12));
  odd.set([..."junk"].map((c) => c.charCodeAt(0)), 12);
  view(odd).setUint32(16, 3, true);
  odd.set([1, 2, 3], 20);
  odd.set(good.subarray(12), 23);
  const unpadded = odd.subarray(0, good.length + 11);
  assert.deepEqual(
    Array.from(decodeWav(unpadded, "odd.wav").samples),
    [0.5, -0.25, 0.125].map((x) => Math.fround(x)),
  );
});

Deno.test("decodeWav rejects float samples beyond the sane range with a DecodeError", () => {
  const loud = new Uint8Array(Float32Array.of(0, 1e30, -1e30).buffer);
  const file = rawWav({ format: 3, channels: 1, rate: 8000, bits: 32, data: loud });
  assert.throws(
    () => decodeWav(file, "loud.wav"),
    (e) =>
      e instanceof DecodeError && e.file === "loud.wav" &&
      /loud\.wav: sample 1 is 1\.0\d*e\+30 .*beyond the sane range \+-64/.test(e.message),
  );
  // two channels that cancel are still caught per channel
  const stereo = rawWav({ format: 3, channels: 2, rate: 8000, bits: 32, data: loud.slice(4) });
  assert.throws(() => decodeWav(stereo, "st.wav"), DecodeError);
  // slightly over full scale is fine; the limit is an option
  const hot = new Uint8Array(Float32Array.of(1.5, -2).buffer);
  const hotFile = rawWav({ format: 3, channels: 1, rate: 8000, bits: 32, data: hot });
  assert.deepEqual(Array.from(decodeWav(hotFile, "hot.wav").samples), [1.5, -2]);
  assert.throws(() => decodeWav(hotFile, "hot.wav", { maxAbsSample: 1 }), /beyond.*\+-1 /);
  assert.throws(() => decodeWav(hotFile, "hot.wav", { maxAbsSample: 0 }), /maxAbsSample/);
  // every decode failure is a DecodeError
  assert.throws(() => decodeWav(new Uint8Array(5), "short.wav"), DecodeError);
});
