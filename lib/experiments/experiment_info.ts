/**
 * What each experiment of the paper is, in words: its title and the paper's claim with how we
 * test it, keyed by the runners' `experiment` names.
 *
 * @module
 */

/** Title and the paper's claim in words, per experiment name. */
export interface ExperimentInfo {
  /** Section heading. */
  title: string;
  /** What the paper claims and how we test it (one paragraph). */
  about: string;
}

/** What each experiment of the paper is, keyed by the runners' `experiment` names. */
export const EXPERIMENT_INFO: Readonly<Record<string, ExperimentInfo>> = {
  fig3: {
    title: "Fig. 3: curriculum training curves",
    about: "The paper trains the same network on sets graded by the number of sound sources. " +
      "It claims that training on C1 (one source) converges fastest with the lowest loss, C3 " +
      "the slowest, the uncurated set in between (Fig. 3a), and that the order C2 then C3 " +
      "reaches a higher training accuracy than C3 then C2 (Fig. 3b). We train each set from " +
      "the same initialisation over several seeds and compare the curves and final values.",
  },
  table1: {
    title: "Table 1: sound classification with frozen features",
    about: "The paper evaluates the trained audio network by a linear classifier on its pooled " +
      "features (ESC-50 protocol, 5-fold cross-validation). It claims C2(C1) with source-level " +
      "alignment > C1(C2) source-level > C1 > C2(C1) with scene-level alignment. We run the " +
      "same protocol on the synthetic world's labelled single-source set.",
  },
  table2: {
    title: "Table 2: sound localization",
    about: "Localization maps are the assignment maps of the visual centers aligned to the " +
      "audio centers, scored by cIoU@0.5 and AUC against several annotators' boxes. The paper " +
      "claims ours-C1 > ours-C2 > DMC, Attention > an unaligned center ~ random. We score every " +
      "method on the synthetic world's localization test set.",
  },
  table3: {
    title: "Table 3: visually guided sound separation",
    about: "Mix-and-separate on solo and duet clips, scored by SDR/SIR/SAR (BSS-eval v3). The " +
      "paper claims separation comparable to Sound-of-Pixels, and that adding duets to " +
      "training helps ours (dSDR > 0) but not Sound-of-Pixels.",
  },
  counting: {
    title: "Counting sound sources",
    about: "The counting model estimates the number of sources of a clip (Poisson regression " +
      "on pooled audiovisual features); its estimates grade the uncurated data into C1..C4. " +
      "We report its accuracy and confusion matrix on held-out clips and the sizes of the " +
      "grades it forms.",
  },
};
