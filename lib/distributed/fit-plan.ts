// The first step of DistributedModel.fit: check the labels, then deal the work — each worker's rows
// (a stratified partition, or in mode 'gradients' all rows in one shared copy), its validation
// slice, and the parameter store they meet at.
import type { ModelSpec } from "../model/spec";
import type { ResolvedConfig, ResolvedFitOptions } from "./config";
import type { FitData } from "./fit-result";
import { ParamStore } from "./param-store";
import { adamStateSize } from "./weights";
import { SharedAdam } from "./shared-adam";
import { batchSlice, contiguousRanges, gatherRows, rowsPerEpoch, stratifiedPartition, toShared } from "./partition";
import { batchesPerEpoch, dealSlotShards, heldIndices, heldLayout, heldRows } from "./slot-shards";
import type { FitTask } from "./protocol";
import type { GroupTask } from "./worker-group";

export function checkLabels(data: FitData): void {
  if (!(data.y instanceof Float32Array) || data.y.length !== data.count) {
    throw new TypeError(`data.y must be a Float32Array of count (${data.count}) labels`);
  }
  for (const v of data.y) if (v !== 0 && v !== 1) throw new TypeError(`data.y must hold only 0 and 1; found ${v}`);
}

export interface FitPlan {
  tasks: GroupTask[];
  store: ParamStore;
  /** config.averageMoments: the workers' Adam states (sent, then held after each exchange) and their average. */
  moments: ParamStore | null;
  /** Training rows worker w computes an epoch. */
  rowsOf: (w: number) => number;
  /** Validation rows (the last validationSplit of the data). */
  nVal: number;
}

/** What fit needs of the model: its spec, config and the weights every worker maps. */
export interface FitModel {
  spec: ModelSpec;
  config: ResolvedConfig;
  weightCount: number;
  params: SharedArrayBuffer;
}

/** The training rows in shared memory: the first nTrain in data order, or the rows `order` lists, in that order. */
function sharedRows(data: FitData, rowSize: number, nTrain: number, order: ArrayLike<number> | null): { x: Float32Array; y: Float32Array } {
  if (order) return { x: toShared(gatherRows(data.x, rowSize, order)), y: toShared(gatherRows(data.y, 1, order)) };
  return { x: toShared(data.x.subarray(0, nTrain * rowSize)), y: toShared(data.y.subarray(0, nTrain)) };
}

export function planFit(m: FitModel, data: FitData, opts: ResolvedFitOptions, rowSize: number): FitPlan {
  const { numWorkers: W, mode, frequency, batchSize, syncEvery, seed, microBatches } = m.config;
  const nTrain = Math.floor(data.count * (1 - opts.validationSplit));
  const nVal = data.count - nTrain;
  if (nTrain < 1) throw new RangeError(`validationSplit ${opts.validationSplit} leaves no training windows`);
  const gradients = mode === "gradients";
  const valRanges = contiguousRanges(nVal, W);
  const valOf = (w: number) => {
    const { start, end } = valRanges[w];
    return end > start
      ? { x: data.x.slice((nTrain + start) * rowSize, (nTrain + end) * rowSize), y: data.y.slice(nTrain + start, nTrain + end), count: end - start }
      : null;
  };
  // gradients: all training rows in one shared copy every worker maps — in data order ('global'), or
  // the slot shards back to back ('shards': each worker reads only its slots' shards).
  const sharded = gradients && m.config.sampling === "shards";
  const shards = sharded ? dealSlotShards(data.y, microBatches, seed, nTrain, opts.shuffle) : [];
  const sizes = shards.map((s) => s.length);
  const order = sharded ? heldIndices(shards, 0, microBatches) : null;
  const shared = gradients ? sharedRows(data, rowSize, nTrain, order) : null;
  const layout = sharded ? heldLayout(sizes, 0, microBatches) : null;
  const parts = gradients ? [] : stratifiedPartition(data.y, W, seed, Int32Array.from({ length: nTrain }, (_, i) => i));
  const slotsOf = (w: number) => batchSlice(microBatches, W, w);
  const rowsOf = (w: number) => (sharded ? heldRows(sizes, slotsOf(w).lo, slotsOf(w).hi) : gradients ? rowsPerEpoch(nTrain, batchSize, microBatches, W, w) : parts[w].length);
  const maxBatches = sharded ? batchesPerEpoch(sizes, batchSize) : gradients ? Math.ceil(nTrain / batchSize) : Math.max(...parts.map((p) => Math.ceil(p.length / batchSize)));
  const roundsPerEpoch = frequency === "epoch" ? 1 : Math.ceil(maxBatches / syncEvery);
  // gradients: the store's params are the averaged gradient; the weights stay in m.params.
  const store = gradients
    ? ParamStore.create(m.weightCount, W, { slots: microBatches })
    : ParamStore.create(m.weightCount, W, { params: m.params, slots: mode === "synchronous" });
  const moments = m.config.averageMoments ? ParamStore.create(adamStateSize(m.weightCount), W, { slots: 2 * W }) : null;
  const adamState = m.config.push === "gradients" ? SharedAdam.create(m.weightCount) : null;

  const tasks: GroupTask[] = Array.from({ length: W }, (_, w) => {
    const x = shared ? shared.x : gatherRows(data.x, rowSize, parts[w]);
    const y = shared ? shared.y : gatherRows(data.y, 1, parts[w]);
    const val = valOf(w);
    const task: FitTask = {
      kind: "fit", workerId: w, spec: m.spec, config: m.config, store: store.handles,
      x, y, count: shared ? nTrain : parts[w].length, val, initialEpoch: opts.initialEpoch, epochs: opts.epochs, shuffle: opts.shuffle, roundsPerEpoch,
      snapshot: opts.onEpochEnd !== undefined && (mode === "synchronous" || gradients),
      weights: gradients ? m.params : null,
      ...(layout ? { shards: layout } : {}),
      moments: moments ? moments.handles : null,
      ...(adamState ? { adamState } : {}),
      faultInjection: opts.faultInjection ?? null,
      // A worker the main thread terminates reports every batch, so the fault's batch is never throttled away.
      ...(opts.faultInjection?.kind === "terminate" && opts.faultInjection.worker === w ? { progressEveryBatch: true } : {}),
    };
    const transfer = [...(shared ? [] : [x.buffer, y.buffer]), ...(val ? [val.x.buffer, val.y.buffer] : [])] as ArrayBuffer[];
    return { task, transfer };
  });
  return { tasks, store, moments, rowsOf, nVal };
}
