/**
 * Does V8's default tiering (Liftoff first, then TurboFan for the functions that run hot) give
 * the hand-written wasm kernels the code they would have compiled by TurboFan up front? Each
 * round runs `_wasm_tiering_child.ts` twice, with the default flags and with
 * `--v8-flags=--no-liftoff` (every function compiled by TurboFan before its first call), in
 * alternating processes, and prints each kernel's best time per call in each process under both
 * and their ratio per round (default / up front: about 1 when the tier-up reaches the same
 * code), then the medians over the rounds of each process's median. The flag is a
 * measurement device only: the library never sets V8 flags.
 *
 * This found the soft K-means module's helpers calling a helper of their own (the high float32
 * lanes as float64) that the tiered code kept as a call per 4 features: 1.7x slower than the
 * up-front code until the helpers took the lanes inline.
 *
 *   deno bench -A bench/wasm_tiering_bench.ts
 *
 * @module
 */
import { median } from "./_python.ts";

const ROUNDS = 3;
const child = new URL("./_wasm_tiering_child.ts", import.meta.url).pathname;
const root = new URL("../", import.meta.url).pathname;

/** One child's result: kernel -> [best, median] ms per call. */
async function run(flags: string[]): Promise<Record<string, [number, number]>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...flags, child],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`wasm_tiering_bench.ts: ${child} ${flags} failed`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

let done = false; // deno bench may call fn more than once even with n: 1
Deno.bench({
  name: "wasm kernels: default tiering vs TurboFan up front",
  n: 1,
  warmup: 0,
  async fn() {
    if (done) return;
    done = true;
    const rounds: [Record<string, [number, number]>, Record<string, [number, number]>][] = [];
    for (let r = 0; r < ROUNDS; r++) {
      rounds.push([await run([]), await run(["--v8-flags=--no-liftoff"])]);
    }
    // per round: the best time of each process (the steadier figure on a shared machine)
    const lines = Object.keys(rounds[0][0]).map((kernel) => {
      const best = rounds.map(([d, e]) => [d[kernel][0], e[kernel][0]]);
      const medians = rounds.map(([d, e]) => [d[kernel][1], e[kernel][1]]);
      const f = (v: number) => v.toFixed(3);
      return `  ${kernel}: best ${best.map(([d, e]) => `${f(d)} / ${f(e)}`).join(", ")} ms ` +
        `(default / up front ${best.map(([d, e]) => (d / e).toFixed(2)).join(", ")}); medians ` +
        `${f(median(medians.map(([d]) => d)))} / ${f(median(medians.map(([, e]) => e)))} ms`;
    });
    console.log(
      `wasm kernels, ${ROUNDS} rounds of alternating processes, load average ${
        Deno.loadavg().map((v) => v.toFixed(1)).join(" ")
      }:\n${lines.join("\n")}`,
    );
  },
});
