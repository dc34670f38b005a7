/**
 * Why the small preset aligns every sound to the background (issue 9): trained `deno task
 * ablate` weights (any preset) read out with other rules, at localization only (no training),
 * on the ablation's 64 localization scenes (single source, with object masks) of that preset's
 * world. A measurement script, not a `deno bench` file:
 *
 *   deno run -A bench/small_readout.ts --preset small --weights DIR/weights
 *     --variant "ours(sm) lr3e-4" [--seeds 0,1] [--scenes 64] [--extras 1,2,3]
 *     [--config '{"groups":8}']
 *
 * For each seed and each K_visual = 1 + extra (`--extras`), the clustering is the ablation's
 * (beta 5) and prints:
 *
 * - read-outs, each as AUC / cIoU@0.5 (%) / off the object (share of scenes whose map holds
 *   under 10% of its mass on the object's mask) / the AUC of the centers the map leaves out:
 *   the aligned center under each background rule (`none`, `largest` — today's —, `border`,
 *   `spread`); the largest-mass center and the smallest-mass center whatever the sound says
 *   (diagnostics, no audio); and the object's cluster (the center holding the most assignment
 *   mass on the object's mask: an oracle that reads the mask, the best any choice of one center
 *   can do with these clusters);
 * - the clusters: the mean assignment mass (share of the grid) of the centers ranked by mass, the
 *   mean share of each rank's mass on the object's mask, how often the object's cluster is the
 *   largest / second / ... center, and how often the center the sound aligns to under `none`
 *   (the nearest to the audio center of all) is the object's cluster and which mass rank it has;
 *   and the object's mean area (share of the frame).
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { softKMeans } from "../kernels/mod.ts";
import { embedAudio, embedVisual } from "../lib/model/embed.ts";
import { modelInputs } from "../lib/model/model_inputs.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { type AVModel, createModel } from "../lib/model/create_model.ts";
import { presetConfig, type PresetName } from "../lib/model/presets.ts";
import { type LocalizationMaps, localize } from "../lib/model/localize.ts";
import { BACKGROUND_RULES, type BackgroundRule } from "../lib/model/align_centers.ts";
import { type GridHeatmap, unionOf } from "../lib/model/grid_heatmap.ts";
import { localizationScores } from "../lib/metrics/localization_scores.ts";
import { clipCIoUs } from "../lib/metrics/clip_cious.ts";
import { objectMassShare } from "../lib/metrics/object_mass_share.ts";
import type { AVClip } from "../lib/data/types.ts";
import { ablationWeightsPath, loadAblationWeights } from "../lib/experiments/run_ablation.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    preset: { type: "string", default: "small" },
    weights: { type: "string", default: "runs/ablation/weights" },
    variant: { type: "string", default: "ours(sm) lr3e-4" },
    seeds: { type: "string", default: "0,1" },
    scenes: { type: "string", default: "64" },
    extras: { type: "string", default: "1,2,3" },
    // the variant's model overrides, as JSON (e.g. '{"groups":8}' for `ours+gn8`)
    config: { type: "string", default: "{}" },
  },
});
const list = (s: string) => s.split(",").filter((x) => x.trim() !== "").map(Number);
const seeds = list(values.seeds), extras = list(values.extras), nScenes = Number(values.scenes);
const preset = values.preset as PresetName;
await initBackend("wasm");
const config = presetConfig(preset);
const world = synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
const locSet = world.localizationSet(nScenes);
for (const c of locSet) {
  if ((c.count ?? 1) !== 1 || !c.masks?.length) {
    throw new Error(`small_readout: scene ${c.id} is not single-source with a mask`);
  }
}

async function load(seed: number): Promise<AVModel> {
  const model = createModel({ preset, seed, config: JSON.parse(values.config) });
  if (values.variant === "init") return model; // untrained, as a baseline
  await loadAblationWeights(model, ablationWeightsPath(values.weights, values.variant, seed));
  return model;
}

async function maps(
  model: AVModel,
  kVisual: number,
  background: BackgroundRule,
): Promise<LocalizationMaps[]> {
  const out: LocalizationMaps[] = [];
  for (let i = 0; i < locSet.length; i += 32) {
    out.push(
      ...await localize(model, locSet.slice(i, i + 32), {
        kAudio: 1,
        kVisual,
        beta: 5,
        background,
        // the clustering's own assignments: its masses and read-outs as first measured
        mapSmoothing: 0,
      }),
    );
  }
  return out;
}

/**
 * The clustering's centers as `localize` computes them (grid start, no spatial prior): visual
 * `[n][Kv][D]` and the clip's one audio center `[n][D]`.
 */
async function centers(
  model: AVModel,
  kVisual: number,
): Promise<{ visual: number[][][]; audio: number[][] }> {
  const visual: number[][][] = [], audio: number[][] = [];
  for (let i = 0; i < locSet.length; i += 32) {
    const x = modelInputs(model, locSet.slice(i, i + 32));
    const [vc, ac] = tf.tidy(() => {
      const v = embedVisual(model, x.images), a = embedAudio(model, x.logMel).features;
      return [
        softKMeans(v.features, kVisual, { beta: 5 }).centers,
        softKMeans(a, 1, { beta: 5 }).centers,
      ];
    });
    visual.push(...await vc.array() as number[][][]);
    audio.push(...(await ac.array() as number[][][]).map((c) => c[0]));
    tf.dispose([vc, ac, x.images, x.logMel]);
  }
  return { visual, audio };
}

const dist2 = (u: number[], v: number[]) => u.reduce((s, x, k) => s + (x - v[k]) ** 2, 0);

/** Every center's map of one clip, in center order. */
function centerMaps(m: LocalizationMaps): Float32Array[] {
  const all: Float32Array[] = [];
  m.alignedIndex.forEach((j, k) => all[j] = m.aligned[k]);
  m.unalignedIndex.forEach((j, k) => all[j] = m.unaligned[k]);
  return all;
}

const mass = (map: Float32Array) => map.reduce((a, b) => a + b, 0) / map.length;
const share = (map: Float32Array, m: LocalizationMaps, clip: AVClip) =>
  objectMassShare(map, m.height, m.width, clip.masks![0], clip.image.height, clip.image.width);

/** AUC / cIoU@0.5 / off-object / left-out AUC of a choice of center per clip. */
function score(
  all: LocalizationMaps[],
  pick: (centers: Float32Array[], m: LocalizationMaps, i: number) => number[],
): string {
  const chosen: GridHeatmap[] = [], rest: GridHeatmap[] = [];
  let off = 0;
  all.forEach((m, i) => {
    const centers = centerMaps(m);
    const idx = pick(centers, m, i);
    const others = centers.filter((_, j) => !idx.includes(j));
    const heat = unionOf(idx.map((j) => centers[j]));
    chosen.push({ height: m.height, width: m.width, heatmap: heat });
    rest.push({
      height: m.height,
      width: m.width,
      heatmap: others.length ? unionOf(others) : new Float32Array(heat.length),
    });
    if (share(heat, m, locSet[i]) < 0.1) off++;
  });
  const s = localizationScores(clipCIoUs(locSet, chosen));
  const r = localizationScores(clipCIoUs(locSet, rest));
  return `${(100 * s.auc).toFixed(1)} / ${(100 * s.ciou50).toFixed(1)} / ${
    (100 * off / all.length).toFixed(0)
  }% / ${(100 * r.auc).toFixed(1)}`;
}

const byMass = (centers: Float32Array[]) =>
  centers.map((c, j) => [mass(c), j] as const).sort((a, b) => b[0] - a[0]).map(([, j]) => j);
const objectCluster = (centers: Float32Array[], m: LocalizationMaps, clip: AVClip) => {
  let best = 0, bestOn = -1;
  centers.forEach((c, j) => {
    const on = mass(c) * share(c, m, clip);
    if (on > bestOn) [best, bestOn] = [j, on];
  });
  return best;
};

const area = locSet.reduce((a, c) => a + c.masks![0].reduce((s, v) => s + (v ? 1 : 0), 0), 0) /
  locSet.reduce((a, c) => a + c.image.height * c.image.width, 0);
console.log(
  `${preset} ${values.variant}: ${nScenes} localization scenes, object area ${
    (100 * area).toFixed(1)
  }% of the frame; read-outs: AUC / cIoU@0.5 / off the object / left-out centers' AUC`,
);
for (const seed of seeds) {
  const model = await load(seed);
  try {
    for (const extra of extras) {
      const kVisual = 1 + extra;
      const byRule = new Map<BackgroundRule, LocalizationMaps[]>();
      for (const rule of BACKGROUND_RULES) byRule.set(rule, await maps(model, kVisual, rule));
      const none = byRule.get("none")!;
      const tag = `s${seed} Kv=${kVisual}`;
      for (const rule of BACKGROUND_RULES) {
        console.log(
          `${tag} | aligned, ${rule.padEnd(8)} | ${
            score(byRule.get(rule)!, (_c, m) => m.alignedIndex)
          }`,
        );
      }
      console.log(`${tag} | largest-mass center | ${score(none, (c) => [byMass(c)[0]])}`);
      console.log(`${tag} | smallest-mass center | ${score(none, (c) => [byMass(c).at(-1)!])}`);
      console.log(
        `${tag} | object's cluster (oracle) | ${
          score(none, (c, m, i) => [objectCluster(c, m, locSet[i])])
        }`,
      );
      // the clusters, ranked by mass
      const rankMass = new Array(kVisual).fill(0), rankShare = new Array(kVisual).fill(0);
      const objRank = new Array(kVisual).fill(0), alignedRank = new Array(kVisual).fill(0);
      let alignedIsObject = 0;
      none.forEach((m, i) => {
        const centers = centerMaps(m), order = byMass(centers);
        order.forEach((j, r) => {
          rankMass[r] += mass(centers[j]);
          rankShare[r] += share(centers[j], m, locSet[i]);
        });
        const obj = objectCluster(centers, m, locSet[i]);
        objRank[order.indexOf(obj)]++;
        alignedRank[order.indexOf(m.alignedIndex[0])]++;
        if (m.alignedIndex[0] === obj) alignedIsObject++;
      });
      const n = none.length;
      // which centers carry the sound's class: a center "matches its own sound" when it is nearer
      // to its clip's audio center than to the audio center of the next clip of another class
      const c = await centers(model, kVisual);
      const rankOwn = new Array(kVisual).fill(0);
      const rankFrame = new Array(kVisual).fill(0);
      let objFrame = 0;
      let objOwn = 0, pairs = 0, nearestCheck = 0, sceneOwn = 0, frameOwn = 0;
      none.forEach((m, i) => {
        const own = locSet[i].classes?.[0];
        let j = (i + 1) % n;
        while (j !== i && locSet[j].classes?.[0] === own) j = (j + 1) % n;
        if (j === i) return;
        pairs++;
        const vis = c.visual[i], a = c.audio[i], b = c.audio[j];
        const matches = (k: number) => dist2(vis[k], a) < dist2(vis[k], b) ? 1 : 0;
        byMass(centerMaps(m)).forEach((k, r) => rankOwn[r] += matches(k));
        objOwn += matches(objectCluster(centerMaps(m), m, locSet[i]));
        // the scene's pair distance as trained: nearest center but the largest-mass one
        const largest = byMass(centerMaps(m))[0];
        const scene = (u: number[]) =>
          Math.min(...vis.filter((_, k) => k !== largest).map((v) => dist2(v, u)));
        if (scene(a) < scene(b)) sceneOwn++;
        // and the other way: the sound nearer its own frame than the other clip's frame
        const largestJ = byMass(centerMaps(none[j]))[0];
        const other = Math.min(
          ...c.visual[j].filter((_, k) => k !== largestJ).map((v) => dist2(v, a)),
        );
        if (scene(a) < other) frameOwn++;
        // per center, that direction: the clip's center of a mass rank (or its object's
        // cluster) nearer its own sound than the other clip's center of that rank (cluster)
        const orderJ = byMass(centerMaps(none[j]));
        byMass(centerMaps(m)).forEach((k, r) => {
          if (dist2(vis[k], a) < dist2(c.visual[j][orderJ[r]], a)) rankFrame[r]++;
        });
        const objJ = objectCluster(centerMaps(none[j]), none[j], locSet[j]);
        if (
          dist2(vis[objectCluster(centerMaps(m), m, locSet[i])], a) < dist2(c.visual[j][objJ], a)
        ) objFrame++;
        // the same clustering as localize's: its nearest center under none
        const d = vis.map((v) => dist2(v, a));
        if (d.indexOf(Math.min(...d)) === m.alignedIndex[0]) nearestCheck++;
      });
      const fmt = (xs: number[], f: (x: number) => string) => xs.map(f).join(" / ");
      console.log(
        `${tag} | clusters by mass rank: mass ${
          fmt(rankMass, (x) => (100 * x / n).toFixed(0) + "%")
        }; on-object share ${fmt(rankShare, (x) => (100 * x / n).toFixed(0) + "%")}; ` +
          `object's cluster is rank ${fmt(objRank, (x) => (100 * x / n).toFixed(0) + "%")}; ` +
          `sound's nearest (none) is rank ${
            fmt(alignedRank, (x) => (100 * x / n).toFixed(0) + "%")
          }, the object's cluster in ${(100 * alignedIsObject / n).toFixed(0)}%`,
      );
      console.log(
        `${tag} | center nearer its own sound than another class's (${pairs} scenes): by mass rank ${
          fmt(rankOwn, (x) => (100 * x / pairs).toFixed(0) + "%")
        }; object's cluster ${
          (100 * objOwn / pairs).toFixed(0)
        }%; the scene (nearest but the largest) ${
          (100 * sceneOwn / pairs).toFixed(0)
        }%, the sound nearer its own frame than the other clip's ${
          (100 * frameOwn / pairs).toFixed(0)
        }%, per mass rank ${fmt(rankFrame, (x) => (100 * x / pairs).toFixed(0) + "%")}, object's ` +
          `cluster ${(100 * objFrame / pairs).toFixed(0)}% (check: localize's nearest ` +
          `reproduced in ${nearestCheck}/${n})`,
      );
    }
  } finally {
    model.params.dispose();
  }
}
