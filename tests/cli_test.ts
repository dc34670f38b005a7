// The command line: one shared parser (help, unknown options and bad values named with the
// command), `reproduce`'s checks of its lists, and `eval` scoring a saved checkpoint.
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../lib/backend/mod.ts";
import { createModel } from "../lib/model/mod.ts";
import {
  latestCheckpoint,
  loadModel,
  recipeClustering,
  resolveRecipe,
  saveCheckpoint,
} from "../lib/train/mod.ts";
import { LOCALIZE_DEFAULTS } from "../lib/model/mod.ts";
import { openDatasets } from "../lib/data/mod.ts";
import { evaluateCheckpoint } from "../lib/experiments/mod.ts";
import { main } from "../cli.ts";
import { listOption, numberOption, parseCommand } from "../cli/_args.ts";
import { askedClustering, evalCommand, trainedClustering } from "../cli/eval.ts";
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
  assert.match(printed, /--weight-average X/);
  for (const bad of ["1", "-0.5", "x"]) {
    await assert.rejects(
      () => reproduceCommand([`--weight-average=${bad}`]),
      /reproduce: --weight-average must be/,
    );
  }
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
    // no config.json beside the checkpoint: read with the defaults, and said so
    assert.match(
      printed,
      /localized with the defaults \(beta 5, background largest, K_visual = K_audio \+ 2, 2 iterations, one-to-one alignment\): no config\.json/,
    );
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
    // the maps' smoothing is said, and --map-smoothing 0 scores the raw assignments: the
    // numbers are evaluateCheckpoint's with that smoothing
    assert.match(printed, /maps smoothed by a Gaussian of 0\.0625 x the grid's side/);
    const clips = ["--images", "8", "--clips-per-class", "1"];
    for (const [flag, mapSmoothing] of [[[], undefined], [["--map-smoothing", "0"], 0]] as const) {
      printed = "";
      console.log = (s: string) => printed += s + "\n";
      try {
        assert.equal(await evalCommand(["--checkpoint", dir, ...clips, ...flag]), 0);
      } finally {
        console.log = log;
      }
      if (mapSmoothing === 0) assert.match(printed, /maps scored raw/);
      const direct = await evaluateCheckpoint(model, {
        images: 8,
        clipsPerClassPerFold: 1,
        mapSmoothing,
      });
      assert.equal(
        cell("checkpoint", "AUC \\(%\\)"),
        Number((100 * direct.localization!.model.auc).toFixed(1)),
      );
    }
    await assert.rejects(
      () => evalCommand(["--checkpoint", dir, "--map-smoothing=-1"]),
      /eval: --map-smoothing must be a number >= 0, got "-1"/,
    );
    await assert.rejects(
      () => evalCommand(["--checkpoint", join(dir, "missing")]),
      /no checkpoint at .*missing/,
    );
  } finally {
    model.params.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eval: a checkpoint is localized as its run was trained (config.json's recipe)", async () => {
  await initBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "avscene-eval-recipe-test-" });
  const fast = ["--backend", "wasm", "--quiet", "--batch", "2", "--dataset-size", "4"];
  try {
    // two tiny runs of one step: the paper's recipe and the default (ours)
    const paper = join(dir, "paper"), ours = join(dir, "ours");
    await printedBy(() =>
      trainCommand([...fast, "--steps", "1", "--recipe", "paper", "--out", paper])
    );
    await printedBy(() => trainCommand([...fast, "--steps", "1", "--out", ours]));
    const paperClustering = recipeClustering(resolveRecipe("paper"));
    assert.deepEqual(paperClustering, {
      beta: 30,
      background: "none",
      extraVisualCenters: 1,
      iterations: 4,
      distinctAlignment: false,
    });
    // the run's folder, its checkpoints/ folder and one ckpt-* folder all find the run's config
    const ckpt = await latestCheckpoint(join(paper, "checkpoints"));
    assert.ok(ckpt);
    for (const path of [paper, join(paper, "checkpoints"), ckpt, `${paper}/`]) {
      const { clustering, why } = await trainedClustering(path);
      assert.deepEqual(clustering, paperClustering, path);
      assert.match(
        why,
        /^localized as trained: recipe paper \(beta 30, background none, K_visual = K_audio \+ 1, 4 iterations, nearest alignment\), from .*paper\/config\.json$/,
      );
    }
    const mine = await trainedClustering(join(ours, "checkpoints"));
    assert.deepEqual(mine.clustering, { ...LOCALIZE_DEFAULTS });
    assert.match(
      mine.why,
      /^localized as trained: recipe ours \(beta 5, background largest, K_visual = K_audio \+ 2, 2 iterations, one-to-one alignment\)/,
    );

    // eval on 4 images and 1 clip a class: what it printed, and the checkpoint's AUC in it
    const evalPrinted = (...args: string[]) =>
      printedBy(async () =>
        assert.equal(
          await evalCommand([
            "--checkpoint",
            paper,
            ...args,
            "--images",
            "4",
            "--clips-per-class",
            "1",
            "--backend",
            "wasm",
          ]),
          0,
        )
      );
    const printedAuc = (text: string) =>
      Number(text.match(/checkpoint +AUC \(%\) +([0-9.]+)/)?.[1]);
    // eval says which clustering it used, and its numbers are the paper clustering's
    const printed = await evalPrinted();
    assert.match(
      printed,
      /localized as trained: recipe paper \(beta 30, background none, K_visual = K_audio \+ 1, 4 iterations, nearest alignment\)/,
    );
    const auc = printedAuc(printed);
    const model = await loadModel(ckpt);
    try {
      // the same images, localization only
      const world = await openDatasets(["synthetic:0"], {
        sampleRate: model.config.sampleRate,
        imageSize: model.config.imageSize,
        seconds: model.config.duration,
      });
      const dataset = {
        name: "localization only",
        identity: "localization only",
        localizationSet: (n: number) => world.localizationSet!(n),
      };
      const asTrained = await evaluateCheckpoint(model, {
        images: 4,
        dataset,
        clustering: paperClustering,
      });
      assert.equal(auc, Number((100 * asTrained.localization!.model.auc).toFixed(1)));
      // on this model the defaults read otherwise: eval did not use them
      const asOurs = await evaluateCheckpoint(model, { images: 4, dataset });
      assert.notEqual(asOurs.localization!.model.auc, asTrained.localization!.model.auc);
      // --recipe overrides the run's recipe, and the line says what the run recorded
      const asked = await evalPrinted("--recipe", "ours");
      assert.match(
        asked,
        /localized with recipe ours's clustering \(beta 5, background largest, K_visual = K_audio \+ 2, 2 iterations, one-to-one alignment\), as --recipe asks; it would otherwise be localized as trained: recipe paper/,
      );
      assert.equal(
        printedAuc(asked),
        Number((100 * asOurs.localization!.model.auc).toFixed(1)),
      );
    } finally {
      model.params.dispose();
    }
    // a bare ckpt-* folder read with --recipe paper: the paper's clustering, the defaults named
    const bare = join(dir, "bare");
    await Deno.mkdir(bare);
    for (const f of Deno.readDirSync(ckpt)) {
      await Deno.copyFile(join(ckpt, f.name), join(bare, f.name));
    }
    assert.equal((await trainedClustering(bare)).clustering.beta, 5);
    const asPaper = await askedClustering("paper", bare);
    assert.deepEqual(asPaper.clustering, paperClustering);
    assert.match(
      asPaper.why,
      /as --recipe asks; it would otherwise be localized with the defaults/,
    );
    await assert.rejects(
      () => evalCommand(["--checkpoint", bare, "--recipe", "fast", "--backend", "wasm"]),
      /eval: --recipe must be one of ours, paper, got "fast"/,
    );

    // a recorded beta overrides the recipe's, as trainCurriculum's beta
    const config = JSON.parse(await Deno.readTextFile(join(paper, "config.json")));
    const rewrite = (value: unknown) =>
      Deno.writeTextFile(join(paper, "config.json"), JSON.stringify(value));
    await rewrite({ ...config, settings: { ...config.settings, beta: 10 } });
    const beta10 = await trainedClustering(paper);
    assert.deepEqual(beta10.clustering, { ...paperClustering, beta: 10 });
    assert.match(beta10.why, /recipe paper with beta 10 \(beta 10, background none/);
    // a config.json that records no recipe (an older run): the defaults, said so
    const { recipe: _, ...noRecipe } = config.settings;
    await rewrite({ ...config, settings: noRecipe });
    const older = await trainedClustering(paper);
    assert.deepEqual(older.clustering, { ...LOCALIZE_DEFAULTS });
    assert.match(older.why, /^localized with the defaults .*config\.json records no recipe/);
    // an unknown recipe, a bad beta or a corrupt file: an error naming the file, before loading
    for (
      const [value, message] of [
        [
          { ...config, settings: { ...config.settings, recipe: "fast" } },
          /names the recipe "fast", not one of ours, paper/,
        ],
        [
          { ...config, settings: { ...config.settings, beta: -1 } },
          /records beta -1, not a number > 0/,
        ],
        [[1, 2], /is not a training run's config\.json/],
      ] as const
    ) {
      await rewrite(value);
      await assert.rejects(
        () => evalCommand(["--checkpoint", paper, "--backend", "wasm"]),
        new RegExp(`eval: .*paper/config\\.json ${message.source}`),
      );
    }
    await Deno.writeTextFile(join(paper, "config.json"), '{"settings": {"recipe": "pa');
    await assert.rejects(
      () => evalCommand(["--checkpoint", join(paper, "checkpoints"), "--backend", "wasm"]),
      /eval: .*paper\/config\.json is not valid JSON/,
    );
    // with --recipe a corrupt config.json is not read, and the line says why
    assert.match(
      (await askedClustering("paper", paper)).why,
      /as --recipe asks; its run's settings are not used \(eval: .*config\.json is not valid JSON/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
