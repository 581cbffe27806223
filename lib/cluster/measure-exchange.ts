// Rank program of the exchange benchmark (lib/cli/bench-exchange.ts): times the synchronous
// modes' cross-rank step, one weighted allreduce of `floats` weights, on every rank; rank 0 prints
// the median and the spread over the repetitions as one JSON line.
import { loadMpi } from "./mpi";

function main(): void {
  const sizes = process.argv.slice(2).map(Number);
  const mpi = loadMpi();
  mpi.init();
  const rank = mpi.rank();
  const out: { floats: number; medianMs: number; minMs: number; maxMs: number; reps: number }[] = [];
  for (const n of sizes) {
    const values = new Float32Array(n).fill(rank + 1);
    const reps = n > 100_000 ? 15 : 50;
    const times: number[] = [];
    for (let i = 0; i < reps + 3; i++) {
      mpi.barrier();
      const t = mpi.wtime();
      mpi.allreduceWeighted(values, 10 + rank);
      const ms = (mpi.wtime() - t) * 1000;
      // Rank 0's clock after a barrier: the time every rank waits for the averaged weights.
      if (i >= 3) times.push(ms);
    }
    times.sort((a, b) => a - b);
    out.push({ floats: n, medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times[times.length - 1], reps });
  }
  if (rank === 0) process.stdout.write(`@@exchange ${JSON.stringify({ ranks: mpi.size(), host: mpi.processorName(), results: out })}\n`);
  mpi.finalize();
}

main();
