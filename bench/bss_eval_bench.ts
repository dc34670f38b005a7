/**
 * BSS-eval timing: 2 sources x 6 s at 11025 Hz (66150 samples), 512-tap filter, with and
 * without the permutation search.
 *
 * The anchor: when mir_eval is importable (Debian's `python3-mir-eval`), the "vs mir_eval"
 * cases time `mir_eval.separation.bss_eval_sources` on the same signals, interleaved call by
 * call with ours in the same process window, check that the scores agree (0.01 dB) and print
 * the medians and mir_eval/ours (the speed-up). Without mir_eval they print why and skip.
 *
 *   deno bench -A bench/bss_eval_bench.ts
 */
import { bssEval } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/random/mod.ts";
import { findPython, median, PythonWorker } from "./_python.ts";

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
        const rounds = 5;
        const theirs: number[] = [], ours: number[] = [];
        let mine = bssEval(refs, ests, { permute });
        let ref = await worker.request(`1 ${permute ? 1 : 0}`) as Record<string, number[]>;
        for (let r = 0; r < rounds; r++) {
          ref = await worker.request(`1 ${permute ? 1 : 0}`) as Record<string, number[]>;
          theirs.push(ref.ms[0]);
          const t0 = performance.now();
          mine = bssEval(refs, ests, { permute });
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
            `${theirs.map((t, i) => (t / ours[i]).toFixed(2))}; largest score difference ` +
            `${worst.toExponential(1)} dB; load average ` +
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
