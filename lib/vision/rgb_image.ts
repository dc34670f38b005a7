/**
 * The image type of the vision layer (and of every clip after it).
 *
 * @module
 */

/**
 * An RGB image, row-major `[height, width, 3]`, values in [0, 1].
 *
 * @category data
 */
export interface RGBImage {
  /** Pixels, `height * width * 3` floats in [0, 1]. */
  data: Float32Array;
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
}
