/**
 * The one error type every file decoder throws (WAV, PNG, JPEG), so that callers and tests can
 * tell a bad file from a bug.
 *
 * @module
 */

/**
 * A file that cannot be decoded: malformed, truncated, unsupported, or over a decoder's limit
 * (e.g. an image with more pixels than `maxPixels`). The message starts with the file's name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DecodeError } from "@avscene/avscene/io";
 * const e = new DecodeError("a.wav", "no data chunk");
 * assert.deepEqual([e.name, e.file, e.message], ["DecodeError", "a.wav", "a.wav: no data chunk"]);
 * ```
 * @category data
 */
export class DecodeError extends Error {
  /** The file (or name) that failed to decode. */
  readonly file: string;
  /** Why, without the file's name. */
  readonly reason: string;

  /**
   * An error for a file that cannot be decoded.
   *
   * @param file The file's name, quoted first in the message.
   * @param reason Why it cannot be decoded.
   */
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = "DecodeError";
    this.file = file;
    this.reason = reason;
  }
}
