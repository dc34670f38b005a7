/**
 * The facts about a run that head a report: mode, backend, runtime and machine.
 *
 * @module
 */
import { describeBackend } from "../backend/mod.ts";

/**
 * The run facts of a report: quick or full, the tfjs backend and adapter
 * (`describeBackend()`), Deno's version, the OS and the number of logical CPUs.
 *
 * @param quick whether the experiments ran in quick mode.
 * @param extra more facts to add (e.g. the cache directory).
 * @returns facts for `writeReport`'s `meta`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runMeta } from "@avscene/avscene/report";
 * assert.equal(runMeta(true).mode, "quick");
 * ```
 * @category plots
 */
export function runMeta(
  quick: boolean,
  extra: Record<string, string | number | boolean> = {},
): Record<string, string | number | boolean> {
  return {
    mode: quick ? "quick" : "full",
    backend: describeBackend(),
    deno: Deno.version.deno,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    ...extra,
  };
}
