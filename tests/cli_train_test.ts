// The `train` command's run directory: options checked before anything is written, settings
// recorded once in config.json and checked on --resume (--weight-average too), --init with
// --resume and from an averaged run's online weights, one writer per directory, and SIGTERM
// stopping cleanly with a checkpoint the resume continues from.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { acquireRunLock } from "../lib/io/mod.ts";
import { loadModel } from "../lib/train/mod.ts";
import { trainCommand } from "../cli/train.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** A run of a few tiny steps on the cpu backend. */
const FAST = ["--backend", "cpu", "--quiet", "--batch", "2", "--dataset-size", "4"];

async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const [log, warn] = [console.log, console.warn];
  console.log = () => {};
  console.warn = () => {};
  try {
    return await f();
  } finally {
    [console.log, console.warn] = [log, warn];
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function historyOf(out: string): Promise<unknown[]> {
  const text = await Deno.readTextFile(`${out}/history.jsonl`);
  return text.trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("train: bad options are refused before anything is written", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/run`;
  for (
    const [args, message] of [
      [["--batch", "1"], /train: --batch must be an integer >= 2, got "1"/],
      [["--margin", "0"], /train: --margin must be > 0, got 0/],
      [["--lr=-1"], /train: --lr must be > 0/],
      [["--dataset-size", "2", "--batch", "4"], /--dataset-size \(2\) must be at least --batch/],
      [["--curriculum", "C1,C2", "--steps", "1,2,3"], /--curriculum \/ --steps: .*step counts/],
      [["--steps", "1.5"], /--steps must be an integer >= 1/],
      [["--extend-steps"], /--extend-steps extends a run: it needs --resume/],
    ] as const
  ) {
    await assert.rejects(trainCommand([...FAST, "--out", out, ...args]), message);
    assert.equal(await exists(out), false, `${args}: ${out} was created`);
  }
  // a bad --init checkpoint is found before config.json is written
  await assert.rejects(
    quietly(() => trainCommand([...FAST, "--out", out, "--init", `${dir}/nowhere`])),
    /nowhere/,
  );
  assert.equal(await exists(out), false, "a failed start left its out dir");
  await assert.rejects(
    trainCommand([...FAST, "--out", `${dir}/typo`, "--resume"]),
    /--resume: .*typo does not exist, so it holds no run/,
  );
  assert.equal(await exists(`${dir}/typo`), false);
  await Deno.mkdir(`${dir}/empty`);
  await assert.rejects(
    trainCommand([...FAST, "--out", `${dir}/empty`, "--resume"]),
    /--resume: .*empty holds no run \(no config.json, no checkpoints\)/,
  );
  assert.deepEqual([...Deno.readDirSync(`${dir}/empty`)], []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train: settings written once; --resume checks them; --extend-steps extends", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/run`;
  const args = [...FAST, "--out", out, "--curriculum", "C1", "--steps", "2", "--seed", "3"];
  assert.equal(await quietly(() => trainCommand(args)), 0);
  const config = await Deno.readTextFile(`${out}/config.json`);
  const { settings, stages } = JSON.parse(config);
  assert.deepEqual(
    [settings.curriculum, settings.steps, settings.seed, settings.batchSize, settings.init],
    ["C1", [2], 3, 2, null],
  );
  assert.equal(stages.length, 1);
  // a second run into the same dir without --resume
  await assert.rejects(trainCommand(args), /already holds a run \(checkpoints\); pass --resume/);
  // resuming with other settings lists every difference and changes nothing
  await assert.rejects(
    trainCommand([
      ...FAST,
      "--out",
      out,
      "--resume",
      "--curriculum",
      "C3",
      "--batch",
      "4",
      "--lr",
      "0.01",
    ]),
    (e) => {
      const m = (e as Error).message;
      return /settings that differ from the run/.test(m) &&
        /--curriculum: the run has "C1", given "C3"/.test(m) &&
        /--batch: the run has 2, given 4/.test(m) && /--lr: the run has 0.001, given 0.01/.test(m);
    },
  );
  await assert.rejects(
    trainCommand([...FAST, "--out", out, "--resume", "--seed", "5"]),
    /--seed: the run has 3, given 5/,
  );
  await assert.rejects(
    trainCommand([...FAST, "--out", out, "--resume", "--steps", "3"]),
    /--steps: the run has \[2\], given \[3\]/,
  );
  assert.equal(await Deno.readTextFile(`${out}/config.json`), config);
  // the same settings (flags left out take the run's): nothing to do, nothing rewritten
  assert.equal(await quietly(() => trainCommand([...FAST, "--out", out, "--resume"])), 0);
  assert.equal(await Deno.readTextFile(`${out}/config.json`), config);
  assert.equal((await historyOf(out)).length, 2);
  // --extend-steps lets the finished run go on to 3 steps
  await assert.rejects(
    trainCommand([...FAST, "--out", out, "--resume", "--extend-steps", "--steps", "1"]),
    /--steps: the run has \[2\], given \[1\] \(--extend-steps lets only the last stage's/,
  );
  assert.equal(
    await quietly(() =>
      trainCommand([...FAST, "--out", out, "--resume", "--extend-steps", "--steps", "3"])
    ),
    0,
  );
  assert.deepEqual(JSON.parse(await Deno.readTextFile(`${out}/config.json`)).settings.steps, [3]);
  assert.equal((await historyOf(out)).length, 3);
  // model.bin is the extended run's model, not the 2-step one it replaced
  assert.deepEqual(
    await Deno.readFile(`${out}/model.bin`),
    await Deno.readFile(`${out}/checkpoints/ckpt-00000003/weights.bin`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train: --init with --resume starts a fresh dir from init, and is refused on a run", async () => {
  const dir = await Deno.makeTempDir();
  const base = `${dir}/base`, fresh = `${dir}/fresh`;
  await quietly(() => trainCommand([...FAST, "--out", base, "--steps", "1"]));
  const init = `${base}/checkpoints`;
  assert.equal(
    await quietly(() =>
      trainCommand([...FAST, "--out", fresh, "--steps", "1", "--init", init, "--resume"])
    ),
    0,
  );
  assert.equal(JSON.parse(await Deno.readTextFile(`${fresh}/config.json`)).settings.init, init);
  // the fresh run started from base's weights: its first loss is base's after one step
  const [b, f] = [await historyOf(base), await historyOf(fresh)] as { loss: number }[][];
  assert.notEqual(f[0].loss, b[0].loss);
  await assert.rejects(
    trainCommand([...FAST, "--out", fresh, "--resume", "--init", init]),
    /--init with --resume: .*fresh already has checkpoints.*drop --init/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train: --weight-average is recorded, checked on --resume; --init reads the online weights", async () => {
  const dir = await Deno.makeTempDir();
  const [avg, plain] = [`${dir}/avg`, `${dir}/plain`];
  try {
    for (
      const [arg, message] of [
        ["--weight-average=1", /train: --weight-average must be a decay in \[0, 1\)/],
        ["--weight-average=-0.1", /train: --weight-average must be a number >= 0, got "-0.1"/],
      ] as const
    ) {
      await assert.rejects(trainCommand([...FAST, "--out", avg, arg]), message);
      assert.equal(await exists(avg), false);
    }
    const run = ["--steps", "2", "--seed", "4"];
    await quietly(() => trainCommand([...FAST, "--out", avg, ...run, "--weight-average", "0.5"]));
    await quietly(() => trainCommand([...FAST, "--out", plain, ...run]));
    const settingsOf = async (out: string) =>
      JSON.parse(await Deno.readTextFile(`${out}/config.json`)).settings;
    assert.equal((await settingsOf(avg)).weightAverage, 0.5);
    assert.equal((await settingsOf(plain)).weightAverage, 0);
    const ckpt = `${avg}/checkpoints/ckpt-00000002`;
    const manifest = JSON.parse(await Deno.readTextFile(`${ckpt}/manifest.json`));
    assert.deepEqual(manifest.average, { decay: 0.5, step: 2 });
    // the online weights train as without averaging
    assert.deepEqual(
      await Deno.readFile(`${ckpt}/weights.bin`),
      await Deno.readFile(`${plain}/checkpoints/ckpt-00000002/weights.bin`),
    );
    assert.deepEqual(await historyOf(avg), await historyOf(plain));
    // a resume with another decay (or none) is refused before anything changes; without the
    // flag it takes the run's
    await assert.rejects(
      trainCommand([...FAST, "--out", avg, "--resume", "--weight-average", "0.9"]),
      /--weight-average: the run has 0.5, given 0.9/,
    );
    await assert.rejects(
      trainCommand([...FAST, "--out", plain, "--resume", "--weight-average", "0.5"]),
      /--weight-average: the run has 0, given 0.5/,
    );
    assert.equal(await quietly(() => trainCommand([...FAST, "--out", avg, "--resume"])), 0);
    // a run recorded before the flag existed averaged nothing: resumed as such
    const config = JSON.parse(await Deno.readTextFile(`${plain}/config.json`));
    delete config.settings.weightAverage;
    await Deno.writeTextFile(`${plain}/config.json`, JSON.stringify(config));
    await assert.rejects(
      trainCommand([...FAST, "--out", plain, "--resume", "--weight-average", "0.5"]),
      /--weight-average: the run has 0, given 0.5/,
    );
    assert.equal(
      await quietly(() =>
        trainCommand([...FAST, "--out", plain, "--resume", "--weight-average", "0"])
      ),
      0,
    );
    // --init continues from the averaged run's online weights: the same run as from the plain one
    const next = ["--steps", "2", "--curriculum", "C2"];
    for (const [from, out] of [[avg, `${dir}/from-avg`], [plain, `${dir}/from-plain`]]) {
      await quietly(() =>
        trainCommand([...FAST, "--out", out, ...next, "--init", `${from}/checkpoints`])
      );
    }
    assert.deepEqual(await historyOf(`${dir}/from-avg`), await historyOf(`${dir}/from-plain`));
    // which differ from the average, the run's trained model (eval's, loadModel's)
    const trained = await loadModel(`${avg}/checkpoints`);
    const online = new Float32Array((await Deno.readFile(`${ckpt}/weights.bin`)).buffer);
    const trainedWeights = await trained.params.toFlat();
    assert.ok(trainedWeights.some((x, k) => x !== online[k]));
    trained.params.dispose();
    // model.bin, written once a run completes, is that trained model: the average when
    // averaged, the weights themselves when not
    const modelBin = async (out: string) =>
      new Float32Array((await Deno.readFile(`${out}/model.bin`)).buffer);
    assert.deepEqual(await modelBin(avg), trainedWeights);
    assert.deepEqual(
      await modelBin(plain),
      new Float32Array(
        (await Deno.readFile(`${plain}/checkpoints/ckpt-00000002/weights.bin`)).buffer,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: one writer per out dir; a dead writer's lock is taken over", async () => {
  const dir = await Deno.makeTempDir();
  const lock = await acquireRunLock(dir, "another train");
  await assert.rejects(
    trainCommand([...FAST, "--out", dir, "--steps", "1"]),
    /is in use by another writer \(another train, pid \d+/,
  );
  assert.equal(await exists(`${dir}/config.json`), false);
  await lock.release();
  const child = new Deno.Command("true").spawn();
  await child.status;
  await Deno.writeTextFile(
    `${dir}/writer.lock`,
    JSON.stringify({ pid: child.pid, startedAt: "2026-01-01T00:00:00Z", command: "train" }),
  );
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    assert.equal(await quietly(() => trainCommand([...FAST, "--out", dir, "--steps", "1"])), 0);
  } finally {
    console.warn = warn;
  }
  assert.equal(await exists(`${dir}/writer.lock`), false, "the lock is released at the end");
  await Deno.remove(dir, { recursive: true });
});

/** Start `train` in a child process and send it `signal` once its history has grown past `lines`. */
async function trainAndSignal(
  args: string[],
  out: string,
  lines: number,
  signal: Deno.Signal,
): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/cli.ts`, "train", ...args, "--out", out],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 6000; i++) {
    const text = await Deno.readTextFile(`${out}/history.jsonl`).catch(() => "");
    if (text.split("\n").length > lines + 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  const { code, stderr } = await child.output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("train: kill -9, then SIGTERM, then --resume: the history of an uninterrupted run", async () => {
  const dir = await Deno.makeTempDir();
  const args = [...FAST, "--steps", "30", "--checkpoint-every", "4"];
  const ref = `${dir}/ref`, cut = `${dir}/cut`;
  await quietly(() => trainCommand([...args, "--out", ref]));
  // kill -9 once a few steps are done: the lock stays behind, maybe a half-written checkpoint
  const killed = await trainAndSignal(args, cut, 5, "SIGKILL");
  assert.equal(killed.code, 137, killed.stderr);
  assert.equal(await exists(`${cut}/writer.lock`), true);
  // the next writer takes the dead one's lock over, and stops cleanly on SIGTERM
  const before = (await historyOf(cut)).length;
  const stopped = await trainAndSignal([...args, "--resume"], cut, before + 2, "SIGTERM");
  assert.equal(stopped.code, 130, `exit code ${stopped.code}: ${stopped.stderr}`);
  assert.match(stopped.stderr, /taking over the lock of a writer that is gone/);
  assert.match(stopped.stderr, /stopping after the current step/);
  const done = (await historyOf(cut)).length;
  assert.ok(done > before && done < 30, `stopped after ${done} steps`);
  const latest = JSON.parse(await Deno.readTextFile(`${cut}/checkpoints/latest.json`));
  assert.equal(latest.checkpoint, `ckpt-${String(done).padStart(8, "0")}`, "no final checkpoint");
  assert.equal(await exists(`${cut}/writer.lock`), false);
  // an interrupted run has no model.bin (only a completed one writes it)
  assert.equal(await exists(`${cut}/model.bin`), false);
  // resumed to the end: byte-identical history, and the same weights
  assert.equal(await quietly(() => trainCommand([...FAST, "--out", cut, "--resume"])), 0);
  assert.equal(
    await Deno.readTextFile(`${cut}/history.jsonl`),
    await Deno.readTextFile(`${ref}/history.jsonl`),
  );
  const weights = (d: string) => Deno.readFile(`${d}/checkpoints/ckpt-00000030/weights.bin`);
  assert.deepEqual(await weights(cut), await weights(ref));
  assert.deepEqual(
    await Deno.readFile(`${cut}/model.bin`),
    await Deno.readFile(`${ref}/model.bin`),
  );
  // an extension stopped half-way leaves no model.bin: the 30-step one is no longer the run's
  const extended = await trainAndSignal(
    [...FAST, "--resume", "--extend-steps", "--steps", "60"],
    cut,
    32,
    "SIGTERM",
  );
  assert.equal(extended.code, 130, extended.stderr);
  assert.equal(await exists(`${cut}/model.bin`), false);
  await Deno.remove(dir, { recursive: true });
});
