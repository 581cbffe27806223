// Weight averaging's remedies across MPI ranks (issue 17): --average-moments carries Adam's state in
// the weights' weighted allreduce, and --lr-scaling counts every worker of the job (ranks × threads),
// so R ranks × K threads train what R × K threads of one process train. One host, `mpirun -np 2`;
// the MPI tests are skipped, saying why, without Open MPI.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { averagingRule, DistributedConfig, validateConfig } from "../../lib/distributed/config";
import { packAdamState } from "../../lib/distributed/weights";
import type { ModelSpec } from "../../lib/model/spec";
import { fitOnCluster, makeJob } from "../../lib/cluster/cluster-fit";
import { localMpirunArgs, ResolvedCluster } from "../../lib/cluster/launcher";
import { mpiJobUnavailableReason } from "../../lib/cluster/mpi";
import { planShares, writeShareFiles } from "../../lib/cluster/shares";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { separableWindows } from "../fixtures/synthetic-windows";
import { JOB_FILE_ENV, resultFile } from "../fixtures/moments-rank";

const skip = mpiJobUnavailableReason() ?? false;

const T = 8;
const F = 3;
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: T, features: F, units: [8], dropout: 0.1, seed: 11, learningRate: 0.01 } };
const train = separableWindows(300, T, F, 1);
const twoRanks: ResolvedCluster = { ranks: 2, workersPerRank: 1, hostfile: null, hosts: [], oversubscribe: true, launchAgent: null, network: null, mpirunArgs: [], sharedDir: null };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

test("a cluster job takes averageMoments and lrScaling (no refusal) and keeps them in every rank's config", async () => {
  const data = { x: new Float32Array(4 * 6 * 2), y: Float32Array.from([0, 1, 0, 1]), count: 4, T: 6, F: 2 };
  const small: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 6, features: 2, units: [4] } };
  const dm = await DistributedModel.create({ model: small, config: { mode: "synchronous", numWorkers: 1, batchSize: 2, averageMoments: true, lrScaling: "sqrt", warmupEpochs: 1 } });
  const job = makeJob(dm, data, { epochs: 2 }, twoRanks);
  assert.deepEqual([job.ranks, job.config.numWorkers, job.config.averageMoments, job.config.lrScaling, job.config.warmupEpochs], [2, 1, true, "sqrt", 1]);
});

// 2 × 1: the ranks' allreduce alone; 2 × 2: each rank's thread average first, then the allreduce.
for (const [R, K] of [[2, 1], [2, 2]] as const) {
  test(`averageMoments across ${R} ranks × ${K} thread(s) (per epoch) trains the weights of 1 process × ${R * K} threads, not those without it`, { skip }, async (t) => {
    const config: DistributedConfig = { mode: "synchronous", frequency: "epoch", numWorkers: R * K, batchSize: 16, averageMoments: true };
    const threads = await DistributedModel.create({ model: spec, config });
    await threads.fit(train, { epochs: 3 });
    const plain = await DistributedModel.create({ model: spec, config: { ...config, averageMoments: false } });
    await plain.fit(train, { epochs: 3 });
    const ranks = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: K } });
    const result = await fitOnCluster(ranks, train, { epochs: 3 }, { kind: "mpi", ranks: R, workersPerRank: K });
    const d = maxAbsDiff(ranks.getFlatWeights(), threads.getFlatWeights());
    const off = maxAbsDiff(ranks.getFlatWeights(), plain.getFlatWeights());
    t.diagnostic(`max difference to ${R * K} threads with averageMoments ${d.toExponential(2)}, without ${off.toExponential(2)}`);
    assert.ok(d <= 1e-5, `max difference to ${R * K} threads with averageMoments ${d}`);
    assert.ok(off > 1e-3, `the averaged moments changed training (max difference to the run without them ${off})`);
    assert.match(result.averaging, /Adam's moments and step count averaged with them.*; across ranks: each rank's average of weights and Adam state, then one row-weighted allreduce carrying both$/);
  });
}

test("averageMoments across 2 ranks × 1 thread (every batch, unequal rows): weights and Adam's averaged state equal 1 process × 2 threads, identical on both ranks", { skip }, async (t) => {
  const config: DistributedConfig = { mode: "synchronous", frequency: "batch", syncEvery: 1, numWorkers: 2, batchSize: 16, averageMoments: true };
  // 79 windows: the workers' last batches differ in size, so the row weighting matters at the last exchange.
  const train = separableWindows(79, T, F, 4);
  const threads = await DistributedModel.create({ model: spec, config });
  await threads.fit(train, { epochs: 2 });
  const round = threads.lastMomentRound();
  assert.ok(round);
  assert.notEqual(round.samples[0], round.samples[1], `unequal rows at the last exchange: ${round.samples}`);
  const expected = packAdamState(round.averaged);
  const ranks = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: 1 } });
  const job = makeJob(ranks, train, { epochs: 2 }, twoRanks);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "moments-rank-"));
  try {
    const file = path.join(tmp, "job");
    fs.mkdirSync(file);
    writeShareFiles(file, planShares(job, train.x, train.y, ranks.getFlatWeights()));
    const script = path.join(__dirname, "..", "fixtures", "moments-rank.js");
    const run = spawnSync("mpirun", [...localMpirunArgs(2), "-x", `${JOB_FILE_ENV}=${file}`, process.execPath, script], { encoding: "utf8", timeout: 300_000 });
    assert.equal(run.status, 0, `mpirun failed: ${run.stderr}`);
    const [a, b] = [0, 1].map((r) => JSON.parse(fs.readFileSync(resultFile(file, r), "utf8")) as { rank: number; weights: number[]; moments: number[] | null });
    assert.deepEqual(a.weights, b.weights, "both ranks hold the same weights");
    assert.deepEqual(a.moments, b.moments, "and the same averaged Adam state");
    assert.ok(a.moments);
    const dw = maxAbsDiff(a.weights, threads.getFlatWeights());
    t.diagnostic(`weights: max difference ${dw.toExponential(2)}`);
    assert.ok(dw <= 1e-5, `weights: max difference ${dw}`);
    // Packed [m | v | steps]: each part to float rounding relative to its own size (v is ~1e-4 of m).
    const n = (expected.length - 1) / 2;
    for (const [name, lo, hi] of [["m", 0, n], ["v", n, 2 * n]] as const) {
      const got = a.moments.slice(lo, hi);
      const want = expected.subarray(lo, hi);
      assert.ok(maxAbs(want) > 0, `${name} moved`);
      const rel = maxAbsDiff(got, want) / maxAbs(want);
      t.diagnostic(`${name}: max difference ${rel.toExponential(2)} of its largest value ${maxAbs(want).toExponential(2)}`);
      assert.ok(rel <= 1e-4, `${name}: max difference ${rel} of its largest value`);
    }
    assert.ok(Math.abs(a.moments[2 * n] - expected[2 * n]) <= 1e-5 * expected[2 * n], `steps ${a.moments[2 * n]} vs ${expected[2 * n]}`);
    // What the comparison can tell apart: a rank keeping its own first moments would be this far off.
    const own = maxAbsDiff(round.sent[0].m, expected.subarray(0, n)) / maxAbs(expected.subarray(0, n));
    t.diagnostic(`worker 0's own m before the last exchange: ${own.toExponential(2)} of the largest m away`);
    assert.ok(own > 1e-3, `the average is not worker 0's own state (${own} of the largest m)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("lrScaling linear with warm-up across 2 ranks × 2 threads equals the thread trainer with 4 workers (× 4, not × 2)", { skip }, async (t) => {
  const config: DistributedConfig = { mode: "synchronous", frequency: "epoch", numWorkers: 4, batchSize: 16, lrScaling: "linear", warmupEpochs: 1 };
  const threads = await DistributedModel.create({ model: spec, config });
  const byThreads = await threads.fit(train, { epochs: 2 });
  const unscaled = await DistributedModel.create({ model: spec, config: { ...config, lrScaling: "none", warmupEpochs: 0 } });
  await unscaled.fit(train, { epochs: 2 });
  const ranks = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: 2 } });
  const result = await fitOnCluster(ranks, train, { epochs: 2 }, { kind: "mpi", ranks: 2, workersPerRank: 2 });
  const d = maxAbsDiff(ranks.getFlatWeights(), threads.getFlatWeights());
  const off = maxAbsDiff(ranks.getFlatWeights(), unscaled.getFlatWeights());
  t.diagnostic(`max difference to 4 threads × 4: ${d.toExponential(2)}; to 4 threads unscaled: ${off.toExponential(2)}`);
  assert.ok(d <= 1e-5, `max difference to 4 threads ${d}`);
  assert.ok(off > 1e-3, "the scaled rate changed training");
  // The rule in words is the thread trainer's (4 workers), then how the ranks combine.
  assert.equal(result.averaging.split("; across ranks: ")[0], byThreads.averaging);
  assert.match(result.averaging, /learning rate × 4 \(the linear scaling rule of Goyal et al\. 2017, 4 workers\)/);
});

test("pipeline --cluster mpi --mode synchronous --average-moments --lr-scaling linear: runs, and metrics.json records the threads' rule plus the ranks' part", { skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "remedies-cluster-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 3, falls: 6, adls: 6 }));
    const opts = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, mode: "synchronous" as const, epochs: 2, window: 16, stride: 8, ensemble: 1, averageMoments: true, lrScaling: "linear" as const, warmupEpochs: 1, out: path.join(tmp, "out"), cluster: "mpi" as const, ranks: 2, workersPerRank: 1 };
    const { metrics } = await runPipeline(opts, { log: () => undefined });
    const threadsRule = averagingRule(validateConfig({ mode: "synchronous", numWorkers: 2, batchSize: opts.batchSize, averageMoments: true, lrScaling: "linear", warmupEpochs: 1 }));
    assert.equal(metrics.training.averaging, `${threadsRule}; across ranks: each rank's average of weights and Adam state, then one row-weighted allreduce carrying both`);
    assert.match(metrics.training.averaging, /learning rate × 2 \(.*2 workers\)/);
    assert.equal(metrics.config.averageMoments, true);
    assert.equal(metrics.config.lrScaling, "linear");
    assert.equal(metrics.training.cluster?.ranks, 2);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
