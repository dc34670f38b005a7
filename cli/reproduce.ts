/**
 * The `reproduce` command: run every experiment of the paper on the synthetic world (quick by
 * default, `--full` for the full run), resumably, and write the report.
 *
 * @module
 */
import { backendInfo, initBackend } from "../lib/backend/mod.ts";
import { backendOption, listOption, numberOption, parseCommand } from "./_args.ts";
import { runShardProcesses } from "./_reproduce_jobs.ts";
import { runBudget, runScale } from "../lib/experiments/experiment_options.ts";
import { claimsText } from "../lib/report/claims_view.ts";
import { resultsTable } from "../lib/plot/results_table.ts";
import { tableText } from "../lib/plot/table_text.ts";
import type { ReportableResult } from "../lib/report/experiment_sections.ts";
import { EXPERIMENTS } from "../lib/experiments/registry.ts";
import type { ReportSection } from "../lib/report/report_section.ts";
import { runMeta } from "../lib/report/run_meta.ts";
import { runProgressDisplay } from "./_run_progress.ts";
import { writeReport } from "../lib/report/write_report.ts";
import { acquireRunLock } from "../lib/io/run_lock.ts";
import { mergeShards, parseShard, runShard } from "../lib/experiments/shard.ts";

/** The `--help` text of {@linkcode reproduceCommand}. */
export const REPRODUCE_HELP = `avscene reproduce: run the paper's experiments on the synthetic world

Usage: deno task reproduce [options]

  --full            the full run (default: the quick run, minutes on a laptop)
  --out DIR         where the report goes: DIR/index.html, DIR/results.json (default report)
  --cache DIR       runners' cache (models, finished cells); a rerun after an interruption
                    resumes from it (default runs/reproduce); a plain run holds it alone
                    (writer.lock), shards share it
  --only LIST       comma-separated subset of ${EXPERIMENTS.map((e) => e.name).join(",")}
  --seeds LIST      comma-separated seeds (default: the runners' own for quick/full)
  --backend NAME    webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  --shard I/N       compute only shard I of N (a deterministic 1/N of the cells: seeds x
                    experiments x methods) into --cache, write no report; run all N (on any
                    machines sharing --cache, with the same options), then --merge
  --merge           write the report from the cached cells only, computing nothing (fails
                    naming any missing cell); a plain rerun also reuses them and computes
                    whatever is missing
  --jobs N          run as N shard processes on this machine, then merge (tfjs's wasm
                    backend is single-threaded under Deno: one process uses one core);
                    default: one per seed, at most twice the CPU cores; --jobs 1 runs in
                    this process with a progress bar; shard logs go to the cache directory
  -h, --help        this text

Ctrl-C (or SIGTERM) stops after the current step; run the same command again to resume.
`;

const REPRODUCE_OPTIONS = {
  full: { type: "boolean", default: false },
  out: { type: "string", default: "report" },
  cache: { type: "string", default: "runs/reproduce" },
  only: { type: "string" },
  seeds: { type: "string" },
  shard: { type: "string" },
  merge: { type: "boolean", default: false },
  jobs: { type: "string" },
} as const;

/**
 * Run the `reproduce` command with its command-line arguments (see
 * {@linkcode REPRODUCE_HELP}).
 *
 * @param args the arguments after `reproduce`.
 * @returns the exit code: 0 when every experiment ran, 1 when one failed,
 * 130 when interrupted.
 */
export async function reproduceCommand(args: string[]): Promise<number> {
  const values = parseCommand(
    { name: "reproduce", help: REPRODUCE_HELP, options: REPRODUCE_OPTIONS },
    args,
  );
  if (!values) return 0;
  const names = EXPERIMENTS.map((e) => e.name);
  const only = listOption("reproduce", "only", values.only);
  for (const n of only ?? []) {
    if (!names.includes(n)) {
      throw new Error(`reproduce: --only names "${n}"; experiments are ${names.join(", ")}`);
    }
  }
  const seeds = listOption("reproduce", "seeds", values.seeds)?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`reproduce: --seeds must be integers, got "${s}"`);
    return n;
  });
  const quick = !values.full;
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard && values.merge) throw new Error("reproduce: --shard and --merge exclude each other");
  await initBackend(backendOption(values));
  const meta = runMeta(quick, { cache: values.cache });
  console.log(`reproduce (${meta.mode}) on ${meta.backend}; cache ${values.cache}`);
  const chosen = EXPERIMENTS.filter((e) => !only || only.includes(e.name));
  const shared = { quick, outDir: values.cache, ...(seeds ? { seeds } : {}) };
  if (shard) {
    console.log(`shard ${shard.index}/${shard.count}: planning the cells`);
    let last = 0;
    const r = await runShard(chosen, {
      ...shared,
      // a line at most every 30 s: shard output usually goes to a log file
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < 30_000 && p.done < p.total) return;
        last = now;
        console.log(`${p.experiment} ${p.done}/${p.total}: ${p.stage}`);
      },
    }, shard);
    for (const e of chosen) {
      console.log(
        `${e.name}: computed ${r.computed[e.name].length}, reused ${r.reused[e.name].length}`,
      );
    }
    console.log(
      `shard ${shard.index}/${shard.count} done: ${r.assigned} cell(s) assigned; complete ` +
        `in the cache: ${r.complete.join(", ") || "none yet"}. When every shard has run: ` +
        `deno task reproduce --merge --cache ${values.cache}${values.full ? " --full" : ""}`,
    );
    return 0;
  }
  if (values.merge) {
    const results = await mergeShards(chosen, shared);
    for (const result of results) {
      console.log(tableText(resultsTable(result.rows, { paperData: result.paperData })));
      console.log(claimsText(result.claims));
    }
    const files = await writeReport(values.out, results, { meta });
    console.log(`\nreport: ${files.html}\nresults: ${files.json}`);
    return 0;
  }

  const seedCount = seeds?.length ?? runScale(runBudget(quick)).seeds.length;
  const cores = navigator.hardwareConcurrency ?? 1;
  const jobs = Math.min(
    seedCount,
    numberOption(
      "reproduce",
      "jobs",
      values.jobs,
      cores >= 2 ? Math.min(seedCount, 2 * cores) : 1,
      { integer: true, min: 1 },
    ),
  );
  if (jobs > 1) return await reproduceInProcesses(chosen, jobs, { ...values, seeds }, meta);

  const lock = await acquireRunLock(values.cache, `reproduce ${args.join(" ")}`);
  const abort = new AbortController();
  const onSignal = () => {
    console.error("\ninterrupted: stopping after the current step (run again to resume)");
    abort.abort();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const content: (ReportSection | ReportableResult)[] = [];
  let failed = 0;
  try {
    for (const [i, e] of chosen.entries()) {
      const title = e.title;
      console.log(`\n[${i + 1}/${chosen.length}] ${title}`);
      const display = runProgressDisplay();
      try {
        const result: ReportableResult = await e.run({
          quick,
          outDir: values.cache,
          signal: abort.signal,
          onProgress: (p) => display.update(p),
          ...(seeds ? { seeds } : {}),
        });
        display.stop();
        content.push(result);
        if (result.cells) {
          console.log(
            `cells: ${result.cells.computed.length} computed, ${result.cells.reused.length} ` +
              `reused from ${values.cache} (same code, backend, data and scale)`,
          );
        }
        console.log(tableText(resultsTable(result.rows, { paperData: result.paperData })));
        console.log(claimsText(result.claims));
      } catch (err) {
        display.stop();
        if (abort.signal.aborted) break;
        failed++;
        const why = `failed: ${(err as Error).message}`;
        console.error(why);
        content.push({ title, id: e.name, text: why });
      }
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    await lock.release();
  }
  if (abort.signal.aborted) {
    console.error(`not finished; rerun the same command to resume from ${values.cache}`);
    return 130;
  }
  const files = await writeReport(values.out, content, { meta });
  console.log(`\nreport: ${files.html}\nresults: ${files.json}`);
  return failed === 0 ? 0 : 1;
}

/**
 * The run as `jobs` shard processes (each a group of seeds, one core each), then the report
 * merged from the cache. The parent holds the cache's lock while they run.
 */
async function reproduceInProcesses(
  chosen: typeof EXPERIMENTS,
  jobs: number,
  values: {
    cache: string;
    out: string;
    full: boolean;
    only?: string;
    seeds?: number[];
  },
  meta: Record<string, string | number | boolean>,
): Promise<number> {
  const lock = await acquireRunLock(values.cache, `reproduce --jobs ${jobs}`);
  const abort = new AbortController();
  const onSignal = () => {
    console.error("\ninterrupted: stopping the shard processes (run again to resume)");
    abort.abort();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  console.log(
    `${jobs} shard processes (one core each), logs in ${values.cache}/shard-*-of-${jobs}.log`,
  );
  let results;
  try {
    results = await runShardProcesses(
      {
        cache: values.cache,
        full: values.full,
        only: values.only,
        seeds: values.seeds?.join(","),
        backend: backendInfo()!.backend,
      },
      jobs,
      abort.signal,
      (r) =>
        console.log(
          `shard ${r.index}/${jobs} ${r.code === 0 ? "done" : `failed (exit ${r.code})`} after ${
            r.seconds.toFixed(0)
          } s`,
        ),
    );
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    await lock.release();
  }
  if (abort.signal.aborted) {
    console.error(`not finished; rerun the same command to resume from ${values.cache}`);
    return 130;
  }
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0) {
    for (const r of failed) console.error(`shard ${r.index}/${jobs} failed: see ${r.log}`);
    return 1;
  }
  const shared = {
    quick: !values.full,
    outDir: values.cache,
    ...(values.seeds ? { seeds: values.seeds } : {}),
  };
  const merged = await mergeShards(chosen, shared);
  for (const result of merged) {
    console.log(
      `\n${chosen.find((e) => e.name === result.experiment)?.title ?? result.experiment}`,
    );
    console.log(tableText(resultsTable(result.rows, { paperData: result.paperData })));
    console.log(claimsText(result.claims));
  }
  const files = await writeReport(values.out, merged, { meta: { ...meta, jobs } });
  console.log(`\nreport: ${files.html}\nresults: ${files.json}`);
  return 0;
}
