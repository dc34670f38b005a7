/**
 * Vision: PNG / JPEG decoding and encoding, resizing and normalisation of RGB images.
 *
 * @module
 */
export * from "./image_codec.ts";
export * from "./resize.ts";
export * from "./normalize.ts";
export * from "./rgb_image.ts";
