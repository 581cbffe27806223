export * from "./distributed-model";
export * from "./config";
export * from "./param-store";
export * from "./partition";
export * from "./metrics";
export type * from "./protocol";
export { assertPlainMessage } from "./protocol";
export { activeWorkerCount, WorkerFailedError, WORKER_ENTRY } from "./worker-group";
export type { GroupControl, GroupOptions } from "./worker-group";
export { endIdleWorkers, idleWorkerCount, IDLE_MS, WORKER_POOL_ENV } from "./worker-pool";
/** Pure weight arithmetic (add, subtract, scale, weightedAverage, flatten, ...), namespaced: the names are generic. */
export * as weightMath from "./weights";
export { measureThroughput, urfdShapedWindows } from "./measure-throughput";
export type { ThroughputRow, ThroughputOptions } from "./measure-throughput";
