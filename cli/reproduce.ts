/**
 * The `reproduce` command: run every experiment of the paper on the synthetic world or on
 * datasets on disk (quick by default, `--full` for the full run), resumably, and write the
 * report; experiments the data cannot serve are skipped with a sentence.
 *
 * @module
 */
import { backendInfo, initBackend } from "../lib/backend/mod.ts";
import { backendOption, listOption, numberOption, parseCommand } from "./_args.ts";
import { runShardProcesses } from "./_reproduce_jobs.ts";
import { runBudget, runScale } from "../lib/experiments/experiment_options.ts";
import { checkWeightAverageDecay } from "../lib/train/weight_average.ts";
import { claimsText } from "../lib/report/claims_view.ts";
import { resultsTable } from "../lib/plot/results_table.ts";
import { tableText } from "../lib/plot/table_text.ts";
import type { ReportableResult } from "../lib/report/experiment_sections.ts";
import { EXPERIMENTS } from "../lib/experiments/registry.ts";
import { unservedNeeds } from "../lib/data/dataset.ts";
import { openDatasets } from "../lib/data/datasets/open_dataset.ts";
import { presetConfig } from "../lib/model/presets.ts";
import {
  SEPARATION_PROTOCOLS,
  type SeparationProtocol,
} from "../lib/model/separation/separation_config.ts";
import { table3Scale } from "../lib/experiments/run_table3.ts";
import type { ReportSection } from "../lib/report/report_section.ts";
import { runMeta } from "../lib/report/run_meta.ts";
import { runProgressDisplay } from "./_run_progress.ts";
import { writeReport } from "../lib/report/write_report.ts";
import { acquireRunLock } from "../lib/io/run_lock.ts";
import { mergeShards, parseShard, runShard } from "../lib/experiments/shard.ts";
import { listenForStop } from "./_stop_signals.ts";

/** Seconds since this process started, for the shard logs' time stamps: `"12.3 s"`. */
function elapsed(): string {
  return `${(performance.now() / 1000).toFixed(1)} s`;
}

/** The keys `--scale` accepts: the run scale's and Table 3's separation scale's. */
export const SCALE_KEYS: readonly string[] = [
  // firstStageSteps included; the weight average is a decay, not a count: --weight-average
  ...Object.keys(runScale(true)).filter((k) => k !== "seeds" && k !== "weightAverage"),
  ...Object.keys(table3Scale(true)),
];

/** `--scale steps=3,batchSize=2` as the runners' `scale` and `separation` overrides. */
function parseScale(
  text: string | undefined,
): { scale?: Record<string, number>; separation?: Record<string, number> } {
  if (text === undefined) return {};
  const scale: Record<string, number> = {}, separation: Record<string, number> = {};
  const sep = Object.keys(table3Scale(true));
  for (const part of text.split(",")) {
    const [key, value] = part.split("=").map((x) => x.trim());
    const n = Number(value);
    if (!SCALE_KEYS.includes(key)) {
      throw new Error(`reproduce: --scale key "${key}" is not one of ${SCALE_KEYS.join(", ")}`);
    }
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`reproduce: --scale ${key} must be an integer >= 1, got "${value}"`);
    }
    (sep.includes(key) ? separation : scale)[key] = n;
  }
  return { scale, separation };
}

/** The `--help` text of {@linkcode reproduceCommand}. */
export const REPRODUCE_HELP =
  `avscene reproduce: run the paper's experiments on the synthetic world or your data

Usage: deno task reproduce [options]

  --data KIND:PATH  the data, repeatable, each capability from the first that has it:
                    music:DIR (training, Table 3, counting), flickr:DIR (Table 2 test set,
                    uncurated training), esc50:DIR (Table 1 clips), audioset:DIR (training by
                    label count), synthetic[:SEED] (everything; the default). An experiment
                    the data cannot serve is skipped with a sentence.
  --box-frame N     SoundNet-Flickr boxes are in an N x N frame (256: the reference code's)
  --separation-protocol NAME
                    Table 3's protocol: preset (the preset's own audio front end; default)
                    or sound-of-pixels (11025 Hz, 65535 samples, STFT 1022/256, 256
                    log-frequency bins, binary masks, mixture phase: the published MUSIC
                    protocol; MUSIC audio is decoded at 11025 Hz, other data resampled)
  --skip-bad        drop index rows whose media are missing instead of stopping
  --scale K=N,...   override the quick/full scale (smoke runs; cached apart), keys:
                    ${SCALE_KEYS.slice(0, 4).join(", ")},
                    ${SCALE_KEYS.slice(4, 8).join(", ")},
                    ${SCALE_KEYS.slice(8, 12).join(", ")},
                    ${SCALE_KEYS.slice(12).join(", ")}
  --weight-average X
                    train every model with weight averaging of decay X in [0, 1) and
                    evaluate the averages (default: 0.99 in the quick and the full run;
                    0: none; docs/recipe.md); cached apart
  --full            the full run: 5 seeds, 2000 first-stage steps, 2000 separation steps
                    (about 70 min on 2 cores; default: the quick run, minutes on a laptop)
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
  data: { type: "string", multiple: true },
  "box-frame": { type: "string" },
  "separation-protocol": { type: "string" },
  "skip-bad": { type: "boolean", default: false },
  scale: { type: "string" },
  "weight-average": { type: "string" },
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
  const overrides = parseScale(values.scale);
  const weightAverage = values["weight-average"] === undefined
    ? undefined
    : numberOption("reproduce", "weight-average", values["weight-average"], 0, { min: 0 });
  if (weightAverage !== undefined) {
    checkWeightAverageDecay("reproduce: --weight-average", weightAverage);
    overrides.scale = { ...overrides.scale, weightAverage };
  }
  const boxFrame = values["box-frame"] === undefined ? undefined : Number(values["box-frame"]);
  if (boxFrame !== undefined && !(Number.isInteger(boxFrame) && boxFrame > 0)) {
    throw new Error(
      `reproduce: --box-frame must be a positive integer, got "${values["box-frame"]}"`,
    );
  }
  const protocol = values["separation-protocol"];
  if (
    protocol !== undefined && !(SEPARATION_PROTOCOLS as readonly string[]).includes(protocol)
  ) {
    throw new Error(
      `reproduce: --separation-protocol must be one of ${
        SEPARATION_PROTOCOLS.join(", ")
      }, got "${protocol}"`,
    );
  }
  // the runners' default preset fixes the sizes the data is opened at
  const config = presetConfig("tiny");
  const world = values.data
    ? await openDatasets(values.data, {
      sampleRate: config.sampleRate,
      imageSize: config.imageSize,
      seconds: config.duration,
      skipBad: values["skip-bad"],
      boxFrame,
    })
    : undefined;
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard && values.merge) throw new Error("reproduce: --shard and --merge exclude each other");
  await initBackend(backendOption(values));
  const meta = runMeta(quick, {
    data: world?.name ?? "the synthetic world",
    cache: values.cache,
  });
  console.log(
    `reproduce (${meta.mode}) on ${meta.backend} with ${meta.data}; ` +
      `cache ${values.cache}`,
  );
  if (world && "summary" in world) console.log(world.summary);
  const chosen = EXPERIMENTS.filter((e) => !only || only.includes(e.name));
  // an experiment the data cannot serve is skipped with a sentence, also when sharding
  const unserved = (e: typeof chosen[number]) =>
    world ? unservedNeeds(world, e.needs, e.name) : null;
  const served = (e: typeof chosen[number]) => {
    const why = unserved(e);
    if (why && (shard || values.merge)) console.log(`${e.name} skipped: ${why}`);
    return why === null;
  };
  const shared = {
    quick,
    outDir: values.cache,
    ...(seeds ? { seeds } : {}),
    ...(world ? { world } : {}),
    ...(protocol ? { separationProtocol: protocol as SeparationProtocol } : {}),
    ...overrides,
  };
  if (shard) {
    console.log(`[${elapsed()}] shard ${shard.index}/${shard.count}: planning the cells`);
    const runnable = chosen.filter(served);
    let last = "";
    const r = await runShard(runnable, {
      ...shared,
      // a line per change of stage (each cell, each model's training), stamped with the
      // seconds since the process started: the shard's log is its time profile
      onProgress: (p) => {
        const what = `${p.experiment}: ${p.stage}`;
        if (what === last) return;
        last = what;
        console.log(`[${elapsed()}] ${p.experiment} ${p.done}/${p.total}: ${p.stage}`);
      },
    }, shard);
    console.log(`planning the cells took ${r.planSeconds.toFixed(1)} s`);
    for (const e of runnable) {
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
    const results = await mergeShards(chosen.filter(served), shared);
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
  if (jobs > 1) {
    // the children open the same data: its flags go to them as given
    const extra = [
      ...(values.data ?? []).flatMap((d) => ["--data", d]),
      ...(values["box-frame"] !== undefined ? ["--box-frame", values["box-frame"]] : []),
      ...(values["skip-bad"] ? ["--skip-bad"] : []),
      ...(protocol !== undefined ? ["--separation-protocol", protocol] : []),
      ...(values.scale !== undefined ? ["--scale", values.scale] : []),
      ...(weightAverage !== undefined ? ["--weight-average", String(weightAverage)] : []),
    ];
    const runnable = chosen.filter((e) => {
      const why = unserved(e);
      if (why) console.log(`${e.name} skipped: ${why}`);
      return why === null;
    });
    return await reproduceInProcesses(
      runnable,
      jobs,
      { ...values, seeds, extra, shared },
      meta,
    );
  }

  const lock = await acquireRunLock(values.cache, `reproduce ${args.join(" ")}`);
  const abort = new AbortController();
  const onSignal = () => {
    console.error("\ninterrupted: stopping after the current step (run again to resume)");
    abort.abort();
  };
  const stopListening = listenForStop(onSignal);
  const content: (ReportSection | ReportableResult)[] = [];
  let failed = 0;
  try {
    for (const [i, e] of chosen.entries()) {
      const title = e.title;
      console.log(`\n[${i + 1}/${chosen.length}] ${title}`);
      const skip = unserved(e);
      if (skip) {
        const why = `skipped: ${skip}`;
        console.log(why);
        content.push({ title, id: e.name, text: why });
        continue;
      }
      const display = runProgressDisplay();
      try {
        const result: ReportableResult = await e.run({
          ...shared,
          signal: abort.signal,
          onProgress: (p) => display.update(p),
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
    stopListening();
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
    /** The data flags, forwarded to every child. */
    extra: string[];
    /** The runners' options (data and scale included) the merge reads the cells with. */
    shared: Parameters<typeof mergeShards>[1];
  },
  meta: Record<string, string | number | boolean>,
): Promise<number> {
  const lock = await acquireRunLock(values.cache, `reproduce --jobs ${jobs}`);
  const abort = new AbortController();
  const onSignal = () => {
    console.error("\ninterrupted: stopping the shard processes (run again to resume)");
    abort.abort();
  };
  const stopListening = listenForStop(onSignal);
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
        extra: values.extra,
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
    stopListening();
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
  const merged = await mergeShards(chosen, values.shared);
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
