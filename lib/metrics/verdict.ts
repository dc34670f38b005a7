/**
 * The one rule every claim of the report is judged by: orderings are decided by seed-level
 * statistics (the paired difference over seeds and its 95% Student-t interval), a claim has
 * three states (holds / does not hold / inconclusive) and each state comes with its reason in
 * words. Pure functions of per-seed numbers; no training, no I/O.
 *
 * The rule, written once:
 * - Two methods measured on the same seeds are compared by the per-seed differences
 *   `a_s - b_s`: mean `d`, standard error `se = sd / sqrt(n)` and the interval
 *   `d ± t(n - 1) se` (two-sided 95%). A floor or reference given as one number is compared
 *   the same way (its difference to each seed).
 * - `a > b` holds when the whole interval lies above 0, does not hold when the whole interval
 *   lies below 0, and is "within noise" otherwise. With one seed there is no seed spread:
 *   every ordering is inconclusive.
 * - "a is comparable to b" (non-inferiority within a margin) holds when the interval lies
 *   above `-margin`, fails when it lies below; "a ~ b" (similarity) holds when the interval
 *   lies inside `±margin`, fails when it lies wholly outside.
 * - A claim made of links holds when every link holds, does not hold when a link clearly
 *   fails, and is inconclusive otherwise.
 * - A relative claim is judged only when the methods it ranks beat their trivial floors by
 *   the same rule; otherwise it is "not judged: below floor" (inconclusive).
 *
 * @module
 */

/**
 * The three states of a verdict.
 *
 * @category metrics
 */
export type VerdictState = "holds" | "does not hold" | "inconclusive";

/**
 * A verdict and why, in words.
 *
 * @category metrics
 */
export interface Verdict {
  /** holds / does not hold / inconclusive. */
  verdict: VerdictState;
  /**
   * Why, in words: e.g. `"within noise: difference 0.001 is inside ± 4.30 x seed standard
   * error 0.011"` or `"not judged: every method below the mixture floor"`.
   */
  reason: string;
}

/**
 * Confidence level of the intervals (two-sided).
 *
 * @category metrics
 */
export const VERDICT_CONFIDENCE = 0.95;

// Two-sided 95% quantiles of Student's t, t(0.975, df), df = 1..30.
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/**
 * The two-sided 95% quantile of Student's t with `df` degrees of freedom (table for 1..30,
 * the normal 1.96 plus the first-order correction beyond).
 *
 * @param df degrees of freedom, an integer >= 1.
 * @returns `t(0.975, df)`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tCritical } from "@avscene/avscene/metrics";
 * assert.equal(tCritical(2), 4.303);
 * ```
 * @category metrics
 */
export function tCritical(df: number): number {
  if (!Number.isInteger(df) || df < 1) {
    throw new RangeError(`tCritical: df must be an integer >= 1, got ${df}`);
  }
  if (df <= T975.length) return T975[df - 1];
  return 1.96 + 2.4 / df; // within 0.002 of the exact quantile for df > 30
}

/**
 * The paired difference of two methods over seeds, and its interval.
 *
 * @category metrics
 */
export interface SeedDifference {
  /** Mean over seeds of `a_s - b_s`. */
  mean: number;
  /** Standard error of that mean over seeds (NaN with one seed). */
  se: number;
  /** Number of seeds. */
  n: number;
  /** The t quantile the interval uses (NaN with one seed). */
  critical: number;
  /** Lower end of the 95% interval (NaN with one seed). */
  low: number;
  /** Upper end of the 95% interval (NaN with one seed). */
  high: number;
}

/**
 * Per-seed values of a method (one number per seed, in the seeds' order), or one constant.
 *
 * @category metrics
 */
export type SeedValues = readonly number[] | number;

/**
 * The paired difference `a - b` over seeds with its standard error and 95% t interval.
 *
 * @param a per-seed values of the first method.
 * @param b per-seed values of the second (same seeds, same order) or a constant.
 * @returns mean, standard error, n and the interval.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedDifference } from "@avscene/avscene/metrics";
 * const d = seedDifference([0.6, 0.7, 0.65], [0.5, 0.55, 0.5]);
 * assert.deepEqual([d.mean.toFixed(3), d.low > 0], ["0.133", true]);
 * ```
 * @category metrics
 */
export function seedDifference(a: SeedValues, b: SeedValues): SeedDifference {
  const av = typeof a === "number" ? undefined : a;
  const bv = typeof b === "number" ? undefined : b;
  const n = av?.length ?? bv?.length ?? 1;
  if ((av && av.length !== n) || (bv && bv.length !== n)) {
    throw new Error(
      `seedDifference: a has ${av?.length} seeds and b ${bv?.length}; compare the same seeds`,
    );
  }
  if (n === 0) throw new Error("seedDifference: no seeds");
  const d = Array.from({ length: n }, (_, i) => {
    const x = av ? av[i] : a as number, y = bv ? bv[i] : b as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new Error(`seedDifference: seed ${i} has a non-finite value (${x}, ${y})`);
    }
    return x - y;
  });
  const mean = d.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, se: NaN, n, critical: NaN, low: NaN, high: NaN };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  const critical = tCritical(n - 1);
  return { mean, se, n, critical, low: mean - critical * se, high: mean + critical * se };
}

/**
 * How one link of a claim came out.
 *
 * @category metrics
 */
export type LinkOutcome = "holds" | "fails" | "within noise" | "one seed" | "no value";

/**
 * One judged link of a claim (`A > B`, `A ~ B`, `A comparable to B`).
 *
 * @category metrics
 */
export interface JudgedLink {
  /** The link in words, e.g. `"Ours-C1 > Ours-C2"`. */
  link: string;
  /** holds / fails / within noise / one seed / no value. */
  outcome: LinkOutcome;
  /** The numbers behind it in words. */
  text: string;
  /** The paired difference (absent when a value was missing). */
  difference?: SeedDifference;
}

/**
 * A named method with its per-seed values (or a constant, e.g. chance).
 *
 * @category metrics
 */
export interface Measured {
  /** Name shown in reasons, e.g. `"Ours-C1"`, `"chance"`. */
  name: string;
  /** Per-seed values (same seeds as the other side) or one constant. */
  values: SeedValues;
}

const fmtNum = (x: number, digits: number) => x.toFixed(digits);

function describe(d: SeedDifference, digits: number): string {
  if (d.n === 1) return `difference ${fmtNum(d.mean, digits)} from one seed (no seed spread)`;
  return `difference ${fmtNum(d.mean, digits)}, ${d.critical.toFixed(2)} x seed standard ` +
    `error ${fmtNum(d.se, digits)} = ${fmtNum(d.critical * d.se, digits)} (${d.n} seeds)`;
}

function safeDifference(
  a: Measured,
  b: Measured,
): SeedDifference | { missing: string } {
  try {
    return seedDifference(a.values, b.values);
  } catch (e) {
    return { missing: (e as Error).message };
  }
}

/**
 * Judge `a > b` by the rule: holds when the 95% interval of the paired difference lies above
 * 0, fails when it lies below 0, within noise otherwise (one seed: no spread, not judged).
 *
 * @param a the method claimed higher.
 * @param b the method claimed lower (or a floor constant).
 * @param digits decimals in the text (default 3).
 * @returns the judged link.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeAbove } from "@avscene/avscene/metrics";
 * const l = judgeAbove({ name: "C1", values: [0.7, 0.72, 0.71] }, { name: "chance", values: 0.5 });
 * assert.equal(l.outcome, "holds");
 * ```
 * @category metrics
 */
export function judgeAbove(a: Measured, b: Measured, digits = 3): JudgedLink {
  const link = `${a.name} > ${b.name}`;
  const d = safeDifference(a, b);
  if ("missing" in d) return { link, outcome: "no value", text: `${link}: ${d.missing}` };
  const text = `${link}: ${describe(d, digits)}`;
  if (d.n === 1) return { link, outcome: "one seed", text, difference: d };
  const outcome: LinkOutcome = d.low > 0 ? "holds" : d.high < 0 ? "fails" : "within noise";
  return { link, outcome, text, difference: d };
}

/**
 * Judge "a is comparable to b": a is not worse than b by more than `margin` (non-inferiority).
 * Holds when the interval of `a - b` lies above `-margin`, fails when it lies below.
 *
 * @param a the method claimed comparable.
 * @param b the reference.
 * @param margin the largest shortfall that still counts as comparable (> 0).
 * @param digits decimals in the text (default 3).
 * @returns the judged link.
 * @category metrics
 */
export function judgeComparable(a: Measured, b: Measured, margin: number, digits = 3): JudgedLink {
  if (!(margin > 0)) throw new RangeError(`judgeComparable: margin must be > 0, got ${margin}`);
  const link = `${a.name} >= ${b.name} - ${margin}`;
  const d = safeDifference(a, b);
  if ("missing" in d) return { link, outcome: "no value", text: `${link}: ${d.missing}` };
  const text = `${link}: ${describe(d, digits)}, margin ${margin}`;
  if (d.n === 1) return { link, outcome: "one seed", text, difference: d };
  const outcome: LinkOutcome = d.low > -margin
    ? "holds"
    : d.high < -margin
    ? "fails"
    : "within noise";
  return { link, outcome, text, difference: d };
}

/**
 * Judge "a ~ b" within `margin`: holds when the interval of `a - b` lies inside
 * `(-margin, margin)`, fails when it lies wholly outside.
 *
 * @param a one method.
 * @param b the other.
 * @param margin the largest difference that still counts as similar (> 0).
 * @param digits decimals in the text (default 3).
 * @returns the judged link.
 * @category metrics
 */
export function judgeSimilar(a: Measured, b: Measured, margin: number, digits = 3): JudgedLink {
  if (!(margin > 0)) throw new RangeError(`judgeSimilar: margin must be > 0, got ${margin}`);
  const link = `|${a.name} - ${b.name}| < ${margin}`;
  const d = safeDifference(a, b);
  if ("missing" in d) return { link, outcome: "no value", text: `${link}: ${d.missing}` };
  const text = `${link}: ${describe(d, digits)}`;
  if (d.n === 1) return { link, outcome: "one seed", text, difference: d };
  const outcome: LinkOutcome = d.low > -margin && d.high < margin
    ? "holds"
    : d.low >= margin || d.high <= -margin
    ? "fails"
    : "within noise";
  return { link, outcome, text, difference: d };
}

/**
 * Combine a claim's links: does not hold when a link clearly fails, holds when every link
 * holds, inconclusive otherwise (the reason names the links within noise or without spread).
 *
 * @param links the judged links.
 * @returns the verdict with its reason.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeAbove, judgeLinks } from "@avscene/avscene/metrics";
 * const v = judgeLinks([
 *   judgeAbove({ name: "A", values: [3, 3.1, 3.2] }, { name: "B", values: [1, 1.2, 1.1] }),
 * ]);
 * assert.equal(v.verdict, "holds");
 * ```
 * @category metrics
 */
export function judgeLinks(links: readonly JudgedLink[]): Verdict {
  if (links.length === 0) throw new Error("judgeLinks: no links");
  const of = (o: LinkOutcome) => links.filter((l) => l.outcome === o);
  const failed = of("fails");
  if (failed.length > 0) {
    return {
      verdict: "does not hold",
      reason: `clearly reversed (95% interval on the other side of the claim): ` +
        failed.map((l) => l.text).join("; "),
    };
  }
  const missing = of("no value");
  if (missing.length > 0) {
    return {
      verdict: "inconclusive",
      reason: `not judged: ${missing.map((l) => l.text).join("; ")}`,
    };
  }
  const single = of("one seed");
  if (single.length > 0) {
    return {
      verdict: "inconclusive",
      reason: `one seed: no seed spread to tell an ordering from noise (${
        single.map((l) => l.text).join("; ")
      })`,
    };
  }
  const noisy = of("within noise");
  if (noisy.length > 0) {
    return {
      verdict: "inconclusive",
      reason: `within noise: ${noisy.map((l) => l.text).join("; ")}`,
    };
  }
  return {
    verdict: "holds",
    reason: `every link clear of noise: ${links.map((l) => l.text).join("; ")}`,
  };
}

/**
 * The floor check of a relative claim: every method it ranks must beat every floor by the
 * rule (`judgeAbove` holds). Returns `undefined` when they all do (the claim may be judged),
 * otherwise an inconclusive verdict "not judged: ... below floor".
 *
 * @param methods the methods the claim ranks.
 * @param floors the trivial floors (e.g. random and centre prior, the mixture, chance).
 * @param digits decimals in the text (default 3).
 * @returns `undefined`, or the "not judged" verdict.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { floorCheck } from "@avscene/avscene/metrics";
 * const v = floorCheck([{ name: "Ours", values: [-1, -2, -1.5] }],
 *   [{ name: "mixture", values: [0, 0, 0] }]);
 * assert.ok(v?.reason.startsWith("not judged"));
 * ```
 * @category metrics
 */
export function floorCheck(
  methods: readonly Measured[],
  floors: readonly Measured[],
  digits = 3,
): Verdict | undefined {
  const below = new Map<string, JudgedLink[]>();
  for (const m of methods) {
    for (const f of floors) {
      const l = judgeAbove(m, f, digits);
      if (l.outcome !== "holds") below.set(m.name, [...below.get(m.name) ?? [], l]);
    }
  }
  if (below.size === 0) return undefined;
  const floorNames = floors.map((f) => f.name).join(" and ");
  const who = below.size === methods.length && methods.length > 1
    ? `every method`
    : [...below.keys()].join(", ");
  const failing = [...below.values()].flat();
  const plural = floors.length > 1 ? "s" : "";
  if (failing.every((l) => l.outcome === "one seed")) {
    return {
      verdict: "inconclusive",
      reason: `not judged: one seed, no seed spread to tell whether ${who} clear${
        below.size === 1 && who !== "every method" ? "s" : ""
      } the ${floorNames} floor${plural} (${failing.map((l) => l.text).join("; ")})`,
    };
  }
  const texts = failing.map((l) => `${l.text} (${l.outcome})`);
  return {
    verdict: "inconclusive",
    reason: `not judged: ${who} not clearly above the ${floorNames} floor${plural} (${
      texts.join("; ")
    })`,
  };
}
