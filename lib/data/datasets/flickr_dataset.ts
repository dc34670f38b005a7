/**
 * The SoundNet-Flickr layout (see `loadFlickrSoundNet`) as an {@linkcode AVDataset}: the
 * annotated clips are the localization test set; every clip with a frame and audio (annotated
 * or not) is an uncurated training clip (its number of sources is unknown: grade it with the
 * counting model for a curriculum).
 *
 * @module
 */
import { join } from "node:path";
import type { ClipSource, TrainingLevel } from "../dataset.ts";
import type { AVClip } from "../types.ts";
import { _loadAudio, _loadImage } from "../loaders/_common.ts";
import { decodeFlickrClip, indexFlickrSoundNet } from "../loaders/flickr_soundnet.ts";
import { _datasetIdentity, _spread } from "./_adapter.ts";
import { _checkOpenOptions, type DatasetOpenOptions, type OpenedDataset } from "./options.ts";

/**
 * Options of {@linkcode openFlickrDataset}.
 *
 * @category data
 */
export interface FlickrDatasetOptions extends DatasetOpenOptions {
  /**
   * The annotations' box convention: omitted, pixels of each frame file; a number `n`, an
   * `n x n` frame scaled to the frame (256 for the reference evaluation code's convention,
   * `FLICKR_REFERENCE_BOX_FRAME`).
   */
  boxFrame?: number;
}

const FRAME_EXTS = [".jpg", ".jpeg", ".png"];
const AUDIO_EXTS = [".wav", ".mp3"];

async function _stems(dir: string, exts: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile) continue;
      const ext = exts.find((x) => e.name.toLowerCase().endsWith(x));
      if (ext && !out.has(e.name.slice(0, -ext.length))) {
        out.set(e.name.slice(0, -ext.length), join(dir, e.name));
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/**
 * Open a SoundNet-Flickr tree: the annotation folder and the frame and audio folders are
 * listed (and every file stat-ed for the identity); media are decoded on demand.
 *
 * - `localizationSet(n)`: the first `n` annotated clips (sorted by id), as `loadFlickrSoundNet`
 *   reads them (audio cut to `seconds` from the start, the frame's boxes scaled).
 * - `trainingClips("uncurated", n)`: `n` clips with a frame and audio, spread over the ids; levels C1..C4
 *   have no clips (their counts are unknown). With only the annotated test set on disk this
 *   trains on the test set's media (no labels are used in training, but say so when reporting).
 *
 * @param root The dataset folder.
 * @param opts The model's sample rate and image size, window length, `boxFrame`, `skipBad`.
 * @returns The dataset.
 * @throws Error naming the folder when there is no annotation folder; a missing frame or audio
 *   of an annotated clip names it (unless `skipBad`).
 * @category data
 */
export async function openFlickrDataset(
  root: string,
  opts: FlickrDatasetOptions,
): Promise<OpenedDataset> {
  const seconds = _checkOpenOptions("openFlickrDataset", opts);
  const { annotationDir, ids } = await indexFlickrSoundNet(root);
  const frames = await _stems(join(root, "frames"), FRAME_EXTS);
  const audio = await _stems(join(root, "audio"), AUDIO_EXTS);
  const skipped: string[] = [];
  const annotated = ids.filter((id) => {
    const missing = !frames.has(id) ? "frame" : !audio.has(id) ? "audio" : null;
    if (!missing) return true;
    const why = `${join(annotationDir, `${id}.xml`)}: no ${missing} for this annotation`;
    if (!opts.skipBad) throw new Error(why);
    skipped.push(why);
    return false;
  });
  const trainIds = [...frames.keys()].filter((id) => audio.has(id)).sort();
  const identity = await _datasetIdentity(
    "flickr",
    { root, sampleRate: opts.sampleRate, imageSize: opts.imageSize, seconds, box: opts.boxFrame },
    [
      ...annotated.map((id) => join(annotationDir, `${id}.xml`)),
      ...trainIds.flatMap((id) => [frames.get(id)!, audio.get(id)!]),
    ],
  );
  const load = { sampleRate: opts.sampleRate, imageSize: opts.imageSize };
  const samples = Math.round(seconds * opts.sampleRate);
  const decodeTrain = async (id: string): Promise<AVClip> => {
    const image = await _loadImage(frames.get(id)!, load);
    const { audio: wave, sampleRate } = await _loadAudio(audio.get(id)!, load);
    return { id, image, audio: wave, sampleRate };
  };
  return {
    name: "SoundNet-Flickr",
    root,
    identity,
    paperData: true,
    skipped,
    summary: `SoundNet-Flickr at ${root}: ${annotated.length} annotated test clips, ` +
      `${trainIds.length} training clips (frame and audio), ${skipped.length} skipped`,
    trainingClips(level: TrainingLevel, size: number): ClipSource {
      const pool = level === "uncurated" ? _spread(trainIds, size) : [];
      return {
        size: pool.length,
        entry: (i) => ({ id: pool[i] }),
        clip: (i) => decodeTrain(pool[i]),
      };
    },
    async localizationSet(size: number): Promise<AVClip[]> {
      const out: AVClip[] = [];
      for (const id of annotated.slice(0, size)) {
        const clip = await decodeFlickrClip(root, annotationDir, id, {
          ...load,
          boxFrame: opts.boxFrame,
        });
        out.push({ ...clip, audio: clip.audio.slice(0, samples) });
      }
      return out;
    },
  };
}
