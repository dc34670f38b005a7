import assert from "node:assert/strict";
import { encodeMp3Fixture } from "./media_fixtures.ts";
import { decodeMp3, readAudio } from "../lib/audio/mod.ts";

function tone(freq: number, rate: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, t) => 0.5 * Math.sin(2 * Math.PI * freq * t / rate));
}

/** Best normalised cross-correlation of `b` against `a` over lags 0..maxLag. */
function bestCorrelation(a: Float32Array, b: Float32Array, maxLag: number): number {
  let best = -1;
  for (let lag = 0; lag <= maxLag; lag++) {
    let ab = 0, aa = 0, bb = 0;
    for (let i = 0; i < a.length && i + lag < b.length; i++) {
      ab += a[i] * b[i + lag];
      aa += a[i] * a[i];
      bb += b[i + lag] * b[i + lag];
    }
    best = Math.max(best, ab / Math.sqrt(aa * bb));
  }
  return best;
}

Deno.test("decodeMp3 recovers a LAME-encoded tone: rate, length and waveform", async () => {
  const rate = 16000, n = 16000;
  const x = tone(440, rate, n);
  const wav = await decodeMp3(encodeMp3Fixture(x, rate), "tone.mp3");
  assert.equal(wav.sampleRate, rate);
  // encoder delay and padding add at most a few frames of 1152 samples
  assert(wav.samples.length >= n && wav.samples.length <= n + 3 * 1152, `${wav.samples.length}`);
  const corr = bestCorrelation(x.subarray(2000, 14000), wav.samples.subarray(2000), 2400);
  assert(corr > 0.98, `correlation ${corr}`);
});

Deno.test("readAudio reads .mp3 and .wav alike and names a bad file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const x = tone(300, 8000, 8000);
    await Deno.writeFile(`${dir}/a.MP3`, encodeMp3Fixture(x, 8000, 32));
    const mp3 = await readAudio(`${dir}/a.MP3`);
    assert.equal(mp3.sampleRate, 8000);
    await Deno.writeFile(`${dir}/bad.mp3`, new Uint8Array(64).fill(7));
    await assert.rejects(() => readAudio(`${dir}/bad.mp3`), new RegExp(`${dir}/bad.mp3`));
    await assert.rejects(() => readAudio(`${dir}/x.ogg`), /unsupported audio format/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
