/**
 * Atomic file writes: a temporary file beside the target, then a rename.
 *
 * @module
 */

/**
 * Write `data` to `path` atomically: readers see the old file or the complete new one, never a
 * partial write.
 *
 * @param path the target file.
 * @param data bytes or text.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./write_atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * console.log(await Deno.readTextFile(`${dir}/a.txt`)); // hello
 * ```
 * @category data
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
