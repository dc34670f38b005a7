/**
 * Real-dataset loaders and writers: ESC-50, Flickr-SoundNet (localization), MUSIC (Sound of
 * Pixels layout) and AudioSet (segments with pre-extracted media).
 *
 * @module
 */
export type { LoadOptions, LoadResult, SkippedItem } from "./_common.ts";
export * from "./esc50.ts";
export * from "./flickr_soundnet.ts";
export * from "./music.ts";
export * from "./audioset.ts";
