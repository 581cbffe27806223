// Cluster training on one host (mpirun -np R, all ranks local): synchronous equals the thread
// trainer on the same partitions, asynchronous and hogwild learn, progress streams back, and bad
// cluster settings fail with one line before mpirun starts. Skipped, saying why, without Open MPI.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig, EpochEnd, ProgressEvent } from "../../lib/distributed/config";
import { trainFold } from "../../lib/pipeline/train-fold";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import type { ModelSpec } from "../../lib/model/spec";
import { fitOnCluster } from "../../lib/cluster/cluster-fit";
import { mpiJobUnavailableReason } from "../../lib/cluster/mpi";
import { CHUNK_FLOATS } from "../../lib/cluster/shares";
import { separableWindows } from "../fixtures/synthetic-windows";

function unavailable(): string | false {
  return mpiJobUnavailableReason() ?? false;
}
const skip = unavailable();

const T = 8;
const F = 3;
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: T, features: F, units: [8], dropout: 0.1, seed: 11, learningRate: 0.01 } };
const train = separableWindows(300, T, F, 1);
const holdout = separableWindows(200, T, F, 2);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test("synchronous across 3 ranks × 1 thread equals the thread trainer with 3 workers", { skip }, async () => {
  const config: DistributedConfig = { mode: "synchronous", frequency: "batch", syncEvery: 2, numWorkers: 3, batchSize: 16 };
  const threads = await DistributedModel.create({ model: spec, config });
  const byThreads = await threads.fit(train, { epochs: 2, validationSplit: 0.2 });
  const ranks = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: 1 } });
  const start = ranks.getFlatWeights();
  const events: ProgressEvent[] = [];
  const byRanks = await fitOnCluster(ranks, train, { epochs: 2, validationSplit: 0.2, onProgress: (e) => events.push(e) }, { kind: "mpi", ranks: 3 });
  assert.ok(maxAbsDiff(ranks.getFlatWeights(), start) > 1e-3, "training moved the weights");
  assert.ok(maxAbsDiff(ranks.getFlatWeights(), threads.getFlatWeights()) <= 1e-6, `max difference ${maxAbsDiff(ranks.getFlatWeights(), threads.getFlatWeights())}`);
  for (let e = 0; e < 2; e++) assert.ok(Math.abs(byRanks.merged.loss[e] - byThreads.merged.loss[e]) < 1e-6, `epoch ${e} loss`);
  assert.deepEqual(byRanks.merged.valAcc, byThreads.merged.valAcc);
  assert.deepEqual(byRanks.workers.map((w) => w.samples), byThreads.workers.map((w) => w.samples));
  assert.equal(byRanks.cluster.ranks, 3);
  assert.deepEqual(byRanks.cluster.placement.map((p) => p.rank), [0, 1, 2]);
  assert.equal(new Set(byRanks.cluster.placement.map((p) => p.pid)).size, 3, "three processes");
  assert.equal(events.filter((e) => e.type === "merged").length, 2);
  assert.equal(events.filter((e) => e.type === "epoch").length, 6);
  assert.ok(events.some((e) => e.type === "batch"));
});

test("synchronous across 2 ranks × 2 threads equals the thread trainer with 4 workers (to float rounding)", { skip }, async () => {
  const config: DistributedConfig = { mode: "synchronous", frequency: "epoch", numWorkers: 4, batchSize: 16 };
  const threads = await DistributedModel.create({ model: spec, config });
  await threads.fit(train, { epochs: 2 });
  const ranks = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: 2 } });
  const result = await fitOnCluster(ranks, train, { epochs: 2 }, { kind: "mpi", ranks: 2, workersPerRank: 2 });
  const d = maxAbsDiff(ranks.getFlatWeights(), threads.getFlatWeights());
  assert.ok(d <= 1e-5, `max difference ${d}`);
  assert.deepEqual(result.cluster.placement.map((p) => p.workers), [2, 2]);
});

// Gradients across ranks: each rank computes its micro-batches, their slots are summed across ranks
// (one non-zero term each) and averaged in slot order, so any R × K trains the 1-thread model bit for bit.
for (const [ranks, workersPerRank, sampling] of [[2, 2, "global"], [3, 1, "shards"]] as const) {
  test(`gradients (sampling '${sampling}') across ${ranks} ranks × ${workersPerRank} threads trains the weights of 1 thread, bit for bit`, { skip }, async () => {
    const config: DistributedConfig = { mode: "gradients", numWorkers: 1, batchSize: 16, microBatches: 4, sampling };
    const one = await DistributedModel.create({ model: spec, config });
    const byOne = await one.fit(train, { epochs: 3, validationSplit: 0.2 });
    const dm = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: workersPerRank } });
    const start = dm.getFlatWeights();
    const byRanks = await fitOnCluster(dm, train, { epochs: 3, validationSplit: 0.2 }, { kind: "mpi", ranks, workersPerRank });
    assert.ok(maxAbsDiff(dm.getFlatWeights(), start) > 1e-3, "training moved the weights");
    assert.deepEqual(dm.getFlatWeights(), one.getFlatWeights());
    for (let e = 0; e < 3; e++) assert.ok(Math.abs(byRanks.merged.loss[e] - byOne.merged.loss[e]) < 1e-6, `epoch ${e} loss ${byRanks.merged.loss[e]} vs ${byOne.merged.loss[e]}`);
    assert.equal(byRanks.workers.reduce((a, w) => a + w.samples, 0), byOne.workers[0].samples, "every training row once an epoch");
    const held = byRanks.reports.map((r) => r.heldRows);
    const rows = byOne.workers[0].samples;
    if (sampling === "shards") {
      // Each rank holds only its slots' shards: together every training row once, none holds them all.
      assert.equal(held.reduce((a, b) => a + b, 0), rows, `rows held by the ranks: ${held}`);
      assert.ok(held.every((h) => h < rows), `no rank holds every row: ${held}`);
    } else {
      assert.deepEqual(held, held.map(() => rows), "sampling 'global': every rank holds every training row");
    }
    assert.match(byRanks.averaging, /micro-batch gradients \(from (its own shards|all rows, which every rank holds)\); they are averaged in slot order by a chain/);
  });
}

test("a share folder: each rank reads its own share from it (no rank receives all data), same weights, folder left empty", { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-share-"));
  try {
    const config: DistributedConfig = { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 16 };
    const viaMpi = await DistributedModel.create({ model: spec, config });
    await fitOnCluster(viaMpi, train, { epochs: 2, validationSplit: 0.2 }, { kind: "mpi", ranks: 2 });
    const viaFolder = await DistributedModel.create({ model: spec, config });
    let seen: string[] = [];
    const result = await fitOnCluster(viaFolder, train, {
      epochs: 2,
      validationSplit: 0.2,
      onProgress: () => {
        if (!seen.length) seen = fs.readdirSync(dir).flatMap((job) => fs.readdirSync(path.join(dir, job)));
      },
    }, { kind: "mpi", ranks: 2, sharedDir: dir });
    assert.deepEqual(seen.sort(), ["rank-0.share", "rank-1.share"], "one share file a rank while training");
    assert.deepEqual(viaFolder.getFlatWeights(), viaMpi.getFlatWeights());
    assert.equal(result.cluster.ranks, 2);
    assert.deepEqual(fs.readdirSync(dir), [], "the job's share folder is removed");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const mode of ["asynchronous", "hogwild"] as const) {
  test(`${mode} across 2 ranks × 1 thread (parameter store on rank 0) learns a separable task`, { skip }, async () => {
    const dm = await DistributedModel.create({ model: spec, config: { mode, frequency: "batch", numWorkers: 1, batchSize: 32 } });
    const result = await fitOnCluster(dm, train, { epochs: 5 }, { kind: "mpi", ranks: 2 });
    const { accuracy } = await dm.evaluate(holdout.x, holdout.y);
    assert.ok(accuracy > 0.95, `held-out accuracy ${accuracy}`);
    assert.ok(result.merged.loss[4] < result.merged.loss[0], "loss went down");
    const remote = result.reports.find((r) => r.rank === 1)!;
    // Every batch (150 rows a rank, batch 32: 5 an epoch, 25 in all), then the last push.
    assert.equal(remote.exchanges, 26, `rank 1 exchanged ${remote.exchanges} times`);
    assert.equal(result.reports.find((r) => r.rank === 0)!.exchanges, remote.exchanges, "rank 0 served every push");
    assert.ok(result.rankStaleness && result.rankStaleness.pushes === 26, `the ranks' pushes: ${JSON.stringify(result.rankStaleness)}`);
    assert.ok(result.rankStaleness.max >= result.rankStaleness.mean && result.rankStaleness.max <= 25, "at most rank 0's thread's 25 pushes landed between two of rank 1's");
    assert.ok(result.staleness && result.staleness.pushes > 0, "the threads' pushes within their ranks");
    assert.match(result.averaging, /across ranks: each rank pushes its weights' change to rank 0's store every 1 batches of its threads/);
  });
}

for (const mode of ["asynchronous", "hogwild"] as const) {
  test(`${mode} pushing gradients across 2 ranks × 2 threads (one Adam state a rank, deltas to rank 0) learns`, { skip }, async () => {
    const dm = await DistributedModel.create({ model: spec, config: { mode, push: "gradients", numWorkers: 2, batchSize: 16 } });
    const result = await fitOnCluster(dm, train, { epochs: 4 }, { kind: "mpi", ranks: 2, workersPerRank: 2 });
    const { accuracy } = await dm.evaluate(holdout.x, holdout.y);
    assert.ok(accuracy > 0.95, `held-out accuracy ${accuracy}`);
    assert.ok(result.merged.loss[3] < result.merged.loss[0], "loss went down");
    assert.match(result.averaging, /one shared Adam state.*across ranks: .*each rank's threads step that rank's own Adam state/);
    // 75 rows a thread, batch 16: 5 batches an epoch, 20 a thread, 40 a rank: rank 1 pushes after every 2 (one a thread).
    const remote = result.reports.find((r) => r.rank === 1)!;
    assert.equal(remote.exchanges, 21, `rank 1 exchanged ${remote.exchanges} times`);
    assert.equal(result.staleness?.pushes, 80, `every thread's gradient pushes: ${JSON.stringify(result.staleness)}`);
    assert.equal(result.rankStaleness?.pushes, 21);
  });
}

test("bad cluster settings: one line, before anything starts", { skip }, async () => {
  const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 32 } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-bad-"));
  try {
    const two = path.join(dir, "two");
    fs.writeFileSync(two, "# two hosts\n127.0.0.1 slots=1\nlocalhost slots=1\n");
    const unknown = path.join(dir, "unknown");
    fs.writeFileSync(unknown, "127.0.0.1\nno-such-host.invalid slots=2\n");
    const badSlots = path.join(dir, "slots");
    fs.writeFileSync(badSlots, "127.0.0.1 slots=zero\n");
    const cases: [object, RegExp][] = [
      [{ kind: "mpi", ranks: 2, hostfile: path.join(dir, "missing") }, /missing: hostfile not found$/],
      [{ kind: "mpi", ranks: 1, hostfile: unknown }, /unknown:2: unknown host no-such-host\.invalid/],
      [{ kind: "mpi", ranks: 1, hostfile: badSlots }, /slots:1: slots must be a positive integer/],
      [{ kind: "mpi", ranks: 0 }, /ranks must be an integer >= 1; got 0/],
      [{ kind: "mpi", ranks: 3, hostfile: two }, /3 ranks need more than the 2 slots of .*two \(127\.0\.0\.1: 1, localhost: 1\)/],
      [{ kind: "mpi", ranks: 2, workersPerRank: 0 }, /workers per rank must be an integer >= 1/],
      [{ kind: "mpi", ranks: 2, sharedDir: path.join(dir, "nowhere") }, /nowhere: shared folder not found or not writable$/],
    ];
    for (const [cluster, pattern] of cases) {
      const started = Date.now();
      await assert.rejects(fitOnCluster(dm, train, { epochs: 1 }, cluster as never), (e: Error) => {
        assert.match(e.message, pattern);
        assert.ok(!e.message.includes("\n"), "one line");
        return true;
      });
      assert.ok(Date.now() - started < 2000, "failed before starting anything");
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A rank's rows larger than one DATA message (CHUNK_FLOATS): rank 0 forwards them from stdin in
// chunks through one reused buffer, rank 1 receives them chunk by chunk; the training is unchanged.
test("shares larger than one MPI message arrive whole: 2 ranks × 1 thread equal 2 threads", { skip }, async () => {
  const bigSpec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 64, features: 16, units: [4], seed: 3 } };
  const data = separableWindows(9000, 64, 16, 3);
  assert.ok((data.count / 2) * 64 * 16 > CHUNK_FLOATS, "each rank's rows span more than one message");
  const config: DistributedConfig = { mode: "synchronous", frequency: "epoch", numWorkers: 2, batchSize: 64 };
  const threads = await DistributedModel.create({ model: bigSpec, config });
  await threads.fit(data, { epochs: 1 });
  const ranks = await DistributedModel.create({ model: bigSpec, config: { ...config, numWorkers: 1 } });
  const result = await fitOnCluster(ranks, data, { epochs: 1 }, { kind: "mpi", ranks: 2 });
  assert.deepEqual(result.reports.map((r) => r.heldRows), [4500, 4500]);
  const d = maxAbsDiff(ranks.getFlatWeights(), threads.getFlatWeights());
  assert.ok(d <= 1e-5, `max difference ${d}`);
});

test("epoch-end weights from an MPI job: each epoch's, in order, the 1-thread ones in mode gradients; --average-epochs on 2 ranks is the threads' mean, bit for bit", { skip }, async () => {
  const config: DistributedConfig = { mode: "gradients", numWorkers: 1, batchSize: 16, microBatches: 4 };
  const one = await DistributedModel.create({ model: spec, config });
  const byThreads: EpochEnd[] = [];
  await one.fit(train, { epochs: 3, onEpochEnd: (e) => void byThreads.push(e) });
  const dm = await DistributedModel.create({ model: spec, config });
  const byRanks: EpochEnd[] = [];
  await fitOnCluster(dm, train, { epochs: 3, onEpochEnd: (e) => void byRanks.push(e) }, { kind: "mpi", ranks: 2 });
  assert.deepEqual(byRanks.map((e) => e.epoch), [0, 1, 2]);
  byRanks.forEach((e, k) => {
    assert.deepEqual(e.weights, byThreads[k].weights, `epoch ${k}'s weights`);
    assert.ok(Math.abs(e.loss - byThreads[k].loss) < 1e-6, `epoch ${k}'s loss`);
  });
  assert.deepEqual(byRanks[2].weights, dm.getFlatWeights(), "the last epoch's weights are the trained ones");
  // The pipeline's fold: each member's weights averaged over its last 2 epochs, on threads and on 2 ranks.
  const ws = makeWindows(generateSynthetic({ seed: 5, falls: 3, adls: 3 }), { T: 12, stride: 4 });
  const wsSpec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: ws.T, features: ws.F, units: [6], seed: 2 } };
  const fold = { spec: wsSpec, config: { ...config, seed: 5 }, epochs: 3, smooth: 1, averageEpochs: 2 };
  const threads = await trainFold(ws, ws, fold);
  const last = await trainFold(ws, ws, { ...fold, averageEpochs: 0 });
  const ranks = await trainFold(ws, ws, { ...fold, cluster: { kind: "mpi", ranks: 2 } });
  assert.deepEqual(ranks.models[0].getFlatWeights(), threads.models[0].getFlatWeights());
  assert.notDeepEqual(ranks.models[0].getFlatWeights(), last.models[0].getFlatWeights(), "averaged, not the last epoch's");
  // Epoch checkpoints on a job: the hook sees every epoch; a fold resumed on 2 ranks from epoch 1's checkpoint ends on
  // the weights a thread resumed from it ends on.
  const seen: EpochEnd[] = [];
  const plain = { spec: wsSpec, config: { ...config, seed: 5 }, epochs: 3, smooth: 1 };
  await trainFold(ws, ws, { ...plain, cluster: { kind: "mpi", ranks: 2 }, onEpochEnd: (e) => void seen.push(e) });
  assert.deepEqual(seen.map((e) => e.epoch), [0, 1, 2]);
  const resume = { initialEpoch: 2, weights: seen[1].weights };
  const resumedThreads = await trainFold(ws, ws, { ...plain, resume });
  const resumedRanks = await trainFold(ws, ws, { ...plain, resume, cluster: { kind: "mpi", ranks: 2 } });
  assert.deepEqual(resumedRanks.models[0].getFlatWeights(), resumedThreads.models[0].getFlatWeights());
  assert.notDeepEqual(resumedRanks.models[0].getFlatWeights(), seen[1].weights, "the resumed epoch trained");
});

test("an epoch-end hook that fails on a job fails the fit with its error, once the job has ended; later epochs' hooks do not run", { skip }, async () => {
  const dm = await DistributedModel.create({ model: spec, config: { mode: "gradients", numWorkers: 1, batchSize: 16, microBatches: 4 } });
  const called: number[] = [];
  await assert.rejects(
    fitOnCluster(dm, train, {
      epochs: 3,
      onEpochEnd: (e) => {
        called.push(e.epoch);
        if (e.epoch === 1) throw new Error("checkpoint: disk full");
      },
    }, { kind: "mpi", ranks: 2 }),
    /checkpoint: disk full/,
  );
  assert.deepEqual(called, [0, 1]);
});
