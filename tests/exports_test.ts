// The public surface is a deliberate act: the names every entry point of deno.json's `exports`
// exports (values and types) are held against tests/testdata/exports.json. After an intended
// change, rewrite the snapshot with `deno test -A tests/exports_test.ts -- --update` and review
// its diff.
import assert from "node:assert/strict";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const snapshotPath = join(root, "tests", "testdata", "exports.json");

/** Entry point (`.`, `./model`, ...) -> the sorted names it exports, read by `deno doc`. */
async function exportLists(): Promise<Record<string, string[]>> {
  const exports: Record<string, string> = JSON.parse(
    await Deno.readTextFile(join(root, "deno.json")),
  ).exports;
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...Object.values(exports)],
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  if (!success) throw new Error(`deno doc failed:\n${new TextDecoder().decode(stderr)}`);
  const nodes: Record<string, { symbols: { name: string }[] }> = JSON.parse(
    new TextDecoder().decode(stdout),
  ).nodes;
  const out: Record<string, string[]> = {};
  for (const [entry, file] of Object.entries(exports)) {
    const node = nodes[new URL(file, `file://${root}`).href];
    assert.ok(node, `deno doc printed nothing for ${entry} (${file})`);
    out[entry] = [...new Set(node.symbols.map((s) => s.name))].sort();
  }
  return out;
}

Deno.test("every entry point exports exactly the snapshot's names", async () => {
  const lists = await exportLists();
  if (Deno.args.includes("--update")) {
    await Deno.mkdir(join(root, "tests", "testdata"), { recursive: true });
    await Deno.writeTextFile(snapshotPath, JSON.stringify(lists, null, 2) + "\n");
  }
  const snapshot: Record<string, string[]> = JSON.parse(await Deno.readTextFile(snapshotPath));
  const changes: Record<string, { added: string[]; removed: string[] }> = {};
  for (const entry of new Set([...Object.keys(lists), ...Object.keys(snapshot)])) {
    const now = new Set(lists[entry] ?? []), then = new Set(snapshot[entry] ?? []);
    const added = [...now].filter((n) => !then.has(n));
    const removed = [...then].filter((n) => !now.has(n));
    if (added.length + removed.length > 0) changes[entry] = { added, removed };
  }
  assert.deepEqual(
    changes,
    {},
    "exports changed; if intended, run " +
      "`deno test -A tests/exports_test.ts -- --update` and commit the snapshot",
  );
});

Deno.test("the root module stays curated: the paper's names, no command line, no plumbing", async () => {
  const root = (await exportLists())["."];
  assert.ok(root.length <= 90, `mod.ts exports ${root.length} names; keep it curated`);
  for (
    const name of [
      "softKMeans",
      "bssEval",
      "cIoU",
      "localizationScores",
      "loadESC50",
      "loadFlickrSoundNet",
      "loadMUSIC",
      "loadAudioSet",
      "createModel",
      "trainCurriculum",
      "localize",
      "separateMixtures",
      "evaluateCheckpoint",
      "synthWorld",
      "EXPERIMENTS",
    ]
  ) {
    assert.ok(root.includes(name), `mod.ts must export ${name}`);
  }
  for (
    const name of [
      "trainCommand",
      "TRAIN_HELP",
      "evalCommand",
      "reproduceCommand",
      "escapeHtml",
      "writeFileAtomic",
      "backendInfo",
    ]
  ) {
    assert.ok(!root.includes(name), `mod.ts must not export ${name}`);
  }
});
