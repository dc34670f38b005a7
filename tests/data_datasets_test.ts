import assert from "node:assert/strict";
import { join } from "node:path";
import {
  clipSourceOf,
  ClipStream,
  composeDatasets,
  FLICKR_REFERENCE_BOX_FRAME,
  loadFlickrSoundNet,
  missingCapability,
  openDataset,
  openDatasets,
  type OpenedDataset,
  parseDataSpec,
  wholeClipWindowStarts,
} from "../lib/data/mod.ts";
import {
  writeAudioSetTree,
  writeESC50Tree,
  writeFlickrTree,
  writeMusicTree,
} from "./data_fixture_trees.ts";

const SIZES = { sampleRate: 8000, imageSize: 64 };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("parseDataSpec: kinds, paths, seeds and clear errors", () => {
  assert.deepEqual(parseDataSpec("music:/d/MUSIC"), { kind: "music", path: "/d/MUSIC" });
  assert.deepEqual(parseDataSpec("synthetic"), { kind: "synthetic", path: "" });
  assert.deepEqual(parseDataSpec("synthetic:4"), { kind: "synthetic", path: "4" });
  assert.throws(() => parseDataSpec("kinetics:/x"), /--data "kinetics:\/x": kind "kinetics"/);
  assert.throws(() => parseDataSpec("esc50"), /esc50 needs a folder/);
  assert.throws(() => parseDataSpec("synthetic:x"), /integer seed/);
});

Deno.test("ClipStream: random windows over the whole clip, bounded cache, prefetch", async () => {
  const image = { data: new Float32Array(3), height: 1, width: 1 };
  const long = (id: string) => ({
    id,
    image,
    audio: Float32Array.from({ length: 100 }, (_, i) => i),
    sampleRate: 10,
  });
  const stream = new ClipStream(clipSourceOf([long("a"), long("b"), long("c")]), {
    seconds: 1,
    sampleRate: 10,
    maxCachedBytes: 2 * (400 + 12), // two clips
  });
  const first = await stream.window(0, 0);
  const last = await stream.window(0, 0.999);
  assert.equal(first.audio.length, 10);
  assert.equal(first.audio[0], 0);
  assert.equal(last.audio[0], 89); // the window can reach the clip's end
  stream.prefetch([1, 2]);
  await stream.batch([1, 2], [0.5, 0.5]);
  const st = stream.stats;
  assert.equal(st.decoded, 3);
  assert.ok(st.hits >= 3, `hits ${st.hits}`);
  assert.ok(st.peakCachedBytes <= 2 * 412, `peak ${st.peakCachedBytes}`);
  await stream.window(0, 0); // evicted: decoded again
  assert.equal(stream.stats.decoded, 4);
  await assert.rejects(
    new ClipStream(clipSourceOf([long("a")]), { seconds: 1, sampleRate: 8000 }).window(0, 0),
    /clip a has sample rate 10, the stream needs 8000/,
  );
  assert.deepEqual(wholeClipWindowStarts(30, 10), [0, 10, 20]);
  assert.deepEqual(wholeClipWindowStarts(5, 10), [0]);
});

Deno.test("MUSIC tree (MP3 audio): streamed training clips with frames over time, val sets", async () => {
  await withDir(async (root) => {
    await writeMusicTree(root, {
      solo: 3,
      duet: 2,
      val: 1,
      seconds: 3,
      fps: 1,
      mp3: true,
      ...SIZES,
    });
    const music = await openDataset(`music:${root}`, { ...SIZES, fps: 1 }) as OpenedDataset;
    assert.match(music.summary, /5 train videos \(3 solo, 2 duet\), 2 val, 0 skipped/);
    assert.equal(
      missingCapability(music, ["localizationSet"], "table2"),
      "MUSIC has no localization test set with annotated boxes, which table2 needs",
    );
    const solo = music.trainingClips!(1, 100);
    assert.equal(solo.size, 3);
    assert.equal(music.trainingClips!(3, 100).size, 0);
    assert.equal(music.trainingClips!("uncurated", 100).size, 5);
    const whole = await solo.clip(0);
    assert.equal(whole.sampleRate, 8000);
    assert.ok(whole.audio.length >= 3 * 8000, `${whole.audio.length}`); // the whole clip
    // frames follow the time: second 0 and second 2 show different scenes
    const f0 = await solo.frameAt!(0, 0.5), f2 = await solo.frameAt!(0, 2.5);
    assert.equal(f0.height, 64);
    assert.notDeepEqual(f0.data, f2.data);
    const stream = new ClipStream(solo, { seconds: 1, sampleRate: 8000 });
    const w = await stream.window(0, 0.99);
    assert.equal(w.audio.length, 8000);
    assert.deepEqual(
      w.image.data,
      (await solo.frameAt!(0, (Math.floor(0.99 * (whole.audio.length - 8000)) + 4000) / 8000)).data,
    );
    const held = await music.heldOutClips!(2, 5);
    assert.equal(held.length, 1);
    assert.equal(held[0].count, 2);
    assert.equal(held[0].audio.length, 8000); // a `seconds` window around the middle frame
    assert.equal((await music.separationSet!("solo", 9, "test")).length, 1);
  });
});

Deno.test("MUSIC: identity follows the files; missing media fail at open naming them", async () => {
  await withDir(async (root) => {
    await writeMusicTree(root, { solo: 2, duet: 0, val: 0, seconds: 1, fps: 1, ...SIZES });
    const a = await openDataset(`music:${root}`, SIZES);
    const b = await openDataset(`music:${root}`, SIZES);
    assert.equal(a.identity, b.identity);
    assert.notEqual(
      a.identity,
      (await openDataset(`music:${root}`, { ...SIZES, imageSize: 32 })).identity,
    );
    const csv = (await Deno.readTextFile(join(root, "train.csv"))).trim().split("\n");
    const wav = join(root, csv[0].split(",")[0]);
    await Deno.writeFile(wav, new Uint8Array(100), { append: true });
    assert.notEqual((await openDataset(`music:${root}`, SIZES)).identity, a.identity);
    await Deno.remove(wav);
    await assert.rejects(
      openDataset(`music:${root}`, SIZES),
      new RegExp(`train\\.csv:1: ${wav} not found`),
    );
    const skipping = await openDataset(`music:${root}`, {
      ...SIZES,
      skipBad: true,
    }) as OpenedDataset;
    assert.equal(skipping.skipped.length, 1);
    assert.equal(skipping.trainingClips!(1, 10).size, 1);
    await assert.rejects(async () => await skipping.heldOutClips!(1, 1), /val\.csv: not found/);
    await assert.rejects(
      openDataset(`music:${join(root, "nope")}`, SIZES),
      /is not a readable folder/,
    );
  });
});

Deno.test("SoundNet-Flickr tree: localization set, unannotated training clips, 256-pixel boxes", async () => {
  await withDir(async (root) => {
    await writeFlickrTree(root, { annotated: 3, extra: 4, seconds: 2, ...SIZES });
    const flickr = await openDataset(`flickr:${root}`, SIZES) as OpenedDataset;
    assert.match(flickr.summary, /3 annotated test clips, 7 training clips/);
    const test = await flickr.localizationSet!(10);
    assert.equal(test.length, 3);
    assert.equal(test[0].annotatorBoxes!.length, 3);
    assert.equal(test[0].audio.length, 8000); // cut to the model's second
    assert.equal(flickr.trainingClips!("uncurated", 100).size, 7);
    assert.equal(flickr.trainingClips!(1, 100).size, 0); // counts unknown
    // the reference code's convention: boxes in a 256-pixel frame, scaled to the 64-pixel frame
    const raw = await loadFlickrSoundNet(root);
    const ref = await loadFlickrSoundNet(root, { boxFrame: FLICKR_REFERENCE_BOX_FRAME });
    const [x0, y0, x1, y1] = raw.items[0].annotatorBoxes![0][0];
    const scaled = ref.items[0].annotatorBoxes![0][0];
    const s = 64 / 256, a = Math.round(x0 * s), b = Math.round(y0 * s);
    assert.deepEqual(scaled, [
      a,
      b,
      Math.max(a + 1, Math.round(x1 * s)),
      Math.max(b + 1, Math.round(y1 * s)),
    ]);
    await assert.rejects(
      loadFlickrSoundNet(root, { boxFrame: 0 }),
      /boxFrame must be a positive integer/,
    );
  });
});

Deno.test("ESC-50 and AudioSet trees; composed datasets take each capability from the first", async () => {
  await withDir(async (dir) => {
    const esc = join(dir, "esc"), as = join(dir, "as");
    await writeESC50Tree(esc, { perClassPerFold: 1, seconds: 3, sampleRate: 8000 });
    await writeAudioSetTree(as, { n: 12, seconds: 2, ...SIZES });
    const esc50 = await openDataset(`esc50:${esc}`, SIZES) as OpenedDataset;
    assert.match(esc50.summary, /50 clips of 10 classes in 5 folds/);
    const labelled = esc50.classificationClips!();
    assert.equal(labelled.size, 50);
    assert.equal((await labelled.clip(0)).audio.length, 3 * 8000); // whole 3 s clip
    assert.equal(
      missingCapability(esc50, ["trainingClips"], "train"),
      "ESC-50 has no audiovisual training clips (frames with their sound), which train needs",
    );
    const audioset = await openDataset(`audioset:${as}`, SIZES) as OpenedDataset;
    const c1 = audioset.trainingClips!(1, 100);
    assert.ok(c1.size > 0);
    assert.equal((await c1.clip(0)).count, 1);
    const both = await openDatasets([`audioset:${as}`, `esc50:${esc}`], SIZES);
    assert.equal(both.name, "AudioSet + ESC-50");
    assert.equal(typeof both.classificationClips, "function");
    assert.equal(both.trainingClips!(1, 100).size, c1.size);
    assert.equal(
      missingCapability(both, ["separationSet"], "table3"),
      "AudioSet + ESC-50 has no solo / duet clips for mix-and-separate, which table3 needs",
    );
    const world = composeDatasets([await openDataset("synthetic:2", SIZES)]);
    assert.equal(world.name, "synthetic world");
  });
});
