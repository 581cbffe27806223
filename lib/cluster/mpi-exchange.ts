// Loaded by a worker thread of a rank (lib/distributed/cross-rank.ts) in synchronous cluster runs:
// the cross-rank half of the barrier: a weighted allreduce of weights, or a sum of gradient slots. The rank's main thread has already
// initialised MPI and makes no MPI call while the workers train (MPI_THREAD_SERIALIZED).
import type { CrossRankExchange } from "../distributed/cross-rank";
import { loadMpi } from "./mpi";

export const MPI_EXCHANGE_MODULE = __filename;

export function openCrossRankExchange(): CrossRankExchange {
  const mpi = loadMpi();
  if (!mpi.initialized()) throw new Error("cross-rank exchange: MPI is not initialised in this process (start it through lib/cluster/rank-main)");
  return {
    averageAcrossRanks: (values, localSamples) => mpi.allreduceWeighted(values, localSamples),
    sumAcrossRanks: (values) => mpi.allreduceSum(values),
  };
}
