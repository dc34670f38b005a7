/**
 * Compile a vega-lite spec to vega, collecting the compiler's warnings instead of printing them.
 *
 * @module
 */
import * as vl from "vega-lite";
import type { VegaLiteSpec } from "./types.ts";

/**
 * The result of {@linkcode compileVegaLite}.
 *
 * @category plots
 */
export interface CompiledSpec {
  /** The vega specification vega-lite produced. */
  vega: Record<string, unknown>;
  /** Warnings the vega-lite compiler emitted (empty for a clean spec). */
  warnings: string[];
}

/**
 * Compile a vega-lite spec with the npm `vega-lite` compiler.
 *
 * @param spec the vega-lite spec.
 * @returns the vega spec and the compiler's warnings.
 * @throws Error when vega-lite rejects the spec.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileVegaLite } from "@avscene/avscene/plot";
 * const { warnings } = compileVegaLite({ mark: "point", data: { values: [{ a: 1 }] } });
 * assert.deepEqual(warnings, []);
 * ```
 * @category plots
 */
export function compileVegaLite(spec: VegaLiteSpec): CompiledSpec {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError("compileVegaLite: spec must be a vega-lite spec object");
  }
  const warnings: string[] = [];
  let level = 2;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(`error: ${args.map(String).join(" ")}`);
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(" "));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  // deno-lint-ignore no-explicit-any
  const out = vl.compile(spec as any, { logger: logger as any });
  return { vega: out.spec as unknown as Record<string, unknown>, warnings };
}
