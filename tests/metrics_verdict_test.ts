// The verdict rule on constructed per-seed numbers: every outcome of every judge, the t
// interval against hand-computed values, and the floor check.
import assert from "node:assert/strict";
import {
  floorCheck,
  judgeAbove,
  judgeComparable,
  judgeLinks,
  judgeSimilar,
  seedDifference,
  tCritical,
} from "../lib/metrics/verdict.ts";

Deno.test("seedDifference: paired mean, standard error and t interval", () => {
  // differences 0.1, 0.2, 0.3: mean 0.2, sd 0.1, se 0.1 / sqrt(3)
  const d = seedDifference([1.1, 1.2, 1.3], [1, 1, 1]);
  assert.ok(Math.abs(d.mean - 0.2) < 1e-12);
  assert.ok(Math.abs(d.se - 0.1 / Math.sqrt(3)) < 1e-12);
  assert.equal(d.critical, 4.303);
  assert.ok(Math.abs(d.low - (0.2 - 4.303 * 0.1 / Math.sqrt(3))) < 1e-12);
  // a constant on either side is compared with every seed
  assert.deepEqual(seedDifference([1.1, 1.2, 1.3], 1), d);
  assert.ok(Math.abs(seedDifference(1, [1.1, 1.2, 1.3]).mean + 0.2) < 1e-12);
  // pairing removes a shared seed effect: large seed spread, constant difference
  const paired = seedDifference([10, 20, 30], [9, 19, 29]);
  assert.equal(paired.se, 0);
  assert.equal(paired.low, 1);
  const one = seedDifference([2], [1]);
  assert.equal(one.n, 1);
  assert.ok(Number.isNaN(one.se) && Number.isNaN(one.low));
  assert.throws(() => seedDifference([1, 2], [1, 2, 3]), /compare the same seeds/);
  assert.throws(() => seedDifference([1, NaN], [1, 2]), /seed 1 has a non-finite value/);
});

Deno.test("tCritical: table values and the large-df approximation", () => {
  assert.equal(tCritical(1), 12.706);
  assert.equal(tCritical(4), 2.776);
  assert.ok(Math.abs(tCritical(60) - 2.0) < 0.002);
  assert.ok(Math.abs(tCritical(1000) - 1.962) < 0.002);
  assert.throws(() => tCritical(0), /df must be an integer >= 1, got 0/);
});

Deno.test("judgeAbove: holds, fails, within noise, one seed, no value", () => {
  const m = (name: string, values: number[] | number) => ({ name, values });
  assert.equal(judgeAbove(m("A", [0.7, 0.72, 0.71]), m("B", [0.5, 0.52, 0.5])).outcome, "holds");
  // the same numbers the other way round: the flipped comparison fails
  assert.equal(judgeAbove(m("B", [0.5, 0.52, 0.5]), m("A", [0.7, 0.72, 0.71])).outcome, "fails");
  // mean difference 0.01 but seeds disagree in sign
  const noisy = judgeAbove(m("A", [0.6, 0.5, 0.63]), m("B", [0.55, 0.56, 0.59]));
  assert.equal(noisy.outcome, "within noise");
  assert.match(noisy.text, /^A > B: difference 0\.010, 4\.30 x seed standard error 0\.\d+ = /);
  const single = judgeAbove(m("A", [0.9]), m("B", [0.1]));
  assert.equal(single.outcome, "one seed");
  assert.match(single.text, /one seed/);
  assert.equal(judgeAbove(m("A", [NaN, 1]), m("B", 0)).outcome, "no value");
});

Deno.test("judgeComparable: non-inferiority within a margin", () => {
  const ours = (d: number[]) => ({ name: "Ours", values: d.map((x) => 5 + x) });
  const sop = { name: "SoP", values: [5, 5, 5] };
  assert.equal(judgeComparable(ours([-0.5, -0.6, -0.4]), sop, 1).outcome, "holds");
  assert.equal(judgeComparable(ours([0.5, 0.6, 0.4]), sop, 1).outcome, "holds");
  assert.equal(judgeComparable(ours([-2, -2.1, -1.9]), sop, 1).outcome, "fails");
  assert.equal(judgeComparable(ours([-1, -0.5, -1.5]), sop, 1).outcome, "within noise");
  assert.equal(judgeComparable(ours([-0.2]), { name: "SoP", values: [5] }, 1).outcome, "one seed");
  assert.throws(() => judgeComparable(ours([0]), sop, 0), /margin must be > 0/);
});

Deno.test("judgeSimilar: inside, outside, straddling the margin", () => {
  const a = (d: number[]) => ({ name: "unrelated", values: d.map((x) => 20 + x) });
  const random = { name: "Random", values: [20, 20, 20] };
  assert.equal(judgeSimilar(a([0.5, -0.5, 0]), random, 5).outcome, "holds");
  assert.equal(judgeSimilar(a([10, 11, 12]), random, 5).outcome, "fails");
  assert.equal(judgeSimilar(a([-10, -11, -12]), random, 5).outcome, "fails");
  assert.equal(judgeSimilar(a([3, 5, 7]), random, 5).outcome, "within noise");
  assert.equal(judgeSimilar(a([1]), { name: "Random", values: [20] }, 5).outcome, "one seed");
});

Deno.test("judgeLinks: a failed link decides, then missing, one seed, noise; else holds", () => {
  const l = (outcome: "holds" | "fails" | "within noise" | "one seed" | "no value") => ({
    link: outcome,
    outcome,
    text: `link ${outcome}`,
  });
  const holds = judgeLinks([l("holds"), l("holds")]);
  assert.equal(holds.verdict, "holds");
  assert.match(holds.reason, /every link clear of noise/);
  const fails = judgeLinks([l("holds"), l("within noise"), l("fails")]);
  assert.equal(fails.verdict, "does not hold");
  assert.match(fails.reason, /link fails/);
  assert.doesNotMatch(fails.reason, /link within noise/);
  const noise = judgeLinks([l("holds"), l("within noise")]);
  assert.equal(noise.verdict, "inconclusive");
  assert.match(noise.reason, /^within noise: link within noise$/);
  const one = judgeLinks([l("holds"), l("one seed")]);
  assert.equal(one.verdict, "inconclusive");
  assert.match(one.reason, /^one seed: no seed spread/);
  const missing = judgeLinks([l("no value"), l("within noise")]);
  assert.equal(missing.verdict, "inconclusive");
  assert.match(missing.reason, /^not judged: link no value/);
  assert.throws(() => judgeLinks([]), /no links/);
});

Deno.test("floorCheck: above every floor passes, otherwise not judged naming who", () => {
  const m = (name: string, values: number[] | number) => ({ name, values });
  const floors = [m("random", [10, 11, 12]), m("centre prior", [15, 15, 15])];
  assert.equal(floorCheck([m("A", [30, 31, 33]), m("B", [40, 42, 41])], floors), undefined);
  const one = floorCheck([m("A", [30, 31, 33]), m("B", [14, 16, 15])], floors)!;
  assert.equal(one.verdict, "inconclusive");
  assert.match(one.reason, /^not judged: B not clearly above the random and centre prior floors/);
  const all = floorCheck([m("A", [-3, -2, -4]), m("B", [-1, -1.5, -2])], [m("mixture", 0)])!;
  assert.match(all.reason, /^not judged: every method not clearly above the mixture floor \(/);
  // one seed: the floor cannot be judged either, and the reason says why
  const single = floorCheck([m("A", [30]), m("B", [5])], [m("random", [10])])!;
  assert.equal(single.verdict, "inconclusive");
  assert.match(single.reason, /^not judged: one seed, no seed spread to tell whether every method/);
});
