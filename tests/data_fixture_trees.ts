/**
 * Dataset trees in each native layout, written by the tests from the synthetic world (nothing
 * is downloaded): MUSIC (index CSVs, extracted frames over time, WAV or MP3 audio),
 * SoundNet-Flickr (frames, audio, annotation XML), ESC-50 (meta CSV, 5 folds) and AudioSet
 * (segments CSV, class index, media).
 *
 * @module
 */
import { join, relative } from "node:path";
import { encodeWav, writeWav } from "../lib/audio/mod.ts";
import {
  type AVClip,
  MUSIC_INSTRUMENTS,
  synthWorld,
  writeAudioSet,
  writeESC50,
  writeFlickrSoundNet,
} from "../lib/data/mod.ts";
import { encodeJpeg, writeJpeg } from "../lib/vision/mod.ts";
import { encodeMp3Fixture } from "./media_fixtures.ts";

/** Options of {@linkcode writeMusicTree}. */
export interface MusicTreeOptions {
  /** Solo videos in train.csv. */
  solo: number;
  /** Duet videos in train.csv. */
  duet: number;
  /** Solo and duet videos (each) in val.csv. */
  val: number;
  /** Seconds of each video (its audio is that many 1 s scenes in a row). */
  seconds: number;
  /** Audio sample rate. */
  sampleRate: number;
  /** Frame side. */
  imageSize: number;
  /** Extracted frames per second (one frame per scene second at 1). */
  fps: number;
  /** Write MP3 audio instead of WAV. */
  mp3?: boolean;
  /** World seed. */
  seed?: number;
  /**
   * Distinct scenes per video (default: one per second); the seconds cycle through them, which
   * writes a long tree fast.
   */
  distinctSeconds?: number;
}

/**
 * Write a MUSIC tree in the Sound-of-Pixels layout: `audios/<solo|duet>/<category>/<v>.wav`
 * (or `.mp3`), frames `frames/<solo|duet>/<category>/<v>.mp4/000001.jpg ...` at `fps`, and
 * `train.csv` / `val.csv`. A video's second `s` is synthetic scene `s` of its instruments, so
 * the frame and the sound change together over the clip. Synthetic class `k` plays
 * instrument `k` of {@linkcode MUSIC_INSTRUMENTS}.
 *
 * @returns Bytes of media written.
 */
export async function writeMusicTree(root: string, o: MusicTreeOptions): Promise<number> {
  const world = synthWorld({ seed: o.seed ?? 0, imageSize: o.imageSize, sampleRate: o.sampleRate });
  let bytes = 0;
  const rows = { train: [] as string[], val: [] as string[] };
  const plan: { split: "train" | "val"; count: 1 | 2; index: number }[] = [];
  for (let i = 0; i < o.solo; i++) plan.push({ split: "train", count: 1, index: i });
  for (let i = 0; i < o.duet; i++) plan.push({ split: "train", count: 2, index: i });
  for (let i = 0; i < o.val; i++) {
    plan.push({ split: "val", count: 1, index: 10_000 + i });
    plan.push({ split: "val", count: 2, index: 10_000 + i });
  }
  for (const { split, count, index } of plan) {
    const scenes: AVClip[] = [];
    const distinct = Math.min(o.seconds, o.distinctSeconds ?? o.seconds);
    const unique = Array.from({ length: distinct }, (_, s) => world.scene(index * 1000 + s, count));
    for (let s = 0; s < o.seconds; s++) scenes.push(unique[s % distinct]);
    // the instruments of the video are those of its first second
    const classes = scenes[0].classes!;
    const category = classes.map((k) => MUSIC_INSTRUMENTS[k]).join("_");
    const kind = count === 1 ? "solo" : "duet";
    const video = `v${split}${index}`;
    const audio = new Float32Array(o.seconds * o.sampleRate);
    scenes.forEach((c, s) => audio.set(c.audio.subarray(0, o.sampleRate), s * o.sampleRate));
    const ext = o.mp3 ? "mp3" : "wav";
    const audioPath = join(root, "audios", kind, category, `${video}.${ext}`);
    const frameDir = join(root, "frames", kind, category, `${video}.mp4`);
    await Deno.mkdir(join(audioPath, ".."), { recursive: true });
    await Deno.mkdir(frameDir, { recursive: true });
    if (o.mp3) {
      const data = encodeMp3Fixture(audio, o.sampleRate, 32);
      await Deno.writeFile(audioPath, data);
      bytes += data.length;
    } else {
      const data = encodeWav(audio, o.sampleRate);
      await Deno.writeFile(audioPath, data);
      bytes += data.length;
    }
    const frames = Math.max(1, Math.round(o.seconds * o.fps));
    const jpegs = new Map<AVClip, Uint8Array>();
    for (let f = 0; f < frames; f++) {
      const scene = scenes[Math.min(o.seconds - 1, Math.floor(f / o.fps))];
      if (!jpegs.has(scene)) jpegs.set(scene, encodeJpeg(scene.image, 90));
      const jpeg = jpegs.get(scene)!;
      await Deno.writeFile(join(frameDir, `${String(f + 1).padStart(6, "0")}.jpg`), jpeg);
      bytes += jpeg.length;
    }
    rows[split].push(`${relative(root, audioPath)},${relative(root, frameDir)},${frames}`);
  }
  await Deno.writeTextFile(join(root, "train.csv"), rows.train.join("\n") + "\n");
  if (o.val > 0) await Deno.writeTextFile(join(root, "val.csv"), rows.val.join("\n") + "\n");
  return bytes;
}

/**
 * Write a SoundNet-Flickr tree: `annotated` test clips with three annotators' boxes (in frame
 * pixels, or in a 256-pixel frame when `boxFrame256`) and `extra` unannotated training clips
 * (frame and audio only), `seconds` long.
 */
export async function writeFlickrTree(
  root: string,
  o: {
    annotated: number;
    extra: number;
    seconds: number;
    sampleRate: number;
    imageSize: number;
    seed?: number;
  },
): Promise<void> {
  const world = synthWorld({
    seed: o.seed ?? 0,
    imageSize: o.imageSize,
    sampleRate: o.sampleRate,
    duration: o.seconds,
  });
  const test = world.localizationSet(o.annotated).map((c, i) => ({ ...c, id: `${1000 + i}` }));
  await writeFlickrSoundNet(root, test);
  const extra = world.uncuratedSet(o.extra);
  await Deno.mkdir(join(root, "frames"), { recursive: true });
  for (const [i, c] of extra.entries()) {
    await writeJpeg(join(root, "frames", `${5000 + i}.jpg`), c.image, 90);
    await writeWav(join(root, "audio", `${5000 + i}.wav`), c.audio, c.sampleRate);
  }
}

/** Write an ESC-50 tree: `perClassPerFold` clips of each synthetic class in each of 5 folds. */
export async function writeESC50Tree(
  root: string,
  o: { perClassPerFold: number; seconds: number; sampleRate: number; seed?: number },
): Promise<void> {
  const world = synthWorld({
    seed: o.seed ?? 0,
    sampleRate: o.sampleRate,
    duration: o.seconds,
  });
  await writeESC50(root, world.classificationSet(o.perClassPerFold));
}

/**
 * Write an AudioSet tree: `n` segments of the synthetic world's uncurated set, each labelled
 * with its sounding classes (so the label count is the source count).
 */
export async function writeAudioSetTree(
  root: string,
  o: { n: number; seconds: number; sampleRate: number; imageSize: number; seed?: number },
): Promise<void> {
  const world = synthWorld({
    seed: o.seed ?? 0,
    imageSize: o.imageSize,
    sampleRate: o.sampleRate,
    duration: o.seconds,
  });
  const clips = world.uncuratedSet(o.n).map((c, i) => ({
    ...c,
    id: `yt${String(i).padStart(9, "0")}_${(10 * i).toFixed(3)}`,
  }));
  const classes = world.classes.map((c, k) => ({ mid: `/m/synth${k}`, displayName: c.name }));
  await writeAudioSet(root, clips, classes);
}
