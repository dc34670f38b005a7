/**
 * Visually guided sound separation (DESIGN step 7): Sound-of-Pixels' mix-and-separate with a
 * U-Net over the log-frequency-warped mixture spectrogram, conditioned on a visual vector
 * (ours: the aligned visual center of the trained audiovisual model), binary or ratio masks,
 * and inference through the mixture's phase.
 *
 * @module
 */
export * from "./separation_config.ts";
export * from "./separation_model.ts";
export * from "./mask_targets.ts";
export * from "./separation_loss.ts";
export * from "./mixture_spectra.ts";
export * from "./mask_to_waveform.ts";
export * from "./conditioner.ts";
export * from "./separate.ts";
export * from "./aligned_center_conditioner.ts";
