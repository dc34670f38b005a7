/**
 * What keys the experiment cache besides a cell's own settings, so that a cached number is
 * reused only when the same code, backend and data would compute it again: a hash of the
 * source files that produce numbers, and the identity of the dataset.
 *
 * @module
 */

/**
 * Folders of the package whose sources produce the cached numbers (plots and reports do not).
 *
 * @category experiments
 */
export const SOURCE_FOLDERS: readonly string[] = ["kernels", "lib"];

/**
 * Folders under `lib/` left out of the source hash: they format numbers, never compute them.
 *
 * @category experiments
 */
export const PRESENTATION_FOLDERS: readonly string[] = ["lib/plot", "lib/report"];

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function listSources(dir: URL, rel: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) {
      if (PRESENTATION_FOLDERS.includes(path)) continue;
      await listSources(new URL(`${e.name}/`, dir), path, out);
    } else if (e.isFile && /\.(ts|wgsl|json)$/.test(e.name)) {
      out.push(path);
    }
  }
}

/**
 * A hash of the package's number-producing sources: every `.ts` (and `.wgsl`, `.json`) file
 * under {@linkcode SOURCE_FOLDERS} of `root`, less {@linkcode PRESENTATION_FOLDERS}, each with
 * its relative path, in sorted order.
 *
 * @param root the package root as a `file:` URL ending in `/`.
 * @returns `"src-"` and the first 16 hex digits of the SHA-256.
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { hashSources } from "@avscene/avscene/experiments";
 * assert.equal(await hashSources(new URL("../../", import.meta.url)), "src-...");
 * ```
 * @category experiments
 */
export async function hashSources(root: URL): Promise<string> {
  if (root.protocol !== "file:") {
    throw new Error(`hashSources: root must be a file: URL, got ${root.href}`);
  }
  const files: string[] = [];
  for (const folder of SOURCE_FOLDERS) {
    try {
      await listSources(new URL(`${folder}/`, root), folder, files);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  if (files.length === 0) throw new Error(`hashSources: no sources under ${root.href}`);
  files.sort();
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(enc.encode(`${f}\0`), await Deno.readFile(new URL(f, root)), enc.encode("\0"));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return `src-${(await sha256Hex(all)).slice(0, 16)}`;
}

let cached: Promise<string> | undefined;

/**
 * The code identity of this copy of avscene, computed once per process: the hash of its
 * sources ({@linkcode hashSources}) when it runs from files, otherwise its module URL (a
 * published package's URL carries its version, and a version's content never changes).
 *
 * @returns e.g. `"src-3f2a9c0d1b7e4a55"` or `"https://jsr.io/@avscene/avscene/0.1.0/"`.
 * @category experiments
 */
export function codeIdentity(): Promise<string> {
  const root = new URL("../../", import.meta.url);
  return cached ??= root.protocol === "file:" ? hashSources(root) : Promise.resolve(root.href);
}

/**
 * What a dataset may carry to identify itself in cache keys.
 *
 * @category experiments
 */
export interface IdentifiedData {
  /**
   * A string that changes whenever the data would (for a loaded dataset: a hash of its file
   * list, sizes and modification times).
   */
  readonly identity?: string;
  /** Settings that fix a generated dataset (the synthetic world's seed, sizes, ...). */
  readonly options?: object;
}

const unidentified = new WeakMap<object, string>();

/**
 * The identity of a dataset for cache keys: its `identity` string when it has one, else its
 * generating `options` (the synthetic world's), else a random id held for this object in this
 * process: runners sharing the object share models, but nothing of it is reused by a later
 * process (data without an identity could have changed).
 *
 * @param data the dataset (an experiment world).
 * @returns a string or options object to put in a key.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataIdentity } from "@avscene/avscene/experiments";
 * assert.equal(dataIdentity({ identity: "music-3f2a" }), "music-3f2a");
 * ```
 * @category experiments
 */
export function dataIdentity(data: IdentifiedData): string | object {
  if (typeof data.identity === "string" && data.identity.length > 0) return data.identity;
  if (data.options !== undefined) return data.options;
  let id = unidentified.get(data);
  if (!id) unidentified.set(data, id = `unidentified-${crypto.randomUUID()}`);
  return id;
}
