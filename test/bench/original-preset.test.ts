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
      cases: [{ batchSize: 64, rows: 1024, epochs: 3, rowsPerSec: 300, gflopsPerSec: 39.2, kernel: "fused-native+openblas", ownCores: 1, otherCores: 0.1, torch1ThreadPerSec: 400, torchGflopsPerSec: 52.3, torchPredictPerSec: 900, ratio: 0.75, rowsPerCpuSec: 310, torchRowsPerCpuSec: 410, ratioPerCpuSec: 0.76 }],
    },
  } as BenchResult);
  assert.match(md, /\| 64 \| 300 \(fused-native\+openblas\) \| 39\.2 \| 1\.00 \(0\.10\) \| 400 \| 52\.3 \| 0\.75 \| 0\.76 \(310 vs 410\) \|/);
  assert.match(md, /130\.7 MFLOP a row/);
});
