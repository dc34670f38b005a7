/**
 * Does V8's default tiering (Liftoff first, then TurboFan for the functions that run hot) give
 * the hand-written wasm kernels the code they would have compiled by TurboFan up front? Each
 * round runs `_wasm_tiering_child.ts` twice, with the default flags and with
 * `--v8-flags=--no-liftoff` (every function compiled by TurboFan before its first call), in
 * alternating processes, and prints each kernel's time per call under both and their ratio
 * (default / up front: about 1 when the tier-up reaches the same code). The flag is a
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
    const lines = Object.keys(rounds[0][0]).map((kernel) => {
      const tiered = rounds.map(([d]) => d[kernel][1]), eager = rounds.map(([, e]) => e[kernel][1]);
      const ratios = rounds.map(([d, e]) => (d[kernel][1] / e[kernel][1]).toFixed(2));
      const best = (v: [number, number][]) => Math.min(...v.map(([b]) => b)).toFixed(3);
      return `  ${kernel}: default ${median(tiered).toFixed(3)} ms, up front ${
        median(eager).toFixed(3)
      } ms per call (medians; best ${best(rounds.map(([d]) => d[kernel]))} / ${
        best(rounds.map(([, e]) => e[kernel]))
      }); default / up front per round ${ratios.join(", ")}`;
    });
    console.log(
      `wasm kernels, ${ROUNDS} rounds of alternating processes, load average ${
        Deno.loadavg().map((v) => v.toFixed(1)).join(" ")
      }:\n${lines.join("\n")}`,
    );
  },
});
