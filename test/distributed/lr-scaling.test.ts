import { test } from "node:test";
import assert from "node:assert/strict";
import { describeLrScaling, learningRateFactor, targetFactor } from "../../lib/distributed/lr-scaling";

test("targetFactor: linear is the worker count, sqrt its root, none 1", () => {
  assert.equal(targetFactor("linear", 8), 8);
  assert.equal(targetFactor("sqrt", 4), 2);
  assert.equal(targetFactor("none", 8), 1);
  assert.throws(() => targetFactor("linear", 0), /positive integer/);
});

test("learningRateFactor: a linear warm-up from 1 to the target over the warm-up epochs, the target after", () => {
  assert.equal(learningRateFactor("linear", 8, 2, 0), 1);
  assert.equal(learningRateFactor("linear", 8, 2, 0.5), 2.75);
  assert.equal(learningRateFactor("linear", 8, 2, 1), 4.5);
  assert.equal(learningRateFactor("linear", 8, 2, 2), 8);
  assert.equal(learningRateFactor("linear", 8, 2, 29.9), 8);
  assert.equal(learningRateFactor("linear", 8, 0, 0), 8, "no warm-up: scaled from the first batch");
  assert.equal(learningRateFactor("none", 8, 0, 3), 1);
  assert.equal(learningRateFactor("linear", 1, 2, 0.5), 1, "one worker: nothing to scale");
  assert.throws(() => learningRateFactor("linear", 8, -1, 0), RangeError);
  assert.throws(() => learningRateFactor("linear", 8, 2, NaN), RangeError);
});

test("describeLrScaling says the rule, the factor and the warm-up in words", () => {
  assert.equal(describeLrScaling("none", 8, 0), "");
  assert.equal(describeLrScaling("linear", 8, 1), "learning rate × 8 (the linear scaling rule of Goyal et al. 2017, 8 workers), reached by a linear warm-up from 1× over the first 1 epoch");
  assert.match(describeLrScaling("sqrt", 2, 0), /× 1\.4142 \(the square-root scaling rule, 2 workers\), from the first batch/);
});
