// Every claim function on constructed per-seed numbers, one case per outcome: holds, does not
// hold (a clearly reversed link), inconclusive within noise, and not judged below the floor.
// Flipping any comparison in a claim function breaks one of these.
import assert from "node:assert/strict";
import {
  countingClaims,
  FIG3_UNTRAINED,
  fig3Claims,
  table1Claims,
  table2Claims,
  type Table3Cell,
  table3Claims,
} from "../lib/experiments/mod.ts";
import type { ClaimCheck } from "../lib/experiments/experiment.ts";

/** Three seeds around `x` with a small, shared spread. */
const tight = (x: number) => [x - 0.01 * Math.abs(x || 1), x, x + 0.01 * Math.abs(x || 1)];
/** Three seeds around `x` that disagree widely. */
const wide = (x: number, spread: number) => [x - spread, x + spread, x];

function assertVerdict(c: ClaimCheck, verdict: ClaimCheck["verdict"], reason: RegExp) {
  assert.equal(c.verdict, verdict, `${c.claim}: ${c.reason}`);
  assert.equal(c.holds, verdict === "holds");
  assert.match(c.reason, reason);
  assert.ok(c.detail.length > 10 && /\d/.test(c.detail), c.detail);
}

Deno.test("fig3Claims: 3a and 3b on held-out accuracy, each outcome", () => {
  const base = {
    [FIG3_UNTRAINED]: tight(0.5),
    "C1": tight(0.8),
    "U": tight(0.7),
    "C2": tight(0.65),
    "C3": tight(0.6),
    "C2->C3": tight(0.75),
    "C3->C2": tight(0.6),
  };
  const run = (over: Record<string, number[]>) =>
    fig3Claims(new Map(Object.entries({ ...base, ...over })));
  const [a, b] = run({});
  assertVerdict(a, "holds", /^every link clear of noise: C1 > U: .*U > C3: /);
  assertVerdict(b, "holds", /C2->C3 > C3->C2/);
  // C3 learns more than U: 3a clearly fails; the orders swapped: 3b fails
  const [a2, b2] = run({ "C3": tight(0.75), "C2->C3": tight(0.6), "C3->C2": tight(0.75) });
  assertVerdict(a2, "does not hold", /U > C3/);
  assertVerdict(b2, "does not hold", /C2->C3 > C3->C2/);
  // seeds disagree: within noise
  const [a3, b3] = run({ "U": [0.7, 0.86, 0.76], "C3->C2": wide(0.75, 0.2) });
  assertVerdict(a3, "inconclusive", /^within noise: /);
  assertVerdict(b3, "inconclusive", /^within noise: C2->C3 > C3->C2/);
  // C1 no better than an untrained network: not judged
  const [a4, b4] = run({ "C1": tight(0.5), "C2->C3": tight(0.49) });
  assertVerdict(a4, "inconclusive", /^not judged: C1 not clearly above the untrained floor/);
  assertVerdict(b4, "inconclusive", /^not judged: C2->C3 not clearly above/);
  // one seed: never a verdict
  const one = fig3Claims(new Map(Object.entries(base).map(([k, v]) => [k, [v[1]]])));
  assert.ok(one.every((c) => c.verdict === "inconclusive"));
});

Deno.test("table1Claims: the paper's order above chance, each outcome", () => {
  const base = {
    "C1": tight(40),
    "C2(C1) + scene-level": tight(30),
    "C2(C1) + source-level": tight(60),
    "C1(C2) + source-level": tight(50),
    "random init": tight(20),
  };
  const run = (over: Record<string, number[]>) =>
    table1Claims(new Map(Object.entries({ ...base, ...over })), 10)[0];
  assertVerdict(run({}), "holds", /every link clear/);
  assertVerdict(
    run({ "C1": tight(55) }),
    "does not hold",
    /C1\(C2\) \+ source-level > C1: difference -5/,
  );
  assertVerdict(run({ "C1": wide(45, 8) }), "inconclusive", /^within noise: /);
  assertVerdict(
    run({ "C1": tight(10), "C2(C1) + scene-level": tight(5) }),
    "inconclusive",
    /^not judged: C1 not clearly above the chance \(10\.00%\) floor/,
  );
});

Deno.test("table2Claims: order, unrelated ~ random, floors, each outcome", () => {
  const base: Record<string, number[]> = {
    "Random": tight(12),
    "Centre prior": tight(20),
    "Attention": tight(40),
    "DMC": tight(38),
    "Ours-C1": tight(50),
    "Ours-C1 (unrelated)": tight(13),
    "Ours-C2": tight(45),
    "Half-image ceiling": tight(80),
  };
  const run = (over: Record<string, number[]>) => {
    const m = new Map(Object.entries({ ...base, ...over }));
    return table2Claims({ ciou50: m, auc: m });
  };
  const [c, a] = run({});
  assertVerdict(c, "holds", /every link clear/);
  assertVerdict(a, "holds", /every link clear/);
  assertVerdict(run({ "Ours-C2": tight(55) })[0], "does not hold", /Ours-C1 > Ours-C2/);
  // the unrelated center localizes far better than random: "~ Random" fails
  assertVerdict(
    run({ "Ours-C1 (unrelated)": tight(30) })[0],
    "does not hold",
    /\|Ours-C1 \(unrelated\) - Random\| < 5/,
  );
  assertVerdict(run({ "Ours-C2": wide(48, 6) })[0], "inconclusive", /^within noise: /);
  // DMC no better than the centre prior: nothing is judged
  assertVerdict(
    run({ "DMC": tight(19) })[0],
    "inconclusive",
    /^not judged: DMC not clearly above the Random and Centre prior floors/,
  );
});

Deno.test("table3Claims: comparable, above NMF, duet gains, floors and thin cells", () => {
  const cell = (sdr: number, evaluated = 16): Table3Cell => ({
    sdr,
    sir: sdr + 5,
    sar: sdr + 3,
    evaluated,
    mixtures: 16,
  });
  const seeds = (x: number, spread = 0.05) => [x - spread, x + spread, x].map((v) => cell(v));
  const base: Record<string, Table3Cell[]> = {
    "Mixture": seeds(0, 0),
    "NMF-MFCC": seeds(1),
    "AV-Mix-Sep": seeds(3),
    "Sound-of-Pixels": seeds(6),
    "Co-Separation": seeds(6.5),
    "Ours": seeds(5.8),
    "Sound-of-Pixels (solo+duet)": seeds(5),
    "Ours (solo+duet)": seeds(6.5),
    "Ideal ratio mask": seeds(12, 0),
  };
  const run = (over: Record<string, Table3Cell[]>) =>
    table3Claims(new Map(Object.entries({ ...base, ...over })));
  const holds = run({});
  assert.equal(holds.length, 4);
  holds.forEach((c) => assertVerdict(c, "holds", /every link clear/));
  assert.match(holds[0].detail, /floor Mixture 0\.00 dB ± 0\.00, ceiling Ideal ratio mask 12/);

  const fails = run({
    "Ours": seeds(3),
    "AV-Mix-Sep": seeds(0.5),
    "Ours (solo+duet)": seeds(2.5),
    "Sound-of-Pixels (solo+duet)": seeds(7),
  });
  assertVerdict(fails[0], "does not hold", /Ours >= Sound-of-Pixels - 1/);
  assertVerdict(fails[1], "does not hold", /AV-Mix-Sep > NMF-MFCC/);
  assertVerdict(fails[2], "does not hold", /dSDR Ours > 0/);
  assertVerdict(fails[3], "does not hold", /0 > dSDR Sound-of-Pixels/);

  const noisy = run({
    "Ours": [4, 6, 5.5].map((v) => cell(v)),
    "Co-Separation": [1.5, 0.9, 1.9].map((v) => cell(v)),
    "Ours (solo+duet)": [4.5, 5.5, 5.7].map((v) => cell(v)),
    "Sound-of-Pixels (solo+duet)": [6.5, 5.2, 6].map((v) => cell(v)),
  });
  noisy.forEach((c) => assertVerdict(c, "inconclusive", /^within noise: /));

  const below = run({ "Ours": seeds(-2), "Sound-of-Pixels (solo+duet)": seeds(-1) });
  assertVerdict(below[0], "inconclusive", /^not judged: Ours not clearly above the Mixture floor/);
  assertVerdict(below[2], "inconclusive", /^not judged: Ours not clearly above/);
  assertVerdict(below[3], "inconclusive", /^not judged: Sound-of-Pixels \(solo\+duet\) not/);
  const allBelow = run({
    "AV-Mix-Sep": seeds(-3),
    "Sound-of-Pixels": seeds(-2),
    "Co-Separation": seeds(-1),
    "Ours": seeds(-2),
  });
  assertVerdict(allBelow[1], "inconclusive", /^not judged: every method not clearly above/);

  // most mixtures skipped in one seed: not judged, whatever the means say
  const thin = run({ "Ours": [cell(5.8), cell(5.9, 4), cell(5.7)] });
  assertVerdict(thin[0], "inconclusive", /^not judged: Ours scored fewer than 90%/);
});

Deno.test("countingClaims: above chance, below it, within noise", () => {
  assertVerdict(countingClaims(tight(60))[0], "holds", /counter > chance/);
  assertVerdict(countingClaims(tight(20))[0], "does not hold", /counter > chance/);
  assertVerdict(countingClaims(wide(30, 10))[0], "inconclusive", /^within noise/);
  assertVerdict(countingClaims([80])[0], "inconclusive", /^one seed/);
});
