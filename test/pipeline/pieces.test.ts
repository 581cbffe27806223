// The small pure pieces of the pipeline: options, score alignment, sequence threshold, joins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PIPELINE_OPTIONS, parsePipelineArgs, UsageError, PLAIN_PIPELINE_OPTIONS, pipelineHelp, validateStoredOptions } from "../../lib/pipeline/options";
import { alignToThreshold, chooseSequenceThreshold, evaluateAll } from "../../lib/evaluate";
import { concatWindowSets, selectWindows } from "../../lib/data";
import { windowDataset } from "../../lib/pipeline/prepare";
import { meanProbabilities, memberSeed } from "../../lib/pipeline/train-fold";
import { generateSynthetic } from "../../lib/data";
import { WindowSet } from "../../lib/types";

test("pipeline options: defaults, both flag forms, errors are UsageErrors", () => {
  assert.deepEqual(parsePipelineArgs([]), DEFAULT_PIPELINE_OPTIONS);
  assert.deepEqual(parsePipelineArgs(["--detector", "plain"]), PLAIN_PIPELINE_OPTIONS);
  const o = parsePipelineArgs(["--model", "lstm", "--mode=hogwild", "--folds", "5", "--batch-size", "32"]);
  assert.ok(o !== "help");
  assert.equal(o.model, "lstm");
  assert.equal(o.mode, "hogwild");
  assert.equal(o.folds, 5);
  assert.equal(o.batchSize, 32);
  assert.equal(parsePipelineArgs(["--help"]), "help");
  for (const bad of [["--workers", "0"], ["--epochs", "-1"], ["--window", "2.5"], ["--stride", "x"], ["--folds", "1"], ["--mode", "sync"], ["--bogus"], ["--epochs"], ["--seed", "1", "--seed", "2"]]) {
    assert.throws(() => parsePipelineArgs(bad), UsageError, bad.join(" "));
  }
  assert.match(pipelineHelp(), /--folds K/);
});

test("--ensemble: default 6 (the deploy detector; --detector plain 3, --format dfcsv 1), 1..10, seeds step by 10 from --seed", () => {
  assert.equal(PLAIN_PIPELINE_OPTIONS.ensemble, 3);
  const o = parsePipelineArgs(["--ensemble", "1"]);
  assert.ok(o !== "help" && o.ensemble === 1);
  for (const [argv, re] of [[["--ensemble", "0"], /--ensemble expects a positive integer, got "0"/], [["--ensemble", "11"], /--ensemble expects at most 10, got 11/]] as const) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message));
  }
  assert.match(pipelineHelp(), /--ensemble N .*\[default: 6; --detector plain: 3\]/);
  assert.deepEqual([1, 2, 3].map((m) => memberSeed(5, m)), [5, 15, 25]);
});

test("sizes that would only fail deep in training are usage errors naming the flag and its limit", () => {
  const cases: [string[], RegExp][] = [
    [["--augment", "100000"], /^--augment must be at most 50 \(.*\), got "100000"$/],
    [["--epochs", "5000000000"], /^--epochs must be at most 100000 /],
    [["--batch-size", "10000000"], /^--batch-size must be at most 65536 /],
    [["--seed", "99999999999"], /^--seed must be at most 2147483647 /],
  ];
  for (const [argv, re] of cases) assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  const o = parsePipelineArgs(["--detector", "plain", "--augment", "50", "--epochs", "100000", "--batch-size", "65536", "--seed", "2147483647"]);
  assert.ok(o !== "help" && o.augment === 50 && o.seed === 2147483647, "the limits themselves are allowed");
});

test("--synthetic: a switch (no value), off by default, excluded with --data and --format dfcsv", () => {
  assert.equal(PLAIN_PIPELINE_OPTIONS.synthetic, false);
  const o = parsePipelineArgs(["--synthetic", "--epochs", "2"]);
  assert.ok(o !== "help" && o.synthetic === true && o.epochs === 2);
  for (const [argv, re] of [
    [["--synthetic=yes"], /--synthetic takes no value/],
    [["--synthetic", "--synthetic"], /--synthetic given twice/],
    [["--synthetic", "--data", "x"], /--synthetic and --data exclude each other/],
    [["--synthetic", "--format", "dfcsv", "--data", "f.csv"], /exclude each other/],
    [["--synthetic", "--format", "dfcsv"], /--synthetic works with --format urfd only/],
  ] as const) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /\n {2}--synthetic {2,}train and evaluate on generated data/);
  assert.doesNotMatch(pipelineHelp(), /--synthetic .*\[default/);
});

test("--sync-every H (local SGD): with --frequency batch in a weight or delta mode, into the trainer's syncEvery", () => {
  const ok = parsePipelineArgs(["--mode", "synchronous", "--frequency", "batch", "--sync-every", "4"]);
  assert.ok(ok !== "help");
  assert.equal(ok.syncEvery, 4);
  assert.equal((parsePipelineArgs([]) as typeof ok).syncEvery, null);
  const bad: [string[], RegExp][] = [
    [["--mode", "synchronous", "--frequency", "epoch", "--sync-every", "4"], /--sync-every needs --frequency batch/],
    [["--sync-every", "4"], /--mode gradients averages gradients every batch: drop --sync-every/],
    [["--mode", "hogwild", "--frequency", "batch", "--sync-every", "0"], /--sync-every/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parsePipelineArgs(argv), (e: Error) => e instanceof UsageError && re.test(e.message), argv.join(" "));
});

test("stored options: --synthetic read back as stored, off when an older run-state.json lacks it, refused when not a boolean", () => {
  const stored = { ...PLAIN_PIPELINE_OPTIONS, synthetic: true, out: "/o" };
  assert.deepEqual(validateStoredOptions(stored, "rs.json"), stored);
  const { synthetic: _s, ...older } = stored;
  assert.equal(validateStoredOptions(older, "rs.json").synthetic, false);
  assert.throws(() => validateStoredOptions({ ...stored, synthetic: "yes" }, "rs.json"), /^Error: rs\.json: --synthetic takes no value$/);
});

test("meanProbabilities averages element-wise and refuses mismatched lengths", () => {
  assert.deepEqual(Array.from(meanProbabilities([Float32Array.of(0.2, 1), Float32Array.of(0.4, 0)])), [Math.fround(0.3), 0.5].map(Math.fround));
  assert.deepEqual(Array.from(meanProbabilities([Float32Array.of(0.25)])), [0.25]);
  assert.throws(() => meanProbabilities([Float32Array.of(1), Float32Array.of(1, 2)]), /lengths differ \(2 vs 1\)/);
  assert.throws(() => meanProbabilities([]), /no arrays/);
});

test("alignToThreshold maps each fold's threshold to 0.5 and keeps order", () => {
  const a = alignToThreshold([0.1, 0.2, 0.3, 0.9], 0.2);
  assert.equal(a[1], 0.5);
  assert.ok(a[0] < a[1] && a[1] < a[2] && a[2] < a[3]);
  assert.ok(a[0] >= 0 && a[3] <= 1);
  assert.throws(() => alignToThreshold([0.5], 1), RangeError);
});

function tinyWindows(): WindowSet {
  return windowDataset(generateSynthetic({ seed: 5, falls: 4, adls: 4 }), { T: 16, stride: 8 }).windows;
}

test("chooseSequenceThreshold separates training recordings by their highest window", () => {
  const ws = tinyWindows();
  // fall recordings peak at 0.8, ADLs at 0.3: any threshold between works, the widest gap is chosen
  const probs = new Float32Array(ws.count);
  for (let i = 0; i < ws.count; i++) probs[i] = ws.sequenceIsFall[ws.seq[i]] ? (ws.y[i] ? 0.8 : 0.1) : 0.3;
  const t = chooseSequenceThreshold(probs, ws, { split: "train" });
  assert.ok(t > 0.3 && t <= 0.8, `threshold ${t}`);
  const ev = evaluateAll(probs, ws, t);
  assert.equal(ev.sequence.accuracy, 1);
});

test("concatWindowSets joins sides in order and selectWindows round-trips", () => {
  const ws = tinyWindows();
  const a = selectWindows(ws, [0, 1]);
  const b = selectWindows(ws, [4, 5]);
  const j = concatWindowSets([a, b]);
  assert.equal(j.count, a.count + b.count);
  assert.deepEqual(Array.from(j.seq), [...a.seq, ...b.seq]);
  assert.deepEqual(Array.from(j.x.subarray(a.x.length)), Array.from(b.x));
  assert.throws(() => concatWindowSets([]));
});

test("windowDataset refuses a data set with one class only", () => {
  assert.throws(() => windowDataset(generateSynthetic({ seed: 1, falls: 0, adls: 3 }), { T: 16, stride: 8 }), /no fall window/);
});
