/**
 * The README's library example runs as written, from a folder outside the checkout, both ways
 * the README gives for using a local checkout (`--config`, and a `links` entry), and prints what
 * it found. Only its training length is cut (3 steps per stage instead of 200).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const STEPS = 'curriculumStages("C2(C1)", 200)';
const IMPORT = '"jsr:@avscene/avscene"';

/** The first TypeScript block of the README's "Use it as a library" section. */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(join(root, "README.md"));
  const section = readme.split("## Use it as a library")[1];
  assert.ok(section, 'README has a "Use it as a library" section');
  const block = section.match(/```ts\n([\s\S]*?)```/);
  assert.ok(block, "the section has a ts code block");
  const code = block[1];
  assert.ok(code.includes(STEPS), `the example trains with ${STEPS}`);
  assert.ok(code.includes(IMPORT), `the example imports ${IMPORT}`);
  return code.replace(STEPS, 'curriculumStages("C2(C1)", 3)');
}

async function runExample(dir: string, args: string[]): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args, join(dir, "example.ts")],
    cwd: dir,
    env: { NO_COLOR: "1", AVSCENE_BACKEND: "wasm" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(r.stdout);
  const err = new TextDecoder().decode(r.stderr);
  assert.ok(r.success, `the README example failed:\n${out}\n${err.slice(-3000)}`);
  return out;
}

function assertFound(out: string) {
  const m = out.match(
    /the map peaks at \(([\d.]+), ([\d.]+)\) px \((\d\.\d\d); mean (\d\.\d\d)\), (inside|outside) the sounding object's box \[(\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?)\]; cIoU (\d\.\d\d) \(>= 0\.5 counts as found\)/,
  );
  assert.ok(m, `the example says what it found:\n${out}`);
  const [x, y, top, mean, , x0, y0, x1, y1, ciou] = m.slice(1).map(Number);
  assert.ok(x >= 0 && x <= 64 && y >= 0 && y <= 64, "the peak lies in the 64x64 frame");
  assert.ok(top >= mean, "the peak is not below the mean");
  assert.equal(m[5], x >= x0 && x < x1 && y >= y0 && y < y1 ? "inside" : "outside");
  assert.ok(ciou >= 0 && ciou <= 1);
  assert.match(out, /done in \d+ s/);
}

Deno.test("README example: runs from another folder with --config the checkout's deno.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "avscene-readme-config-" });
  try {
    const code = (await readmeExample()).replace(
      IMPORT,
      JSON.stringify(join(root, "mod.ts")),
    );
    await Deno.writeTextFile(join(dir, "example.ts"), code);
    assertFound(await runExample(dir, ["--config", join(root, "deno.json")]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README example: runs from another folder that links the checkout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "avscene-readme-links-" });
  try {
    await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify({ links: [root] }));
    await Deno.writeTextFile(join(dir, "example.ts"), await readmeExample());
    assertFound(await runExample(dir, []));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
