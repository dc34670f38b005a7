/**
 * The `reproduce` command: run every experiment of the paper on the synthetic world (quick by
 * default, `--full` for the full run), resumably, and write the report.
 *
 * @module
 */
import { initBackend } from "../lib/backend/mod.ts";
import { backendOption, listOption, parseCommand } from "./_args.ts";
import { claimsText } from "../lib/plot/claims_view.ts";
import { resultsTable } from "../lib/plot/results_table.ts";
import { tableText } from "../lib/plot/table_text.ts";
import type { ReportableResult } from "../lib/report/experiment_sections.ts";
import { EXPERIMENTS } from "../lib/experiments/registry.ts";
import type { ReportSection } from "../lib/report/report_section.ts";
import { runMeta } from "../lib/report/run_meta.ts";
import { runProgressDisplay } from "./_run_progress.ts";
import { writeReport } from "../lib/report/write_report.ts";

/** The `--help` text of {@linkcode reproduceCommand}. */
export const REPRODUCE_HELP = `avscene reproduce: run the paper's experiments on the synthetic world

Usage: deno task reproduce [options]

  --full            the full run (default: the quick run, minutes on a laptop)
  --out DIR         where the report goes: DIR/index.html, DIR/results.json (default report)
  --cache DIR       runners' cache (models, finished cells); a rerun after an interruption
                    resumes from it (default runs/reproduce)
  --only LIST       comma-separated subset of ${EXPERIMENTS.map((e) => e.name).join(",")}
  --seeds LIST      comma-separated seeds (default: the runners' own for quick/full)
  --backend NAME    webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  -h, --help        this text

Ctrl-C stops after the current step; run the same command again to resume.
`;

const REPRODUCE_OPTIONS = {
  full: { type: "boolean", default: false },
  out: { type: "string", default: "report" },
  cache: { type: "string", default: "runs/reproduce" },
  only: { type: "string" },
  seeds: { type: "string" },
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
  await initBackend(backendOption(values));
  const meta = runMeta(quick, { cache: values.cache });
  console.log(`reproduce (${meta.mode}) on ${meta.backend}; cache ${values.cache}`);

  const abort = new AbortController();
  const onSigint = () => {
    console.error("\ninterrupted: stopping after the current step (run again to resume)");
    abort.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  const content: (ReportSection | ReportableResult)[] = [];
  let failed = 0;
  try {
    const chosen = EXPERIMENTS.filter((e) => !only || only.includes(e.name));
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
        console.log(tableText(resultsTable(result.rows)));
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
    Deno.removeSignalListener("SIGINT", onSigint);
  }
  if (abort.signal.aborted) {
    console.error(`not finished; rerun the same command to resume from ${values.cache}`);
    return 130;
  }
  const files = await writeReport(values.out, content, { meta });
  console.log(`\nreport: ${files.html}\nresults: ${files.json}`);
  return failed === 0 ? 0 : 1;
}
