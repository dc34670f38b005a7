/**
 * BSS-eval timing: 2 sources x 6 s at 11025 Hz (66150 samples), 512-tap filter, with and
 * without the permutation search.
 *
 * The anchor: when mir_eval is importable (Debian's `python3-mir-eval`), the "vs mir_eval"
 * cases time `mir_eval.separation.bss_eval_sources` on the same signals, interleaved call by
 * call with ours in the same process window, check that the scores agree (0.01 dB) and print
 * the medians and mir_eval/ours (the speed-up), in wall time and in CPU time (each process's
 * user + system time over all its threads, which a loaded machine disturbs less). Without
 * mir_eval they print why and skip.
 * A last case checks the scores against mir_eval on adversarial mixtures (white, correlated,
 * nearly identical, near-silent and tonal references, signals barely longer than the filter),
 * which exercise both solver paths (block Levinson and its dense fallback).
 *
 *   deno bench -A bench/bss_eval_bench.ts
 */
import { bssEval } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/random/mod.ts";
import process from "node:process";
import { findPython, median, PythonWorker } from "./_python.ts";

/** CPU time of this process so far (user + system, all threads), ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const rate = 11025, seconds = 6, n = rate * seconds;
const rng = new Rng(1);
const tone = (f: number) =>
  Float64Array.from({ length: n }, (_, t) => {
    let v = 0;
    for (let h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * f * h * t / rate) / h;
    return v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 1.3 * t / rate)) + 0.05 * rng.normal();
  });
const refs = [tone(220), tone(330)];
const ests = refs.map((r, j) => r.map((v, t) => v + 0.3 * refs[1 - j][t] + 0.1 * rng.normal()));

Deno.bench("bssEval 2 sources x 6 s @ 11025 Hz, permute", { group: "bss" }, () => {
  bssEval(refs, ests);
});

Deno.bench("bssEval 2 sources x 6 s @ 11025 Hz, no permute", { group: "bss" }, () => {
  bssEval(refs, ests, { permute: false });
});

const python = await findPython("mir_eval");
// deno bench calls a case's function more than once even with n: 1; the interleaved anchor
// comparison runs on the first call only.
const compared = new Set<boolean>();
for (const permute of [true, false]) {
  Deno.bench({
    name: `bssEval vs mir_eval 0.7, 2 sources x 6 s, ${permute ? "" : "no "}permute`,
    group: "vs mir_eval",
    n: 1,
    warmup: 0,
    async fn() {
      if (compared.has(permute)) return;
      compared.add(permute);
      if (python === null) {
        console.log("mir_eval is not installed (python3 cannot import mir_eval): no anchor run.");
        return;
      }
      const file = await Deno.makeTempFile({ suffix: ".f64" });
      const mir = (async () => {
        const data = new Float64Array(4 * n);
        [...refs, ...ests].forEach((s, i) => data.set(s, i * n));
        await Deno.writeFile(file, new Uint8Array(data.buffer));
        return new PythonWorker(python, [
          new URL("./bss_eval_mir_eval.py", import.meta.url).pathname,
          file,
          "2",
          `${n}`,
        ]);
      })();
      const worker = await mir;
      try {
        const rounds = 7;
        const theirs: number[] = [], ours: number[] = [];
        const theirsCpu: number[] = [], oursCpu: number[] = [];
        let mine = bssEval(refs, ests, { permute });
        let ref = await worker.request(`1 ${permute ? 1 : 0}`) as Record<string, number[]>;
        for (let r = 0; r < rounds; r++) {
          ref = await worker.request(`1 ${permute ? 1 : 0}`) as Record<string, number[]>;
          theirs.push(ref.ms[0]);
          theirsCpu.push(ref.cpu_ms[0]);
          const t0 = performance.now(), c0 = cpuMs();
          mine = bssEval(refs, ests, { permute });
          oursCpu.push(cpuMs() - c0);
          ours.push(performance.now() - t0);
        }
        let worst = 0;
        for (const key of ["sdr", "sir", "sar"] as const) {
          mine[key].forEach((v, j) => worst = Math.max(worst, Math.abs(v - ref[key][j])));
        }
        const f = (v: number) => v.toFixed(0);
        console.log(
          `permute ${permute}: mir_eval ${f(median(theirs))} ms, ours ${f(median(ours))} ms ` +
            `per mixture (medians of ${rounds} interleaved calls): mir_eval/ours ` +
            `${(median(theirs) / median(ours)).toFixed(2)}x; per call ` +
            `${theirs.map((t, i) => (t / ours[i]).toFixed(2))}; CPU time (all threads of each ` +
            `process, less sensitive to the machine's load) mir_eval ${f(median(theirsCpu))} ms, ` +
            `ours ${f(median(oursCpu))} ms: ${
              (median(theirsCpu) / median(oursCpu)).toFixed(2)
            }x; ` +
            `largest score difference ${worst.toExponential(1)} dB; load average ` +
            `${Deno.loadavg().map((v) => v.toFixed(1)).join(" ")}`,
        );
        if (worst > 0.01) throw new Error(`bssEval differs from mir_eval by ${worst} dB`);
      } finally {
        await worker.close();
        await Deno.remove(file);
      }
    },
  });
}

/** One mixture's scores from mir_eval (permutation search on) through a worker. */
async function mirEvalScores(
  python: string,
  refs: Float64Array[],
  ests: Float64Array[],
): Promise<Record<string, number[]>> {
  const len = refs[0].length, file = await Deno.makeTempFile({ suffix: ".f64" });
  try {
    const data = new Float64Array(2 * refs.length * len);
    [...refs, ...ests].forEach((s, i) => data.set(s, i * len));
    await Deno.writeFile(file, new Uint8Array(data.buffer));
    const worker = new PythonWorker(python, [
      new URL("./bss_eval_mir_eval.py", import.meta.url).pathname,
      file,
      `${refs.length}`,
      `${len}`,
    ]);
    try {
      return await worker.request("1 1") as Record<string, number[]>;
    } finally {
      await worker.close();
    }
  } finally {
    await Deno.remove(file);
  }
}

let checkedAdversarial = false;
Deno.bench({
  name: "bssEval equals mir_eval 0.7 on adversarial mixtures (1 s, 512 taps)",
  group: "vs mir_eval",
  n: 1,
  warmup: 0,
  async fn() {
    if (checkedAdversarial) return;
    checkedAdversarial = true;
    if (python === null) {
      console.log("mir_eval is not installed (python3 cannot import mir_eval): no check.");
      return;
    }
    const rng = new Rng(7);
    const white = (len: number) => Float64Array.from({ length: len }, () => rng.normal());
    const a = white(rate), b = white(rate);
    const sines = (f: number[]) =>
      Float64Array.from(
        { length: rate },
        (_, t) => f.reduce((s, fk) => s + Math.sin(2 * Math.PI * fk * t / rate), 0),
      );
    // the nearly identical and the tonal (noise-free) references take the dense fallback (the
    // Levinson residual check fails), the others the block Levinson recursion; references
    // nearer still (1e-6 noise, condition number ~1e12+) leave double precision too few digits
    // for 0.01 dB, in mir_eval as here
    const cases: [string, Float64Array[]][] = [
      ["white", [a, b]],
      ["correlated (b = a + 1e-3 noise)", [a, a.map((v, t) => v + 1e-3 * b[t])]],
      ["nearly identical (b = a + 1e-5 noise)", [a, a.map((v, t) => v + 1e-5 * b[t])]],
      ["near-silent (b at -100 dB)", [a, b.map((v) => 1e-5 * v)]],
      ["tonal", [sines([220, 440, 660]), sines([330, 990])]],
      ["600 samples", [a.slice(0, 600), b.slice(0, 600)]],
    ];
    let worstAll = 0;
    for (const [name, refs] of cases) {
      const ests = refs.map((r, j) =>
        r.map((v, t) => v + 0.3 * refs[1 - j][t] + 0.1 * rng.normal())
      );
      const theirs = await mirEvalScores(python, refs, ests);
      const mine = bssEval(refs, ests);
      let worst = 0;
      for (const key of ["sdr", "sir", "sar"] as const) {
        mine[key].forEach((v, j) => worst = Math.max(worst, Math.abs(v - theirs[key][j])));
      }
      worstAll = Math.max(worstAll, worst);
      console.log(
        `${name}: SDR ${mine.sdr.map((v) => v.toFixed(2))} dB, largest difference to mir_eval ` +
          `${worst.toExponential(1)} dB`,
      );
    }
    if (worstAll > 0.01) throw new Error(`bssEval differs from mir_eval by ${worstAll} dB`);
  },
});
