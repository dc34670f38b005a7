// The command line: one shared parser (help, unknown options and bad values named with the
// command), `reproduce`'s checks of its lists, and `eval` scoring a saved checkpoint.
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import { saveCheckpoint } from "../lib/train/mod.ts";
import { main } from "../cli.ts";
import { listOption, numberOption, parseCommand } from "../cli/_args.ts";
import { evalCommand } from "../cli/eval.ts";
import { reproduceCommand } from "../cli/reproduce.ts";
import { trainCommand } from "../cli/train.ts";

/** What `f` prints with console.log. */
async function printedBy(f: () => Promise<unknown>): Promise<string> {
  const log = console.log;
  let printed = "";
  console.log = (s: string) => printed += s + "\n";
  try {
    await f();
  } finally {
    console.log = log;
  }
  return printed;
}

Deno.test("every command prints its own --help, and the dispatcher its usage", async () => {
  const train = await printedBy(() => trainCommand(["--help"]));
  assert.match(train, /^avscene train:/);
  assert.match(train, /--curriculum SPEC/);
  const evalHelp = await printedBy(async () => assert.equal(await evalCommand(["-h"]), 0));
  assert.match(evalHelp, /^avscene eval:/);
  assert.match(evalHelp, /--checkpoint DIR/);
  const usage = await printedBy(async () => assert.equal(await main(["help"]), 0));
  for (const command of ["reproduce", "train", "eval"]) assert.match(usage, new RegExp(command));
});

Deno.test("parseCommand: unknown options name the command; help and backend are shared", async () => {
  const spec = { name: "demo", help: "demo help", options: { n: { type: "string" } } } as const;
  assert.throws(() => parseCommand(spec, ["--nope"]), /^Error: demo: .*--nope.*\(see --help\)/);
  await assert.rejects(() => trainCommand(["--stepz", "3"]), /train: .*--stepz/);
  const v = parseCommand(spec, ["--n", "3", "--backend", "cpu"]);
  assert.deepEqual(v && { n: v.n, backend: v.backend, help: v.help }, {
    n: "3",
    backend: "cpu",
    help: false,
  });
});

Deno.test("numberOption and listOption: defaults, bounds, and errors naming the option", () => {
  assert.equal(numberOption("c", "lr", undefined, 0.5), 0.5);
  assert.equal(numberOption("c", "lr", "1e-3", 0.5), 1e-3);
  assert.equal(numberOption("c", "steps", "7", 0, { integer: true, min: 1 }), 7);
  assert.throws(
    () => numberOption("c", "steps", "1.5", 0, { integer: true }),
    /c: --steps must be an integer, got "1.5"/,
  );
  assert.throws(
    () => numberOption("c", "images", "0", 1, { integer: true, min: 1 }),
    /--images must be an integer >= 1/,
  );
  assert.throws(() => numberOption("c", "lr", "", 1), /--lr must be a number/);
  assert.equal(listOption("c", "only", undefined), undefined);
  assert.deepEqual(listOption("c", "only", " fig3, table1 ,"), ["fig3", "table1"]);
  assert.throws(() => listOption("c", "only", " , "), /c: --only is empty/);
});

Deno.test("reproduce: --help and bad --only / --seeds are named", async () => {
  const printed = await printedBy(async () => assert.equal(await reproduceCommand(["--help"]), 0));
  assert.match(printed, /--full/);
  assert.match(printed, /--cache DIR/);
  assert.match(
    printed,
    /--separation-protocol NAME\s+Table 3's protocol: preset .* or sound-of-pixels/s,
  );
  await assert.rejects(() => reproduceCommand(["--only", "fig9"]), /--only names "fig9"/);
  await assert.rejects(() => reproduceCommand(["--seeds", "1,x"]), /--seeds must be integers/);
  // every scale key is listed, firstStageSteps (quick only) too, and checked
  assert.match(printed, /firstStageSteps/);
  await assert.rejects(
    () => reproduceCommand(["--scale", "firstStageSteps=0"]),
    /--scale firstStageSteps must be an integer >= 1/,
  );
});

Deno.test("eval: a saved checkpoint is scored on localization and classification", async () => {
  await initBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "avscene-eval-test-" });
  const model = createModel({ preset: "tiny", seed: 4 });
  try {
    await saveCheckpoint(join(dir, "checkpoints"), { model, step: 0 });
    const log = console.log;
    let printed = "";
    console.log = (s: string) => printed += s + "\n";
    try {
      // The training output folder is accepted as well as its checkpoints/ folder.
      const args = ["--checkpoint", dir, "--images", "3", "--clips-per-class", "1"];
      assert.equal(await evalCommand(args), 0);
    } finally {
      console.log = log;
    }
    assert.match(printed, /3 localization images; 50 labelled clips, 5 folds/);
    const cell = (method: string, metric: string) => {
      const m = printed.match(new RegExp(`${method} +${metric} +([0-9.]+) ± — +1`));
      assert.ok(m, `${method} ${metric} in:\n${printed}`);
      return Number(m[1]);
    };
    for (const method of ["checkpoint", "random baseline"]) {
      for (const metric of ["cIoU@0\\.5 \\(%\\)", "AUC \\(%\\)"]) {
        const v = cell(method, metric);
        assert.ok(v >= 0 && v <= 100, `${method} ${metric} = ${v}`);
      }
    }
    const accuracy = cell("checkpoint", "classification accuracy \\(%\\)");
    assert.ok(accuracy >= 0 && accuracy <= 100);
    assert.equal(cell("chance", "classification accuracy \\(%\\)"), 10);
    await assert.rejects(
      () => evalCommand(["--checkpoint", join(dir, "missing")]),
      /no checkpoint at .*missing/,
    );
  } finally {
    model.params.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
