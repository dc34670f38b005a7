import assert from "node:assert/strict";
import { join } from "node:path";
import {
  checkExecutedNotebook,
  checkExportedHtml,
  checkSourceNotebook,
  countFigures,
  findNotebooks,
  type Notebook,
  VEGA_LITE_MIME,
} from "./run_notebooks.ts";
import { VEGA_LITE_MIME as PLOT_MIME } from "../lib/plot/mod.ts";

const dir = new URL("../notebooks/", import.meta.url).pathname;

Deno.test("every notebook is a Deno-kernel nbformat 4 notebook importing only ../mod.ts", async () => {
  const notebooks = await findNotebooks(dir);
  assert.ok(notebooks.some((p) => p.endsWith("00_quickstart.ipynb")), "00_quickstart exists");
  for (const path of notebooks) {
    const nb = JSON.parse(await Deno.readTextFile(path));
    assert.equal(nb.nbformat, 4, path);
    assert.deepEqual(checkSourceNotebook(nb), [], path);
    assert.equal(nb.cells[0].cell_type, "markdown", `${path} opens with its explanation`);
    const src = nb.cells.map((c: { source: string[] }) => c.source.join("")).join("\n");
    assert.match(src, /Deno\.env\.get\("QUICK"\)/, `${path} honours QUICK`);
  }
});

Deno.test("the runner's MIME type is the one lib/plot displays", () => {
  assert.equal(VEGA_LITE_MIME, PLOT_MIME);
});

function executed(outputs: Notebook["cells"][number]["outputs"]): Notebook {
  return {
    metadata: { kernelspec: { name: "deno" } },
    cells: [{ cell_type: "code", source: "x", outputs }],
  };
}

Deno.test("checkExecutedNotebook: needs plots with vega-lite and their PNG, no errors", () => {
  const png = "iVBORw0KGgoAAAANSUhEUg";
  const plot = {
    output_type: "display_data",
    data: { [VEGA_LITE_MIME]: { mark: "bar" }, "image/png": png, "text/plain": "p" },
  };
  assert.deepEqual(checkExecutedNotebook(executed([plot])), []);
  assert.equal(countFigures(executed([plot, plot])), 2);
  const pngOnly = { output_type: "display_data", data: { "image/png": png } };
  assert.match(checkExecutedNotebook(executed([pngOnly]))[0], /no display_data/);
  const specOnly = { output_type: "display_data", data: { [VEGA_LITE_MIME]: {} } };
  assert.deepEqual(checkExecutedNotebook(executed([plot, specOnly])), [
    "cell 0 shows a vega-lite plot without its image/png",
  ]);
  const err = { output_type: "error", ename: "TypeError", evalue: "boom" };
  assert.deepEqual(checkExecutedNotebook(executed([plot, err])), ["cell 0 raised TypeError: boom"]);
});

Deno.test("checkExportedHtml: every figure as an embedded PNG, no SVG output", () => {
  const img =
    `<div class="jp-RenderedImage jp-OutputArea-output ">\n<img src="data:image/png;base64,${
      "A".repeat(120)
    }">`;
  assert.deepEqual(checkExportedHtml(img + img, 2), []);
  assert.match(checkExportedHtml(img, 2)[0], /1 PNG figure outputs, the notebook has 2/);
  const svg = `<div class="jp-RenderedSVG" data-mime-type="image/svg+xml">ab</div>`;
  assert.match(checkExportedHtml(img + svg, 1)[0], /SVG output/);
});

Deno.test("checkSourceNotebook: rejects other kernels and other imports", () => {
  const nb: Notebook = {
    metadata: { kernelspec: { name: "python3" } },
    cells: [{
      cell_type: "code",
      source: ['import * as av from "../mod.ts";\n', 'import x from "../lib/plot/mod.ts";\n'],
    }, { cell_type: "code", source: 'const m = await import("npm:vega");' }],
  };
  const problems = checkSourceNotebook(nb);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /kernelspec/);
  assert.match(problems[1], /cell 0 imports "\.\.\/lib\/plot\/mod\.ts"/);
  assert.match(problems[2], /cell 1 imports "npm:vega"/);
});

Deno.test("findNotebooks skips scratch notebooks starting with _", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    for (const n of ["b.ipynb", "a.ipynb", "_scratch.ipynb", "notes.md"]) {
      await Deno.writeTextFile(join(tmp, n), "{}");
    }
    assert.deepEqual(await findNotebooks(tmp), [join(tmp, "a.ipynb"), join(tmp, "b.ipynb")]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("every notebook's code type-checks against mod.ts", async () => {
  // The Deno kernel runs cells without type-checking; this catches a renamed export or a wrong
  // argument before a notebook run does. Each notebook's cells become one module.
  const root = new URL("../", import.meta.url);
  const tmp = await Deno.makeTempDir({ prefix: "avscene-nbcheck-" });
  try {
    const files: string[] = [];
    for (const path of await findNotebooks(dir)) {
      const nb: Notebook = JSON.parse(await Deno.readTextFile(path));
      const code = nb.cells.filter((c) => c.cell_type === "code")
        .map((c) => Array.isArray(c.source) ? c.source.join("") : c.source)
        .join("\n\n")
        .replaceAll('"../mod.ts"', JSON.stringify(new URL("mod.ts", root).href));
      const file = join(tmp, path.split("/").pop()!.replace(".ipynb", ".ts"));
      await Deno.writeTextFile(file, `${code}\nexport {};\n`);
      files.push(file);
    }
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", new URL("deno.json", root).pathname, ...files],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(r.stderr);
    assert.ok(r.success, `notebook code does not type-check:\n${log.slice(0, 4000)}`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
