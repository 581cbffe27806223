import { test } from "node:test";
import assert from "node:assert/strict";
import { modesHeld, scalingGoals, scalingGoalsTable } from "../../lib/bench/scaling-goals";
import type { ScalingRow } from "../../lib/bench/scaling";
import { chanceOfGoal, MemberRow } from "../../lib/bench/seed-noise";

const row = (over: Partial<ScalingRow>): ScalingRow => ({
  mode: "synchronous", frequency: "epoch", workers: 1, seed: 1,
  windowAuc: 0.95, recordingAuc: 0.998, fallsFound: 30, falls: 30, adlsRight: 37, adls: 40, wallSec: 40, averaging: "",
  ...over,
});

test("issue 17's goals: each setup at 8 workers against its own 1-thread run on the same seed", () => {
  const rows = [
    row({}),
    row({ workers: 8, windowAuc: 0.9415, recordingAuc: 0.996 }), // within 0.01 and 0.005: met
    row({ workers: 4, ranks: 2, windowAuc: 0.95, fallsFound: 29 }), // a fall lost: not met
    row({ seed: 2, windowAuc: 0.96 }),
    row({ seed: 2, workers: 8, windowAuc: 0.9489 }), // −0.011: not met
    row({ mode: "gradients", frequency: undefined }),
    row({ mode: "gradients", frequency: undefined, workers: 8 }),
    row({ mode: "gradients", frequency: undefined, workers: 8, seed: 3 }), // no 1-worker row on seed 3: no verdict
  ];
  const v = scalingGoals(rows);
  const find = (setup: string, workers: string, seed: number) => v.find((x) => x.setup.startsWith(setup) && x.workers === workers && x.seed === seed)!;
  assert.equal(v.length, 4);
  assert.deepEqual([find("synchronous", "8", 1).met, find("synchronous", "8", 1).detail], [true, "win −0.0085, rec −0.0020"]);
  assert.equal(find("synchronous", "2 ranks × 4", 1).met, false);
  assert.match(find("synchronous", "2 ranks × 4", 1).detail, /falls 29\/30 \(1 worker 30\)/);
  assert.equal(find("synchronous", "8", 2).met, false);
  assert.deepEqual([find("gradients", "8", 1).met, find("gradients", "8", 1).detail], [true, "identical"]);
  // Gradients is held to the 1-worker model: a window AUC 0.006 off fails it, where weight averaging would pass.
  assert.equal(scalingGoals([row({ mode: "gradients", frequency: undefined }), row({ mode: "gradients", frequency: undefined, workers: 8, windowAuc: 0.956 })])[0].met, false);
  // A gain beyond the tolerance misses "within" too, marked as such.
  const gain = scalingGoals([row({}), row({ workers: 8, windowAuc: 0.965 })])[0];
  assert.deepEqual([gain.met, gain.gainOnly], [false, true]);
  assert.equal(v.find((x) => x.workers === "2 ranks × 4")!.gainOnly, false, "a lost fall is a loss");
  const table = scalingGoalsTable(rows);
  assert.match(table, /\| synchronous per epoch \| 8 \| window AUC within 0\.01 .* \| \*\*met\*\* \(win −0\.0085, rec −0\.0020\) \| not met \(win −0\.0111\) \|/);
  assert.match(table, /Goals met in 2 of 4 cases at 8 workers in all\./);
});

test("a difference of exactly the tolerance is within it: AUCs are fractions of pairs, the float difference rounds", () => {
  // 1198/1200 against 1192/1200: −6/1200 = −0.005 exactly, −0.0050000000000000044 in floats.
  const [v] = scalingGoals([row({ recordingAuc: 1198 / 1200 }), row({ workers: 8, recordingAuc: 1192 / 1200 })]);
  assert.ok(Math.abs(1192 / 1200 - 1198 / 1200) > 0.005, "the float difference is past the bar");
  assert.equal(v.met, true);
  const [past] = scalingGoals([row({ recordingAuc: 1198 / 1200 }), row({ workers: 8, recordingAuc: 1191 / 1200 })]);
  assert.equal(past.met, false, "one pair more is a miss");
});

test("seed noise: members 2.. of a run against its member 1 under the weight-averaging goal (within, by a gain, by a loss)", () => {
  const m = (run: string, member: number, over: Partial<MemberRow> = {}): MemberRow => ({
    run, seed: 1, member, modelSeeds: [1 + 10 * (member - 1)], windowAuc: 0.95, recordingAuc: 0.998, fallsFound: 30, falls: 30, adlsRight: 37, adls: 40, ...over,
  });
  const rows = [
    m("a", 1), m("a", 2, { windowAuc: 0.959 }), m("a", 3, { windowAuc: 0.961 }), // within; beyond by a gain
    m("b", 1), m("b", 2, { fallsFound: 29 }), m("b", 3, { recordingAuc: 0.992 }), // a fall lost; recording AUC −0.006
  ];
  assert.deepEqual(chanceOfGoal(rows), { comparisons: 4, met: 1, gainOnly: 1, lost: 2 });
  assert.throws(() => chanceOfGoal([m("c", 2)]), /c: no member 1/);
});

test("modesHeld: per mode, the setups met on every seed they ran, at least three", () => {
  const seeds = [1, 2, 3];
  const rows = [
    ...seeds.flatMap((seed) => [row({ seed }), row({ seed, workers: 8, windowAuc: 0.945 })]), // synchronous per epoch: met on all three
    ...seeds.flatMap((seed) => [row({ seed, mode: "hogwild" }), row({ seed, mode: "hogwild", workers: 8, windowAuc: seed === 2 ? 0.93 : 0.95 })]), // missed on seed 2
    row({ mode: "asynchronous" }), row({ mode: "asynchronous", workers: 8 }), // met, but on one seed only
  ];
  const held = modesHeld(scalingGoals(rows));
  assert.deepEqual(held, [
    { mode: "synchronous", held: [{ setup: "synchronous per epoch", workers: "8", seeds: 3 }] },
    { mode: "asynchronous", held: [] },
    { mode: "hogwild", held: [] },
  ]);
  const table = scalingGoalsTable(rows);
  assert.match(table, /- synchronous: synchronous per epoch, 8 threads \(3 seeds\)\n- asynchronous: none\n- hogwild: none$/);
});
