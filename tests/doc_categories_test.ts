/**
 * The API documentation groups every symbol an entry point exports (`mod.ts` and the subpaths of
 * deno.json's `exports`) under one of the seven categories (`@category` in the symbol's own doc
 * comment), and the root module doc maps them and gives an example.
 */
import assert from "node:assert/strict";

const CATEGORIES = ["data", "model", "training", "metrics", "experiments", "plots", "kernels"];

interface DocDeclaration {
  kind: string;
  location: { filename: string; line: number };
  jsDoc?: { doc?: string; tags?: { kind: string; doc?: string }[] };
  def?: { hasBody?: boolean };
}

interface DocNode {
  module_doc?: { doc?: string; tags?: { kind: string; doc?: string }[] };
  symbols: { name: string; declarations: DocDeclaration[] }[];
}

const root = new URL("../", import.meta.url);

/** `deno doc --json` of every entry point, keyed by the entry's file URL. */
async function docJson(): Promise<Record<string, DocNode>> {
  const exports: Record<string, string> = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", root)),
  ).exports;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...Object.values(exports)],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
  return JSON.parse(new TextDecoder().decode(r.stdout)).nodes;
}

Deno.test("every exported symbol has exactly one @category of the seven", async () => {
  const symbols = Object.values(await docJson()).flatMap((n) => n.symbols);
  assert.ok(symbols.length > 100, `the entry points export ${symbols.length} symbols`);
  const problems: string[] = [];
  for (const s of symbols) {
    // Re-exports ("reference") carry no doc of their own; the declaration they point to does.
    // An overloaded function's implementation signature is not part of its API (its overloads are).
    const overloaded = s.declarations.filter((d) => d.kind === "function").length > 1;
    const documented = s.declarations.filter((d) =>
      d.kind !== "reference" && !(overloaded && d.kind === "function" && d.def?.hasBody)
    );
    for (const d of documented) {
      const cats = (d.jsDoc?.tags ?? []).filter((t) => t.kind === "category").map((t) => t.doc);
      const where = `${s.name} (${d.location.filename.split("/").slice(-2).join("/")}:${
        d.location.line + 1
      })`;
      if (cats.length !== 1) problems.push(`${where} has ${cats.length} @category tags`);
      else if (!CATEGORIES.includes(String(cats[0]).trim())) {
        problems.push(`${where} has @category ${cats[0]}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("the module doc names the categories and has an example importing the package", async () => {
  const { module_doc } = (await docJson())[new URL("mod.ts", root).href];
  const text = module_doc?.doc ?? "";
  for (const c of CATEGORIES) assert.ok(text.includes(`**${c}**`), `module doc describes ${c}`);
  const example = (module_doc?.tags ?? []).find((t) => t.kind === "example")?.doc ?? "";
  assert.match(example, /from "@avscene\/avscene"/);
  assert.match(example, /trainCurriculum/);
});
