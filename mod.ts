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
 *   sets), `loadESC50`, `loadFlickrSoundNet`, `loadMUSIC`, `loadAudioSet`, `gradeCurriculum`;
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
 * @example Train briefly and score localization on held-out scenes
 * ```ts
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
 * model.params.dispose();
 * ```
 *
 * @module
 */
export * from "./lib/backend/mod.ts";
export * from "./lib/io/mod.ts";
export * from "./lib/random/mod.ts";
export * from "./kernels/mod.ts";
export * from "./lib/data/mod.ts";
export * from "./lib/model/mod.ts";
export * from "./lib/train/mod.ts";
export * from "./lib/metrics/mod.ts";
export * from "./lib/experiments/mod.ts";
export * from "./lib/baselines/mod.ts";
export * from "./lib/plot/mod.ts";
export * from "./lib/audio/mod.ts";
export * from "./lib/vision/mod.ts";
export * from "./lib/report/mod.ts";
