/**
 * avscene: self-supervised audiovisual scene analysis with curriculum learning
 * (Hu et al., "Heterogeneous Scene Analysis via Self-supervised Audiovisual Learning").
 *
 * The names a user of the paper needs: pick a backend, draw the synthetic world (or load a
 * real dataset), create and train the model with a curriculum, localize and separate sounds,
 * score them with the paper's metrics, run the paper's experiments, and plot the results.
 * Everything else is exported by the subpaths: `@avscene/avscene/kernels`, `/backend`,
 * `/random`, `/audio`, `/vision`, `/data`, `/model`, `/train`, `/metrics`, `/baselines`,
 * `/experiments`, `/plot` and `/report`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createModel, initBackend, localize, synthWorld } from "@avscene/avscene";
 *
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 0 });
 * const world = synthWorld({ seed: 0, imageSize: 64, sampleRate: 8000, duration: 1 });
 * const [maps] = await localize(model, world.localizationSet(1));
 * assert.equal(maps.aligned.length, 1); // one sound, one aligned visual center
 * model.params.dispose();
 * ```
 *
 * @module
 */

// backend and kernels
export { describeBackend, initBackend } from "./lib/backend/mod.ts";
export { softKMeans } from "./kernels/mod.ts";

// data: the synthetic world, curriculum grading, the real datasets' loaders
export type { AVClip, Box, LabelledClip } from "./lib/data/mod.ts";
export type { RGBImage } from "./lib/vision/mod.ts";
export {
  gradeCurriculum,
  loadAudioSet,
  loadESC50,
  loadFlickrSoundNet,
  loadMUSIC,
  SYNTH_CLASSES,
  synthWorld,
} from "./lib/data/mod.ts";

// model: the audiovisual network, localization, counting, separation
export type { AVModel, ModelConfig, PresetName } from "./lib/model/mod.ts";
export {
  batchSpectra,
  countSources,
  createModel,
  createOursSeparation,
  fitClipAudio,
  fitCountingModel,
  localize,
  maskTargets,
  mixClips,
  mixtureBatch,
  mixtureSpectra,
  oursHeatmaps,
  predictClipMasks,
  presetConfig,
  separateMixtures,
  separationConfig,
  separationFrames,
  separationStft,
} from "./lib/model/mod.ts";

// training
export {
  curriculumStages,
  loadModel,
  saveCheckpoint,
  trainCurriculum,
  trainSeparation,
} from "./lib/train/mod.ts";

// the paper's metrics
export {
  bssEval,
  cIoU,
  classifyFrozenFeatures,
  clipCIoUs,
  consensusMap,
  localizationScores,
} from "./lib/metrics/mod.ts";

// the paper's experiments
export type {
  ClaimCheck,
  Experiment,
  ExperimentResult,
  ResultRow,
  RunOptions,
} from "./lib/experiments/mod.ts";
export {
  evaluateCheckpoint,
  experimentNamed,
  EXPERIMENTS,
  runCounting,
  runFig3,
  runScale,
  runTable1,
  runTable2,
  runTable3,
  testPairs,
} from "./lib/experiments/mod.ts";

// plots, notebook display and the report
export {
  comparisonBars,
  confusionMatrix,
  display,
  displayTable,
  heatmapOverlay,
  maskImage,
  sceneImage,
  sideBySide,
  spectrogramImage,
  trainingCurves,
} from "./lib/plot/mod.ts";
export {
  curveRuns,
  displayClaims,
  gradeSizesChart,
  progressView,
  writeReport,
} from "./lib/report/mod.ts";
