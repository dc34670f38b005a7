/**
 * Soft K-means: the WGSL kernels as `softKMeans` runs them (baseline, `wgsl`: split over
 * workgroups by channel and position tiles where `softKMeansSplitWanted` says so) against
 * the same kernels forced to one workgroup per sample (`wgsl-sample`, what they were before
 * the split) and forced to split (`wgsl-split`), the same math composed from tfjs ops on
 * webgpu, the plain-loop kernels on wasm and cpu (`wasm-plain`, `cpu-plain`: what `softKMeans`
 * runs there) and the composed implementation on wasm and cpu; forward, and forward +
 * backward. Each group's summary gives the ratios to the WGSL baseline (the target:
 * composed-on-webgpu at least 3x slower than WGSL).
 *
 * Achieved memory bandwidth of the WGSL forward kernel is printed at the end for each shape:
 * modelled bytes / best time per call, the model being the kernel's global-memory traffic
 * with no cache: read x and write its transpose xT (B N D floats each), then per iteration
 * read xT twice (distances, center update) and write the squared distances and assignments
 * (2 B K N), and write the extracted outputs (B K D + B K N), 4 bytes per float. The split
 * kernels also write and read partial sums, which the model leaves out (it is the least
 * traffic the work needs): about 7% more at the paper shape with B = 64, 1.6x the modelled
 * bytes with B = 1 (under 1 MB per pass, small enough for a GPU's L2 cache). On a GPU
 * compare it with the device's peak memory bandwidth; on lavapipe it is a CPU's figure.
 *
 * `deno bench -A bench/soft_kmeans_bench.ts`. `AVSCENE_BENCH_SHAPES` picks shapes: `tiny`
 * (the tiny preset's visual and audio maps), `paper` (B=64, N=196, D=512, K=1..4, T=4),
 * `all` (also B=1); default `tiny` plus the paper shape at K=4 with B=64 and B=1.
 * `AVSCENE_BENCH_BACKENDS` (comma list of
 * `wgsl,wgsl-sample,wgsl-split,webgpu,wasm-plain,cpu-plain,wasm,cpu`) limits the
 * contenders. GPU work is timed to completion: each timed
 * iteration makes `AVSCENE_BENCH_CALLS` calls (default 8 for the tiny shapes, 1 for the paper
 * shape), then reads back one element of every output of every call (all awaited together),
 * which waits for the queue to drain. A readback costs a fixed latency (about 12 ms under Deno
 * on lavapipe, the same for any op), so with 1 call the tiny shapes time that latency more
 * than the GPU work; `AVSCENE_BENCH_CALLS=1` gives the single-call latency.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, describeBackend, initBackend } from "../lib/backend/mod.ts";
import { softKMeans, softKMeansComposed, type SoftKMeansResult } from "../kernels/mod.ts";
import { WEBGPU_SOFT_KMEANS_SPLIT } from "../kernels/soft_kmeans_webgpu.ts";

interface Shape {
  label: string;
  b: number;
  n: number;
  d: number;
  k: number;
}

const TINY: Shape[] = [
  { label: "tiny visual", b: 16, n: 64, d: 32, k: 3 },
  { label: "tiny audio", b: 16, n: 32, d: 32, k: 2 },
];
const PAPER: Shape[] = [1, 2, 3, 4].map((k) => ({
  label: "paper visual",
  b: 64,
  n: 196,
  d: 512,
  k,
}));

/** The paper shape with one clip: the case a GPU is emptiest at without the split. */
const PAPER_ONE: Shape = { label: "paper visual, one clip", b: 1, n: 196, d: 512, k: 4 };

const which = Deno.env.get("AVSCENE_BENCH_SHAPES") ?? "default";
const shapes = which === "tiny"
  ? TINY
  : which === "paper"
  ? PAPER
  : which === "all"
  ? [...TINY, ...PAPER, PAPER_ONE]
  : [...TINY, PAPER[3], PAPER_ONE];

type Contender =
  | "wgsl"
  | "wgsl-sample"
  | "wgsl-split"
  | "webgpu"
  | "wasm-plain"
  | "cpu-plain"
  | "wasm"
  | "cpu";
const wanted = (Deno.env.get("AVSCENE_BENCH_BACKENDS") ??
  "wgsl,wgsl-sample,wgsl-split,webgpu,wasm-plain,cpu-plain,wasm,cpu").split(",");

/** Backends that start here, in bench order; webgpu missing means no WGSL rows. */
const available: BackendName[] = [];
for (const name of ["webgpu", "wasm", "cpu"] as const) {
  try {
    await initBackend(name);
    available.push(name);
  } catch {
    console.error(`soft_kmeans_bench: backend ${name} unavailable, skipped`);
  }
}

/** The WebGPU adapter the WGSL rows run on, for the bandwidth lines. */
const gpu = available.includes("webgpu")
  ? (await initBackend("webgpu"), describeBackend())
  : "no WebGPU adapter";

/** Contenders; `split` sets the WGSL kernels' split mode while one runs. */
const contenders: {
  name: Contender;
  backend: BackendName;
  op: typeof softKMeans;
  split?: string;
}[] = [
  { name: "wgsl" as const, backend: "webgpu" as const, op: softKMeans },
  { name: "wgsl-sample" as const, backend: "webgpu" as const, op: softKMeans, split: "never" },
  { name: "wgsl-split" as const, backend: "webgpu" as const, op: softKMeans, split: "always" },
  { name: "webgpu" as const, backend: "webgpu" as const, op: softKMeansComposed },
  { name: "wasm-plain" as const, backend: "wasm" as const, op: softKMeans },
  { name: "cpu-plain" as const, backend: "cpu" as const, op: softKMeans },
  { name: "wasm" as const, backend: "wasm" as const, op: softKMeansComposed },
  { name: "cpu" as const, backend: "cpu" as const, op: softKMeansComposed },
].filter((c) => wanted.includes(c.name) && available.includes(c.backend));

const callsEnv = Deno.env.get("AVSCENE_BENCH_CALLS");
if (callsEnv !== undefined && !(Number.isInteger(Number(callsEnv)) && Number(callsEnv) >= 1)) {
  throw new Error(`AVSCENE_BENCH_CALLS must be an integer >= 1, got ${callsEnv}`);
}

/** Calls per timed iteration: enough to outweigh the readback latency at small shapes. */
function callsPerIteration(s: Shape): number {
  if (callsEnv !== undefined) return Number(callsEnv);
  return s.b * s.n * s.d > 1e6 ? 1 : 8;
}

/** Wait until every tensor of `ts` is computed: read back one element of each. */
async function settle(...ts: tf.Tensor[]): Promise<void> {
  const ones = ts.map((t) => tf.slice(tf.reshape(t, [-1]), 0, 1));
  await Promise.all(ones.map((one) => one.data()));
  tf.dispose(ones);
}

/** Inputs per backend, made once, so no bench times a transfer between backends. */
const inputs = new Map<string, tf.Tensor3D>();
async function input(s: Shape, backend: BackendName): Promise<tf.Tensor3D> {
  const key = `${backend}:${s.b}x${s.n}x${s.d}`;
  let x = inputs.get(key);
  if (!x) {
    await tf.setBackend(backend);
    x = tf.randomNormal([s.b, s.n, s.d], 0, 1, "float32", 7) as tf.Tensor3D;
    await settle(x);
    inputs.set(key, x);
  }
  return x;
}

/** Modelled global-memory bytes of one WGSL forward call (see the module doc). */
function forwardBytes(s: Shape, iterations = 4): number {
  const x = s.b * s.n * s.d, kn = s.b * s.k * s.n;
  return 4 * (2 * x + iterations * (2 * x + 2 * kn) + s.b * s.k * s.d + kn);
}

/** Best seconds per WGSL forward call, per contender and shape label with its dims. */
const bestForward = new Map<string, { s: Shape; seconds: number }>();
globalThis.addEventListener("unload", () => {
  for (const [key, { s, seconds }] of bestForward) {
    const gbs = forwardBytes(s) / seconds / 1e9;
    console.log(
      `WGSL forward ${key}: ${(seconds * 1e3).toFixed(3)} ms per call, ` +
        `${(forwardBytes(s) / 2 ** 20).toFixed(1)} MiB modelled traffic, ` +
        `achieved ${gbs.toFixed(2)} GB/s (${gpu})`,
    );
  }
});

for (const s of shapes) {
  const calls = callsPerIteration(s);
  const dims = `B=${s.b} N=${s.n} D=${s.d} K=${s.k} T=4, ${calls} call(s) per readback`;
  for (const pass of ["forward", "forward+backward"] as const) {
    for (const c of contenders) {
      Deno.bench({
        name: `${c.name} ${pass} ${s.label}`,
        group: `${pass} ${s.label} ${dims}`,
        baseline: c.name === "wgsl",
        n: s.b * s.n * s.d > 1e6 ? 3 : undefined,
        warmup: s.b * s.n * s.d > 1e6 ? 1 : undefined,
        async fn(b) {
          const x = await input(s, c.backend);
          await tf.setBackend(c.backend);
          tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, c.split ?? "auto");
          const outputs: tf.Tensor[] = [];
          const t0 = performance.now();
          b.start();
          for (let i = 0; i < calls; i++) {
            if (pass === "forward") {
              const r: SoftKMeansResult = c.op(x, s.k);
              outputs.push(r.centers, r.assignments);
            } else {
              outputs.push(
                tf.grad((v: tf.Tensor) => {
                  const r = c.op(v as tf.Tensor3D, s.k);
                  return tf.add(tf.sum(r.centers), tf.sum(tf.square(r.assignments)));
                })(x),
              );
            }
          }
          await settle(...outputs);
          b.end();
          if (c.name.startsWith("wgsl") && pass === "forward") {
            const seconds = (performance.now() - t0) / 1e3 / calls;
            const key = `${c.name} ${s.label} B=${s.b} N=${s.n} D=${s.d} K=${s.k}`;
            const prev = bestForward.get(key);
            if (!prev || seconds < prev.seconds) bestForward.set(key, { s, seconds });
          }
          tf.dispose(outputs);
        },
      });
    }
  }
}
