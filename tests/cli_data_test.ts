// train -> eval -> reproduce through the command line on dataset trees in each native layout,
// written by the tests (MUSIC with MP3 audio; AudioSet, SoundNet-Flickr and ESC-50 composed as
// the paper uses them), at a smoke scale of a few steps. What a dataset cannot serve is skipped
// with a sentence, or refused with one where the command has nothing else to do.
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../cli.ts";
import {
  writeAudioSetTree,
  writeESC50Tree,
  writeFlickrTree,
  writeMusicTree,
} from "./data_fixture_trees.ts";

const SIZES = { sampleRate: 8000, imageSize: 64 };
const SMOKE = [
  "steps=2",
  "batchSize=2",
  "datasetSize=4",
  "localizationSize=3",
  "clipsPerClassPerFold=1",
  "countingTrainPerCount=2",
  "countingTestPerCount=2",
  "gradingSize=6",
  "separationSteps=2",
  "separationBatch=2",
  "soloTrainSize=4",
  "duetTrainSize=2",
  "testMixtures=2",
].join(",");

/** The backend every command here runs on. */
const WASM = ["--backend", "wasm"];

/** `--data SPEC` for each dataset spec, in order. */
function dataArgs(specs: string[]): string[] {
  return specs.flatMap((spec) => ["--data", spec]);
}

/** The smoke training size: `steps` steps per stage, batches of 2 clips from 4. */
function smokeSteps(steps: number): string[] {
  return ["--steps", `${steps}`, "--batch", "2", "--dataset-size", "4"];
}

/** `train` on `data` into `out`, quietly, with the options that differ. */
function trainArgs(data: string[], out: string, ...options: string[]): string[] {
  return ["train", ...dataArgs(data), ...options, "--out", out, "--quiet", ...WASM];
}

/** `eval` of the checkpoint in `run` on `data`, with the options that differ. */
function evalArgs(run: string, data: string[], ...options: string[]): string[] {
  return ["eval", "--checkpoint", run, ...dataArgs(data), ...options, ...WASM];
}

/**
 * `reproduce` of the experiments `only` on `data` at the smoke scale, its cache and report under
 * `dir`, with the options that differ.
 */
function reproduceArgs(dir: string, data: string[], only: string, ...options: string[]): string[] {
  const smoke = ["--scale", SMOKE, "--cache", join(dir, "cache"), "--out", join(dir, "report")];
  return ["reproduce", ...dataArgs(data), "--only", only, ...options, ...smoke, ...WASM];
}

/** Run the CLI in-process; returns its exit code (a thrown error is code 1) and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const log = console.log, error = console.error;
  let out = "";
  console.log = (...s: unknown[]) => out += s.join(" ") + "\n";
  console.error = (...s: unknown[]) => out += s.join(" ") + "\n";
  try {
    return { code: await main(args), out };
  } catch (e) {
    return { code: 1, out: out + `error: ${(e as Error).message}\n` };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("CLI on a MUSIC tree (MP3): train C1,C2 -> eval refuses with a sentence -> reproduce", async () => {
  const dir = await Deno.makeTempDir({ prefix: "avscene-cli-music-" });
  try {
    const root = join(dir, "MUSIC");
    await writeMusicTree(root, {
      solo: 4,
      duet: 3,
      val: 3,
      seconds: 2,
      fps: 8,
      mp3: true,
      ...SIZES,
    });
    const data = `music:${root}`;
    const train = await cli(
      ...trainArgs([data], join(dir, "run"), "--curriculum", "C2(C1)", ...smokeSteps(2)),
    );
    assert.equal(train.code, 0, train.out);
    assert.match(train.out, /MUSIC at .*: 7 train videos \(4 solo, 3 duet\), 6 val, 0 skipped/);
    assert.match(train.out, /done: 4 steps/);
    const config = JSON.parse(await Deno.readTextFile(join(dir, "run", "config.json")));
    assert.deepEqual(config.settings.data, [data]);
    assert.match(config.dataIdentity, /^music:[0-9a-f]{16}$/);
    // C3 is not in MUSIC: refused before any training, naming the level
    const c3 = await cli(
      ...trainArgs([data], join(dir, "c3"), "--curriculum", "C3", "--steps", "1"),
    );
    assert.equal(c3.code, 1);
    assert.match(c3.out, /MUSIC has fewer than two training clips of C3/);
    const ev = await cli(...evalArgs(join(dir, "run"), [data]));
    assert.equal(ev.code, 1);
    assert.match(ev.out, /nothing to evaluate: MUSIC has no localization test set/);
    assert.match(ev.out, /MUSIC has no labelled clips with cross-validation folds/);
    const rep = await cli(...reproduceArgs(dir, [data], "fig3,table3,counting"));
    assert.equal(rep.code, 0, rep.out);
    assert.match(rep.out, /skipped: MUSIC has fewer than two training clips of C3/);
    // run as shard processes (--jobs, one per seed), each child opened the same data
    const logs: string[] = [];
    for await (const f of Deno.readDir(join(dir, "cache"))) {
      if (/^shard-.*\.log$/.test(f.name)) logs.push(f.name);
    }
    if (/shard processes/.test(rep.out)) assert.ok(logs.length > 1, rep.out);
    for (const name of logs) {
      assert.match(await Deno.readTextFile(join(dir, "cache", name)), /with MUSIC/, name);
    }
    const results = JSON.parse(await Deno.readTextFile(join(dir, "report", "results.json")));
    const text = JSON.stringify(results);
    assert.match(text, /"experiment":"table3"/);
    assert.match(text, /"experiment":"counting"/);
    assert.ok(!/"experiment":"fig3"/.test(text));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI on AudioSet + SoundNet-Flickr + ESC-50 trees: train, eval, reproduce Tables 1-2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "avscene-cli-paper-" });
  try {
    const as = join(dir, "audioset"), fl = join(dir, "flickr"), esc = join(dir, "esc50");
    await writeAudioSetTree(as, { n: 24, seconds: 2, ...SIZES });
    await writeFlickrTree(fl, { annotated: 4, extra: 2, seconds: 2, ...SIZES });
    await writeESC50Tree(esc, { perClassPerFold: 1, seconds: 2, sampleRate: 8000 });
    const onlyEsc = await cli(...trainArgs([`esc50:${esc}`], join(dir, "x")));
    assert.equal(onlyEsc.code, 1);
    assert.match(onlyEsc.out, /ESC-50 has no audiovisual training clips/);
    const train = await cli(
      ...trainArgs([`audioset:${as}`], join(dir, "run"), "--curriculum", "C1", ...smokeSteps(2)),
    );
    assert.equal(train.code, 0, train.out);
    const ev = await cli(
      ...evalArgs(join(dir, "run"), [`flickr:${fl}`, `esc50:${esc}`], "--box-frame", "256"),
    );
    assert.equal(ev.code, 0, ev.out);
    assert.match(ev.out, /with SoundNet-Flickr \+ ESC-50/);
    assert.match(ev.out, /cIoU@0\.5/);
    assert.match(ev.out, /classification accuracy/);
    assert.match(ev.out, /4 localization images; 50 labelled clips, 5 folds/);
    const flickrAlone = await cli(
      ...trainArgs([`flickr:${fl}`], join(dir, "u"), "--curriculum", "U", ...smokeSteps(1)),
    );
    assert.equal(flickrAlone.code, 0, flickrAlone.out);
    const all = [`audioset:${as}`, `flickr:${fl}`, `esc50:${esc}`];
    const rep = await cli(...reproduceArgs(dir, all, "table1,table2,table3"));
    assert.equal(rep.code, 0, rep.out);
    assert.match(
      rep.out,
      /skipped: AudioSet \+ SoundNet-Flickr \+ ESC-50 has no solo \/ duet clips/,
    );
    const text = await Deno.readTextFile(join(dir, "report", "results.json"));
    assert.match(text, /"experiment":\s*"table1"/);
    assert.match(text, /"experiment":\s*"table2"/);
    // the paper's †‡ row: AudioSet's uncurated clips graded by the counting model, then trained
    assert.match(text, /"method":\s*"Ours, graded by counting \(†‡\)"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI reproduce --separation-protocol sound-of-pixels on a MUSIC tree: Table 3 at 11025 Hz, STFT 1022/256", async () => {
  const dir = await Deno.makeTempDir({ prefix: "avscene-cli-sop-" });
  try {
    const root = join(dir, "MUSIC");
    await writeMusicTree(root, { solo: 4, duet: 2, val: 3, seconds: 2, fps: 8, ...SIZES });
    const args = reproduceArgs(dir, [`music:${root}`], "table3", "--seeds", "0");
    const bad = await cli(...args, "--separation-protocol", "sop");
    assert.equal(bad.code, 1);
    assert.match(
      bad.out,
      /--separation-protocol must be one of preset, sound-of-pixels, got "sop"/,
    );
    const rep = await cli(...args, "--separation-protocol", "sound-of-pixels");
    assert.equal(rep.code, 0, rep.out);
    assert.match(
      rep.out,
      /protocol: sound-of-pixels \(11025 Hz, 65535 samples, STFT 1022 \/ 256, 256 log-frequency bins, binary masks\)/,
    );
    // MUSIC's duets are recordings of both instruments at once: no per-object ground truth
    assert.match(
      rep.out,
      /per-object rows skipped: MUSIC has no duet test clips with each object's own source/,
    );
    const results = JSON.parse(await Deno.readTextFile(join(dir, "report", "results.json")));
    const t3 = (results.results ?? results).find((r: { experiment: string }) =>
      r.experiment === "table3"
    );
    // the paper's data under the paper's protocol: its numbers stand beside ours
    assert.equal(t3.paperData, true);
    const ideal = t3.rows.find((r: { method: string; metric: string }) =>
      r.method === "Ideal ratio mask" && r.metric === "SDR (dB)"
    );
    assert.ok(ideal.mean > 5, `ideal ratio mask ${ideal.mean} dB on 1022-point STFT frames`);
    // the separation networks were built at the protocol's sizes (their checkpoint configs)
    const models: string[] = [];
    for await (const e of Deno.readDir(join(dir, "cache", "table3-models"))) models.push(e.name);
    assert.ok(models.length >= 4, models.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
