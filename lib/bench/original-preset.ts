// The bench's original-preset case: Embedding(168, 50) + 3 × LSTM(256) (lib/model/original.ts) trained
// by 1 worker at batch 16 and 64 on token rows of the pipeline's shape (T = 16), beside PyTorch on the
// same shapes, with GFLOP/s from the FLOP count below (written into bench.json with its assumption).
import { DistributedModel } from "../distributed/distributed-model";
import { ORIGINAL_DEFAULTS } from "../model/original";
import { gemmStats, kernelWithGemmPath } from "../model/fused-rnn";
import { createRng } from "../random";
import { cpuShare, cpuSnapshot, CpuSnapshot } from "./cpu";
import { runTorchReference } from "./reference";

/** How bench.json counts FLOPs: said once, next to the counts. */
export const FLOP_ASSUMPTION =
  "2 FLOPs per multiply-add; per window and time step the gate products x·W and h·R of every recurrent layer " +
  "(Σ (F + U) · G multiply-adds, G = 4U LSTM, 3U GRU) forward, and twice that backward (input and weight gradients): " +
  "6 · T · Σ (F + U) · G. Elementwise gate math, Embedding, Dense, the loss and Adam are not counted.";

/** Training FLOPs per window of stacked recurrent layers over T steps (see FLOP_ASSUMPTION). */
export function recurrentTrainFlops(kind: "lstm" | "gru", T: number, inputs: number, units: number[]): number {
  let F = inputs;
  let macs = 0;
  for (const U of units) {
    macs += (F + U) * (kind === "lstm" ? 4 : 3) * U;
    F = U;
  }
  return 6 * T * macs;
}

export const ORIGINAL_SHAPE = { kind: "lstm" as const, T: ORIGINAL_DEFAULTS.timesteps, embedding: ORIGINAL_DEFAULTS.embeddingDim, units: ORIGINAL_DEFAULTS.units, layers: ORIGINAL_DEFAULTS.layers };

export function originalFlopsPerRow(): number {
  const s = ORIGINAL_SHAPE;
  return recurrentTrainFlops(s.kind, s.T, s.embedding, Array.from({ length: s.layers }, () => s.units));
}

export interface OriginalCase {
  batchSize: number;
  rows: number;
  epochs: number;
  /** 1 worker, synchronous × epoch: steady rows/s (first epoch excluded), and its GFLOP/s. */
  rowsPerSec: number | null;
  gflopsPerSec: number | null;
  kernel: string;
  /** Cores this process kept busy in the steady epochs, and other processes meanwhile. */
  ownCores: number | null;
  otherCores: number | null;
  torch1ThreadPerSec: number | null;
  /** Cores the PyTorch process used in its steady epochs (CPU ÷ wall seconds) and how many OS threads were ≥ 1% busy. */
  torchCores: number | null;
  torchBusyThreads: number | null;
  torchGflopsPerSec: number | null;
  torchPredictPerSec: number | null;
  /** rowsPerSec ÷ torch1ThreadPerSec. */
  ratio: number | null;
  /** Rows per CPU-second of each side (this process in the steady epochs; the Python process): on a shared machine the fairer ratio. */
  rowsPerCpuSec: number | null;
  torchRowsPerCpuSec: number | null;
  ratioPerCpuSec: number | null;
}

export interface OriginalResult {
  model: string;
  timesteps: number;
  params: number | null;
  flopsPerRow: number;
  flopAssumption: string;
  torch: string | null;
  torchSkipped: string | null;
  cases: OriginalCase[];
}

/** Token rows [rows, T] (ids below the vocabulary) with 30% positives. */
function tokenRows(rows: number, T: number, seed = 5) {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: rows * T }, () => Math.floor(rng() * ORIGINAL_DEFAULTS.vocabSize));
  const y = Float32Array.from({ length: rows }, () => (rng() < 0.3 ? 1 : 0));
  return { x, y, count: rows, T, F: 1 };
}

/** One worker trains the preset at each batch size; PyTorch runs the same shapes after each (unless torch is false). */
export async function measureOriginalPreset(o: { batchSizes: number[]; rows: number; epochs: number; torch: boolean; python: string; log?: (line: string) => void }): Promise<OriginalResult> {
  const log = o.log ?? (() => {});
  const s = ORIGINAL_SHAPE;
  const flopsPerRow = originalFlopsPerRow();
  const data = tokenRows(o.rows, s.T);
  const cases: OriginalCase[] = [];
  let torchVersion: string | null = null;
  let torchSkipped: string | null = o.torch ? null : "skipped by --no-torch";
  let params: number | null = null;
  for (const batchSize of o.batchSizes) {
    const dm = await DistributedModel.create({ model: { type: "original", options: { kind: s.kind, timesteps: s.T, seed: 1 } }, config: { numWorkers: 1, batchSize, mode: "synchronous", frequency: "epoch" } });
    let afterFirst: CpuSnapshot | null = null;
    const before = gemmStats();
    const fit = await dm.fit(data, { epochs: o.epochs, onProgress: (e) => { if (e.type === "merged" && e.epoch === 0) afterFirst = cpuSnapshot(); } });
    const share = afterFirst ? cpuShare(afterFirst) : null;
    const rowsPerSec = Number.isFinite(fit.steadyWindowsPerSec) ? fit.steadyWindowsPerSec : null;
    const c: OriginalCase = {
      batchSize, rows: o.rows, epochs: o.epochs, rowsPerSec, gflopsPerSec: rowsPerSec === null ? null : (rowsPerSec * flopsPerRow) / 1e9,
      kernel: kernelWithGemmPath(fit.trainingKernel, before), ownCores: share?.ownCores ?? null, otherCores: share?.otherCores ?? null,
      torch1ThreadPerSec: null, torchCores: null, torchBusyThreads: null, torchGflopsPerSec: null, torchPredictPerSec: null, ratio: null,
      rowsPerCpuSec: rowsPerSec !== null && share && share.ownCores > 0 ? rowsPerSec / share.ownCores : null, torchRowsPerCpuSec: null, ratioPerCpuSec: null,
    };
    if (torchSkipped === null) {
      const t = await runTorchReference({ kinds: [s.kind], threads: [1], windows: o.rows, epochs: o.epochs, predictWindows: 512, model: "original", batchSize, timesteps: s.T }, o.python);
      if ("error" in t) torchSkipped = t.error;
      else {
        torchVersion = t.torch;
        const run = t.results[0];
        params = run.params;
        c.torch1ThreadPerSec = run.steadySamplesPerSec;
        c.torchCores = run.steadyCores ?? null;
        c.torchBusyThreads = run.steadyBusyThreads?.length ?? null;
        c.torchGflopsPerSec = run.steadySamplesPerSec === null ? null : (run.steadySamplesPerSec * flopsPerRow) / 1e9;
        c.torchPredictPerSec = run.predictPerSec;
        c.ratio = rowsPerSec !== null && run.steadySamplesPerSec ? rowsPerSec / run.steadySamplesPerSec : null;
        c.torchRowsPerCpuSec = run.steadyCpuSamplesPerSec ?? null;
        c.ratioPerCpuSec = c.rowsPerCpuSec !== null && c.torchRowsPerCpuSec ? c.rowsPerCpuSec / c.torchRowsPerCpuSec : null;
      }
    }
    log(`original preset, 1 worker, batch ${batchSize}: ${rowsPerSec?.toFixed(1) ?? "–"} rows/s (${c.gflopsPerSec?.toFixed(1) ?? "–"} GFLOP/s, ${c.kernel})` +
      (c.torch1ThreadPerSec !== null ? `; PyTorch 1 thread ${c.torch1ThreadPerSec.toFixed(1)} rows/s (${c.ratio!.toFixed(2)}×, ${c.torchCores?.toFixed(2) ?? "–"} cores, ${c.torchBusyThreads ?? "–"} busy threads)` : `; PyTorch: ${torchSkipped ?? "–"}`) +
      `; per CPU-second ${c.rowsPerCpuSec?.toFixed(0) ?? "–"} vs PyTorch ${c.torchRowsPerCpuSec?.toFixed(0) ?? "–"} (${c.ratioPerCpuSec?.toFixed(2) ?? "–"}×)`);
    cases.push(c);
  }
  return { model: `Embedding(${ORIGINAL_DEFAULTS.vocabSize}, ${s.embedding}) + ${s.layers} × ${s.kind.toUpperCase()}(${s.units}) + Dense(1), T = ${s.T}`, timesteps: s.T, params, flopsPerRow, flopAssumption: FLOP_ASSUMPTION, torch: torchVersion, torchSkipped, cases };
}

// The bench's original-preset part alone (what `npm run bench` runs after its training rounds):
// node dist/lib/bench/original-preset.js [rows=1024] [epochs=3] [--no-torch] [--out FILE]  (FALL_GEMM=tiled for the tiled loops)
if (require.main === module) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf("--out");
  const out = outAt >= 0 ? args[outAt + 1] : null;
  const [rows = 1024, epochs = 3] = args.filter((a, i) => !a.startsWith("--") && i !== outAt + 1).map(Number);
  import("../backend").then(async ({ initBackend }) => {
    await initBackend();
    const r = await measureOriginalPreset({ batchSizes: [16, 64], rows, epochs, torch: !args.includes("--no-torch"), python: "/usr/bin/python3", log: console.log });
    for (const c of r.cases) {
      console.log(`batch ${c.batchSize}: ${c.ownCores?.toFixed(2)} cores used (${c.otherCores?.toFixed(2)} by other processes): ${c.rowsPerSec && c.ownCores ? (c.rowsPerSec / c.ownCores).toFixed(0) : "–"} rows per CPU-second; PyTorch ${c.torchCores?.toFixed(2) ?? "–"} cores (${c.torchBusyThreads ?? "–"} busy OS threads)`);
    }
    if (out) {
      const fs = await import("node:fs");
      fs.writeFileSync(out, JSON.stringify({ createdAt: new Date().toISOString(), command: `node dist/lib/bench/original-preset.js ${args.join(" ")}`, ...r }, null, 2) + "\n");
      console.log(`wrote ${out}`);
    }
  });
}
