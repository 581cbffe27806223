import { test } from "node:test";
import assert from "node:assert/strict";
import { caseKey, parseRankLayouts, pipelineArgs, rowFromMetrics, scalingCases, scalingTable, SCALING_SETUPS, setupFlag, setupLabel } from "../../lib/bench/scaling";
import { parsePipelineArgs } from "../../lib/pipeline/options";
import { scalingGoals } from "../../lib/bench/scaling-goals";

const metrics = (source: string) => ({
  data: { source },
  window: { auc: 0.96 },
  sequence: { auc: 0.999, missedFalls: [], falseAlarms: ["adl-33"], confusionMatrix: [[39, 1], [0, 30]] },
  training: { wallSec: 71.2, averaging: "gradients of 8 micro-batches" },
});

test("scaling cases cover every setup, worker count and seed; arguments name them", () => {
  const cases = scalingCases(SCALING_SETUPS, [1, 8], [1, 2]);
  assert.equal(cases.length, SCALING_SETUPS.length * 2 * 2);
  assert.deepEqual(pipelineArgs({ mode: "synchronous", frequency: "batch", workers: 8, seed: 2 }, "o"), ["--detector", "plain", "--folds", "5", "--ensemble", "1", "--seed", "2", "--workers", "8", "--mode", "synchronous", "--frequency", "batch", "--lr-scaling", "none", "--out", "o"]);
  assert.ok(!pipelineArgs({ mode: "gradients", workers: 2, seed: 1 }, "o").includes("--frequency"));
});

test("a row reads falls and ADLs from the recording confusion matrix; synthetic data is refused", () => {
  const row = rowFromMetrics({ mode: "gradients", workers: 8, seed: 1 }, metrics("urfd"));
  assert.deepEqual([row.fallsFound, row.falls, row.adlsRight, row.adls], [30, 30, 39, 40]);
  assert.throws(() => rowFromMetrics({ mode: "gradients", workers: 8, seed: 1 }, metrics("synthetic")), /needs the real URFD data/);
  const table = scalingTable([row, { ...row, seed: 2, windowAuc: 0.95 }]);
  // Rows resumed later land in setup order, threads ascending, rank layouts last.
  const later = scalingTable([{ ...row, workers: 4, ranks: 2 }, { ...row, mode: "synchronous", frequency: "epoch" }, { ...row, workers: 2 }, row]);
  assert.deepEqual(later.split("\n").slice(2).map((l) => l.split(" | ").slice(0, 2).join(" | ")), ["| gradients | 2", "| gradients | 8", "| gradients | 2 ranks × 4", "| synchronous per epoch | 8"]);
  assert.match(table, /\| gradients \| 8 \| 0\.9600, 0\.9990, 30\/30, 39\/40, 71 \| 0\.9500, /);
});

test("rank layouts: --clusters parses RxK, the pipeline gets --cluster mpi, the table and keys name the ranks", () => {
  assert.deepEqual(parseRankLayouts("2x1,2x4"), [{ ranks: 2, threads: 1 }, { ranks: 2, threads: 4 }]);
  assert.match(String(parseRankLayouts("2x")), /not RANKSxTHREADS/);
  assert.match(String(parseRankLayouts("0x2")), /not RANKSxTHREADS/);
  const cases = scalingCases([{ mode: "gradients" }], [1], [1], [{ ranks: 2, threads: 4 }]);
  assert.deepEqual(cases, [{ mode: "gradients", workers: 1, seed: 1 }, { mode: "gradients", workers: 4, ranks: 2, seed: 1 }]);
  const args = pipelineArgs(cases[1], "o");
  assert.deepEqual(args.slice(8, 14), ["--cluster", "mpi", "--ranks", "2", "--workers-per-rank", "4"]);
  assert.ok(!args.includes("--workers"));
  // Resume keys: a thread row and a rank row with the same thread count differ.
  assert.notEqual(caseKey(cases[1]), caseKey({ mode: "gradients", workers: 4, seed: 1 }));
  const row = rowFromMetrics(cases[1], metrics("urfd"));
  assert.match(scalingTable([row]), /\| gradients \| 2 ranks × 4 \| 0\.9600/);
});

test("the weight-averaging remedies are setups of their own: distinct names, their flags, the plain names unchanged", () => {
  const flags = SCALING_SETUPS.map(setupFlag);
  assert.deepEqual(flags.slice(0, 5), ["gradients", "synchronous/epoch", "synchronous/batch", "asynchronous/epoch", "hogwild/epoch"]);
  assert.equal(new Set(flags).size, flags.length, "every setup has its own name");
  assert.equal(new Set(SCALING_SETUPS.map(setupLabel)).size, flags.length, "and its own table label");
  assert.ok(flags.every((f) => !f.includes(",")), "names fit a comma-separated --modes list");
  const moments = { mode: "synchronous" as const, frequency: "batch" as const, syncEvery: 4, batchSize: 8, averageMoments: true, workers: 8, seed: 2 };
  assert.equal(setupFlag(moments), "synchronous/batch/every-4/batch-8/moments");
  assert.equal(setupLabel(moments), "synchronous per batch (every 4 batches; batch 8; averaged moments)");
  assert.equal(caseKey(moments), "synchronous-batch-every-4-batch-8-moments-w8-s2");
  assert.equal(setupFlag({ mode: "synchronous", frequency: "epoch", lrScaling: "linear", warmupEpochs: 2 }), "synchronous/epoch/lr-linear-2");
  // Every setup's arguments are a valid pipeline command line carrying its remedies.
  for (const s of SCALING_SETUPS) {
    const o = parsePipelineArgs(pipelineArgs({ ...s, workers: 8, seed: 1 }, "o"));
    assert.ok(o !== "help");
    assert.equal(o.averageMoments, s.averageMoments ?? false, setupFlag(s));
    assert.equal(o.lrScaling, s.lrScaling ?? "none", setupFlag(s));
    assert.equal(o.syncEvery, s.syncEvery ?? null, setupFlag(s));
    assert.equal(o.batchSize, s.batchSize ?? 64, setupFlag(s));
    assert.equal(o.push, s.push ?? "deltas", setupFlag(s));
    // The mode's own rule (lib/pipeline/mode-rules.ts) adds nothing to a setup: its frequency and warm-up are the setup's.
    assert.equal(o.warmupEpochs, s.warmupEpochs ?? 0, setupFlag(s));
    if (s.frequency) assert.equal(o.frequency, s.frequency, setupFlag(s));
  }
  assert.ok(flags.includes("asynchronous/push-gradients") && flags.includes("hogwild/push-gradients"));
  assert.equal(setupLabel({ mode: "hogwild", push: "gradients" }), "hogwild (gradients pushed to one shared Adam)");
});

test("--ensemble: a case with N models a fold runs --ensemble N, has its own key and label, and is judged against its own 1-worker run", () => {
  const lr = { mode: "synchronous" as const, frequency: "epoch" as const, lrScaling: "linear" as const, warmupEpochs: 2 };
  const three = { ...lr, ensemble: 3, workers: 8, seed: 1 };
  assert.deepEqual(pipelineArgs(three, "o").slice(0, 6), ["--detector", "plain", "--folds", "5", "--ensemble", "3"]);
  assert.equal(caseKey(three), "synchronous-epoch-lr-linear-2-e3-w8-s1");
  assert.notEqual(caseKey(three), caseKey({ ...lr, workers: 8, seed: 1 }));
  assert.equal(setupFlag(three), "synchronous/epoch/lr-linear-2", "--modes names the setup whatever its ensemble");
  assert.equal(setupLabel(three), "synchronous per epoch (lr linear, warm-up 2; 3 models a fold)");
  const one = rowFromMetrics({ ...lr, workers: 1, seed: 1 }, metrics("urfd"));
  const eight = rowFromMetrics({ ...lr, workers: 8, seed: 1 }, { ...metrics("urfd"), window: { auc: 0.90 } });
  const oneE3 = rowFromMetrics({ ...three, workers: 1 }, metrics("urfd"));
  const eightE3 = rowFromMetrics(three, { ...metrics("urfd"), window: { auc: 0.955 } });
  const verdicts = scalingGoals([eightE3, one, eight, oneE3]);
  assert.deepEqual(verdicts.map((v) => [v.setup, v.met]), [
    ["synchronous per epoch (lr linear, warm-up 2)", false],
    ["synchronous per epoch (lr linear, warm-up 2; 3 models a fold)", true],
  ]);
});

test("--micro-batches: a gradients case with K micro-batches runs --micro-batches K, has its own key and label, and is judged against its own 1-worker run", () => {
  const cut = { mode: "gradients" as const, microBatches: 16, workers: 16, seed: 1 };
  const args = pipelineArgs(cut, "o");
  assert.deepEqual(args.slice(args.indexOf("--micro-batches"), args.indexOf("--micro-batches") + 2), ["--micro-batches", "16"]);
  assert.ok(parsePipelineArgs(args) !== "help", "the pipeline takes the flags the study gives it");
  assert.equal(caseKey(cut), "gradients-mb16-w16-s1");
  assert.notEqual(caseKey(cut), caseKey({ mode: "gradients", workers: 16, seed: 1 }));
  assert.equal(setupFlag(cut), "gradients");
  assert.equal(setupLabel(cut), "gradients (16 micro-batches)");
  const same = { ...metrics("urfd"), window: { auc: 0.96 } };
  const verdicts = scalingGoals([rowFromMetrics({ ...cut, workers: 1 }, same), rowFromMetrics({ ...cut, workers: 8 }, same), rowFromMetrics({ mode: "gradients", workers: 1, seed: 1 }, { ...metrics("urfd"), window: { auc: 0.95 } })]);
  assert.deepEqual(verdicts.map((v) => [v.setup, v.met, v.detail]), [["gradients (16 micro-batches)", true, "identical"]]);
});
