/**
 * What the dataset adapters share: the identity of a dataset on disk (a hash of its kind,
 * root, options and every indexed file's path, size and modification time, so a changed, added
 * or removed file changes it), skipping bad index rows, and spreading a capped selection over
 * the whole index.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * Hash `parts` and the stat of every file in `files` (a file that cannot be stat-ed throws,
 * naming it).
 *
 * @param parts What else identifies the data (kind, root, options).
 * @param files Every file (or frame folder) the dataset reads.
 * @returns `<kind>:` and 16 hex digits of SHA-256.
 */
export async function _datasetIdentity(
  kind: string,
  parts: unknown,
  files: readonly string[],
): Promise<string> {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(parts));
  for (const f of [...new Set(files)].sort()) {
    let st: Deno.FileInfo;
    try {
      st = await Deno.stat(f);
    } catch (e) {
      throw new Error(`${f}: cannot read (${(e as Error).message})`);
    }
    hash.update(`\n${f}\t${st.size}\t${st.mtime?.getTime() ?? 0}`);
  }
  return `${kind}:${hash.digest("hex").slice(0, 16)}`;
}

/** Split entries from errors: errors throw unless `skipBad`, then they are listed. */
export function _keepGood<T>(
  items: readonly (T | Error)[],
  skipBad: boolean,
): { good: T[]; skipped: string[] } {
  const good: T[] = [], skipped: string[] = [];
  for (const item of items) {
    if (item instanceof Error) {
      if (!skipBad) throw item;
      skipped.push(item.message);
    } else good.push(item);
  }
  return { good, skipped };
}

/**
 * `size` items spread evenly over `pool` (items `floor(i * n / size)`), all of them when
 * `size >= n`: a capped training set then samples the whole index, not its first categories.
 */
export function _spread<T>(pool: readonly T[], size: number): T[] {
  if (!Number.isInteger(size) || size < 0) {
    throw new Error(`trainingClips: size must be a non-negative integer, got ${size}`);
  }
  const n = pool.length;
  if (size >= n) return [...pool];
  return Array.from({ length: size }, (_, i) => pool[Math.floor((i * n) / size)]);
}
