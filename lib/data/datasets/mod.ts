/**
 * Dataset adapters: real datasets on disk as {@linkcode AVDataset}s (streamed, decoded on
 * demand), and `--data KIND:PATH` parsing and composition.
 *
 * @module
 */
export type { AVDataset } from "../dataset.ts";
export type { DatasetOpenOptions, OpenedDataset } from "./options.ts";
export * from "./music_dataset.ts";
export * from "./flickr_dataset.ts";
export * from "./esc50_dataset.ts";
export * from "./audioset_dataset.ts";
export * from "./open_dataset.ts";
