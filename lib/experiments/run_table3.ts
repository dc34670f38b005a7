/**
 * Table 3 of the paper: visually guided sound separation by mix-and-separate. Table 3a: SDR /
 * SIR / SAR (BSS-eval v3) on mixtures of two solo test clips for NMF-MFCC, AV-Mix-Sep,
 * Sound-of-Pixels, Co-Separation and ours, all trained on solo clips. Table 3b: the change when
 * ours and Sound-of-Pixels also train on duets.
 *
 * @module
 */
import type { AVClip } from "../data/types.ts";
import type { AVModel } from "../model/create_model.ts";
import { createOursSeparation } from "../model/separation/aligned_center_conditioner.ts";
import type { SeparationMethod } from "../model/separation/conditioner.ts";
import { fitClipAudio } from "../model/separation/mixture_spectra.ts";
import { mixtureBatch, separateMixtures } from "../model/separation/separate.ts";
import { trainSeparation } from "../train/train_separation.ts";
import { fnv1a } from "../random/fnv1a.ts";
import { createAvMixSep } from "../baselines/av_mix_sep.ts";
import { createCoSeparation } from "../baselines/co_separation.ts";
import { createSoundOfPixels } from "../baselines/sound_of_pixels.ts";
import { nmfMfccSeparate } from "../baselines/nmf_mfcc_separate.ts";
import { type RunContext, withContext } from "./_run_cache.ts";
import { bssEval } from "../metrics/bss_eval.ts";
import type { ExperimentOptions, ExperimentWorld, RecipeStage } from "./experiment_options.ts";
import {
  type ClaimCheck,
  type ExperimentResult,
  meanStd,
  type ResultRow,
  resultRow,
} from "./experiment.ts";

/** A world that also gives solo and duet clips for separation (the synthetic world does). */
export interface SeparationWorld extends ExperimentWorld {
  /** `size` clips with one (`solo`) or two (`duet`) sounding objects, `sources` set. */
  separationSet(kind: "solo" | "duet", size: number, split?: "train" | "test"): AVClip[];
}

/** The separation part of a Table 3 run's scale. */
export interface Table3Scale {
  /** Mix-and-separate steps of every trained method. */
  separationSteps: number;
  /** Mixtures per separation batch. */
  separationBatch: number;
  /** Solo training clips mixtures are drawn from. */
  soloTrainSize: number;
  /** Duet training clips added for the "solo+duet" runs. */
  duetTrainSize: number;
  /** Test mixtures, each of two solo test clips of different classes. */
  testMixtures: number;
}

/** Options of {@linkcode runTable3}. */
export interface Table3Options extends ExperimentOptions {
  /** The data (default: the synthetic world at the preset's sizes, seed 0). */
  world?: SeparationWorld;
  /** Overrides of the separation scale (see {@linkcode table3Scale}). */
  separation?: Partial<Table3Scale>;
}

/**
 * The separation scale of a quick or full run: quick trains each method for 150 steps of 8
 * mixtures on 128 solo (and 64 duet) clips and tests on 16 mixtures; full: 1000 steps, 512 solo,
 * 256 duet clips, 64 test mixtures.
 *
 * @param quick quick (true) or full (false).
 * @returns the scale (a fresh object).
 */
export function table3Scale(quick: boolean): Table3Scale {
  return quick
    ? {
      separationSteps: 150,
      separationBatch: 8,
      soloTrainSize: 128,
      duetTrainSize: 64,
      testMixtures: 16,
    }
    : {
      separationSteps: 1000,
      separationBatch: 8,
      soloTrainSize: 512,
      duetTrainSize: 256,
      testMixtures: 64,
    };
}

/**
 * Adam's learning rate of every separation network in Table 3 (3e-3: the tiny networks, visual
 * nets from scratch included, learn visibly within a few hundred steps at it).
 */
export const TABLE3_LR = 3e-3;

/** How a Table 3 method is built and trained. */
export type Table3MethodKind = "nmf" | "ours" | "sop" | "cosep" | "avmix";

/**
 * The methods of Table 3 with the paper's numbers (MIT-MUSIC): 3a's SDR and SIR, and for the
 * solo+duet variants 3b's gains. Ours on solo uses the C1 audiovisual model; ours on solo+duet
 * the C2(C1) model (the curriculum's next stage, two sources), as the paper trains "with the
 * complex scene of duet videos ... setting the number of sound-source to two".
 */
export const TABLE3_METHODS: readonly {
  method: string;
  kind: Table3MethodKind;
  duets: boolean;
  av?: RecipeStage[];
  paper?: { sdr: number; sir: number };
  paperGain?: { sdr: number; sir: number };
}[] = [
  { method: "NMF-MFCC", kind: "nmf", duets: false, paper: { sdr: 0.92, sir: 5.68 } },
  { method: "AV-Mix-Sep", kind: "avmix", duets: false, paper: { sdr: 3.16, sir: 6.74 } },
  { method: "Sound-of-Pixels", kind: "sop", duets: false, paper: { sdr: 7.30, sir: 11.90 } },
  { method: "Co-Separation", kind: "cosep", duets: false, paper: { sdr: 7.38, sir: 13.7 } },
  {
    method: "Ours",
    kind: "ours",
    duets: false,
    av: [{ level: 1 }],
    paper: { sdr: 6.59, sir: 10.10 },
  },
  {
    method: "Sound-of-Pixels (solo+duet)",
    kind: "sop",
    duets: true,
    paperGain: { sdr: -1.25, sir: -2.09 },
  },
  {
    method: "Ours (solo+duet)",
    kind: "ours",
    duets: true,
    av: [{ level: 1 }, { level: 2 }],
    paperGain: { sdr: 0.54, sir: 0.94 },
  },
];

/** The numbers of one (method, seed) cell: means over the evaluated test mixtures. */
export interface Table3Cell {
  /** Mean SDR in dB. */
  sdr: number;
  /** Mean SIR in dB. */
  sir: number;
  /** Mean SAR in dB. */
  sar: number;
  /** Test mixtures evaluated (SoP's protocol skips those with an all-silent estimate). */
  evaluated: number;
  /** Test mixtures in all. */
  mixtures: number;
}

/**
 * Test mixtures: pairs of solo test clips of different classes, in order (each clip used once).
 *
 * @param clips solo test clips.
 * @param count pairs wanted.
 * @returns up to `count` pairs.
 */
export function testPairs(clips: readonly AVClip[], count: number): AVClip[][] {
  const used = new Set<number>(), pairs: AVClip[][] = [];
  const cls = (c: AVClip) => c.classes?.[0] ?? -1;
  for (let i = 0; i < clips.length && pairs.length < count; i++) {
    if (used.has(i)) continue;
    for (let j = i + 1; j < clips.length; j++) {
      if (used.has(j) || (cls(clips[i]) === cls(clips[j]) && cls(clips[i]) !== -1)) continue;
      used.add(i).add(j);
      pairs.push([clips[i], clips[j]]);
      break;
    }
  }
  return pairs;
}

/**
 * Mean BSS-eval scores of separated mixtures against each clip's own audio. As in
 * Sound-of-Pixels' `calc_metrics`, a mixture with an all-silent estimate is skipped (BSS-eval
 * is undefined there) and counted as not evaluated.
 *
 * @param references each mixture's clip waveforms.
 * @param estimates each mixture's separated waveforms, in the clips' order (or any order with
 * `permute`).
 * @param permute match estimates to clips by best mean SIR (for methods without visual cues).
 * @returns mean SDR, SIR, SAR and how many mixtures were evaluated.
 */
export function separationScores(
  references: readonly Float32Array[][],
  estimates: readonly Float32Array[][],
  permute: boolean,
): Table3Cell {
  const sdr: number[] = [], sir: number[] = [], sar: number[] = [];
  let evaluated = 0;
  references.forEach((refs, i) => {
    const est = estimates[i];
    const audible = (x: Float32Array) => x.some((v) => Math.abs(v) > 1e-8);
    if (!refs.every(audible) || !est.every(audible)) return;
    const r = bssEval(refs, est, { permute });
    evaluated++;
    for (let j = 0; j < refs.length; j++) {
      // SIR/SAR are Infinity without interference/artifacts: leave them out of the means
      if (Number.isFinite(r.sdr[j])) sdr.push(r.sdr[j]);
      if (Number.isFinite(r.sir[j])) sir.push(r.sir[j]);
      if (Number.isFinite(r.sar[j])) sar.push(r.sar[j]);
    }
  });
  const mean = (v: number[]) => v.length ? meanStd(v).mean : NaN;
  return { sdr: mean(sdr), sir: mean(sir), sar: mean(sar), evaluated, mixtures: references.length };
}

function _createMethod(
  kind: Table3MethodKind,
  preset: RunContext["preset"],
  seed: number,
  av?: AVModel,
): SeparationMethod {
  const opts = { preset, seed };
  if (kind === "ours") return createOursSeparation(av!, opts);
  if (kind === "sop") return createSoundOfPixels(opts);
  if (kind === "cosep") return createCoSeparation(opts);
  if (kind === "avmix") return createAvMixSep(opts);
  throw new Error(`table3: method kind ${kind} trains no network`);
}

async function _cellValue(
  ctx: RunContext,
  m: typeof TABLE3_METHODS[number],
  seed: number,
  sep: Table3Scale,
  world: SeparationWorld,
  pairs: AVClip[][],
): Promise<Table3Cell> {
  const preset = ctx.preset;
  if (m.kind === "nmf") {
    const sr = pairs[0][0].sampleRate;
    const refs = pairs.map((p) => p.map((c) => c.audio));
    const est = pairs.map((p) => {
      const mix = new Float32Array(p[0].audio.length);
      for (const c of p) for (let i = 0; i < mix.length; i++) mix[i] += c.audio[i];
      return nmfMfccSeparate(mix, sr, p.length, { seed });
    });
    return separationScores(refs, est, true);
  }
  const av = m.av ? (await ctx.trainedModel(m.av, seed)).model : undefined;
  const method = _createMethod(m.kind, preset, seed, av);
  try {
    const clips = [
      ...world.separationSet("solo", sep.soloTrainSize, "train"),
      ...(m.duets ? world.separationSet("duet", sep.duetTrainSize, "train") : []),
    ];
    const slug = m.method.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase();
    // everything that fixes the trained network keys its checkpoint directory
    const key = JSON.stringify({
      sep,
      lr: TABLE3_LR,
      config: method.model.config,
      world: world.options ?? null,
      av: m.av ? { chain: m.av, scale: { ...ctx.scale, seeds: undefined } } : null,
    });
    const result = await trainSeparation(method.model, {
      conditioner: method.conditioner,
      clips,
      steps: sep.separationSteps,
      batchSize: sep.separationBatch,
      lr: TABLE3_LR,
      seed: seed * 1000 + 7,
      outDir: ctx.opts.outDir
        ? `${ctx.opts.outDir}/table3-models/${slug}-s${seed}-${
          fnv1a(new TextEncoder().encode(key))
        }`
        : undefined,
      resume: true,
      signal: ctx.opts.signal,
      onProgress: () => ctx.progress(`${m.method} seed ${seed}: training`),
    });
    if (!result.completed) ctx.checkAborted();
    const refs = pairs.map((p) => p.map((c) => fitClipAudio(c, method.model.config)));
    const est: Float32Array[][] = [];
    for (let i = 0; i < pairs.length; i += sep.separationBatch) {
      est.push(
        ...await separateMixtures(
          method.model,
          method.conditioner,
          mixtureBatch(method.model, pairs.slice(i, i + sep.separationBatch)),
        ),
      );
    }
    return separationScores(refs, est, false);
  } finally {
    method.conditioner.dispose?.();
    method.model.params.dispose();
    av?.params.dispose();
  }
}

const _db = (x: number) => `${x.toFixed(2)} dB`;

/**
 * The least share of test mixtures a method must have scored in every seed for its SDR to
 * count in a claim: SoP's protocol skips mixtures with an all-silent estimate, so a method
 * that silences most mixtures would otherwise be judged on the few it kept.
 */
export const TABLE3_MIN_EVALUATED = 0.9;

function _claims(cells: Map<string, Table3Cell[]>): ClaimCheck[] {
  const sdrOf = (m: string) => meanStd(cells.get(m)!.map((c) => c.sdr));
  const gainOf = (m: string) => {
    const a = cells.get(m)!, b = cells.get(`${m} (solo+duet)`)!;
    return meanStd(b.map((c, i) => c.sdr - a[i].sdr));
  };
  // methods whose means rest on too few scored mixtures (or none): no claim may use them
  const thin = (methods: string[]) =>
    methods.filter((m) =>
      cells.get(m)!.some((c) =>
        c.evaluated < TABLE3_MIN_EVALUATED * c.mixtures || !Number.isFinite(c.sdr)
      )
    );
  const caveat = (bad: string[]) =>
    bad.length
      ? `; not judged: ${bad.join(", ")} scored fewer than ${
        100 * TABLE3_MIN_EVALUATED
      }% of the test mixtures in some seed (all-silent estimates are skipped)`
      : "";
  const ours = sdrOf("Ours"), sop = sdrOf("Sound-of-Pixels");
  const spread = Math.hypot(ours.std, sop.std);
  const gap = ours.mean - sop.mean;
  const nmf = sdrOf("NMF-MFCC").mean;
  const learned = ["AV-Mix-Sep", "Sound-of-Pixels", "Co-Separation", "Ours"];
  const below = learned.filter((m) => sdrOf(m).mean <= nmf);
  const gOurs = gainOf("Ours"), gSop = gainOf("Sound-of-Pixels");
  const thinA = thin(["Ours", "Sound-of-Pixels"]), thinN = thin(["NMF-MFCC", ...learned]);
  const thinOurs = thin(["Ours", "Ours (solo+duet)"]);
  const thinSop = thin(["Sound-of-Pixels", "Sound-of-Pixels (solo+duet)"]);
  return [
    {
      claim:
        "Table 3a: ours separates comparably to Sound-of-Pixels (SDR within the seeds' spread, or higher)",
      holds: thinA.length === 0 && gap >= -spread,
      detail:
        `SDR ours ${_db(ours.mean)} +- ${ours.std.toFixed(2)}, Sound-of-Pixels ${
          _db(sop.mean)
        } +- ${sop.std.toFixed(2)}: difference ${gap.toFixed(2)} dB against a combined spread of ${
          spread.toFixed(2)
        } dB` + caveat(thinA),
    },
    {
      claim: "Table 3a: every audiovisual method beats NMF-MFCC in SDR",
      holds: thinN.length === 0 && below.length === 0,
      detail: `NMF-MFCC ${_db(nmf)}; ` +
        learned.map((m) => `${m} ${_db(sdrOf(m).mean)}`).join(", ") +
        (below.length ? `; not above it: ${below.join(", ")}` : "") + caveat(thinN),
    },
    {
      claim: "Table 3b: adding duets helps ours (dSDR > 0)",
      holds: thinOurs.length === 0 && gOurs.mean > 0,
      detail: `ours dSDR ${gOurs.mean.toFixed(2)} +- ${gOurs.std.toFixed(2)} dB (paper 0.54)` +
        caveat(thinOurs),
    },
    {
      claim: "Table 3b: adding duets does not help Sound-of-Pixels (dSDR <= 0)",
      holds: thinSop.length === 0 && gSop.mean <= 0,
      detail:
        `Sound-of-Pixels dSDR ${gSop.mean.toFixed(2)} +- ${gSop.std.toFixed(2)} dB (paper -1.25)` +
        caveat(thinSop),
    },
  ];
}

/**
 * Run Table 3. For each seed: the audiovisual model is trained through C1 (and C2(C1) for the
 * solo+duet row) via the shared model cache; every learned method of
 * {@linkcode TABLE3_METHODS} is trained by mix-and-separate (mixtures of two clips drawn from
 * the solo training clips, plus duets for the solo+duet rows) with the same steps, batch and
 * data; NMF-MFCC needs no training. All are tested on the same mixtures of two solo test clips
 * of different classes: each clip's sound is separated with its own frame as the cue and scored
 * by BSS-eval v3 against the clip's audio (NMF-MFCC, which has no cue, by its best
 * permutation). Rows: SDR / SIR / SAR of every method (3a, the solo+duet runs too) and the
 * per-seed gains dSDR / dSIR of solo+duet over solo (3b). Finished (method, seed) cells are
 * cached in `outDir/table3/`, separation checkpoints in `outDir/table3-models/`.
 *
 * @param opts quick or full, seeds, cache directory, progress, world, preset and scales.
 * @returns rows with the paper's numbers beside ours, and the claims checked.
 *
 * @example
 * ```ts ignore
 * import { runTable3 } from "./run_table3.ts";
 * const t3 = await runTable3({ quick: true, outDir: "runs" });
 * console.table(t3.rows);
 * ```
 */
export function runTable3(opts: Table3Options = {}): Promise<ExperimentResult> {
  return withContext("table3", opts, async (ctx) => {
    const world = ctx.world as SeparationWorld;
    if (typeof world.separationSet !== "function") {
      throw new Error("runTable3: opts.world has no separationSet(kind, size, split)");
    }
    const sep: Table3Scale = { ...table3Scale(ctx.quick), ...opts.separation };
    for (const [key, v] of Object.entries(sep)) {
      if (!(Number.isInteger(v) && v >= 1)) {
        throw new Error(`runTable3: opts.separation.${key} must be an integer >= 1, got ${v}`);
      }
    }
    const trained = TABLE3_METHODS.filter((m) => m.kind !== "nmf").length;
    ctx.plan(
      TABLE3_METHODS.length + trained * sep.separationSteps,
      TABLE3_METHODS.flatMap((m) => m.av ? [m.av] : []),
    );
    const pairs = testPairs(
      world.separationSet("solo", 3 * sep.testMixtures, "test"),
      sep.testMixtures,
    );
    if (pairs.length === 0) {
      throw new Error("runTable3: the world gave no test pair of different classes");
    }
    const cells = new Map<string, Table3Cell[]>();
    for (const m of TABLE3_METHODS) {
      const perSeed: Table3Cell[] = [];
      for (const seed of ctx.scale.seeds) {
        perSeed.push(
          await ctx.cell(
            m.method,
            seed,
            { kind: m.kind, duets: m.duets, av: m.av, sep },
            () => _cellValue(ctx, m, seed, sep, world, pairs),
          ),
        );
      }
      cells.set(m.method, perSeed);
    }
    const rows: ResultRow[] = [];
    for (const m of TABLE3_METHODS) {
      const c = cells.get(m.method)!;
      rows.push(resultRow(m.method, "SDR (dB)", c.map((x) => x.sdr), m.paper?.sdr));
      rows.push(resultRow(m.method, "SIR (dB)", c.map((x) => x.sir), m.paper?.sir));
      rows.push(resultRow(m.method, "SAR (dB)", c.map((x) => x.sar)));
      rows.push(
        resultRow(m.method, "evaluated mixtures (%)", c.map((x) => 100 * x.evaluated / x.mixtures)),
      );
    }
    for (const m of TABLE3_METHODS.filter((x) => x.duets)) {
      const base = TABLE3_METHODS.find((x) => x.kind === m.kind && !x.duets)!;
      const a = cells.get(base.method)!, b = cells.get(m.method)!;
      const dSdr = b.map((x, i) => x.sdr - a[i].sdr), dSir = b.map((x, i) => x.sir - a[i].sir);
      rows.push(resultRow(base.method, "dSDR solo+duet vs solo (dB)", dSdr, m.paperGain?.sdr));
      rows.push(resultRow(base.method, "dSIR solo+duet vs solo (dB)", dSir, m.paperGain?.sir));
    }
    return {
      experiment: "table3",
      quick: ctx.quick,
      seeds: [...ctx.scale.seeds],
      rows,
      claims: _claims(cells),
      seconds: ctx.seconds,
    };
  });
}
