/**
 * The registry of the paper's experiments: for each one its name, title, the paper's claim
 * with how we test it, its runner and the views its report section draws. The command line,
 * the report and the notebooks all read this one list.
 *
 * @module
 */
import type { DatasetNeeds } from "../data/dataset.ts";
import type { ExperimentResult } from "./experiment.ts";
import type { ExperimentOptions } from "./experiment_options.ts";
import type { Table3Scale } from "./run_table3.ts";
import type { SeparationProtocol } from "../model/separation/separation_config.ts";
import { runCounting } from "./run_counting.ts";
import { runFig3 } from "./run_fig3.ts";
import { runTable1 } from "./run_table1.ts";
import { runTable2 } from "./run_table2.ts";
import { runTable3 } from "./run_table3.ts";

/**
 * A plot of an experiment's report section: training curves (Fig. 3's loss and accuracy),
 * bars of ours beside the paper's numbers, the counting confusion matrix, the grade sizes.
 * @category experiments
 */
export type ExperimentView = "trainingCurves" | "comparisonBars" | "confusionMatrix" | "gradeSizes";

/**
 * One experiment of the paper.
 *
 * @category experiments
 */
export interface Experiment {
  /** Name, as `reproduce --only` and the results' `experiment` field spell it. */
  name: string;
  /** Section heading. */
  title: string;
  /** What the paper claims and how we test it (one paragraph). */
  about: string;
  /**
   * Run it (quick or full, seeds, cache, progress, abort, the data and scale overrides;
   * `separation` overrides Table 3's separation scale and `separationProtocol` picks its
   * protocol, the others ignore them).
   */
  run: (
    opts: ExperimentOptions & {
      separation?: Partial<Table3Scale>;
      separationProtocol?: SeparationProtocol;
    },
  ) => Promise<ExperimentResult>;
  /**
   * What it needs of the data: a dataset that cannot serve it is skipped with a sentence
   * (`unservedNeeds`).
   */
  needs: DatasetNeeds;
  /** The plots its report section draws, in order (each where the result has its data). */
  views: readonly ExperimentView[];
}

/**
 * Every experiment of the paper, in the order `reproduce` runs them and the report shows them.
 *
 * @category experiments
 */
export const EXPERIMENTS: readonly Experiment[] = [
  {
    name: "fig3",
    title: "Fig. 3: curriculum training curves",
    about: "The paper trains the same network on sets graded by the number of sound sources. " +
      "It claims that training on C1 (one source) converges fastest with the lowest loss, C3 " +
      "the slowest, the uncurated set in between (Fig. 3a), and that the order C2 then C3 " +
      "reaches a higher training accuracy than C3 then C2 (Fig. 3b). We train each set from " +
      "the same initialisation over several seeds. The training loss grows with the number " +
      "of centers K even for an untrained network, so the claims are judged on a measure " +
      "that does not depend on K: the matched-vs-mismatched accuracy of every model on one " +
      "common held-out set (each clip clustered at its own number of sources), with an " +
      "untrained network as the floor.",
    run: runFig3,
    needs: { capabilities: ["trainingClips", "heldOutClips"], levels: [1, 2, 3, "uncurated"] },
    views: ["trainingCurves", "comparisonBars"],
  },
  {
    name: "table1",
    title: "Table 1: sound classification with frozen features",
    about: "The paper evaluates the trained audio network by a linear classifier on its pooled " +
      "features (ESC-50 protocol, 5-fold cross-validation). It claims C2(C1) with source-level " +
      "alignment > C1(C2) source-level > C1 > C2(C1) with scene-level alignment. We run the " +
      "same protocol on the run's labelled single-source set (folds of the dataset given, the " +
      "synthetic world by default).",
    run: runTable1,
    needs: { capabilities: ["trainingClips", "classificationClips"], levels: [1, 2] },
    views: ["comparisonBars"],
  },
  {
    name: "table2",
    title: "Table 2: sound localization",
    about: "Localization maps are the assignment maps of the visual centers aligned to the " +
      "audio centers, scored by cIoU@0.5 and AUC against several annotators' boxes. The paper " +
      "claims ours-C1 > ours-C2 > DMC, Attention > an unaligned center ~ random. We score every " +
      "method on the run's localization test set (the boxes of the dataset given, the " +
      "synthetic world by default). The paper's graded row (†‡) trains on the training data " +
      "graded by the counting model (its predictions, not the true counts): C1, then C2.",
    run: runTable2,
    needs: { capabilities: ["trainingClips", "localizationSet"], levels: [1, 2, "uncurated"] },
    views: ["comparisonBars"],
  },
  {
    name: "table3",
    title: "Table 3: visually guided sound separation",
    about: "Mix-and-separate on solo and duet clips, scored by SDR/SIR/SAR (BSS-eval v3). The " +
      "paper claims separation comparable to Sound-of-Pixels, and that adding duets to " +
      "training helps ours (dSDR > 0) but not Sound-of-Pixels. Our per-object rows separate " +
      "each duet clip into one source per sounding object (each from its own visual center), " +
      "scored against that object's own source.",
    run: runTable3,
    needs: { capabilities: ["trainingClips", "separationSet"], levels: [1, 2] },
    views: ["comparisonBars"],
  },
  {
    name: "counting",
    title: "Counting sound sources",
    about: "The counting model estimates the number of sources of a clip (Poisson regression " +
      "on pooled audiovisual features); its estimates grade the uncurated data into C1..C4. " +
      "We report its accuracy and confusion matrix on held-out clips and the sizes of the " +
      "grades it forms.",
    run: runCounting,
    needs: { capabilities: ["trainingClips", "heldOutClips"], levels: [1, "uncurated"] },
    views: ["comparisonBars", "confusionMatrix", "gradeSizes"],
  },
];

/**
 * The experiment of a name.
 *
 * @param name an experiment name (`"fig3"`, `"table1"`, ...).
 * @returns its registry entry.
 * @throws when no experiment has that name (the message lists the names).
 * @category experiments
 */
export function experimentNamed(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e) {
    throw new Error(
      `experimentNamed: no experiment "${name}"; experiments are ${
        EXPERIMENTS.map((x) => x.name).join(", ")
      }`,
    );
  }
  return e;
}
