import { test } from "node:test";
import assert from "node:assert/strict";
import { steadyOverheadFraction } from "../../lib/distributed/fit-result";
import type { WorkerTiming } from "../../lib/distributed/protocol";

const timing = (trainMs: number, barrierWaitMs: number, paramStoreMs = 0): WorkerTiming => ({
  trainMs, computeMs: trainMs - barrierWaitMs - paramStoreMs, paramStoreMs, averagingMs: 0, barrierWaitMs, lockWaitMs: 0, rounds: 1, validationMs: 0,
});

test("steadyOverheadFraction leaves each worker's first epoch (and the start barrier in it) out", () => {
  // Worker 0: 300 ms in all, 100 of them the first epoch with 50 ms waiting; then 20 ms waiting and 10 ms store in 200 ms.
  // Worker 1: 300 ms, first epoch 120 ms with 60 waiting; then 10 ms waiting in 180 ms.
  const done = [
    { timing: timing(300, 70, 10), history: { loss: [1, 0.5, 0.4], timingAfterFirstEpoch: timing(100, 50) } },
    { timing: timing(300, 70), history: { loss: [1, 0.5, 0.4], timingAfterFirstEpoch: timing(120, 60) } },
  ];
  assert.ok(Math.abs(steadyOverheadFraction(done) - 40 / 380) < 1e-12);
});

test("steadyOverheadFraction is NaN for a single epoch or a worker without the snapshot", () => {
  assert.ok(Number.isNaN(steadyOverheadFraction([{ timing: timing(100, 5), history: { loss: [1], timingAfterFirstEpoch: timing(100, 5) } }])));
  assert.ok(Number.isNaN(steadyOverheadFraction([{ timing: timing(100, 5), history: { loss: [1, 0.5] } }])));
  assert.ok(Number.isNaN(steadyOverheadFraction([])));
});
