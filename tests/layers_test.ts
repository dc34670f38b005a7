// The layout reads as the pipeline: each layer imports only the layers below it
// (backend/kernels/random/io -> audio/vision -> data -> model -> train -> metrics -> baselines
// -> experiments -> plot/report -> cli), no package imports another package's private
// `_file.ts`, every mod.ts only re-exports, and the root mod.ts exports nothing of the CLI.
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

/** The layers, lowest first; a package may import its own layer's others only where listed. */
const LAYERS: readonly (readonly string[])[] = [
  ["lib/backend", "lib/random", "lib/io", "kernels"],
  ["lib/audio", "lib/vision"],
  ["lib/data"],
  ["lib/model"],
  ["lib/train"],
  ["lib/metrics"],
  ["lib/baselines"],
  ["lib/experiments"],
  ["lib/plot", "lib/report"],
  ["cli"],
];

/** Imports allowed inside one layer (importer -> imported). */
const SAME_LAYER: ReadonlySet<string> = new Set([
  "lib/report -> lib/plot",
  // the wasm backend's a^T b product runs the filter-gradient kernel (kernels < lib/backend)
  "lib/backend -> kernels",
]);

/** The package of a repository path: `lib/x`, `kernels`, `cli` (cli.ts belongs to cli). */
export function packageOf(path: string): string | undefined {
  if (path === "cli.ts") return "cli";
  const parts = path.split("/");
  if (parts[0] === "lib" && parts.length > 2) return `lib/${parts[1]}`;
  if ((parts[0] === "kernels" || parts[0] === "cli") && parts.length > 1) return parts[0];
  return undefined;
}

function layerOf(pkg: string): number {
  const i = LAYERS.findIndex((l) => l.includes(pkg));
  if (i < 0) throw new Error(`layers_test: package ${pkg} is in no layer; add it to LAYERS`);
  return i;
}

/** The relative module specifiers a source imports or re-exports (static and dynamic). */
export function relativeImports(source: string): string[] {
  const out: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const m of code.matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    out.push(m[1]);
  }
  return out;
}

/**
 * Every layering problem of a set of sources (repository path -> text): an import against
 * the layer order, an import of another package's `_private.ts`, a mod.ts that does more than
 * re-export, and a root mod.ts that exports the CLI.
 */
export function layerViolations(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, source] of files) {
    const from = packageOf(path);
    for (const spec of relativeImports(source)) {
      const target = normalize(join(dirname(path), spec));
      const to = packageOf(target);
      if (path === "mod.ts" && to === "cli") problems.push(`mod.ts exports the CLI: ${spec}`);
      if (!from || !to || from === to) continue;
      const base = target.split("/").pop()!;
      if (base.startsWith("_")) problems.push(`${path} imports ${to}'s private ${target}`);
      const [a, b] = [layerOf(from), layerOf(to)];
      if (b > a || (a === b && !SAME_LAYER.has(`${from} -> ${to}`))) {
        problems.push(`${path} (${from}) imports ${target} (${to}) against the layer order`);
      }
    }
    if (path.endsWith("mod.ts")) {
      const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
      const statements = code.split(";").map((s) => s.trim()).filter((s) => s.length > 0);
      const other = statements.filter((s) =>
        !/^export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+["'][^"']+["']$/.test(s)
      );
      if (other.length > 0) {
        problems.push(`${path} does more than re-export: ${other[0].slice(0, 60)}`);
      }
    }
  }
  return problems;
}

const root = new URL("..", import.meta.url).pathname;

async function sources(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(dir: string) {
    for await (const e of Deno.readDir(join(root, dir))) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts")) files.set(path, await Deno.readTextFile(join(root, path)));
    }
  }
  for (const dir of ["kernels", "lib", "cli"]) await walk(dir);
  for (const f of ["mod.ts", "cli.ts"]) files.set(f, await Deno.readTextFile(join(root, f)));
  return files;
}

Deno.test("the sources follow the layer order, use no other package's private file, and every mod.ts only re-exports", async () => {
  const files = await sources();
  assert.ok(files.size > 100, `only ${files.size} sources found under ${relative(".", root)}`);
  assert.deepEqual(layerViolations(files), []);
});

Deno.test("layerViolations: names an upward import, a private import, a mod.ts with code, the CLI in mod.ts", () => {
  const files = new Map([
    [
      "lib/model/embed.ts",
      'import { x } from "../train/adam.ts";\nimport { y } from "../data/_synth_seed.ts";',
    ],
    [
      "lib/metrics/ciou.ts",
      '// import { z } from "../experiments/run_fig3.ts";\nimport { w } from "../model/embed.ts";',
    ],
    ["lib/plot/a.ts", 'const m = await import("../report/write_report.ts");'],
    ["lib/report/b.ts", 'import { c } from "../plot/a.ts";'],
    ["lib/io/mod.ts", 'export * from "./write_atomic.ts";\nexport const N = 3;'],
    ["kernels/mod.ts", 'export * from "./a.ts";\nimport "./register_kernel.ts";'],
    ["lib/audio/mod.ts", 'import { wav } from "./wav.ts";\nexport { wav };'],
    ["mod.ts", 'export * from "./lib/io/mod.ts";\nexport { trainCommand } from "./cli/train.ts";'],
  ]);
  assert.deepEqual(layerViolations(files), [
    "lib/model/embed.ts (lib/model) imports lib/train/adam.ts (lib/train) against the layer order",
    "lib/model/embed.ts imports lib/data's private lib/data/_synth_seed.ts",
    "lib/plot/a.ts (lib/plot) imports lib/report/write_report.ts (lib/report) against the layer order",
    "lib/io/mod.ts does more than re-export: export const N = 3",
    'kernels/mod.ts does more than re-export: import "./register_kernel.ts"',
    'lib/audio/mod.ts does more than re-export: import { wav } from "./wav.ts"',
    "mod.ts exports the CLI: ./cli/train.ts",
  ]);
});
