import { test } from "node:test";
import assert from "node:assert/strict";
import { modeAdvice } from "../../lib/pipeline/mode-advice";
import { PLAIN_PIPELINE_OPTIONS, PipelineOptions, totalWorkers } from "../../lib/pipeline/options";

const opts = (o: Partial<PipelineOptions>): PipelineOptions => ({ ...PLAIN_PIPELINE_OPTIONS, ...o });

test("modeAdvice: Elephas's plain rules at 4+ workers get a warning with the flags that held; sound setups none", () => {
  // The default (gradients): nothing up to 8 workers; past them a note (another summation order), unless --micro-batches fixes the cut.
  assert.equal(modeAdvice(opts({ workers: 8 })), null);
  assert.match(modeAdvice(opts({ workers: 16 })) ?? "", /^note: mode gradients .* 16 workers .* give --micro-batches 16 at every worker count/);
  assert.match(modeAdvice(opts({ cluster: "mpi", ranks: 3, workersPerRank: 4 })) ?? "", /12 workers/);
  assert.equal(modeAdvice(opts({ workers: 16, microBatches: 16 })), null);
  // Plain averaging: from 4 workers, per epoch or per batch, threads or ranks × threads.
  assert.equal(modeAdvice(opts({ mode: "synchronous", workers: 2 })), null);
  for (const o of [opts({ mode: "synchronous", workers: 4 }), opts({ mode: "synchronous", frequency: "batch", workers: 8 }), opts({ mode: "synchronous", cluster: "mpi", ranks: 2, workersPerRank: 4, workers: 1 })]) {
    const line = modeAdvice(o);
    assert.match(line ?? "", /^warning: --mode synchronous with --lr-scaling none .* leave out --lr-scaling and --frequency \(the mode's rule, --frequency batch --lr-scaling linear --warmup-epochs 2,/);
  }
  assert.match(modeAdvice(opts({ mode: "synchronous", cluster: "mpi", ranks: 2, workersPerRank: 2 })) ?? "", /weights of 4 workers/);
  // With a learning-rate rule: no warning (the rule is the remedy; the sqrt rule's own figures are in the docs).
  assert.equal(modeAdvice(opts({ mode: "synchronous", workers: 8, lrScaling: "linear", warmupEpochs: 2 })), null);
  // Deltas once an epoch: warned; every batch, or gradients pushed: not.
  assert.match(modeAdvice(opts({ mode: "hogwild", workers: 8 })) ?? "", /^warning: --mode hogwild .* leave out --frequency \(the mode's rule, --frequency batch,/);
  assert.match(modeAdvice(opts({ mode: "asynchronous", frequency: "epoch", workers: 4 })) ?? "", /^warning: --mode asynchronous/);
  assert.equal(modeAdvice(opts({ mode: "asynchronous", frequency: "batch", workers: 8 })), null);
  assert.equal(modeAdvice(opts({ mode: "asynchronous", push: "gradients", workers: 8 })), null);
  assert.equal(modeAdvice(opts({ mode: "hogwild", workers: 3 })), null);
});

test("totalWorkers: threads, or ranks × threads a rank", () => {
  assert.equal(totalWorkers(opts({ workers: 8 })), 8);
  assert.equal(totalWorkers(opts({ cluster: "mpi", ranks: 3, workersPerRank: 2, workers: 8 })), 6);
  assert.equal(totalWorkers(opts({ cluster: "mpi", ranks: 2, workersPerRank: null })), 2);
});
