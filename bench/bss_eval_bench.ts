/**
 * BSS-eval timing: 2 sources x 6 s at 11025 Hz (66150 samples), 512-tap filter, with and
 * without the permutation search. Run with `deno bench -A bench/bss_eval_bench.ts`.
 */
import { bssEval } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/random/mod.ts";

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
