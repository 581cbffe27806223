// Rank program of the exchange benchmark (lib/bench/cluster-bench.ts): times the cross-rank step of
// each mode on every rank — synchronous: one weighted allreduce of `floats` weights; gradients: the
// in-order chain of the slots (float64 running sums; every rank knows the row counts from the shard
// sizes) and a broadcast — and rank 0 prints the median and the spread as one JSON line.
import { batchSlice } from "../distributed/partition";
import { loadMpi, MpiBinding } from "./mpi";
import { openCrossRankExchange } from "./mpi-exchange";

/** The pipeline's default micro-batches a global batch (mode gradients). */
const MICRO_BATCHES = 8;

/** One timing, as rank 0 prints it (the cluster bench reads these lines). */
export interface ExchangeTiming {
  kind: "weights" | "gradients";
  floats: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  reps: number;
}

function time(mpi: MpiBinding, kind: ExchangeTiming["kind"], floats: number, step: () => void): ExchangeTiming {
  const reps = floats > 100_000 ? 15 : 50;
  const times: number[] = [];
  for (let i = 0; i < reps + 3; i++) {
    mpi.barrier();
    const t = mpi.wtime();
    step();
    // Rank 0's clock after a barrier: the time every rank waits for the exchanged values.
    if (i >= 3) times.push((mpi.wtime() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return { kind, floats, medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times[times.length - 1], reps };
}

function main(): void {
  const sizes = process.argv.slice(2).map(Number);
  const mpi = loadMpi();
  mpi.init();
  const rank = mpi.rank();
  const out: ExchangeTiming[] = [];
  for (const n of sizes) {
    const values = new Float32Array(n).fill(rank + 1);
    out.push(time(mpi, "weights", n, () => mpi.allreduceWeighted(values, 10 + rank)));
    // This rank's run of the micro-batches, as R ranks of one thread each own them.
    const own = batchSlice(MICRO_BATCHES, mpi.size(), rank);
    const slots = Array.from({ length: MICRO_BATCHES }, (_, i) => new Float32Array(n).fill(i + 1));
    const exchange = openCrossRankExchange();
    const averaged = new Float32Array(n);
    const rows = Array.from({ length: MICRO_BATCHES }, () => 8);
    out.push(time(mpi, "gradients", n, () => exchange.averageInSlotOrder((i) => slots[i], rows, own, averaged)));
  }
  if (rank === 0) process.stdout.write(`@@exchange ${JSON.stringify({ ranks: mpi.size(), host: mpi.processorName(), microBatches: MICRO_BATCHES, results: out })}\n`);
  mpi.finalize();
}

main();
