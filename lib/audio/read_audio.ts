/**
 * One entry point for audio files whatever their format: WAV or MP3, chosen by extension.
 *
 * @module
 */
import { extname } from "node:path";
import { readMp3 } from "./mp3.ts";
import { readWav, type WavAudio } from "./wav.ts";

/**
 * The audio file extensions {@linkcode readAudio} decodes, lower case.
 *
 * @category data
 */
export const AUDIO_EXTENSIONS: readonly string[] = [".wav", ".mp3"];

/**
 * Read a WAV or MP3 file (by its extension, case-insensitive) as mono float samples.
 *
 * @param path A `.wav` or `.mp3` file.
 * @returns Mono samples (channels averaged), sample rate and channel count.
 * @throws Error naming `path` for another extension, or when it cannot be read or decoded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAudio, writeWav } from "@avscene/avscene/audio";
 * const dir = await Deno.makeTempDir();
 * await writeWav(`${dir}/a.wav`, Float32Array.of(0.5, -0.5), 8000);
 * const a = await readAudio(`${dir}/a.wav`);
 * assert.deepEqual([a.sampleRate, a.samples[0]], [8000, 0.5]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @category data
 */
export async function readAudio(path: string): Promise<WavAudio> {
  const ext = extname(path).toLowerCase();
  if (ext === ".wav") return await readWav(path);
  if (ext === ".mp3") return await readMp3(path);
  throw new Error(
    `${path}: unsupported audio format "${ext}" (supported: ${AUDIO_EXTENSIONS.join(", ")}; ` +
      `convert others with e.g. ffmpeg -i in.m4a out.wav)`,
  );
}
