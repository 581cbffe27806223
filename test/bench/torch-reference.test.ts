import { test } from "node:test";
import assert from "node:assert/strict";
import { runTorchReference } from "../../lib/bench/reference";

test("the PyTorch reference at 1 thread runs one OS thread: BLAS/OpenMP pools pinned before torch loads (skipped without torch)", async (t) => {
  // The original preset's 256-unit GEMMs are big enough for OpenBLAS to start its pthread pool when unpinned.
  const r = await runTorchReference({ kinds: ["lstm"], threads: [1], windows: 128, epochs: 2, predictWindows: 64, model: "original", batchSize: 64, timesteps: 16 });
  // only a missing Python or torch skips: a crash of the script must fail
  if ("error" in r && /not found|cannot import torch/.test(r.error)) return t.skip(r.error);
  assert.ok(!("error" in r), "error" in r ? r.error : "");
  assert.deepEqual(r.threadEnv, { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" });
  assert.equal(r.numThreads, 1);
  assert.equal(r.numInteropThreads, 1);
  const run = r.results[0];
  assert.equal(run.osThreads, 1, "one OS thread in the process");
  assert.ok(run.steadyBusyThreads && run.steadyBusyThreads.length === 1, `busy threads: ${JSON.stringify(run.steadyBusyThreads)}`);
  // CPU ÷ wall can only exceed 1 with a second thread; the shared machine may give less than 1.
  assert.ok(run.steadyCores !== null && run.steadyCores !== undefined && run.steadyCores > 0 && run.steadyCores <= 1.05, String(run.steadyCores));
});
