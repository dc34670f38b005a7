/**
 * Curriculum stages (DESIGN step 5): data level and numbers of centers of each stage, and the
 * parser of curriculum strings such as `C1,C2`, `C2(C1)` or `C3,C2,U`.
 *
 * @module
 */

/**
 * A curriculum level: C1..C4 (number of sound sources) or the uncurated set.
 *
 * @category training
 */
export type CurriculumLevel = 1 | 2 | 3 | 4 | "uncurated";

/**
 * One training stage.
 *
 * @category training
 */
export interface StageSpec {
  /** Which data the stage trains on. */
  level: CurriculumLevel;
  /** Optimisation steps of the stage. */
  steps: number;
  /** Audio centers (default: the level's number of sources; uncurated: 2). */
  kAudio?: number;
  /** Visual centers (default kAudio + the recipe's `extraVisualCenters`; see `stageCenters`). */
  kVisual?: number;
}

/**
 * Audio centers of the uncurated set when a stage does not say (its clips hold 1..4 sources).
 *
 * @category training
 */
export const UNCURATED_K_AUDIO = 2;

/**
 * The stage's centers: K_audio = sources, K_visual = sources + `extraVisualCenters`, unless the
 * stage overrides them.
 *
 * @param stage a stage.
 * @param extraVisualCenters visual centers beyond the sounds (default 1, the paper's one
 * background center; the default recipe trains with 2, see `Recipe`).
 * @returns its numbers of audio and visual centers.
 * @category training
 */
export function stageCenters(
  stage: StageSpec,
  extraVisualCenters = 1,
): { kAudio: number; kVisual: number } {
  const kAudio = stage.kAudio ?? (stage.level === "uncurated" ? UNCURATED_K_AUDIO : stage.level);
  return { kAudio, kVisual: stage.kVisual ?? kAudio + extraVisualCenters };
}

/**
 * Check hand-built stages: each has a known level, an integer number of steps >= 1 and, when
 * given, integer center counts >= 1 (a stage of 1.5 or -3 steps would otherwise run, or be
 * skipped, silently).
 *
 * @param op the calling function, named in the error.
 * @param stages the stages.
 * @throws RangeError naming the stage and the bad field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkStages } from "@avscene/avscene/train";
 * checkStages("train", [{ level: 1, steps: 10 }]); // fine
 * try {
 *   checkStages("train", [{ level: 1, steps: 1.5 }]);
 * } catch (e) {
 *   assert.equal((e as Error).message, "train: stages[0].steps must be an integer >= 1, got 1.5");
 * }
 * ```
 * @category training
 */
export function checkStages(op: string, stages: readonly StageSpec[]): void {
  if (!Array.isArray(stages) || stages.length === 0) throw new RangeError(`${op}: stages is empty`);
  stages.forEach((stage, i) => {
    const levels: unknown[] = [1, 2, 3, 4, "uncurated"];
    if (!levels.includes(stage.level)) {
      throw new RangeError(
        `${op}: stages[${i}].level must be 1, 2, 3, 4 or "uncurated", got ${stage.level}`,
      );
    }
    for (const key of ["steps", "kAudio", "kVisual"] as const) {
      const v = stage[key];
      if ((key === "steps" || v !== undefined) && !(Number.isInteger(v) && v! >= 1)) {
        throw new RangeError(`${op}: stages[${i}].${key} must be an integer >= 1, got ${v}`);
      }
    }
  });
}

/**
 * A level's short name: `C1`..`C4` or `U`.
 *
 * @param level a curriculum level.
 * @returns its name.
 * @category training
 */
export function levelName(level: CurriculumLevel): string {
  return level === "uncurated" ? "U" : `C${level}`;
}

function parseLevel(token: string, spec: string): CurriculumLevel {
  const t = token.trim().toUpperCase();
  if (t === "U" || t === "UNCURATED") return "uncurated";
  const m = /^C([1-4])$/.exec(t);
  if (!m) {
    throw new Error(
      `curriculum "${spec}": "${token}" is not a level (use C1..C4 or U for the uncurated set)`,
    );
  }
  return Number(m[1]) as 1 | 2 | 3 | 4;
}

function parseOrder(spec: string): CurriculumLevel[] {
  const s = spec.trim();
  // Nested initialisation: C2(C1) = C1 then C2; C3(C2(C1)) = C1, C2, C3.
  const nested = /^([^(),]+)\((.*)\)$/.exec(s);
  if (nested) return [...parseOrder(nested[2]), parseLevel(nested[1], spec)];
  return s.split(",").map((t) => parseLevel(t, spec));
}

/**
 * Stages of a curriculum string: levels in training order, comma-separated (`C1,C2`, `C3,C2`,
 * `U`), or the paper's notation `C2(C1)` (C2 initialised from C1, i.e. C1 then C2); each stage
 * gets `steps` steps and the default centers.
 *
 * @param spec the curriculum.
 * @param steps steps per stage (a number, or one per stage).
 * @returns the stages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curriculumStages } from "@avscene/avscene/train";
 * assert.deepEqual(curriculumStages("C2(C1)", 10).map((s) => s.level), [1, 2]);
 * ```
 * @category training
 */
export function curriculumStages(spec: string, steps: number | number[]): StageSpec[] {
  if (spec.trim() === "") throw new Error("curriculum: empty curriculum string");
  const levels = parseOrder(spec);
  const perStage = Array.isArray(steps) ? steps : levels.map(() => steps);
  if (perStage.length !== levels.length) {
    throw new Error(
      `curriculum "${spec}": ${levels.length} stages but ${perStage.length} step counts`,
    );
  }
  return levels.map((level, i) => {
    const n = perStage[i];
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`curriculum "${spec}": steps of stage ${i + 1} must be an integer >= 1`);
    }
    return { level, steps: n };
  });
}
