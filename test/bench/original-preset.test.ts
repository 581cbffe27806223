import { test } from "node:test";
import assert from "node:assert/strict";
import { originalFlopsPerRow, recurrentTrainFlops } from "../../lib/bench/original-preset";
import { benchMarkdown } from "../../lib/bench/markdown";
import type { BenchResult } from "../../lib/bench/run";

test("FLOP counts: 6 · T · Σ (F + U) · G per window", () => {
  // GRU(32) on [32, 16]: 6 · 32 · (16 + 32) · 96.
  assert.equal(recurrentTrainFlops("gru", 32, 16, [32]), 6 * 32 * 48 * 96);
  // The original preset: Embedding 50 → LSTM(256) × 3 over 16 tokens.
  assert.equal(originalFlopsPerRow(), 6 * 16 * ((50 + 256) * 1024 + 2 * 512 * 1024));
});

test("benchMarkdown shows the original preset's cases beside PyTorch, with GFLOP/s", () => {
  const md = benchMarkdown({
    version: 1, createdAt: "2026-12-02T00:00:00Z", quick: false,
    machine: { cpus: 2, cpuModel: "x", node: "v20", backend: "wasm", loadavg: [0, 0, 0], loadavgEnd: [0, 0, 0], platform: "linux", totalMemGB: 4 },
    settings: { windows: 1, epochs: 3, rounds: 1, roundsRun: 1, budgetSec: 1, batchSize: 64, windowShape: [32, 16], models: [], workerCounts: [1, 2], setups: [], steadyState: "" },
    cases: [], speedup: {}, speedupByModel: {}, speedupAllEpochs: {}, speedupWall: {}, perCpuEfficiency: {}, speedupByWorkers: {}, ceiling: null, backends: [],
    reference: null, referenceSkipped: "no torch", inference: null, samples: [], durationSec: 1,
    original: {
      model: "Embedding(168, 50) + 3 × LSTM(256) + Dense(1), T = 16", timesteps: 16, params: 1376721, flopsPerRow: 130744320, flopAssumption: "a", torch: "1.13", torchSkipped: null,
      cases: [{ batchSize: 64, rows: 1024, epochs: 3, rowsPerSec: 300, gflopsPerSec: 39.2, kernel: "fused-native+openblas", ownCores: 1, otherCores: 0.1, torch1ThreadPerSec: 400, torchCores: 0.98, torchBusyThreads: 1, torchGflopsPerSec: 52.3, torchPredictPerSec: 900, ratio: 0.75, rowsPerCpuSec: 310, torchRowsPerCpuSec: 410, ratioPerCpuSec: 0.76 }],
    },
  } as BenchResult);
  assert.match(md, /\| 64 \| 300 \(fused-native\+openblas\) \| 39\.2 \| 1\.00 \(0\.10\) \| 400 \| 52\.3 \| 0\.98 \(1\) \| 0\.75 \| 0\.76 \(310 vs 410\) \|/);
  assert.match(md, /130\.7 MFLOP a row/);
});

test("sig3 keeps 3 significant digits in plain notation", async () => {
  const { sig3 } = await import("../../lib/bench/markdown");
  assert.deepEqual([0.0073, 0.00734567, 0.0344, 0.8409, 16.2104, 137.4, 2143.1, 0].map(sig3), ["0.00730", "0.00735", "0.0344", "0.841", "16.2", "137", "2143", "0"]);
  assert.equal(sig3(null), "–");
  assert.equal(sig3(NaN), "–");
});

test("benchMarkdown: streaming rows of the native stream, the tfjs-layers stateful copy and the shipped detector, 3 significant digits; PyTorch's cores", () => {
  const md = benchMarkdown({
    version: 1, createdAt: "2026-12-03T00:00:00Z", quick: false,
    machine: { cpus: 2, cpuModel: "x", node: "v20", backend: "wasm", loadavg: [0, 0, 0], loadavgEnd: [0, 0, 0], platform: "linux", totalMemGB: 4 },
    settings: { windows: 1, epochs: 3, rounds: 1, roundsRun: 1, budgetSec: 1, batchSize: 64, windowShape: [32, 16], models: [], workerCounts: [1, 2], setups: [], steadyState: "" },
    cases: [], speedup: {}, speedupByModel: {}, speedupAllEpochs: {}, speedupWall: {}, perCpuEfficiency: {}, speedupByWorkers: {}, ceiling: null, backends: [],
    reference: {
      torch: "1.13", torchSamplesPerSec: 4000, ratio: 2.5, blas: "openblas-pthread", blasLibraries: [], blasAlternative: null, blasInfoBuild: null, twoThreads: null, runs: [],
      threadEnv: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1", numThreads: "1", numInteropThreads: "1" },
      byModel: { gru: { torch1ThreadPerSec: 4000, torch1ThreadCores: 1.004, torch1ThreadBusyThreads: 1, torch2ThreadsPerSec: null, torch2ThreadsPassivePerSec: null, tfjs1WorkerPerSec: 10000, tfjsMainThreadPerSec: null, fusedMainThreadPerSec: null, kernel1Worker: "k", ratio: 2.5, torchPredictPerSec: null, params: 1 } },
    },
    referenceSkipped: null, samples: [], durationSec: 1,
    inference: {
      model: "gru", backend: "wasm", windows: 4096, predictBatchSize: 256, batchPerSec: 2143.1, distributedPerSec: 5121.9, workers: 2, latencyRuns: 500, p50Ms: 13.97, p99Ms: 40.9, meanMs: 15.8,
      fused: null, fusedSkipped: "x",
      streaming: {
        statefulP50Ms: 0.0073, statefulP99Ms: 0.0344, statefulKernel: "fused-native-stream", statefulKernelNote: null, tfjsStatefulP50Ms: 0.8409, tfjsStatefulP99Ms: 4.5888,
        shipped: { members: 3, membersNote: "", T: 32, F: 16, stride: 4, smooth: 3, kernel: "fused-native", kernelNote: null, perFrameP50Ms: 0.0021, perFrameP99Ms: 0.7402, perFrameMeanMs: 0.1426, scoredWindows: 125, scoredWindowP50Ms: 0.3871, scoredWindowP99Ms: 5.6267 },
        shippedSkipped: null, windowedP50Ms: 16.2104, windowedP99Ms: 36.8841, frames: 500,
      },
      streamingSkipped: null,
    },
  } as BenchResult);
  assert.match(md, /\| Streaming, StreamingDetector \(fused-native-stream\), per frame p50 \/ p99 \| 0\.00730 \/ 0\.0344 ms \|/);
  assert.match(md, /\| Streaming, the same detector on its tfjs-layers stateful copy, per frame p50 \/ p99 \| 0\.841 \/ 4\.59 ms \|/);
  assert.match(md, /\| Streaming, shipped FallDetector \(3 members, T 32, stride 4, smooth 3, fused-native\), per frame p50 \/ p99 \| 0\.00210 \/ 0\.740 ms \(mean 0\.143\) \|/);
  assert.match(md, /\| Streaming, shipped FallDetector, the 125 frames that scored a window, p50 \/ p99 \| 0\.387 \/ 5\.63 ms \|/);
  assert.match(md, /\| Streaming, last-T window re-scored \(WindowedStream\), per frame p50 \/ p99 \| 16\.2 \/ 36\.9 ms \|/);
  assert.match(md, /\| GRU\(32\) \| – \| – \| 10000 \(k\) \| 4000 \| 1\.00 \(1\) \| – \/ – \| 2\.500 \|/);
  assert.match(md, /OPENBLAS_NUM_THREADS=1/);
});

test("benchMarkdown: a bench.json from before the cores fields shows PyTorch's cores from its rates per wall and per CPU second", () => {
  const md = benchMarkdown({
    version: 1, createdAt: "2026-12-02T00:00:00Z", quick: false,
    machine: { cpus: 2, cpuModel: "x", node: "v20", backend: "wasm", loadavg: [0, 0, 0], loadavgEnd: [0, 0, 0], platform: "linux", totalMemGB: 4 },
    settings: { windows: 1, epochs: 3, rounds: 1, roundsRun: 1, budgetSec: 1, batchSize: 64, windowShape: [32, 16], models: [], workerCounts: [1, 2], setups: [], steadyState: "" },
    cases: [], speedup: {}, speedupByModel: {}, speedupAllEpochs: {}, speedupWall: {}, perCpuEfficiency: {}, speedupByWorkers: {}, ceiling: null, backends: [],
    reference: {
      torch: "1.13", torchSamplesPerSec: 4000, ratio: 2.5, blas: "openblas-pthread", blasLibraries: [], blasAlternative: null, blasInfoBuild: null, twoThreads: null,
      runs: [{ kind: "gru", threads: 1, ompWaitPolicy: "default", windows: 1, epochs: 3, samplesPerSec: 1, steadySamplesPerSec: 4000, steadyCpuSamplesPerSec: 2000, epochSec: [], predictPerSec: 1, params: 1 }],
      byModel: { gru: { torch1ThreadPerSec: 4000, torch2ThreadsPerSec: null, torch2ThreadsPassivePerSec: null, tfjs1WorkerPerSec: 10000, tfjsMainThreadPerSec: null, fusedMainThreadPerSec: null, kernel1Worker: "k", ratio: 2.5, torchPredictPerSec: null, params: 1 } },
    },
    referenceSkipped: null, samples: [], durationSec: 1, inference: null,
  } as BenchResult);
  assert.match(md, /\| GRU\(32\) \| – \| – \| 10000 \(k\) \| 4000 \| 2\.00 \(–\) \|/);
});
