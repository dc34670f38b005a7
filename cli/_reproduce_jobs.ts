/**
 * `reproduce --jobs N`: the run split into N shard processes on this machine (tfjs's wasm
 * backend runs single-threaded under Deno, so one process uses one core), each writing its
 * seeds' cells into the shared cache and its output to a log file there; the caller then
 * merges the report from the cache.
 *
 * @module
 */

/** The options a shard process is started with (the parent's, resolved). */
export interface ShardProcessOptions {
  /** The shared cache directory. */
  cache: string;
  /** The full run (else quick). */
  full: boolean;
  /** `--only` as given. */
  only?: string;
  /** `--seeds` as given. */
  seeds?: string;
  /** The backend the parent runs on (the children must use the same: it keys the cache). */
  backend: string;
  /** Further arguments every child gets as given (the data: `--data`, `--scale`, ...). */
  extra?: string[];
}

/**
 * The `reproduce` arguments of shard process `index` of `count`.
 *
 * @param opts the parent's options.
 * @param index 1-based shard number.
 * @param count number of shards.
 * @returns the arguments after `reproduce`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardProcessArgs } from "./_reproduce_jobs.ts";
 * assert.deepEqual(
 *   shardProcessArgs({ cache: "runs/r", full: false, backend: "wasm" }, 2, 3),
 *   ["--cache", "runs/r", "--backend", "wasm", "--shard", "2/3"],
 * );
 * ```
 */
export function shardProcessArgs(
  opts: ShardProcessOptions,
  index: number,
  count: number,
): string[] {
  return [
    "--cache",
    opts.cache,
    ...(opts.full ? ["--full"] : []),
    ...(opts.only !== undefined ? ["--only", opts.only] : []),
    ...(opts.seeds !== undefined ? ["--seeds", opts.seeds] : []),
    "--backend",
    opts.backend,
    ...(opts.extra ?? []),
    "--shard",
    `${index}/${count}`,
  ];
}

/** How one shard process ended. */
export interface ShardProcessResult {
  /** 1-based shard number. */
  index: number;
  /** Its exit code. */
  code: number;
  /** Its log file (stdout and stderr). */
  log: string;
  /** Seconds it ran. */
  seconds: number;
}

/**
 * Run `count` shard processes of `deno run -A cli.ts reproduce ... --shard i/count` at once,
 * each logging to `<cache>/shard-<i>-of-<count>.log`, and wait for all. An abort (Ctrl-C in
 * the parent) sends them SIGTERM; their finished cells stay cached and a rerun resumes.
 *
 * @param opts the parent's options.
 * @param count number of processes.
 * @param signal aborts the processes.
 * @param onDone called as each process ends.
 * @returns how each ended, in shard order.
 */
export async function runShardProcesses(
  opts: ShardProcessOptions,
  count: number,
  signal: AbortSignal,
  onDone: (r: ShardProcessResult) => void,
): Promise<ShardProcessResult[]> {
  await Deno.mkdir(opts.cache, { recursive: true });
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const started = performance.now();
  const running = Array.from({ length: count }, async (_, i): Promise<ShardProcessResult> => {
    const index = i + 1;
    const log = `${opts.cache}/shard-${index}-of-${count}.log`;
    const file = await Deno.open(log, { write: true, create: true, truncate: true });
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", cli, "reproduce", ...shardProcessArgs(opts, index, count)],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const kill = () => {
        try {
          child.kill("SIGTERM");
        } catch { /* already ended */ }
      };
      signal.addEventListener("abort", kill);
      const pump = async (stream: ReadableStream<Uint8Array>) => {
        for await (const chunk of stream) await file.write(chunk);
      };
      const [status] = await Promise.all([child.status, pump(child.stdout), pump(child.stderr)]);
      signal.removeEventListener("abort", kill);
      const r = {
        index,
        code: status.code,
        log,
        seconds: (performance.now() - started) / 1000,
      };
      onDone(r);
      return r;
    } finally {
      file.close();
    }
  });
  return await Promise.all(running);
}
