// A fold whose training fails frees the models it built: a notebook that catches the error keeps no tensors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import { trainFold } from "../../lib/pipeline/train-fold";
import type { ModelSpec } from "../../lib/model/spec";

const windows = makeWindows(generateSynthetic({ seed: 5, falls: 3, adls: 3 }), { T: 12, stride: 4 });
const spec: ModelSpec = { type: "rnn", options: { kind: "lstm", timesteps: windows.T, features: windows.F, units: [6], seed: 2 } };

test("trainFold: a member whose fit fails is freed with the fold's other members, and the error names the worker", async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  await assert.rejects(
    trainFold(windows, windows, {
      spec, config: { mode: "gradients", numWorkers: 2, batchSize: 16, seed: 2 }, epochs: 2, smooth: 1, members: 2,
      faultInjection: { worker: 1, atEpoch: 0, kind: "throw" },
    }),
    /worker 1 failed: .*injected fault/,
  );
  assert.equal(tf.memory().numTensors, before, "no model of the failed fold holds tensors");
});
