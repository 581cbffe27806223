export { fitOnCluster, ClusterRunError, RANK_ENTRY } from "./cluster-fit";
export type { ClusterFitOptions, ClusterFitResult, ClusterLayout } from "./cluster-fit";
export { resolveCluster, parseHostfile, mpirunArgs, localMpirunArgs } from "./launcher";
export type { ClusterOptions, ResolvedCluster, HostEntry } from "./launcher";
export { loadMpi, mpiUnavailableReason, MpiUnavailableError, findMpirun } from "./mpi";
