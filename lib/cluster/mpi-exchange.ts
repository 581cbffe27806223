// Loaded by a worker thread of a rank (lib/distributed/cross-rank.ts) in synchronous and gradients
// cluster runs: the cross-rank half of the barrier (a weighted allreduce of weights; an in-order
// chain of the gradient slots). The rank's main thread has already
// initialised MPI and makes no MPI call while the workers train (MPI_THREAD_SERIALIZED).
import type { CrossRankExchange } from "../distributed/cross-rank";
import { loadMpi, MpiBinding } from "./mpi";
import { TAG } from "./protocol";

export const MPI_EXCHANGE_MODULE = __filename;

export function openCrossRankExchange(): CrossRankExchange {
  const mpi = loadMpi();
  if (!mpi.initialized()) throw new Error("cross-rank exchange: MPI is not initialised in this process (start it through lib/cluster/rank-main)");
  let running = new Float64Array(0);
  return {
    averageAcrossRanks: (values, localSamples) => mpi.allreduceWeighted(values, localSamples),
    averageInSlotOrder: (slot, counts, own, out) => {
      if (running.length !== out.length) running = new Float64Array(out.length);
      chainAverage(mpi, slot, counts, own, out, running);
    },
  };
}

/**
 * Rank r takes the running float64 sum from rank r - 1, adds its own slots' fraction × gradient in
 * slot order (weightedAverage's arithmetic, term for term), and passes it to r + 1; the last rank
 * rounds it to float32 and broadcasts it.
 */
function chainAverage(mpi: MpiBinding, slot: (i: number) => Float32Array, counts: readonly number[], own: { lo: number; hi: number }, out: Float32Array, running: Float64Array): void {
  const rank = mpi.rank();
  const last = mpi.size() - 1;
  const used = counts.flatMap((c, i) => (c > 0 ? [i] : []));
  const total = used.reduce((a, i) => a + counts[i], 0);
  if (rank > 0) mpi.recv(running, rank - 1, TAG.CHAIN);
  else running.fill(0);
  for (const i of used) {
    if (i < own.lo || i >= own.hi) continue;
    const f = counts[i] / total;
    const v = slot(i);
    for (let j = 0; j < v.length; j++) running[j] += f * v[j];
  }
  if (rank < last) mpi.send(running, rank + 1, TAG.CHAIN);
  else out.set(running);
  mpi.bcast(out, last);
}
