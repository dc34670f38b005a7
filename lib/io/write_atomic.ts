/**
 * Atomic file writes: a temporary file beside the target, then a rename; optionally flushed to
 * disk (fsync of the file and of its directory) so that the write survives a power cut.
 *
 * @module
 */

/**
 * Options of {@linkcode writeFileAtomic}.
 *
 * @category data
 */
export interface WriteAtomicOptions {
  /**
   * Flush the file to disk before the rename and the directory after it (default false): slower,
   * but a crash of the machine cannot leave an empty or partial file under the target's name.
   */
  fsync?: boolean;
}

/**
 * Flush a directory's entries (renames, creations) to disk.
 *
 * @param dir the directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fsyncDir } from "@avscene/avscene/io";
 * const dir = await Deno.makeTempDir();
 * await fsyncDir(dir); // resolves once the directory's entries are on disk
 * await assert.rejects(() => fsyncDir(`${dir}/missing`));
 * await Deno.remove(dir);
 * ```
 * @category data
 */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

/**
 * Write a file and flush it to disk before returning.
 *
 * @param path the file (created or truncated).
 * @param data bytes or text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileSynced } from "@avscene/avscene/io";
 * const dir = await Deno.makeTempDir();
 * await writeFileSynced(`${dir}/a.bin`, Uint8Array.of(1, 2));
 * assert.equal((await Deno.readFile(`${dir}/a.bin`)).length, 2);
 * ```
 * @category data
 */
export async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const handle = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for (let at = 0; at < bytes.length;) at += await handle.write(bytes.subarray(at));
    await handle.sync();
  } finally {
    handle.close();
  }
}

/**
 * Write `data` to `path` atomically: readers see the old file or the complete new one, never a
 * partial write.
 *
 * @param path the target file.
 * @param data bytes or text.
 * @param opts `fsync`: also flush the file and its directory to disk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "@avscene/avscene/io";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "hello");
 * ```
 * @category data
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  opts: WriteAtomicOptions = {},
): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (opts.fsync) await writeFileSynced(tmp, data);
    else if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  if (opts.fsync) await fsyncDir(_dirname(path));
}

function _dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}
