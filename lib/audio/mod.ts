/**
 * Audio: STFT and its inverse, the Sound-of-Pixels log-frequency warp, WAV and MP3 files,
 * resampling, and log-mel / MFCC features.
 *
 * @module
 */
export * from "./stft.ts";
export * from "./log_frequency.ts";
export * from "./log_mel.ts";
export * from "./wav.ts";
export * from "./mp3.ts";
export * from "./read_audio.ts";
export * from "./resample.ts";
export * from "./meyda_features.ts";
