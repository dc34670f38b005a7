/**
 * MP3 (MPEG-1/2 Layer I/II/III) decoding with `mpg123-decoder` (mpg123 built to WebAssembly),
 * behind the same mono-float result as WAV decoding. MUSIC and the SoundNet-Flickr originals
 * ship their audio as MP3.
 *
 * @module
 */
import { MPEGDecoder } from "mpg123-decoder";
import type { WavAudio } from "./wav.ts";

/**
 * Decode the bytes of an MP3 file to mono float samples (channels averaged). The decoder's
 * output keeps the encoder's delay and padding (a few hundred samples of near silence at
 * each end), as `ffmpeg -i x.mp3 x.wav` does.
 *
 * @param bytes The whole file.
 * @param name The file's name, quoted in every error.
 * @returns Mono samples, the sample rate and the number of channels of the stream.
 * @throws Error naming `name` when no MPEG audio frame decodes (not an MP3, or corrupt) or
 *   the decoder reports errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMp3 } from "@avscene/avscene/audio";
 * await assert.rejects(
 *   () => decodeMp3(new Uint8Array(16), "noise.mp3"),
 *   /^Error: noise\.mp3: not an MP3 file \(no MPEG audio frame decoded\)/,
 * );
 * ```
 * @category data
 */
export async function decodeMp3(bytes: Uint8Array, name: string): Promise<WavAudio> {
  const decoder = new MPEGDecoder();
  try {
    await decoder.ready;
    const out = decoder.decode(bytes);
    if (out.samplesDecoded === 0 || out.channelData.length === 0 || !(out.sampleRate > 0)) {
      throw new Error(`${name}: not an MP3 file (no MPEG audio frame decoded)`);
    }
    if (out.errors.length > 0) {
      const e = out.errors[0];
      throw new Error(
        `${name}: corrupt MP3 (${out.errors.length} decoder error(s), first: ${e.message} at frame ${e.frameNumber})`,
      );
    }
    const channels = out.channelData.length;
    const n = out.samplesDecoded;
    const samples = new Float32Array(n);
    for (const ch of out.channelData) for (let i = 0; i < n; i++) samples[i] += ch[i] / channels;
    return { samples, sampleRate: out.sampleRate, channels };
  } finally {
    decoder.free();
  }
}

/**
 * Read and decode an MP3 file (see {@linkcode decodeMp3}).
 *
 * @param path The file.
 * @returns Mono samples, sample rate, channels.
 * @throws Error naming `path` when it cannot be read or decoded.
 *
 * @example
 * ```ts ignore
 * // needs the real dataset on disk: shown, not run by `deno test --doc`
 * import assert from "node:assert/strict";
 * import { readMp3 } from "@avscene/avscene/audio";
 * const { samples, sampleRate } = await readMp3("MUSIC/audios/solo/violin/x.mp3");
 * assert.ok(samples.length > 0 && sampleRate > 0);
 * ```
 * @category data
 */
export async function readMp3(path: string): Promise<WavAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read MP3 file (${(e as Error).message})`);
  }
  return await decodeMp3(bytes, path);
}
