/**
 * avscene: self-supervised audiovisual scene analysis with curriculum learning, after Hu et al.,
 * "Heterogeneous Scene Analysis via Self-supervised Audiovisual Learning".
 *
 * An audio network and a visual network each end in a differentiable soft K-means (WGSL kernels
 * on tfjs's WebGPU backend, composed tfjs ops elsewhere) whose cluster assignments are spatial
 * masks; audio centers are aligned to visual centers, and training is a contrastive curriculum
 * from scenes with one sound to scenes with several. The aligned center's mask says where a sound
 * comes from; conditioned on it, a U-Net separates the sound from a mixture. Everything runs on
 * an embedded, seeded synthetic audiovisual world; loaders read ESC-50, SoundNet-Flickr, MUSIC
 * and AudioSet in their own layouts.
 *
 * The API, by category (each symbol's page names its category):
 *
 * - **data**: `synthWorld` (scenes, curriculum sets C1..C4, localization and classification
 *   sets), `openDatasets` (datasets on disk as streamed `AVDataset`s, as `--data KIND:PATH`),
 *   `loadESC50`, `loadFlickrSoundNet`, `loadMUSIC`, `loadAudioSet`, `gradeCurriculum`;
 *   WAV/PNG/JPEG codecs, STFT, log-mel, seeded random numbers.
 * - **model**: `createModel` and its presets, `localize`, the counting model, the separation
 *   network (`createOursSeparation`, `separateMixtures`) and the paper's baselines.
 * - **training**: `trainCurriculum` with `curriculumStages("C2(C1)", steps)`, `trainSeparation`,
 *   checkpoints and resume.
 * - **metrics**: `cIoU`, `clipCIoUs`, `localizationScores` (cIoU@0.5, AUC), `bssEval` (mir_eval's
 *   SDR/SIR/SAR), `classifyFrozenFeatures` (the ESC-50 protocol).
 * - **experiments**: the runners of Fig. 3 and Tables 1-3 (`runFig3`, `runTable1`, ...), which
 *   check the paper's claims on our data, and `evaluateCheckpoint`.
 * - **plots**: vega-lite figures (`trainingCurves`, `comparisonBars`, `heatmapOverlay`, ...),
 *   `display` in Jupyter with a PNG beside each plot, tables, verdicts and the HTML report.
 * - **kernels**: `softKMeans` (batched, differentiable), `initBackend` (webgpu, wasm or cpu).
 *
 * This root module holds the names most programs need; every layer has its own entry point with
 * the rest (`@avscene/avscene/audio`, `/vision`, `/data`, `/model`, `/train`, `/metrics`,
 * `/experiments`, `/baselines`, `/plot`, `/report`, `/kernels`, ...).
 *
 * @example Train briefly and score localization on held-out scenes
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   clipCIoUs,
 *   createModel,
 *   curriculumStages,
 *   initBackend,
 *   localizationScores,
 *   localize,
 *   synthWorld,
 *   trainCurriculum,
 * } from "@avscene/avscene";
 *
 * await initBackend(); // webgpu on a real GPU, else wasm, else cpu
 * const world = synthWorld({ seed: 0 }); // the tiny preset's world: 64x64 frames, 1 s at 8 kHz
 * const model = createModel({ preset: "tiny", seed: 0 });
 * await trainCurriculum(model, { data: world, stages: curriculumStages("C1", 20) });
 * const scenes = world.localizationSet(8); // one sounding object each, with its box
 * const maps = await localize(model, scenes, { kAudio: 1, kVisual: 2 });
 * const cious = clipCIoUs(
 *   scenes,
 *   maps.map((m) => ({ heatmap: m.aligned[0], height: m.height, width: m.width })),
 * );
 * const { ciou50, auc } = localizationScores(cious);
 * console.log(`cIoU@0.5 ${ciou50.toFixed(2)}, AUC ${auc.toFixed(2)} over ${scenes.length} scenes`);
 * assert.ok(ciou50 >= 0 && ciou50 <= 1 && auc >= 0 && auc <= 1);
 * model.params.dispose();
 * ```
 *
 * The names a user of the paper needs: pick a backend, draw the synthetic world (or load a
 * real dataset), create and train the model with a curriculum, localize and separate sounds,
 * score them with the paper's metrics, run the paper's experiments, and plot the results.
 * Everything else is exported by the subpaths: `@avscene/avscene/kernels`, `/backend`,
 * `/random`, `/io`, `/audio`, `/vision`, `/data`, `/model`, `/train`, `/metrics`, `/baselines`,
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
export type { AVClip, AVDataset, Box, LabelledClip } from "./lib/data/mod.ts";
export type { RGBImage } from "./lib/vision/mod.ts";
export {
  gradeCurriculum,
  loadAudioSet,
  loadESC50,
  loadFlickrSoundNet,
  loadMUSIC,
  openDatasets,
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
  loadPretrained,
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
  RECIPES,
  saveCheckpoint,
  trainCurriculum,
  trainSeparation,
} from "./lib/train/mod.ts";
export type { Recipe, RecipeName } from "./lib/train/mod.ts";

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
  AblationResult,
  ClaimCheck,
  Experiment,
  ExperimentResult,
  ResultRow,
  RunOptions,
} from "./lib/experiments/mod.ts";
export {
  ABLATION_VARIANTS,
  evaluateCheckpoint,
  experimentNamed,
  EXPERIMENTS,
  runAblation,
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
