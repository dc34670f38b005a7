/**
 * `deno doc --lint` over every entry point of deno.json's `exports` together (a type one entry
 * point exports is public for all, as on JSR), minus one known false positive: deno 2.9 reports a
 * `private-type-ref` for every type of another package (here tfjs's `Tensor3D` & co.) that a
 * public signature mentions (denoland/deno#27364; fixed upstream by denoland/deno#34339). A
 * diagnostic is dropped only when it is that lint AND the referenced type is declared nowhere
 * in this package's own sources; everything else fails the run.
 *
 * Run: `deno run -A tests/doc_lint.ts`.
 *
 * @module
 */
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

async function ownTypeNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const declaration = /\b(?:type|interface|class|enum)\s+([A-Za-z_$][\w$]*)/g;
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory && !entry.name.startsWith(".") && entry.name !== "node_modules") {
        await walk(path);
      } else if (entry.isFile && entry.name.endsWith(".ts")) {
        for (const m of (await Deno.readTextFile(path)).matchAll(declaration)) names.add(m[1]);
      }
    }
  }
  for (const dir of ["kernels", "lib"]) await walk(join(root, dir));
  return names;
}

const exports: Record<string, string> = JSON.parse(
  await Deno.readTextFile(join(root, "deno.json")),
).exports;
const { success, stderr, stdout } = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", ...Object.values(exports)],
  cwd: root,
  env: { NO_COLOR: "1" },
}).output();
const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
const own = await ownTypeNames();
const blocks = text.split(/\n(?=error\[)/).filter((b) => b.startsWith("error["));
const kept = blocks.filter((block) => {
  const m = block.match(/^error\[private-type-ref\]: .* references private type '([^']+)'/);
  return !(m && !own.has(m[1]));
});
for (const block of kept) console.error(block.trimEnd() + "\n");
const dropped = blocks.length - kept.length;
const summary = `doc lint: ${kept.length} problem(s); ${dropped} cross-package ` +
  `private-type-ref report(s) ignored (denoland/deno#27364)`;
// A failure with no diagnostic at all (say, a module that does not resolve) is a failure too.
if (kept.length > 0 || (!success && blocks.length === 0)) {
  if (blocks.length === 0) console.error(text);
  console.error(summary);
  Deno.exit(1);
}
console.log(summary);
