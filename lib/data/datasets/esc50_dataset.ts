/**
 * ESC-50 (see `loadESC50`) as an {@linkcode AVDataset}: labelled clips with their five folds
 * for the frozen-feature classification protocol, decoded on demand. It has no frames, so it
 * serves no audiovisual training, localization or separation.
 *
 * @module
 */
import { join } from "node:path";
import type { LabelledSource } from "../dataset.ts";
import { decodeESC50Entry, type ESC50Entry, indexESC50 } from "../loaders/esc50.ts";
import { _datasetIdentity, _keepGood } from "./_adapter.ts";
import { _checkOpenOptions, type DatasetOpenOptions, type OpenedDataset } from "./options.ts";

/**
 * Open an ESC-50 tree: `meta/esc50.csv` is read and checked and every audio file stat-ed;
 * `classificationClips(k)` lists every clip (or the first `k` of each class in each fold) and
 * decodes each whole clip (5 s) when asked.
 *
 * @param root The dataset folder.
 * @param opts The model's sample rate (clips are resampled to it), `skipBad`.
 * @returns The dataset.
 * @throws Error naming the index row or file at fault (unless `skipBad`).
 * @category data
 */
export async function openESC50Dataset(
  root: string,
  opts: DatasetOpenOptions,
): Promise<OpenedDataset> {
  _checkOpenOptions("openESC50Dataset", opts);
  const kept = _keepGood(await indexESC50(root), opts.skipBad ?? false);
  const skipped = [...kept.skipped];
  const entries: ESC50Entry[] = [];
  for (const e of kept.good) {
    try {
      await Deno.stat(e.audioPath);
      entries.push(e);
    } catch {
      const why = `${e.at}: ${e.audioPath} not found`;
      if (!opts.skipBad) throw new Error(why);
      skipped.push(why);
    }
  }
  const identity = await _datasetIdentity(
    "esc50",
    { root, sampleRate: opts.sampleRate, skipBad: opts.skipBad ?? false },
    [join(root, "meta", "esc50.csv"), ...entries.map((e) => e.audioPath)],
  );
  const classes = entries.reduce((m, e) => Math.max(m, e.target + 1), 0);
  return {
    name: "ESC-50",
    root,
    identity,
    paperData: true,
    skipped,
    summary: `ESC-50 at ${root}: ${entries.length} clips of ${classes} classes in ${
      new Set(entries.map((e) => e.fold)).size
    } folds, ${skipped.length} skipped`,
    classificationClips(perClassPerFold?: number): LabelledSource {
      let list = entries;
      if (perClassPerFold !== undefined) {
        const seen = new Map<string, number>();
        list = entries.filter((e) => {
          const key = `${e.fold}/${e.target}`;
          const n = seen.get(key) ?? 0;
          seen.set(key, n + 1);
          return n < perClassPerFold;
        });
      }
      return {
        size: list.length,
        classes,
        entry: (i) => {
          const { id, target, category, fold } = list[i];
          return { id, target, category, fold };
        },
        clip: (i) => decodeESC50Entry(list[i], { sampleRate: opts.sampleRate }),
      };
    },
  };
}
