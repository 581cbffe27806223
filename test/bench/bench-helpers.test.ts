import { test } from "node:test";
import assert from "node:assert/strict";
import { median, percentile, round, roundDeep } from "../../lib/bench/stats";
import { cpuShare, readMachineTicks } from "../../lib/bench/cpu";
import { pooledSpeedup, RunSample, speedups, summarizeCases } from "../../lib/bench/training";
import { defaultWorkerCounts } from "../../lib/bench/run";
import { parseBenchArgs as parseBenchArgsForTest } from "../../lib/cli/bench";

test("percentile is nearest-rank, ignores NaN, any input order", () => {
  const v = [5, 1, 4, 2, 3, NaN];
  assert.equal(percentile(v, 0.5), 3);
  assert.equal(percentile(v, 0), 1);
  assert.equal(percentile(v, 1), 5);
  assert.equal(percentile(v, 0.99), 5);
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
  assert.equal(percentile(hundred, 0.99), 99);
  assert.equal(percentile(hundred, 0.5), 50);
  assert.ok(Number.isNaN(percentile([], 0.5)));
  assert.throws(() => percentile([1], 1.5), RangeError);
});

test("median of odd and even counts, NaN for none", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([NaN, 7]), 7);
  assert.ok(Number.isNaN(median([])));
});

test("round and roundDeep keep JSON free of NaN noise", () => {
  assert.equal(round(1.23456, 2), 1.23);
  assert.equal(round(NaN), null);
  assert.deepEqual(roundDeep({ a: 1.23456, b: [2.71828], c: "x", d: null }, 2), { a: 1.23, b: [2.72], c: "x", d: null });
});

test("readMachineTicks parses /proc/stat and cpuShare turns ticks into cores", () => {
  const a = readMachineTicks("cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2 3 4\n");
  const b = readMachineTicks("cpu  250 0 100 880 10 0 0 60 0 0\n");
  assert.deepEqual(a, { busy: 150, steal: 40, total: 1000 });
  const s = cpuShare(
    { t: 0, own: { user: 0, system: 0 }, machine: a },
    { t: 1000, own: { user: 900_000, system: 100_000 }, machine: b },
    2,
  );
  assert.equal(s.wallSec, 1);
  assert.equal(s.ownCores, 1);
  assert.ok(Math.abs(s.machineCores! - 4 / 3) < 1e-9); // 200 busy of 300 ticks × 2 cpus
  assert.ok(Math.abs(s.otherCores! - 1 / 3) < 1e-9);
  assert.ok(Math.abs(s.stealCores! - 2 / 15) < 1e-9); // 20 of 300 × 2
  assert.equal(readMachineTicks("nothing here"), null);
  assert.equal(s.mainCores, null); // snapshots without the main thread's CPU
  const m = cpuShare({ t: 0, own: { user: 0, system: 0 }, machine: null, mainNs: 1e6 }, { t: 2000, own: { user: 2_020_000, system: 0 }, machine: null, mainNs: 41e6 }, 2);
  assert.ok(Math.abs(m.mainCores! - 0.02) < 1e-12); // 40 ms of 2 s
  assert.ok(Math.abs(m.ownCores - 1.01) < 1e-12);
});

function sample(round: number, model: "gru" | "lstm", setup: string, workers: number, rate: number): RunSample {
  return {
    round, model, setup, mode: setup, frequency: "epoch", workers, backend: "wasm", kernel: "fused-native",
    windowsPerSec: rate, steadyWindowsPerSec: rate, wallWindowsPerSec: rate, startupSec: 0.7, trainSec: 1, epochSec: 1000 / rate,
    overheadPct: 1, steadyOverheadPct: 0.8, storePct: 0.1, waitPct: 0.9, computePct: 98, computeMsPerBatch: 80, loadavg1: 1,
    steadyOwnCores: workers, steadyMainCores: 0.004, steadyOtherCores: 0, steadyStealCores: 0, steadyWindowsPerCpuSec: rate / workers,
    timing: { startupSec: 0, trainSec: 0, computeSec: 0, paramStoreSec: 0, averagingSec: 0, barrierWaitSec: 0, lockWaitSec: 0, validationSec: 0, overheadFraction: 0, steadyOverheadFraction: 0 },
  };
}

test("speedups pair runs of the same round, then take the median over rounds", () => {
  const s = [
    sample(0, "gru", "synchronous", 1, 100), sample(0, "gru", "synchronous", 2, 190),
    sample(1, "gru", "synchronous", 2, 100), sample(1, "gru", "synchronous", 1, 50), // a slow round: ratio still 2
    sample(2, "gru", "synchronous", 1, 100), sample(2, "gru", "synchronous", 2, 150),
    sample(0, "lstm", "synchronous", 1, 80), sample(0, "lstm", "synchronous", 2, 160),
  ];
  const sp = speedups(s, 2);
  const gru = sp.find((x) => x.model === "gru")!;
  assert.deepEqual(gru.perRound, [1.9, 2, 1.5]);
  assert.equal(gru.median, 1.9);
  assert.equal(pooledSpeedup(sp, "synchronous"), 1.95); // median of 1.9, 2, 1.5, 2
  const cases = summarizeCases(s);
  const g1 = cases.find((c) => c.model === "gru" && c.workers === 1)!;
  assert.equal(g1.runs, 3);
  assert.equal(g1.samplesPerSec, 100);
  assert.equal(g1.samplesPerSecMin, 50);
  // A worker's cores: the process's less its main thread, per worker.
  const g2 = cases.find((c) => c.model === "gru" && c.workers === 2)!;
  assert.equal(g1.mainCores, 0.004);
  assert.ok(Math.abs(g1.workerCores - 0.996) < 1e-12);
  assert.ok(Math.abs(g2.workerCores - 0.998) < 1e-12);
});

test("bench command line: defaults, quick, validation", () => {
  assert.deepEqual(defaultWorkerCounts(2), [1, 2]);
  assert.deepEqual(defaultWorkerCounts(8), [1, 2, 4, 8]);
  assert.deepEqual(defaultWorkerCounts(6), [1, 2, 4, 6]);
  const q = parseBenchArgsForTest(["--quick", "--out", "/tmp/x.json", "--models", "gru"]);
  if (q === "help") throw new Error("expected options");
  assert.equal(q.quick, true);
  assert.equal(q.out, "/tmp/x.json");
  assert.deepEqual(q.models, ["gru"]);
  assert.throws(() => parseBenchArgsForTest(["--workers", "2,4"]), /must include 1/);
  assert.throws(() => parseBenchArgsForTest(["--epochs", "1"]), /at least 2/);
  const cold = parseBenchArgsForTest(["--warm-up", "0"]);
  if (cold === "help") throw new Error("expected options");
  assert.equal(cold.warmUpEpochs, 0);
  assert.equal(q.warmUpEpochs, 0, "--quick times fresh threads");
  const full = parseBenchArgsForTest([]);
  if (full === "help") throw new Error("expected options");
  assert.equal(full.warmUpEpochs, 10);
  assert.equal(full.clusterEpochs, 3, "the cluster part keeps its own epochs");
  const long = parseBenchArgsForTest(["--epochs", "12", "--cluster-epochs", "5"]);
  if (long === "help") throw new Error("expected options");
  assert.deepEqual([long.epochs, long.clusterEpochs], [12, 5]);
  assert.throws(() => parseBenchArgsForTest(["--cluster-epochs", "2"]), /at least 3/);
  assert.throws(() => parseBenchArgsForTest(["--warm-up", "-1"]), /--warm-up expects an integer/);
  assert.throws(() => parseBenchArgsForTest(["--frobnicate"]), /unknown option/);
  assert.equal(parseBenchArgsForTest(["--help"]), "help");
});

test("benchMarkdown renders every section, and skipped parts say why", async () => {
  const { benchMarkdown } = await import("../../lib/bench/markdown");
  const c = (workers: number, rate: number) => ({
    model: "gru" as const, mode: "synchronous", frequency: "epoch", setup: "synchronous", workers, backend: "wasm", kernel: "fused-native", runs: 3,
    samplesPerSec: rate, samplesPerSecRange: [rate, rate] as [number, number], allEpochsPerSec: rate, wallPerSec: rate, epochSec: 1,
    startupSec: 0.7, overheadPct: 1.5, steadyOverheadPct: 1.2, storePct: 0.1, waitPct: 1.4, computeMsPerBatch: 80, ownCores: workers, otherCores: 0, windowsPerCpuSec: rate / workers,
  });
  const bench: import("../../lib/bench/run").BenchResult = {
    version: 1, createdAt: "2026-11-24T00:00:00Z", quick: false,
    machine: { cpus: 2, cpuModel: "x", node: "v20", backend: "wasm", loadavg: [0.1, 0.2, 0.3], loadavgEnd: [1, 1, 1], platform: "linux", totalMemGB: 4 },
    settings: { windows: 1536, epochs: 3, rounds: 3, roundsRun: 2, budgetSec: 540, batchSize: 64, windowShape: [32, 16], models: ["gru"], workerCounts: [1, 2], setups: ["synchronous"], steadyState: "" },
    cases: [{ ...c(1, 1000), mainCores: 0.0035, workerCores: 0.9991 }, c(2, 1900)],
    speedup: { synchronous: 1.9 }, speedupByModel: { gru: { synchronous: 1.9 } }, speedupAllEpochs: { synchronous: 1.8 }, speedupWall: { synchronous: 1.5 },
    perCpuEfficiency: { synchronous: 0.95 }, speedupByWorkers: { "2": 1.9 }, ceiling: { speedup: 1.95, perRound: [] },
    backends: [{ backend: "tensorflow", model: "gru", samplesPerSec: null, windows: 1, epochs: 2, epochSec: null, skipped: "not installed", kernel: null }],
    reference: null, referenceSkipped: "cannot import torch", inference: null, samples: [], durationSec: 1,
  };
  const md = benchMarkdown(bench);
  assert.match(md, /\| GRU\(32\) \| synchronous \| 1000 \| 1900 \| 1\.90× \|/);
  assert.match(md, /\| 1\.00 \/ 2\.00 \(0\.00 \/ 0\.00\) \| 0\.999 \(0\.004\) \|/, "one worker's own threads beside the main thread's share");
  assert.match(md, /2 interleaved round\(s\) \(of 3 asked/);
  assert.match(md, /skipped: not installed/);
  assert.match(md, /÷ 1 such process = 1\.95×/);
  assert.match(md, /PyTorch reference: skipped \(cannot import torch\)/);
  assert.match(md, /Cluster \(Open MPI\): skipped \(not run\)/);
  assert.match(benchMarkdown({ ...bench, clusterFailed: "mpirun exited with signal SIGSEGV" }), /Cluster \(Open MPI\): \*\*failed\*\* \(mpirun exited with signal SIGSEGV\)/);
});
