/**
 * The Flickr-SoundNet sound-localization test set of Senocak et al. (CVPR 2018): image-sound
 * pairs with sounding-object boxes from several annotators.
 *
 * Layout: `frames/<id>.jpg` (or `.png`), `audio/<id>.wav`, `annotations/<id>.xml` (or
 * `Annotations/`). The set of clips is the set of annotation files.
 *
 * The XML format is taken from the public evaluation code that reads these files (LVS, EZ-VSL,
 * SLAVC): every `<bbox>` element two levels under the root is one box, its children after the
 * first are `xmin, ymin, xmax, ymax` in pixels of the frame (x/ymax exclusive, as the
 * reference code's `map[ymin:ymax, xmin:xmax]`). We read named `xmin`/`ymin`/`xmax`/`ymax`
 * children when present, else those four by position after the first. Boxes are grouped by
 * annotator: by the text of the box's first child (the one the reference code skips, e.g.
 * `<annotator>`) when that is not a coordinate, else by the top-level element holding the box
 * (one `<object>` per annotator). This grouping is our assumption (the reference code pools
 * all boxes); it only affects how many annotators a consensus map counts. What
 * {@linkcode writeFlickrSoundNet} writes:
 *
 * ```xml
 * <annotation>
 *   <filename>ID.jpg</filename>
 *   <object>
 *     <bbox><annotator>0</annotator><xmin>10</xmin><ymin>20</ymin><xmax>90</xmax><ymax>80</ymax></bbox>
 *   </object>
 * </annotation>
 * ```
 *
 * Audio may be WAV or MP3 (the SoundNet originals are MP3).
 *
 * @module
 */

import { XMLParser, XMLValidator } from "fast-xml-parser";
import { join } from "node:path";
import { writeWav } from "../../audio/mod.ts";
import { resizeImage, writeJpeg, writePng } from "../../vision/mod.ts";
import { writeFileAtomic } from "../../io/write_atomic.ts";
import type { AVClip, Box } from "../types.ts";
import {
  _checkId,
  _checkLoadOptions,
  _collect,
  _firstExisting,
  _ItemError,
  _loadAudio,
  _loadImage,
  _readText,
  _scaleBox,
  type LoadOptions,
  type LoadResult,
} from "./_common.ts";

const COORDS = ["xmin", "ymin", "xmax", "ymax"] as const;

/** fast-xml-parser's `preserveOrder` node: one tag name mapping to its children. */
type _XmlNode = Record<string, unknown>;

function _tagOf(node: _XmlNode): string | undefined {
  return Object.keys(node).find((k) => k !== ":@");
}

function _textOf(node: _XmlNode): string {
  const tag = _tagOf(node);
  if (tag === undefined) return "";
  if (tag === "#text") return String(node[tag]).trim();
  const kids = node[tag] as _XmlNode[];
  return kids.map(_textOf).join("").trim();
}

/**
 * Parse one Flickr-SoundNet annotation file (format in the module doc) into
 * `annotators[a][i]` boxes, in the file's pixel units, not yet checked against the frame.
 *
 * @param xml The file's text.
 * @param file The file's name, quoted in every error (with the line for malformed XML).
 * @returns One list of boxes per annotator, in order of first appearance.
 * @throws Error naming `file` for malformed XML, a `<bbox>` without four numeric
 *   coordinates, or no `<bbox>` at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlickrAnnotation } from "@avscene/avscene/data";
 * const xml = "<annotation><object><bbox><annotator>0</annotator><xmin>1</xmin><ymin>2</ymin>" +
 *   "<xmax>30</xmax><ymax>40</ymax></bbox></object></annotation>";
 * assert.deepEqual(parseFlickrAnnotation(xml, "1.xml"), [ [ [ 1, 2, 30, 40 ] ] ]);
 * ```
 * @category data
 */
export function parseFlickrAnnotation(xml: string, file: string): Box[][] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new _ItemError(`${file}:${valid.err.line}`, `malformed XML (${valid.err.msg})`);
  }
  const parser = new XMLParser({
    preserveOrder: true,
    parseTagValue: false,
    ignoreAttributes: true,
    trimValues: true,
  });
  const doc = parser.parse(xml) as _XmlNode[];
  const root = doc.find((n) => {
    const t = _tagOf(n);
    return t !== undefined && !t.startsWith("?") && t !== "#text";
  });
  if (!root) throw new _ItemError(file, "no root element");
  const groups = new Map<string, Box[]>();
  const tops = root[_tagOf(root)!] as _XmlNode[];
  tops.forEach((top, topIndex) => {
    const topTag = _tagOf(top);
    if (!topTag || topTag === "#text") return;
    for (const node of top[topTag] as _XmlNode[]) {
      if (_tagOf(node) !== "bbox") continue;
      const kids = (node.bbox as _XmlNode[]).filter((k) => _tagOf(k) !== "#text");
      const named = COORDS.map((c) => kids.find((k) => _tagOf(k) === c));
      const coordNodes = named.every((k) => k) ? named as _XmlNode[] : kids.slice(1, 5);
      if (coordNodes.length !== 4) {
        throw new _ItemError(file, `a <bbox> has ${kids.length} children, expected 5`);
      }
      const values = coordNodes.map(_textOf).map(Number);
      if (!values.every(Number.isFinite)) {
        throw new _ItemError(
          file,
          `a <bbox> has non-numeric coordinates [${coordNodes.map(_textOf)}]`,
        );
      }
      // the first child, which the reference loaders skip, names the annotator when it is not a
      // coordinate; otherwise the top-level element holding the box stands for the annotator
      const first = kids[0];
      const firstTag = _tagOf(first) as typeof COORDS[number];
      const key = COORDS.includes(firstTag) ? `p:${topIndex}` : `a:${_textOf(first)}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(values as Box);
    }
  });
  if (groups.size === 0) throw new _ItemError(file, "no <bbox> annotations");
  return [...groups.values()];
}

/**
 * Options of {@linkcode loadFlickrSoundNet}.
 *
 * @category data
 */
export interface FlickrLoadOptions extends LoadOptions {
  /**
   * The box convention of the annotation files. Default: coordinates in pixels of the frame
   * file. A number `n`: coordinates in an `n x n` frame, scaled to the frame file's size (the
   * reference evaluation code of the SoundNet-Flickr test set reads the boxes in a 256-pixel
   * frame and scales them: pass 256 for those annotations).
   */
  boxFrame?: number;
}

/**
 * The box frame of the SoundNet-Flickr reference evaluation code: 256 x 256 pixels.
 *
 * @category data
 */
export const FLICKR_REFERENCE_BOX_FRAME = 256;

/**
 * The ids of a Flickr-SoundNet tree (its annotation files' stems, sorted) and the annotation
 * folder, without reading any media.
 *
 * @param root The dataset folder.
 * @returns The annotation folder and the ids.
 * @throws Error naming the folder when there is no `annotations/` (or `Annotations/`).
 * @category data
 */
export async function indexFlickrSoundNet(
  root: string,
): Promise<{ annotationDir: string; ids: string[] }> {
  const annDir = await _firstExisting(root, ["annotations", "Annotations"]);
  if (!annDir) throw new Error(`${join(root, "annotations")}: annotation folder not found`);
  const ids: string[] = [];
  for await (const e of Deno.readDir(annDir)) {
    if (e.isFile && e.name.endsWith(".xml")) ids.push(e.name.slice(0, -4));
  }
  ids.sort();
  return { annotationDir: annDir, ids };
}

/** The audio file of a Flickr-SoundNet clip: `audio/<id>.wav`, else `audio/<id>.mp3`. */
async function _flickrAudio(root: string, id: string): Promise<string> {
  const found = await _firstExisting(join(root, "audio"), [`${id}.wav`, `${id}.mp3`]);
  if (!found) {
    throw new _ItemError(join(root, "audio", `${id}.wav`), "audio not found (.wav or .mp3)");
  }
  return found;
}

/**
 * Decode one Flickr-SoundNet clip (see {@linkcode loadFlickrSoundNet}).
 *
 * @param root The dataset folder.
 * @param annotationDir Its annotation folder ({@linkcode indexFlickrSoundNet}).
 * @param id The clip's id.
 * @param opts Load options and the box convention.
 * @returns The clip with its annotators' boxes.
 * @throws Error naming the file at fault.
 * @category data
 */
export async function decodeFlickrClip(
  root: string,
  annotationDir: string,
  id: string,
  opts: FlickrLoadOptions = {},
): Promise<AVClip> {
  const xmlPath = join(annotationDir, `${id}.xml`);
  const annotators = parseFlickrAnnotation(await _readText(xmlPath, "annotation"), xmlPath);
  const framePath = await _firstExisting(join(root, "frames"), [
    `${id}.jpg`,
    `${id}.jpeg`,
    `${id}.png`,
  ]);
  if (!framePath) throw new _ItemError(join(root, "frames", `${id}.jpg`), "frame not found");
  const original = await _loadImage(framePath, {});
  const boxFrame = opts.boxFrame
    ? { height: opts.boxFrame, width: opts.boxFrame }
    : { height: original.height, width: original.width };
  const frameName = opts.boxFrame
    ? `the ${opts.boxFrame}x${opts.boxFrame} box frame (boxFrame option)`
    : `the ${original.width}x${original.height} frame ${framePath}`;
  for (const [a, boxes] of annotators.entries()) {
    for (const [i, [x0, y0, x1, y1]] of boxes.entries()) {
      if (
        !(x0 >= 0 && y0 >= 0 && x1 <= boxFrame.width && y1 <= boxFrame.height && x0 < x1 &&
          y0 < y1)
      ) {
        throw new _ItemError(
          xmlPath,
          `box ${i} of annotator ${a} [${x0}, ${y0}, ${x1}, ${y1}] is empty or outside ${frameName}`,
        );
      }
    }
  }
  const { audio, sampleRate } = await _loadAudio(await _flickrAudio(root, id), opts);
  const image = opts.imageSize ? resizeImage(original, opts.imageSize, opts.imageSize) : original;
  const annotatorBoxes = annotators.map((boxes) => boxes.map((b) => _scaleBox(b, boxFrame, image)));
  return { id, image, audio, sampleRate, annotatorBoxes };
}

/**
 * Load the Flickr-SoundNet localization test set from `root` (format in the module doc):
 * each clip has the frame, the audio (`audio/<id>.wav`, else `.mp3`) and `annotatorBoxes`
 * (scaled to `imageSize` when resizing, and from the `boxFrame` convention when given). A box
 * outside its frame, or with `xmin >= xmax` / `ymin >= ymax`, is an error naming the
 * annotation file.
 *
 * @param root The dataset folder.
 * @param opts `skipBad`, `sampleRate`, `imageSize`, `boxFrame`.
 * @returns The clips (sorted by id), skipped items and a summary.
 * @throws Error naming the file, unless `skipBad` (then the item is skipped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFlickrSoundNet } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/annotations`);
 * assert.equal((await loadFlickrSoundNet(root)).items.length, 0);
 * ```
 * @category data
 */
export async function loadFlickrSoundNet(
  root: string,
  opts: FlickrLoadOptions = {},
): Promise<LoadResult<AVClip>> {
  _checkLoadOptions("loadFlickrSoundNet", opts);
  if (opts.boxFrame !== undefined && !(Number.isInteger(opts.boxFrame) && opts.boxFrame > 0)) {
    throw new Error(
      `loadFlickrSoundNet: boxFrame must be a positive integer, got ${opts.boxFrame}`,
    );
  }
  const { annotationDir, ids } = await indexFlickrSoundNet(root);
  return await _collect(
    "Flickr-SoundNet",
    ids,
    opts,
    (id) => join(annotationDir, `${id}.xml`),
    (id) => decodeFlickrClip(root, annotationDir, id, opts),
  );
}

/**
 * Options of {@linkcode writeFlickrSoundNet}.
 *
 * @category data
 */
export interface FlickrWriteOptions {
  /** Frame file format, default `"jpg"` (lossy, as the dataset); `"png"` is exact. */
  frameFormat?: "jpg" | "png";
}

/**
 * Write clips in the Flickr-SoundNet layout the loader reads: frames, 16-bit WAVs and XML
 * annotations (one `<object>` per annotator). Every clip needs `annotatorBoxes` (or `boxes`,
 * written as one annotator).
 *
 * @param root The dataset folder (created if needed).
 * @param clips The clips; ids must be distinct plain file names.
 * @param opts Frame format.
 * @throws Error naming the clip when it has no boxes or a bad id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFlickrSoundNet, writeFlickrSoundNet } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * const image = { data: new Float32Array(8 * 8 * 3), height: 8, width: 8 };
 * await writeFlickrSoundNet(root, [{ id: "1", image, audio: new Float32Array(80),
 *   sampleRate: 8000, annotatorBoxes: [[[1, 1, 5, 5]]] }]);
 * const { items } = await loadFlickrSoundNet(root);
 * assert.deepEqual(items[0].annotatorBoxes, [[[1, 1, 5, 5]]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 * @category data
 */
export async function writeFlickrSoundNet(
  root: string,
  clips: readonly AVClip[],
  opts: FlickrWriteOptions = {},
): Promise<void> {
  const format = opts.frameFormat ?? "jpg";
  const ids = new Set<string>();
  for (const c of clips) {
    _checkId("writeFlickrSoundNet", c.id);
    if (ids.has(c.id)) throw new Error(`writeFlickrSoundNet: duplicate clip id "${c.id}"`);
    ids.add(c.id);
    if (!(c.annotatorBoxes ?? (c.boxes ? [c.boxes] : [])).some((a) => a.length > 0)) {
      throw new Error(`writeFlickrSoundNet: clip "${c.id}" has no annotatorBoxes or boxes`);
    }
  }
  for (const dir of ["frames", "audio", "annotations"]) {
    await Deno.mkdir(join(root, dir), { recursive: true });
  }
  for (const c of clips) {
    const framePath = join(root, "frames", `${c.id}.${format}`);
    if (format === "png") await writePng(framePath, c.image);
    else await writeJpeg(framePath, c.image, 95);
    await writeWav(join(root, "audio", `${c.id}.wav`), c.audio, c.sampleRate);
    const annotators = c.annotatorBoxes ?? [c.boxes!];
    const objects = annotators.map((boxes, a) =>
      "  <object>\n" +
      boxes.map((b) =>
        `    <bbox><annotator>${a}</annotator>` +
        COORDS.map((name, k) => `<${name}>${b[k]}</${name}>`).join("") + "</bbox>\n"
      ).join("") +
      "  </object>\n"
    ).join("");
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<annotation>\n` +
      `  <filename>${c.id}.${format}</filename>\n${objects}</annotation>\n`;
    await writeFileAtomic(join(root, "annotations", `${c.id}.xml`), xml);
  }
}
