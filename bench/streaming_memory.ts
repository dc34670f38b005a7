/**
 * Peak memory of training on a large MUSIC-layout tree, streamed, against the anchor of
 * decoding the whole tree (what a trainer that preloads its data would hold at least), each
 * in its own process, read from the kernel's peak resident set size (`VmHWM`).
 *
 * Usage: `deno run -A bench/streaming_memory.ts [videos] [seconds] [repeats]` (default 200
 * videos of 60 s at 8 kHz, a frame every 4 s: 3.3 hours of audio; 3 repeats of each process, whose peaks vary with
 * garbage collection: min / max reported; a fourth argument picks rows: synth, stream256,
 * stream32, load). Writes the tree to a temporary folder and removes it.
 *
 * @module
 */
import { join } from "node:path";
import { writeMusicTree } from "../tests/data_fixture_trees.ts";

const CHILD = new URL("./_rss_child.ts", import.meta.url).pathname;

async function peakOf(args: string[]): Promise<{ mib: number; out: string }> {
  const p = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, ...args],
    stdout: "piped",
    stderr: "piped",
  });
  const r = await p.output();
  const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`child failed: ${out}`);
  const m = /peak-rss-kib (\d+)/.exec(out);
  if (!m) throw new Error(`no peak RSS in: ${out}`);
  return { mib: Number(m[1]) / 1024, out };
}

const videos = Number(Deno.args[0] ?? 200), seconds = Number(Deno.args[1] ?? 60);
const repeats = Number(Deno.args[2] ?? 3);
/** Which rows to measure (default all): synth, stream256, stream32, load. */
const only = Deno.args[3]?.split(",");
const dir = await Deno.makeTempDir({ prefix: "avscene-rss-" });
try {
  const root = join(dir, "MUSIC");
  const solo = Math.round(videos * 0.75);
  const t0 = performance.now();
  const bytes = await writeMusicTree(root, {
    solo,
    duet: videos - solo,
    val: 0,
    seconds,
    fps: 0.25,
    sampleRate: 8000,
    imageSize: 64,
    distinctSeconds: 4,
  });
  console.log(
    `tree: ${videos} videos x ${seconds} s at 8 kHz (${
      (videos * seconds / 3600).toFixed(1)
    } h of ` +
      `audio, ${(bytes / 2 ** 20).toFixed(0)} MiB of media), written in ` +
      `${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  const steps = "40";
  const train = (extra: string[], rep: number) =>
    peakOf([
      "train",
      "--data",
      `music:${root}`,
      "--curriculum",
      "C2(C1)",
      "--steps",
      steps,
      "--batch",
      "16",
      "--dataset-size",
      "256",
      "--out",
      join(dir, `run${extra.join("")}-${rep}`),
      "--quiet",
      "--backend",
      "wasm",
      ...extra,
    ]);
  const runs: [string, string, (rep: number) => Promise<{ mib: number }>][] = [
    ["synth", "train, synthetic world (no data on disk)", (rep) =>
      peakOf([
        "train",
        "--curriculum",
        "C2(C1)",
        "--steps",
        steps,
        "--out",
        join(dir, `synth-${rep}`),
        "--quiet",
        "--backend",
        "wasm",
      ])],
    ["stream256", "train, streamed, cache 256 MiB (default)", (rep) => train([], rep)],
    ["stream32", "train, streamed, cache 32 MiB", (rep) => train(["--cache-mb", "32"], rep)],
    ["load", "anchor: loadMUSIC decodes the whole tree", () => peakOf(["load", root])],
  ];
  for (const [key, what, run] of runs) {
    if (only && !only.includes(key)) continue;
    const peaks: number[] = [];
    for (let rep = 0; rep < repeats; rep++) peaks.push((await run(rep)).mib);
    const lo = Math.min(...peaks).toFixed(0), hi = Math.max(...peaks).toFixed(0);
    console.log(`${what.padEnd(44)} ${lo.padStart(6)} .. ${hi.padStart(6)} MiB (${repeats} runs)`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
