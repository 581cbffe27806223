// The small pure pieces of the pipeline: options, score alignment, sequence threshold, joins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, UsageError, DEFAULT_PIPELINE_OPTIONS, pipelineHelp } from "../../lib/cli/pipeline-options";
import { alignToThreshold, chooseSequenceThreshold, evaluateAll } from "../../lib/evaluate";
import { concatWindowSets, selectWindows } from "../../lib/data";
import { windowDataset } from "../../lib/pipeline/prepare";
import { generateSynthetic } from "../../lib/data";
import { WindowSet } from "../../lib/types";

test("pipeline options: defaults, both flag forms, errors are UsageErrors", () => {
  assert.deepEqual(parsePipelineArgs([]), DEFAULT_PIPELINE_OPTIONS);
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
