/**
 * Execute every `notebooks/*.ipynb` headless with the Deno Jupyter kernel in quick mode
 * (`QUICK=1`) and check that each one ran without error and showed its plots.
 *
 * Usage: `deno run -A tests/run_notebooks.ts [--keep] [name-substring ...]`
 *
 * - Fails (exit 1) on any cell error, on a notebook that times out, on a notebook with no
 *   `display_data` output carrying both the vega-lite MIME type and `image/png`, on a figure
 *   output (vega-lite) without its PNG, and on a notebook whose HTML export (nbconvert's default
 *   template, what a user's export gives) lacks any figure as a PNG image. A notebook that
 *   fails is run a second time, its first problems printed, and fails only if that run does too
 *   (a figure's message was once lost on a loaded machine).
 * - When `jupyter`, `nbconvert` or the Deno kernelspec is missing it prints SKIP and exits 0,
 *   unless `AVSCENE_REQUIRE_NOTEBOOKS=1`, in which case that is a failure.
 * - `AVSCENE_NOTEBOOK_TIMEOUT` sets the per-cell timeout in seconds (default 1200).
 * - The notebooks run on the wasm backend unless `AVSCENE_BACKEND` names another, and at the
 *   CI budget (`AVSCENE_BUDGET=ci`: the quick runs' three seeds, fewer steps) unless
 *   `AVSCENE_BUDGET=quick`.
 * - `--html DIR` keeps those HTML exports in `DIR/<name>.html`.
 * - `--keep` keeps the executed notebooks and prints where they are. Notebooks whose name
 *   starts with `_` are scratch files and are not run.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The vega-lite MIME type our plots are displayed with (see lib/plot/types.ts). */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** A notebook cell output as nbformat 4 stores it. */
export interface NotebookOutput {
  /** `stream`, `display_data`, `execute_result` or `error`. */
  output_type: string;
  /** MIME bundle of display_data / execute_result. */
  data?: Record<string, unknown>;
  /** Error name of an `error` output. */
  ename?: string;
  /** Error value of an `error` output. */
  evalue?: string;
}

/** The parts of an nbformat 4 notebook the checks read. */
export interface Notebook {
  /** Cells. */
  cells: { cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }[];
  /** Notebook metadata (kernelspec). */
  metadata: { kernelspec?: { name?: string } };
}

/** The notebooks to run: `*.ipynb` in `dir` not starting with `_`, sorted by name. */
export async function findNotebooks(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith("_")) {
      out.push(join(dir, e.name));
    }
  }
  return out.sort();
}

/** Problems of a source notebook: wrong kernel, or imports other than `../mod.ts`. */
export function checkSourceNotebook(nb: Notebook): string[] {
  const problems: string[] = [];
  if (nb.metadata?.kernelspec?.name !== "deno") {
    problems.push(`kernelspec.name is ${nb.metadata?.kernelspec?.name}, expected "deno"`);
  }
  for (const [i, cell] of (nb.cells ?? []).entries()) {
    if (cell.cell_type !== "code") continue;
    const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    for (const m of src.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)) {
      const spec = m[1] ?? m[2];
      if (spec !== "../mod.ts" && !spec.startsWith("node:")) {
        problems.push(`cell ${i} imports "${spec}"; notebooks import only "../mod.ts"`);
      }
    }
  }
  return problems;
}

/** The payload of a MIME type in a bundle (nbformat may store text as a list of lines). */
function payload(data: Record<string, unknown>, mime: string): unknown {
  const raw = data[mime];
  return Array.isArray(raw) ? raw.join("") : raw;
}

/** How many figure outputs (vega-lite plots) an executed notebook shows. */
export function countFigures(nb: Notebook): number {
  return (nb.cells ?? []).flatMap((c) => c.outputs ?? [])
    .filter((o) => o.output_type === "display_data" && o.data?.[VEGA_LITE_MIME] !== undefined)
    .length;
}

/**
 * Problems of an executed notebook: error outputs, no plot shown, or a plot (vega-lite) without
 * its `image/png` (base64 of a PNG file), which static viewers and exports need.
 */
export function checkExecutedNotebook(nb: Notebook): string[] {
  const problems: string[] = [];
  let plots = 0;
  for (const [i, cell] of (nb.cells ?? []).entries()) {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === "error") {
        problems.push(`cell ${i} raised ${out.ename}: ${out.evalue}`);
      }
      if (out.output_type !== "display_data" || !out.data) continue;
      const spec = out.data[VEGA_LITE_MIME];
      if (!spec || typeof spec !== "object") continue;
      const png = payload(out.data, "image/png");
      // "iVBORw0KGgo" is the base64 of the PNG signature.
      if (typeof png === "string" && png.replace(/\s/g, "").startsWith("iVBORw0KGgo")) plots++;
      else problems.push(`cell ${i} shows a vega-lite plot without its image/png`);
    }
  }
  if (plots === 0) {
    problems.push(`no display_data output with both ${VEGA_LITE_MIME} and image/png`);
  }
  return problems;
}

/**
 * Problems of a notebook exported to HTML: fewer embedded PNG figure outputs than `figures`,
 * or an SVG output (nbconvert 6.5 strips SVG elements, leaving a blank box).
 */
export function checkExportedHtml(html: string, figures: number): string[] {
  const problems: string[] = [];
  const pngs = html.match(
    /<div class="jp-RenderedImage[^"]*"[^>]*>\s*<img\s+src="data:image\/png;base64,[A-Za-z0-9+/=]{100,}/g,
  ) ?? [];
  if (pngs.length !== figures) {
    problems.push(`the HTML shows ${pngs.length} PNG figure outputs, the notebook has ${figures}`);
  }
  if (html.includes('data-mime-type="image/svg+xml"')) {
    problems.push("the HTML has an SVG output (nbconvert 6 strips its elements)");
  }
  return problems;
}

/** Why notebooks cannot run here (missing jupyter, nbconvert or Deno kernel), or null. */
export async function missingTooling(): Promise<string | null> {
  const run = async (args: string[]) => {
    try {
      const r = await new Deno.Command("jupyter", { args, stdout: "piped", stderr: "piped" })
        .output();
      return r.success ? new TextDecoder().decode(r.stdout) : null;
    } catch {
      return null;
    }
  };
  if (await run(["--version"]) === null) return "`jupyter` is not installed";
  if (await run(["nbconvert", "--version"]) === null) return "`jupyter nbconvert` is not installed";
  const specs = await run(["kernelspec", "list", "--json"]);
  try {
    if (specs !== null && JSON.parse(specs).kernelspecs?.deno) return null;
  } catch { /* fall through */ }
  return "the Deno kernel is not registered (run `deno jupyter --install`)";
}

/** Execute one notebook into `outDir` with QUICK=1; returns the executed notebook's path. */
export async function executeNotebook(
  path: string,
  outDir: string,
  timeoutS: number,
): Promise<{ ok: boolean; output: string; log: string }> {
  const output = join(outDir, basename(path));
  const r = await new Deno.Command("jupyter", {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      `--ExecutePreprocessor.timeout=${timeoutS}`,
      // Outputs that arrive late on a loaded machine are still collected.
      "--ExecutePreprocessor.iopub_timeout=30",
      "--ExecutePreprocessor.kernel_name=deno",
      "--output-dir",
      outDir,
      "--output",
      basename(path),
      path,
    ],
    // wasm unless asked otherwise: deterministic, and the fastest backend on CPU-only machines
    // (webgpu there is a software rasteriser).
    env: {
      QUICK: "1",
      // the quick runs' seeds at a smaller budget, so the notebooks fit CI's time
      AVSCENE_BUDGET: Deno.env.get("AVSCENE_BUDGET") || "ci",
      NO_COLOR: "1",
      AVSCENE_BACKEND: Deno.env.get("AVSCENE_BACKEND") || "wasm",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { ok: r.success, output, log: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** Export an executed notebook to `htmlDir/<name>.html` with nbconvert's default template. */
export async function exportHtml(executed: string, htmlDir: string): Promise<boolean> {
  const r = await new Deno.Command("jupyter", {
    args: ["nbconvert", "--to", "html", "--output-dir", htmlDir, executed],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!r.success) console.error(new TextDecoder().decode(r.stderr));
  return r.success;
}

async function main(): Promise<number> {
  const htmlAt = Deno.args.indexOf("--html");
  const htmlDir = htmlAt >= 0 ? Deno.args[htmlAt + 1] : undefined;
  if (htmlAt >= 0 && !htmlDir) {
    console.error("FAIL: --html needs a folder");
    return 1;
  }
  const args = Deno.args.filter((a, i) =>
    a !== "--keep" && (htmlAt < 0 || (i !== htmlAt && i !== htmlAt + 1))
  );
  const keep = Deno.args.includes("--keep");
  const require = Deno.env.get("AVSCENE_REQUIRE_NOTEBOOKS") === "1";
  const timeoutS = Number(Deno.env.get("AVSCENE_NOTEBOOK_TIMEOUT") ?? 1200);
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const missing = await missingTooling();
  if (missing !== null) {
    if (require) {
      console.error(`FAIL: notebooks cannot run: ${missing} (AVSCENE_REQUIRE_NOTEBOOKS=1)`);
      return 1;
    }
    console.log(
      `SKIP: notebooks not executed: ${missing}. Set AVSCENE_REQUIRE_NOTEBOOKS=1 to fail.`,
    );
    return 0;
  }
  let notebooks = await findNotebooks(join(root, "notebooks"));
  if (args.length > 0) notebooks = notebooks.filter((p) => args.some((a) => p.includes(a)));
  if (notebooks.length === 0) {
    console.error("FAIL: no notebooks found in notebooks/");
    return 1;
  }
  const outDir = await Deno.makeTempDir({ prefix: "avscene-notebooks-" });
  let failed = 0;
  const started = performance.now();
  // One notebook's problems: its source, its execution, its checks and its HTML export.
  const problemsOf = async (path: string): Promise<string[]> => {
    const name = basename(path);
    const source: Notebook = JSON.parse(await Deno.readTextFile(path));
    const problems = checkSourceNotebook(source);
    const res = await executeNotebook(path, outDir, timeoutS);
    let executed: Notebook | undefined;
    try {
      executed = JSON.parse(await Deno.readTextFile(res.output));
    } catch { /* nbconvert wrote nothing */ }
    if (!res.ok) {
      problems.push(`nbconvert failed:\n${res.log.trim().split("\n").slice(-30).join("\n")}`);
    }
    if (!executed) {
      if (res.ok) problems.push("no executed notebook written");
    } else {
      problems.push(...checkExecutedNotebook(executed));
      if (problems.length === 0) {
        // Every executed notebook is exported as a user would, and its figures must survive.
        const into = htmlDir ?? join(outDir, "html");
        await Deno.mkdir(into, { recursive: true });
        if (!await exportHtml(res.output, into)) problems.push("HTML export failed");
        else {
          const html = await Deno.readTextFile(join(into, name.replace(/\.ipynb$/, ".html")));
          problems.push(...checkExportedHtml(html, countFigures(executed)));
        }
      }
    }
    return problems;
  };
  for (const path of notebooks) {
    const name = basename(path);
    const t0 = performance.now();
    let problems = await problemsOf(path);
    if (problems.length > 0) {
      // Once, on a loaded machine, a figure's display_data message was lost (the kernel said
      // idle before sending it, and nbconvert stopped listening); a second run tells a lost
      // message from a broken notebook, and the first run's problems are printed either way.
      console.log(`retry ${name}: the first run had\n  - ${problems.join("\n  - ")}`);
      problems = await problemsOf(path);
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    if (problems.length === 0) {
      console.log(`ok    ${name} (${secs} s)`);
    } else {
      failed++;
      console.log(`FAIL  ${name} (${secs} s)\n  - ${problems.join("\n  - ")}`);
    }
  }
  if (keep) console.log(`executed notebooks kept in ${outDir}`);
  else await Deno.remove(outDir, { recursive: true });
  const total = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`${notebooks.length - failed} passed, ${failed} failed (${total} s in all)`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
