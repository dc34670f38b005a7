/**
 * The `eval` command: evaluate a trained checkpoint on a localization test set (cIoU@0.5, AUC;
 * the random baseline beside it) and a labelled single-source set (frozen audio features,
 * linear classifier over the folds), from the synthetic world or datasets on disk, and print a
 * table.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { describeBackend, initBackend } from "../lib/backend/mod.ts";
import { backendOption, numberOption, parseCommand } from "./_args.ts";
import { evaluateCheckpoint } from "../lib/experiments/evaluate_checkpoint.ts";
import { openDatasets } from "../lib/data/datasets/open_dataset.ts";
import { latestCheckpoint, loadModel } from "../lib/train/checkpoint.ts";
import { LOCALIZE_DEFAULTS } from "../lib/model/localize.ts";
import { MAP_SMOOTHING } from "../lib/model/grid_heatmap.ts";
import {
  RECIPE_NAMES,
  type RecipeClustering,
  recipeClustering,
  type RecipeName,
  resolveRecipe,
} from "../lib/train/recipe.ts";
import { resultsTable } from "../lib/plot/results_table.ts";
import { tableText } from "../lib/plot/table_text.ts";
import type { SummaryRow } from "../lib/plot/types.ts";

/** The `--help` text of {@linkcode evalCommand}. */
export const EVAL_HELP =
  `avscene eval: evaluate a trained checkpoint on the synthetic world or your data

Usage: deno task eval --checkpoint DIR [options]

  --checkpoint DIR      a training output (runs/x), its checkpoints/ folder, or one ckpt-* folder
  --data KIND:PATH      evaluation data, repeatable: flickr:DIR (localization), esc50:DIR
                        (classification), synthetic[:SEED] (both; the default); each
                        evaluation the data cannot serve is skipped with a sentence
  --box-frame N         SoundNet-Flickr boxes are in an N x N frame (256: the reference code's)
  --skip-bad            drop index rows whose media are missing instead of stopping
  --images N            localization test images (default 100)
  --clips-per-class N   classification clips per class and fold (default 4 on the synthetic
                        world; default every clip of a dataset on disk)
  --world-seed N        synthetic world seed (default 0, the one training uses by default)
  --recipe NAME         localize with this recipe's clustering (ours | paper) instead of the
                        one the checkpoint's run recorded: for a bare ckpt-* folder, a copied
                        weights folder, or to read a model another way on purpose
  --map-smoothing S     smooth each map by a Gaussian of S times the grid's side before it is
                        scored (default 0.0625 = 1/16, the library's MAP_SMOOTHING; 0: the raw
                        soft assignments, as scored before stop 28)
  --backend NAME        webgpu | wasm | cpu (default: AVSCENE_BACKEND, else the best available)
  -h, --help            this text

Localization: cIoU@0.5 and AUC (Senocak's protocol, consensus of the annotators' boxes) of the
maps of the visual centers aligned to the sounds (Table 2's protocol); the random baseline is
scored on the same images. The model is localized as it was trained: when the checkpoint sits
in a training output whose config.json names the recipe (train --recipe), with that recipe's
clustering (its beta, background rule, visual centers, iterations and alignment: --recipe paper
is read at beta 30, every visual center alignable, K_visual = K_audio + 1, 4 iterations, each
sound to its nearest center); without a config.json (a bare ckpt-* folder) with the defaults,
the default recipe's (beta 5, the largest visual center never aligned, K_visual = K_audio + 2,
2 iterations, each sound of a clip to a different center); --recipe NAME overrides both. One
line says which and why; a config.json that cannot be read or names an unknown recipe stops
eval with an error naming the file.
Classification: pooled audio features (mean and max over positions) of the frozen audio net,
averaged over windows covering each whole clip, logistic regression, cross-validation over the
dataset's folds; chance is 1 / classes.
`;

const EVAL_OPTIONS = {
  checkpoint: { type: "string" },
  images: { type: "string" },
  "clips-per-class": { type: "string" },
  "world-seed": { type: "string" },
  data: { type: "string", multiple: true },
  "box-frame": { type: "string" },
  "skip-bad": { type: "boolean", default: false },
  recipe: { type: "string" },
  "map-smoothing": { type: "string" },
} as const;

/** `beta 30, background none, K_visual = K_audio + 1`, and any visual clustering setting. */
function describeClustering(c: RecipeClustering): string {
  const parts = [
    `beta ${c.beta}`,
    `background ${c.background}`,
    `K_visual = K_audio + ${c.extraVisualCenters}`,
    `${c.iterations} iterations`,
    `${c.distinctAlignment ? "one-to-one" : "nearest"} alignment`,
  ];
  for (
    const key of [
      "visualBeta",
      "visualCoupling",
      "visualInit",
      "visualSmoothing",
      "visualCoordinates",
    ] as const
  ) {
    if (c[key] !== undefined) parts.push(`${key} ${c[key]}`);
  }
  return parts.join(", ");
}

/**
 * The `config.json` of the training output a checkpoint path sits in, if the path has that
 * shape: the training output itself (`runs/x`), its `checkpoints/` folder, or one `ckpt-*`
 * folder in it. A path of another shape has none (a bare checkpoint folder).
 */
function configCandidates(checkpoint: string): string[] {
  const here = checkpoint.replace(/\/+$/, "") || "/";
  const out = [join(here, "config.json")];
  const up = dirname(here);
  if (basename(here) === "checkpoints") out.push(join(up, "config.json"));
  else if (basename(here).startsWith("ckpt-") && basename(up) === "checkpoints") {
    out.push(join(dirname(up), "config.json"));
  }
  return out;
}

/**
 * The clustering `eval` reads a checkpoint with, and why: the recipe its training output's
 * `config.json` records (`settings.recipe`, resolved as `train` trains it; a recorded
 * `settings.beta` overrides the recipe's, as `trainCurriculum`'s `beta`), or, without a
 * `config.json` beside the checkpoint or one that records no recipe (an older run), the
 * defaults (`LOCALIZE_DEFAULTS`, the default recipe's).
 *
 * @param checkpoint the `--checkpoint` path: a training output, its `checkpoints/` folder, or
 * one `ckpt-*` folder.
 * @returns the clustering, and one line saying which it is and why.
 * @throws Error naming the file when a `config.json` cannot be read, is not JSON or not a
 * training run's, or names an unknown recipe or a bad beta.
 */
export async function trainedClustering(
  checkpoint: string,
): Promise<{ clustering: RecipeClustering; why: string }> {
  const defaults = (reason: string) => {
    const clustering = { ...LOCALIZE_DEFAULTS };
    return {
      clustering,
      why: `localized with the defaults (${describeClustering(clustering)}): ${reason}`,
    };
  };
  for (const file of configCandidates(checkpoint)) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw new Error(`eval: cannot read ${file}: ${(e as Error).message}`);
    }
    const bad = (what: string) =>
      new Error(
        `eval: ${file} ${what}, so the recipe the model was trained with (which eval ` +
          "localizes it with) is unknown; fix the file, or evaluate a copy of the ckpt-* " +
          "folder outside the run to localize with the defaults",
      );
    let config: unknown;
    try {
      config = JSON.parse(text);
    } catch {
      throw bad("is not valid JSON");
    }
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      throw bad("is not a training run's config.json (not a JSON object)");
    }
    const settings = (config as { settings?: unknown }).settings;
    if (settings === undefined) {
      return defaults(`${file} records no settings (a run of an older version)`);
    }
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
      throw bad("has settings that are not a JSON object");
    }
    const { recipe: name, beta } = settings as { recipe?: unknown; beta?: unknown };
    if (name === undefined) {
      return defaults(`${file} records no recipe (a run of an older version)`);
    }
    if (typeof name !== "string" || !(RECIPE_NAMES as readonly string[]).includes(name)) {
      throw bad(
        `names the recipe ${JSON.stringify(name)}, not one of ${RECIPE_NAMES.join(", ")}`,
      );
    }
    // as `train` trains it: the named recipe, a recorded beta overriding its schedule
    const recipe = resolveRecipe(name as RecipeName);
    let how = `recipe ${name}`;
    if (beta !== undefined && beta !== null) {
      if (!(typeof beta === "number" && Number.isFinite(beta) && beta > 0)) {
        throw bad(`records beta ${JSON.stringify(beta)}, not a number > 0`);
      }
      recipe.betaStart = recipe.betaEnd = beta;
      how += ` with beta ${beta}`;
    }
    const clustering = recipeClustering(recipe);
    return {
      clustering,
      why: `localized as trained: ${how} (${describeClustering(clustering)}), from ${file}`,
    };
  }
  return defaults("no config.json of a training run beside the checkpoint");
}

/**
 * The clustering `--recipe name` asks for, and a line saying so (and what the checkpoint's run
 * recorded, when that differs or cannot be read).
 */
export async function askedClustering(
  name: string,
  checkpoint: string,
): Promise<{ clustering: RecipeClustering; why: string }> {
  if (!(RECIPE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`eval: --recipe must be one of ${RECIPE_NAMES.join(", ")}, got "${name}"`);
  }
  const clustering = recipeClustering(resolveRecipe(name as RecipeName));
  let recorded: string;
  try {
    const trained = await trainedClustering(checkpoint);
    recorded = JSON.stringify(trained.clustering) === JSON.stringify(clustering)
      ? ""
      : `; ${trained.why.replace(/^localized /, "it would otherwise be localized ")}`;
  } catch (e) {
    recorded = `; its run's settings are not used (${(e as Error).message})`;
  }
  return {
    clustering,
    why: `localized with recipe ${name}'s clustering (${describeClustering(clustering)}), ` +
      `as --recipe asks${recorded}`,
  };
}

/**
 * Run the `eval` command with its command-line arguments (see {@linkcode EVAL_HELP}).
 *
 * @param args the arguments after `eval`.
 * @returns the exit code (0).
 */
export async function evalCommand(args: string[]): Promise<number> {
  const values = parseCommand({ name: "eval", help: EVAL_HELP, options: EVAL_OPTIONS }, args);
  if (!values) return 0;
  const intArg = (name: string, value: string | undefined, fallback: number, min: number) =>
    numberOption("eval", name, value, fallback, { integer: true, min });
  if (!values.checkpoint) throw new Error("eval: --checkpoint DIR is required (see --help)");
  // Accept the training output folder as well as its checkpoints/ folder.
  let path = values.checkpoint;
  if (!(await latestCheckpoint(path)) && (await latestCheckpoint(`${path}/checkpoints`))) {
    path = `${path}/checkpoints`;
  }
  // read before the backend and the model: a bad config.json or --recipe stops eval at once
  const { clustering, why } = values.recipe === undefined
    ? await trainedClustering(values.checkpoint)
    : await askedClustering(values.recipe, values.checkpoint);
  const mapSmoothing = numberOption(
    "eval",
    "map-smoothing",
    values["map-smoothing"],
    MAP_SMOOTHING,
    { min: 0 },
  );
  await initBackend(backendOption(values));
  const model = await loadModel(path);
  try {
    const c = model.config;
    const worldSeed = intArg("world-seed", values["world-seed"], 0, 0);
    const dataset = await openDatasets(values.data ?? [`synthetic:${worldSeed}`], {
      sampleRate: c.sampleRate,
      imageSize: c.imageSize,
      seconds: c.duration,
      skipBad: values["skip-bad"],
      boxFrame: values["box-frame"] === undefined
        ? undefined
        : intArg("box-frame", values["box-frame"], 0, 1),
    });
    console.log(`evaluating ${path} (${c.preset}) on ${describeBackend()} with ${dataset.name}`);
    console.log(why);
    console.log(
      mapSmoothing > 0
        ? `maps smoothed by a Gaussian of ${mapSmoothing} x the grid's side before scoring`
        : "maps scored raw (the soft assignments, no smoothing)",
    );
    const r = await evaluateCheckpoint(model, {
      clustering,
      mapSmoothing,
      images: intArg("images", values.images, 100, 1),
      clipsPerClassPerFold: values["clips-per-class"] === undefined
        ? undefined
        : intArg("clips-per-class", values["clips-per-class"], 4, 1),
      dataset,
    });
    for (const why of r.skipped) console.log(`skipped: ${why}`);
    // Percentages, as the paper's tables (and our runners) report them.
    const one = (method: string, metric: string, share: number): SummaryRow => ({
      method,
      metric,
      ours: { mean: 100 * share, std: 0, n: 1 },
    });
    const rows: SummaryRow[] = [];
    const parts: string[] = [];
    if (r.localization) {
      const l = r.localization;
      rows.push(
        one("checkpoint", "cIoU@0.5 (%)", l.model.ciou50),
        one("random baseline", "cIoU@0.5 (%)", l.random.ciou50),
        one("checkpoint", "AUC (%)", l.model.auc),
        one("random baseline", "AUC (%)", l.random.auc),
      );
      parts.push(`${l.images} localization images`);
    }
    if (r.classification) {
      const k = r.classification;
      rows.push(
        one("checkpoint", "classification accuracy (%)", k.accuracy),
        one("chance", "classification accuracy (%)", k.chance),
      );
      parts.push(`${k.clips} labelled clips, ${k.foldAccuracies.length} folds`);
    }
    console.log(tableText(resultsTable(rows, {
      digits: 1,
      caption: `${parts.join("; ")} (one checkpoint: no spread)`,
    })));
    return 0;
  } finally {
    model.params.dispose();
  }
}
