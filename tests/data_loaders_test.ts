import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeWav, writeWav } from "../lib/audio/mod.ts";
import { encodePng, writePng } from "../lib/vision/mod.ts";
import {
  loadAudioSet,
  loadESC50,
  loadFlickrSoundNet,
  loadMUSIC,
  MUSIC_INSTRUMENTS,
  musicCategoryClasses,
  writeAudioSet,
  writeESC50,
  writeFlickrSoundNet,
  writeMUSIC,
} from "../lib/data/mod.ts";
import type { AVClip, LabelledClip, RGBImage } from "../lib/data/mod.ts";
import { encodeMp3Fixture } from "./media_fixtures.ts";

const SR = 8000;

function tone(hz: number, n = 800, rate = SR): Float32Array {
  return Float32Array.from({ length: n }, (_, t) => 0.5 * Math.sin((2 * Math.PI * hz * t) / rate));
}

/** A flat-coloured image, so JPEG round trips stay within a grey level or two. */
function flat(rgb: [number, number, number], height = 8, width = 8): RGBImage {
  const data = new Float32Array(height * width * 3);
  for (let i = 0; i < height * width; i++) data.set(rgb, 3 * i);
  return { data, height, width };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function putWav(path: string, ...args: Parameters<typeof encodeWav>): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await writeWav(path, ...args);
}

async function putPng(path: string, img: RGBImage): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await writePng(path, img);
}

async function write(path: string, data: string | Uint8Array): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
}

Deno.test("ESC-50: hand-written index loads; writer round trip; resampling", async () => {
  await withDir(async (root) => {
    // hand-written, exactly the columns of the real meta/esc50.csv
    await write(
      join(root, "meta", "esc50.csv"),
      "filename,fold,target,category,esc10,src_file,take\n" +
        "1-100032-A-0.wav,1,0,dog,True,100032,A\n" +
        "\n" +
        "2-5-B-41.wav,2,41,chainsaw,True,5,B\n",
    );
    await write(join(root, "audio", "1-100032-A-0.wav"), encodeWav(tone(440), SR));
    await write(
      join(root, "audio", "2-5-B-41.wav"),
      encodeWav(tone(1000), SR, { bitDepth: "32f" }),
    );
    const { items, skipped, summary } = await loadESC50(root);
    assert.equal(skipped.length, 0);
    assert.equal(summary, "ESC-50: 2 clips loaded, 0 skipped");
    assert.deepEqual(
      items.map((c) => [c.id, c.fold, c.target, c.category, c.sampleRate]),
      [["1-100032-A-0", 1, 0, "dog", SR], ["2-5-B-41", 2, 41, "chainsaw", SR]],
    );
    assert.ok(maxDiff(items[0].audio, tone(440)) <= 0.5 / 32768);
    assert.equal(maxDiff(items[1].audio, tone(1000)), 0);
    const resampled = await loadESC50(root, { sampleRate: 16000 });
    assert.equal(resampled.items[0].sampleRate, 16000);
    assert.equal(resampled.items[0].audio.length, 1600);
  });
  await withDir(async (root) => {
    const clips: LabelledClip[] = [
      { id: "3-77-C-7", audio: tone(300), sampleRate: SR, target: 7, category: "insects", fold: 3 },
      { id: "custom", audio: tone(600), sampleRate: SR, target: 1, category: "rooster", fold: 5 },
    ];
    await writeESC50(root, clips);
    const csv = await Deno.readTextFile(join(root, "meta", "esc50.csv"));
    assert.ok(csv.includes("3-77-C-7.wav,3,7,insects,False,77,C\n"), csv);
    const { items } = await loadESC50(root);
    assert.deepEqual(items.map((c) => [c.id, c.fold, c.target, c.category]), [
      ["3-77-C-7", 3, 7, "insects"],
      ["custom", 5, 1, "rooster"],
    ]);
    items.forEach((c, i) => assert.ok(maxDiff(c.audio, clips[i].audio) <= 0.5 / 32768));
    await assert.rejects(writeESC50(root, [{ ...clips[0], fold: 6 }]), /fold must be 1\.\.5/);
    await assert.rejects(writeESC50(root, [{ ...clips[0], id: "../x" }]), /not a plain file name/);
  });
});

Deno.test("ESC-50: bad rows and files name file and line; skipBad counts them", async () => {
  await withDir(async (root) => {
    const csv = join(root, "meta", "esc50.csv");
    await write(
      csv,
      "filename,fold,target,category,esc10,src_file,take\n" +
        "a.wav,1,0,dog,True,1,A\n" + // good
        "b.wav,1,0,dog,True,1\n" + // 6 columns
        "c.wav,1,0,dog,True,1,A\n" + // missing file
        "d.wav,1,0,dog,True,1,A\n" + // corrupt WAV
        "e.wav,7,0,dog,True,1,A\n" + // bad fold
        "f.wav,1,0,cat,True,1,A\n", // target 0 already "dog"
    );
    await write(join(root, "audio", "a.wav"), encodeWav(tone(440), SR));
    await write(join(root, "audio", "d.wav"), new TextEncoder().encode("RIFF\x10\0\0\0WAVEjunk"));
    await write(join(root, "audio", "e.wav"), encodeWav(tone(440), SR));
    await write(join(root, "audio", "f.wav"), encodeWav(tone(440), SR));
    await assert.rejects(loadESC50(root), /esc50\.csv:3: expected 7 columns, got 6/);
    const { items, skipped, summary } = await loadESC50(root, { skipBad: true });
    assert.deepEqual(items.map((c) => c.id), ["a"]);
    assert.equal(summary, "ESC-50: 1 clips loaded, 5 skipped");
    assert.equal(skipped[0].file, `${csv}:3`);
    assert.match(skipped[1].file, /audio\/c\.wav$/);
    assert.match(skipped[1].reason, /c\.wav: cannot read WAV/);
    assert.match(skipped[2].reason, /d\.wav: .*(truncated|no fmt)/);
    assert.match(skipped[3].reason, /esc50\.csv:6: fold must be 1\.\.5/);
    assert.match(skipped[4].reason, /esc50\.csv:7: target 0 is "cat" here but "dog" on line 2/);
    await Deno.writeTextFile(csv, "name,fold\n");
    await assert.rejects(loadESC50(root, { skipBad: true }), /esc50\.csv:1: header must be/);
    await assert.rejects(loadESC50(join(root, "nope")), /esc50\.csv: cannot read the ESC-50 index/);
  });
});

Deno.test("Flickr-SoundNet: hand-written XML, writer round trip, resizing scales boxes", async () => {
  await withDir(async (root) => {
    // hand-written: named coordinates, one <object> per annotator (no annotator tag)
    await write(
      join(root, "annotations", "100.xml"),
      `<?xml version="1.0"?>
<annotation>
  <filename>100.jpg</filename>
  <object><bbox><xmin>2</xmin><ymin>4</ymin><xmax>10</xmax><ymax>12</ymax></bbox>
          <bbox><xmin>0</xmin><ymin>0</ymin><xmax>3</xmax><ymax>3</ymax></bbox></object>
  <object><bbox><xmin>1</xmin><ymin>5</ymin><xmax>11</xmax><ymax>13</ymax></bbox></object>
</annotation>`,
    );
    // hand-written: positional coordinates after an annotator-id first child
    await write(
      join(root, "annotations", "200.xml"),
      `<annotation><objects>
  <bbox><who>A</who><c>1</c><c>1</c><c>7</c><c>7</c></bbox>
  <bbox><who>B</who><c>2</c><c>2</c><c>8</c><c>8</c></bbox>
  <bbox><who>A</who><c>9</c><c>9</c><c>16</c><c>12</c></bbox>
</objects></annotation>`,
    );
    await putPng(join(root, "frames", "100.png"), flat([1, 0, 0], 16, 16));
    await putPng(join(root, "frames", "200.png"), flat([0, 1, 0], 12, 16));
    await putWav(join(root, "audio", "100.wav"), tone(440), SR);
    await putWav(join(root, "audio", "200.wav"), tone(880), SR);
    const { items } = await loadFlickrSoundNet(root);
    assert.deepEqual(items.map((c) => c.id), ["100", "200"]);
    assert.deepEqual(items[0].annotatorBoxes, [[[2, 4, 10, 12], [0, 0, 3, 3]], [[1, 5, 11, 13]]]);
    assert.deepEqual(items[1].annotatorBoxes, [[[1, 1, 7, 7], [9, 9, 16, 12]], [[2, 2, 8, 8]]]);
    assert.deepEqual([items[1].image.height, items[1].image.width], [12, 16]);
    // resized to 8x8: boxes scale with the frame (x by 0.5, y by 8/12 for clip 200)
    const small = await loadFlickrSoundNet(root, { imageSize: 8 });
    assert.deepEqual([small.items[1].image.height, small.items[1].image.width], [8, 8]);
    assert.deepEqual(small.items[0].annotatorBoxes![0][0], [1, 2, 5, 6]);
    assert.deepEqual(small.items[1].annotatorBoxes![0][1], [5, 6, 8, 8]);
  });
  await withDir(async (root) => {
    const clips: AVClip[] = [
      {
        id: "a1",
        image: flat([0.2, 0.4, 0.6], 10, 12),
        audio: tone(500),
        sampleRate: SR,
        annotatorBoxes: [[[1, 1, 5, 5]], [[2, 2, 6, 6], [7, 3, 12, 10]], [[0, 0, 12, 10]]],
      },
    ];
    await writeFlickrSoundNet(root, clips, { frameFormat: "png" });
    const [back] = (await loadFlickrSoundNet(root)).items;
    assert.deepEqual(back.annotatorBoxes, clips[0].annotatorBoxes);
    assert.deepEqual(encodePng(back.image), encodePng(clips[0].image)); // exact through PNG
    assert.ok(maxDiff(back.audio, clips[0].audio) <= 0.5 / 32768);
    await writeFlickrSoundNet(root, clips); // JPEG frames, as the real dataset
    await Deno.remove(join(root, "frames", "a1.png"));
    const [jpg] = (await loadFlickrSoundNet(root)).items;
    assert.ok(maxDiff(jpg.image.data, clips[0].image.data) < 3 / 255);
  });
});

Deno.test("Flickr-SoundNet: boxes outside the image, mp3, bad XML, missing frame", async () => {
  await withDir(async (root) => {
    const box = (b: number[]) =>
      `<annotation><object><bbox><annotator>0</annotator><xmin>${b[0]}</xmin><ymin>${
        b[1]
      }</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bbox></object></annotation>`;
    for (const id of ["ok", "out", "mp3", "broken", "noframe", "badimg"]) {
      await write(join(root, "annotations", `${id}.xml`), box([0, 0, 4, 4]));
      if (id !== "noframe" && id !== "badimg") {
        await putPng(join(root, "frames", `${id}.png`), flat([0, 0, 1]));
      }
      if (id !== "mp3") await putWav(join(root, "audio", `${id}.wav`), tone(440), SR);
    }
    await write(join(root, "annotations", "out.xml"), box([2, 2, 9, 5])); // frame is 8 wide
    await write(join(root, "audio", "mp3.mp3"), new Uint8Array([0x49, 0x44, 0x33]));
    await write(join(root, "annotations", "broken.xml"), "<annotation>\n<object><bbox></object>");
    await write(join(root, "frames", "badimg.png"), encodePng(flat([1, 1, 1])).subarray(0, 30));
    await assert.rejects(loadFlickrSoundNet(root), /badimg\.png: corrupt PNG/); // first id in order
    const { items, skipped, summary } = await loadFlickrSoundNet(root, { skipBad: true });
    assert.deepEqual(items.map((c) => c.id), ["ok"]);
    assert.equal(summary, "Flickr-SoundNet: 1 clips loaded, 5 skipped");
    const reasons = skipped.map((s) => s.reason);
    assert.match(reasons[0], /badimg\.png: corrupt PNG/);
    assert.match(reasons[1], /broken\.xml:2: malformed XML/);
    assert.match(reasons[2], /mp3\.mp3: not an MP3 file/);
    assert.match(reasons[3], /noframe\.jpg: frame not found/);
    assert.match(
      reasons[4],
      /out\.xml: box 0 of annotator 0 \[2, 2, 9, 5\] .*outside the 8x8 frame/,
    );
    assert.match(skipped[4].file, /annotations\/out\.xml$/);
  });
});

Deno.test("MUSIC: hand-written index, middle frame, solo and duet, audio window, writer", async () => {
  await withDir(async (root) => {
    // hand-written Sound-of-Pixels index (no header), 3 frames for the solo video
    await write(
      join(root, "val.csv"),
      "audios/solo/violin/v1.wav,frames/solo/violin/v1.mp4,3\n" +
        "audios/duet/acoustic_guitar_violin/d1.wav,frames/duet/acoustic_guitar_violin/d1.mp4,1\n",
    );
    const shades: [number, number, number][] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    for (const [i, rgb] of shades.entries()) {
      await putPng(join(root, "frames/solo/violin/v1.mp4", `00000${i + 1}.png`), flat(rgb));
    }
    await putPng(
      join(root, "frames/duet/acoustic_guitar_violin/d1.mp4/000001.png"),
      flat([1, 1, 0]),
    );
    // 2 s of audio whose value is its time, to check the window position
    const ramp = Float32Array.from({ length: 2 * SR }, (_, t) => t / (2 * SR));
    await putWav(join(root, "audios/solo/violin/v1.wav"), ramp, SR, { bitDepth: "32f" });
    await putWav(join(root, "audios/duet/acoustic_guitar_violin/d1.wav"), tone(300), SR);
    const { items } = await loadMUSIC(root, { split: "val" });
    assert.deepEqual(items.map((c) => [c.id, c.count, c.classes]), [
      ["violin/v1", 1, [9]],
      ["acoustic_guitar_violin/d1", 2, [1, 9]],
    ]);
    assert.deepEqual(Array.from(items[0].image.data.subarray(0, 3)), [0, 1, 0]); // frame 2 of 3
    assert.equal(items[0].audio.length, 2 * SR);
    // frame 2 at 8 fps is centred at 0.1875 s; a 0.25 s window starts at 0.0625 s
    const win = await loadMUSIC(root, { split: "val", seconds: 0.25 });
    assert.equal(win.items[0].audio.length, 0.25 * SR);
    assert.ok(Math.abs(win.items[0].audio[0] - (0.0625 * SR) / (2 * SR)) < 1e-6);
    await assert.rejects(loadMUSIC(root), /train\.csv: cannot read the MUSIC train index/);
  });
  await withDir(async (root) => {
    const clips: AVClip[] = [
      {
        id: "cello/c9",
        image: flat([0.5, 0.5, 0.5]),
        audio: tone(200),
        sampleRate: SR,
        classes: [2],
      },
      {
        id: "x/duo",
        image: flat([0.1, 0.2, 0.3]),
        audio: tone(400),
        sampleRate: SR,
        classes: [7, 8],
      },
    ];
    await writeMUSIC(root, clips, "train");
    const { items } = await loadMUSIC(root);
    assert.deepEqual(items.map((c) => [c.id, c.classes, c.count]), [
      ["cello/c9", [2], 1],
      ["trumpet_tuba/duo", [7, 8], 2],
    ]);
    items.forEach((c, i) => {
      assert.ok(maxDiff(c.audio, clips[i].audio) <= 0.5 / 32768);
      assert.ok(maxDiff(c.image.data, clips[i].image.data) < 3 / 255);
    });
    await assert.rejects(writeMUSIC(root, [{ ...clips[0], classes: [11] }]), /MUSIC instrument/);
  });
  assert.deepEqual(musicCategoryClasses("clarinet_acoustic_guitar"), [3, 1]);
  assert.equal(musicCategoryClasses("banjo"), null);
  assert.equal(MUSIC_INSTRUMENTS.length, 11);
});

Deno.test("MUSIC: wrong column count, unknown category, MP3 audio, corrupt frame; skipBad", async () => {
  await withDir(async (root) => {
    await write(
      join(root, "train.csv"),
      "audio_path,frame_dir,num_frames\n" + // an optional header is accepted
        "audios/solo/flute/ok.wav,frames/solo/flute/ok.mp4,1\n" +
        "audios/solo/flute/ok.wav,frames/solo/flute/ok.mp4\n" +
        "audios/solo/banjo/b.wav,frames/solo/banjo/b.mp4,1\n" +
        "audios/solo/flute/m.mp3,frames/solo/flute/m.mp4,1\n" +
        "audios/solo/flute/ok.wav,frames/solo/flute/bad.mp4,1\n",
    );
    await putWav(join(root, "audios/solo/flute/ok.wav"), tone(700), SR);
    await putPng(join(root, "frames/solo/flute/ok.mp4/000001.png"), flat([0, 0, 0]));
    await write(
      join(root, "frames/solo/flute/bad.mp4/000001.jpg"),
      Uint8Array.of(0xff, 0xd8, 0xff, 0, 1),
    );
    // MP3 audio, as Sound of Pixels ships it, is decoded
    await write(join(root, "audios/solo/flute/m.mp3"), encodeMp3Fixture(tone(500, 8000), SR, 32));
    await putPng(join(root, "frames/solo/flute/m.mp4/000001.png"), flat([1, 0, 0]));
    await assert.rejects(loadMUSIC(root), /train\.csv:3: expected 3 columns/);
    const { items, skipped } = await loadMUSIC(root, { skipBad: true });
    assert.deepEqual(items.map((c) => c.id), ["flute/ok", "flute/m"]);
    assert.equal(items[1].sampleRate, SR);
    assert.ok(items[1].audio.length >= 8000);
    assert.equal(skipped.length, 3);
    assert.match(skipped[1].reason, /train\.csv:4: category folder "banjo"/);
    assert.match(skipped[2].reason, /bad\.mp4\/000001\.jpg: corrupt JPEG/);
  });
});

Deno.test("AudioSet: Google's segments CSV, class index, media lookup, writer", async () => {
  await withDir(async (root) => {
    await write(
      join(root, "balanced_train_segments.csv"),
      "# Segments csv created Sun Mar  5 10:54:31 2017\n" +
        "# num_ytids=3, num_segs=3, num_unique_labels=3, num_positive_labels=4\n" +
        "# YTID, start_seconds, end_seconds, positive_labels\n" +
        '--PJHxphWEs, 30.000, 40.000, "/m/09x0r,/t/dd00088"\n' +
        '-0RWZT-miFs, 420.000, 430.000, "/m/03v3yw"\n' +
        '-1nilez17Dg, 0.000, 10.000, "/m/09x0r"\n',
    );
    await write(
      join(root, "class_labels_indices.csv"),
      'index,mid,display_name\n0,/m/09x0r,"Speech"\n1,/m/03v3yw,"Keys jangling"\n' +
        '2,/t/dd00088,"Gush"\n',
    );
    await putWav(join(root, "media", "--PJHxphWEs_30.000.wav"), tone(440), SR);
    await putPng(join(root, "media", "--PJHxphWEs_30.000.png"), flat([1, 0, 1]));
    await putWav(join(root, "media", "-0RWZT-miFs_420.wav"), tone(880), SR); // integer seconds
    await putPng(join(root, "media", "-0RWZT-miFs_420.png"), flat([0, 1, 1]));
    await putWav(join(root, "media", "-1nilez17Dg_0.000.wav"), tone(660), SR); // no frame
    await assert.rejects(loadAudioSet(root), /-1nilez17Dg_0\.000\.jpg: frame not found/);
    const res = await loadAudioSet(root, { skipBad: true, imageSize: 4 });
    assert.deepEqual(res.classNames, ["Speech", "Keys jangling", "Gush"]);
    assert.deepEqual(res.items.map((c) => [c.id, c.classes]), [
      ["--PJHxphWEs_30.000", [0, 2]],
      ["-0RWZT-miFs_420.000", [1]],
    ]);
    assert.equal(res.items[0].image.width, 4);
    assert.equal(res.skipped.length, 1);
    assert.equal(res.summary, "AudioSet: 2 clips loaded, 1 skipped");
    // a frame over the pixel cap is a bad item, named with its reason
    const capped = await loadAudioSet(root, { skipBad: true, maxImagePixels: 1 });
    assert.equal(capped.items.length, 0);
    assert.match(capped.skipped[0].reason, /pixels, over the limit of 1 /);
    // a label missing from the index, and a row with too few columns, name their line
    await Deno.writeTextFile(
      join(root, "balanced_train_segments.csv"),
      '# YTID, start_seconds, end_seconds, positive_labels\n--PJHxphWEs, 30.000, "/m/09x0r"\n',
    );
    await assert.rejects(loadAudioSet(root), /balanced_train_segments\.csv:2: expected YTID/);
    await Deno.writeTextFile(
      join(root, "balanced_train_segments.csv"),
      '#\n#\n#\n--PJHxphWEs, 30.000, 40.000, "/m/zzz"\n',
    );
    await assert.rejects(loadAudioSet(root), /segments\.csv:4: label \/m\/zzz is not in/);
  });
  await withDir(async (root) => {
    const classes = [{ mid: "/m/a", displayName: "Alpha" }, {
      mid: "/m/b",
      displayName: "Beta, two",
    }];
    const clips: AVClip[] = [
      {
        id: "abc-DEF_123_10.5",
        image: flat([0.3, 0.3, 0.3]),
        audio: tone(300),
        sampleRate: SR,
        classes: [1, 0],
      },
    ];
    await writeAudioSet(root, clips, classes);
    const text = await Deno.readTextFile(join(root, "balanced_train_segments.csv"));
    assert.ok(text.includes('abc-DEF_123, 10.5, 10.600, "/m/b,/m/a"\n'), text);
    const res = await loadAudioSet(root);
    assert.deepEqual(res.classNames, ["Alpha", "Beta, two"]);
    assert.deepEqual(res.items.map((c) => [c.id, c.classes]), [["abc-DEF_123_10.5", [1, 0]]]);
    assert.ok(maxDiff(res.items[0].audio, tone(300)) <= 0.5 / 32768);
    // without the class index, classes index the label ids in order of appearance
    await Deno.remove(join(root, "class_labels_indices.csv"));
    assert.deepEqual((await loadAudioSet(root)).classNames, ["/m/b", "/m/a"]);
    await assert.rejects(writeAudioSet(root, [{ ...clips[0], id: "nostart" }], classes), /YTID/);
  });
});

Deno.test("loaders reject bad numeric options by name", async () => {
  await assert.rejects(loadESC50("/x", { sampleRate: 0 }), /sampleRate/);
  await assert.rejects(loadFlickrSoundNet("/x", { imageSize: 2.5 }), /imageSize/);
  await assert.rejects(loadFlickrSoundNet("/x", { maxImagePixels: 0 }), /maxImagePixels/);
  await assert.rejects(loadMUSIC("/x", { seconds: -1 }), /seconds/);
});
