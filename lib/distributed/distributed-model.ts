// The driver, after Elephas's SparkModel: partitions the windows, starts one worker thread per
// partition, lets them train against a shared parameter store, and merges their histories.
// Optimiser state: every worker keeps its own Adam state for the length of one fit() call (as
// Elephas workers do); only weights are shared. Workers live for one call (fit/predict): ~0.7 s
// startup each time with wasm, and nothing stays behind between calls.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { expectObject, expectInt, rejectUnknownKeys } from "../model/check";
import { MODEL_JSON, saveModelFiles, readWeightFiles, WEIGHTS_BIN } from "../model/io";
import { buildModelFromSpec, ModelSpec, parseModelSpec, specInputShape } from "../model/spec";
import { averagingRule, configToJson, DistributedConfig, EpochEnd, ProgressEventCallback, ResolvedConfig, validateConfig, validateFitOptions, FitOptions } from "./config";
import { binaryMetricSums, mergeMetricSums, MetricSums, metricsFromSums } from "./metrics";
import { readFlatWeights, weightShapes, writeFlatWeights } from "./model-weights";
import { ParamStore } from "./param-store";
import { contiguousRanges, gatherRows, rowsPerEpoch, stratifiedPartition } from "./partition";
import type { DoneMessage, EpochMessage, FitTask, PredictTask, Staleness, WorkerHistory, WorkerTiming } from "./protocol";
import { activeWorkerCount, GroupTask, runWorkerGroup } from "./worker-group";
import { flatten, Shape, sizeOf, totalSize, unflatten } from "./weights";

/** Windows to train on; a WindowSet satisfies it. x is count × T × F (count × T token ids for 'original', F = 1). */
export interface FitData {
  x: Float32Array;
  y: Float32Array;
  count: number;
  T: number;
  F: number;
}

export interface FitResult {
  /**
   * Per epoch trained (initialEpoch..epochs-1), over all workers weighted by windows trained; val* on
   * the shared weights after each epoch.
   */
  merged: { loss: number[]; acc: number[]; valLoss?: number[]; valAcc?: number[] };
  workers: { id: number; samples: number; history: WorkerHistory; timing: WorkerTiming }[];
  wallSec: number;
  /** Backend the workers trained on (e.g. "wasm"). */
  backend: string;
  /** Code that computed the training steps: "fused-native" (lib/native) or "tfjs-layers". */
  trainingKernel: string;
  /** Why tfjs-layers computed them, when it did (e.g. the kernel was not built). */
  trainingKernelNote?: string;
  /** What the workers exchanged and how (averagingRule of the config). */
  averaging: string;
  /** Asynchronous and hogwild: staleness of every push, all workers together; null in the averaging modes. */
  staleness: Staleness | null;
  /** Training windows processed per second of training time, all workers together. */
  windowsPerSec: number;
  /** The same after the first epoch (warm-up excluded); NaN with a single epoch. */
  steadyWindowsPerSec: number;
  timing: FitTiming;
}

export interface FitTiming {
  /** Worker spawn until every worker reported ready (tfjs load + model build). */
  startupSec: number;
  /** First worker leaving the start barrier until the last one finished. */
  trainSec: number;
  /** Sums over workers, seconds. */
  computeSec: number;
  paramStoreSec: number;
  averagingSec: number;
  barrierWaitSec: number;
  lockWaitSec: number;
  validationSec: number;
  /** (paramStore + averaging + barrier + lock) / total worker training time. */
  overheadFraction: number;
}

export interface DistributedModelOptions {
  model: ModelSpec;
  config: DistributedConfig;
}

export interface SyncRoundState {
  /** Each worker's weights before the last averaging (synchronous mode). */
  workerWeights: Float32Array[];
  samples: number[];
  /** The shared weights after it. */
  averaged: Float32Array;
}

export const DISTRIBUTED_JSON = "distributed.json";
const FORMAT = "fall-detection-distributed";

export class DistributedModel {
  readonly spec: ModelSpec;
  readonly config: ResolvedConfig;
  private model: tf.LayersModel | null = null;
  private shapes: Shape[] = [];
  /** The weights, flat, in a SharedArrayBuffer every worker maps. */
  private params: SharedArrayBuffer | null = null;
  private mainBackend = "";
  private busy = false;
  private lastStore: ParamStore | null = null;

  /** Validates spec and config now; call `await ready()` (or use `create`) before anything else. */
  constructor(options: DistributedModelOptions) {
    const o = expectObject(options, "DistributedModel options");
    this.spec = parseModelSpec(o.model);
    this.config = validateConfig(o.config);
  }

  static async create(options: DistributedModelOptions): Promise<DistributedModel> {
    return new DistributedModel(options).ready();
  }

  /** Worker threads alive right now, across all instances (0 when nothing runs). */
  static activeWorkers(): number {
    return activeWorkerCount();
  }

  /** Initialise the main thread's backend and build the seeded model (idempotent). */
  async ready(): Promise<this> {
    if (this.model) return this;
    this.mainBackend = (await initBackend()).name;
    const model = buildModelFromSpec(this.spec);
    this.shapes = weightShapes(model);
    this.params = new SharedArrayBuffer(totalSize(this.shapes) * 4);
    readFlatWeights(model, new Float32Array(this.params));
    this.model = model;
    return this;
  }

  /** Backend of the main thread (workers report theirs in FitResult.backend). */
  get backend(): string {
    return this.mainBackend;
  }

  get weightCount(): number {
    return totalSize(this.shapes);
  }

  async fit(data: FitData, options: FitOptions): Promise<FitResult> {
    await this.ready();
    const opts = validateFitOptions(options, this.config.numWorkers);
    const rowSize = this.checkRows(data.x, data.count, data);
    if (!(data.y instanceof Float32Array) || data.y.length !== data.count) {
      throw new TypeError(`data.y must be a Float32Array of count (${data.count}) labels`);
    }
    for (const v of data.y) if (v !== 0 && v !== 1) throw new TypeError(`data.y must hold only 0 and 1; found ${v}`);
    const { numWorkers: W, mode, frequency, batchSize, syncEvery, seed } = this.config;
    const first = opts.initialEpoch;
    const nEpochs = opts.epochs - first;
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
    // gradients: every worker maps all training rows (one shared copy) and takes its slice of each global batch.
    const shared = gradients ? { x: toShared(data.x.subarray(0, nTrain * rowSize)), y: toShared(data.y.subarray(0, nTrain)) } : null;
    const parts = gradients ? [] : stratifiedPartition(data.y, W, seed, Int32Array.from({ length: nTrain }, (_, i) => i));
    const rowsOf = (w: number) => (gradients ? rowsPerEpoch(nTrain, batchSize, this.config.microBatches, W, w) : parts[w].length);
    const maxBatches = gradients ? Math.ceil(nTrain / batchSize) : Math.max(...parts.map((p) => Math.ceil(p.length / batchSize)));
    const roundsPerEpoch = frequency === "epoch" ? 1 : Math.ceil(maxBatches / syncEvery);
    // gradients: the store's params are the averaged gradient; the weights stay in this.params.
    const store = gradients
      ? ParamStore.create(this.weightCount, W, { slots: this.config.microBatches })
      : ParamStore.create(this.weightCount, W, { params: this.params!, slots: mode === "synchronous" });

    const tasks: GroupTask[] = Array.from({ length: W }, (_, w) => {
      const x = shared ? shared.x : gatherRows(data.x, rowSize, parts[w]);
      const y = shared ? shared.y : gatherRows(data.y, 1, parts[w]);
      const val = valOf(w);
      const task: FitTask = {
        kind: "fit", workerId: w, spec: this.spec, config: this.config, store: store.handles,
        x, y, count: shared ? nTrain : parts[w].length, val, initialEpoch: first, epochs: opts.epochs, shuffle: opts.shuffle, roundsPerEpoch,
        snapshot: opts.onEpochEnd !== undefined && (mode === "synchronous" || gradients),
        weights: gradients ? this.params! : null,
        faultInjection: opts.faultInjection ?? null,
      };
      const transfer = [...(shared ? [] : [x.buffer, y.buffer]), ...(val ? [val.x.buffer, val.y.buffer] : [])] as ArrayBuffer[];
      return { task, transfer };
    });

    const epochs: EpochMessage[][] = Array.from({ length: nEpochs }, () => []);
    const snapshots: (Float32Array | null)[] = Array.from({ length: nEpochs }, () => null);
    const done: DoneMessage[] = [];
    const backends = new Set<string>();
    let readyCount = 0;
    let readyAt = 0;
    const emit: ProgressEventCallback = (e) => opts.onProgress?.(e);
    // onEpochEnd calls run one after another, in epoch order, while training goes on.
    let hooks: Promise<void> = Promise.resolve();
    const onEpochEnd = opts.onEpochEnd;
    const fault = opts.faultInjection;
    let terminated = false;
    const mergedOf = (list: EpochMessage[]) => {
      const trained = list.filter((m) => m.samples > 0);
      const n = trained.reduce((a, m) => a + m.samples, 0);
      const val = list.some((m) => m.val) ? metricsFromSums(mergeMetricSums(list.flatMap((m) => (m.val ? [m.val] : [])))) : null;
      return {
        loss: trained.reduce((a, m) => a + m.loss * m.samples, 0) / n,
        acc: trained.reduce((a, m) => a + m.acc * m.samples, 0) / n,
        samples: n,
        val,
      };
    };

    const t0 = performance.now();
    await this.exclusive(() =>
      runWorkerGroup(tasks, {
        onAbort: () => store.abort(),
        onMessage: (msg, group) => {
          switch (msg.type) {
            case "ready":
              backends.add(msg.backend);
              if (++readyCount === W) readyAt = performance.now();
              break;
            case "progress":
              emit({ type: "batch", worker: msg.workerId, epoch: msg.epoch, batch: msg.batch, batches: msg.batches, loss: msg.loss, acc: msg.acc, samples: msg.samples });
              // TEST ONLY: end a worker from outside, mid-epoch.
              if (fault?.kind === "terminate" && !terminated && msg.workerId === fault.worker && msg.epoch === fault.atEpoch && msg.batch >= (fault.atBatch ?? 0)) {
                terminated = true;
                group.terminate(fault.worker);
              }
              break;
            case "epoch": {
              const v = msg.val ? metricsFromSums(msg.val) : null;
              emit({ type: "epoch", worker: msg.workerId, epoch: msg.epoch, loss: msg.loss, acc: msg.acc, samples: msg.samples, ...(v ? { valLoss: v.loss, valAcc: v.accuracy } : {}) });
              const k = msg.epoch - first;
              epochs[k].push(msg);
              if (msg.weights) snapshots[k] = msg.weights;
              if (epochs[k].length === W) {
                const m = mergedOf(epochs[k]);
                const val = m.val ? { valLoss: m.val.loss, valAcc: m.val.accuracy } : {};
                emit({ type: "merged", epoch: msg.epoch, loss: m.loss, acc: m.acc, samples: m.samples, ...val });
                if (onEpochEnd) {
                  // Taken now, synchronously: the workers may move the shared weights on at any moment.
                  const end: EpochEnd = { epoch: msg.epoch, weights: snapshots[k] ?? this.snapshotStore(store), loss: m.loss, acc: m.acc, samples: m.samples, ...val };
                  snapshots[k] = null;
                  hooks = hooks.then(() => onEpochEnd(end));
                  return hooks;
                }
              }
              break;
            }
            case "done":
              done.push(msg);
              break;
            default:
              throw new Error(`unexpected message ${msg.type} from worker ${msg.workerId} during fit`);
          }
        },
      }, { resourceLimits: opts.resourceLimits, stallTimeoutMs: opts.stallTimeoutSec * 1000, isWaiting: (id) => store.isWaiting(id) }),
    );
    const wallSec = (performance.now() - t0) / 1000;
    this.lastStore = store;
    writeFlatWeights(this.model!, new Float32Array(this.params!));

    const merged: FitResult["merged"] = { loss: [], acc: [] };
    if (nVal > 0) Object.assign(merged, { valLoss: [], valAcc: [] });
    for (const list of epochs) {
      const m = mergedOf(list);
      merged.loss.push(m.loss);
      merged.acc.push(m.acc);
      if (m.val) {
        merged.valLoss!.push(m.val.loss);
        merged.valAcc!.push(m.val.accuracy);
      }
    }
    done.sort((a, b) => a.workerId - b.workerId);
    const sum = (k: keyof WorkerTiming) => done.reduce((a, d) => a + d.timing[k], 0) / 1000;
    const trainSec = (Math.max(...done.map((d) => d.trainEnd)) - Math.min(...done.map((d) => d.trainStart))) / 1000;
    const workerTrainSec = sum("trainMs");
    const overhead = sum("paramStoreMs") + sum("averagingMs") + sum("barrierWaitMs") + sum("lockWaitMs");
    const windows = done.reduce((a, d) => a + d.history.samples.reduce((x, y) => x + y, 0), 0);
    const steadyWindows = done.reduce((a, d) => a + d.history.samples.slice(1).reduce((x, y) => x + y, 0), 0);
    const steadySec = (Math.max(...done.map((d) => d.trainEnd)) - Math.min(...done.map((d) => d.history.epochEnd[0]))) / 1000;
    return {
      merged,
      workers: done.map((d) => ({ id: d.workerId, samples: rowsOf(d.workerId), history: d.history, timing: d.timing })),
      wallSec,
      backend: [...backends].join("+"),
      trainingKernel: [...new Set(done.map((d) => d.kernel))].join("+"),
      ...(done.some((d) => d.kernelNote) ? { trainingKernelNote: done.find((d) => d.kernelNote)!.kernelNote } : {}),
      averaging: averagingRule(this.config),
      staleness: mergeStaleness(done.flatMap((d) => (d.staleness ? [d.staleness] : []))),
      windowsPerSec: windows / trainSec,
      steadyWindowsPerSec: nEpochs > 1 ? steadyWindows / steadySec : NaN,
      timing: {
        startupSec: (readyAt - t0) / 1000,
        trainSec,
        computeSec: sum("computeMs"),
        paramStoreSec: sum("paramStoreMs"),
        averagingSec: sum("averagingMs"),
        barrierWaitSec: sum("barrierWaitMs"),
        lockWaitSec: sum("lockWaitMs"),
        validationSec: sum("validationMs"),
        overheadFraction: workerTrainSec > 0 ? overhead / workerTrainSec : 0,
      },
    };
  }

  /** Scores for `count` rows of x, computed by up to numWorkers workers on contiguous chunks; row order kept. */
  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    await this.ready();
    const { timesteps: T, features: F } = specInputShape(this.spec);
    const rowSize = this.checkRows(x, count, { T, F });
    const W = Math.min(this.config.numWorkers, count);
    const ranges = contiguousRanges(count, W);
    const store = ParamStore.create(this.weightCount, W, { params: this.params! });
    const out = new Float32Array(count);
    const tasks: GroupTask[] = ranges.map(({ start, end }, w) => {
      const rows = x.slice(start * rowSize, end * rowSize);
      const task: PredictTask = { kind: "predict", workerId: w, spec: this.spec, store: store.handles, x: rows, count: end - start, batchSize: this.config.batchSize };
      return { task, transfer: [rows.buffer as ArrayBuffer] };
    });
    await this.exclusive(() =>
      runWorkerGroup(tasks, {
        onAbort: () => store.abort(),
        onMessage: (msg) => {
          if (msg.type === "predictions") out.set(msg.y, ranges[msg.workerId].start);
        },
      }),
    );
    return out;
  }

  /** Binary cross-entropy and accuracy (threshold 0.5) of the current weights, via predict. */
  async evaluate(x: Float32Array, y: Float32Array): Promise<{ loss: number; accuracy: number }> {
    const pred = await this.predict(x, y.length);
    return metricsFromSums(binaryMetricSums(pred, y));
  }

  /**
   * A copy of the shared weights while workers run. Synchronous snapshots come from worker 0 instead
   * (the store's params change at every barrier). Asynchronous: under the store's lock, unless a
   * dead worker holds it for a second; hogwild: as they are, which is what hogwild means.
   */
  private snapshotStore(store: ParamStore): Float32Array {
    if (this.config.mode === "gradients") return new Float32Array(this.params!).slice(); // the store holds gradients there
    const locked = this.config.mode === "asynchronous" && store.lockWithin(1000);
    try {
      return store.read();
    } finally {
      if (locked) store.unlock();
    }
  }

  /** A copy of all weights as one flat vector (model.weights order): what checkpoints hold. */
  getFlatWeights(): Float32Array {
    this.requireReady();
    return new Float32Array(this.params!).slice();
  }

  /** Set all weights from one flat vector of weightCount finite floats (e.g. a checkpoint). */
  setFlatWeights(flat: Float32Array): void {
    this.requireReady();
    if (!(flat instanceof Float32Array) || flat.length !== this.weightCount) {
      throw new RangeError(`setFlatWeights: expected a Float32Array of ${this.weightCount} floats, got ${flat instanceof Float32Array ? flat.length : typeof flat}`);
    }
    this.setWeights(unflatten(flat, this.shapes));
  }

  /** Copies of the weights, one array per model variable (model.weights order). */
  getWeights(): Float32Array[] {
    this.requireReady();
    return unflatten(new Float32Array(this.params!), this.shapes);
  }

  setWeights(weights: readonly Float32Array[]): void {
    this.requireReady();
    if (this.busy) throw new Error("DistributedModel.setWeights: a fit or predict is running");
    if (weights.length !== this.shapes.length) throw new RangeError(`setWeights: expected ${this.shapes.length} arrays, got ${weights.length}`);
    weights.forEach((w, i) => {
      if (w.length !== sizeOf(this.shapes[i])) throw new RangeError(`setWeights: array ${i} has ${w.length} floats, shape [${this.shapes[i]}] needs ${sizeOf(this.shapes[i])}`);
      for (let j = 0; j < w.length; j++) if (!Number.isFinite(w[j])) throw new RangeError(`setWeights: array ${i} holds ${w[j]} at ${j}; weights must be finite`);
    });
    flatten(weights, new Float32Array(this.params!));
    writeFlatWeights(this.model!, new Float32Array(this.params!));
  }

  /** The main thread's tf model holding the current weights (the same instance each call; a later fit updates it). */
  toModel(): tf.LayersModel {
    this.requireReady();
    writeFlatWeights(this.model!, new Float32Array(this.params!));
    return this.model!;
  }

  /** Synchronous mode: each worker's weights before the last averaging, and the average (for checks). */
  lastSyncRound(): SyncRoundState | null {
    const s = this.lastStore;
    if (!s || !s.handles.slots || this.config.mode !== "synchronous") return null;
    return {
      workerWeights: Array.from({ length: s.parties }, (_, i) => s.slot(i).slice()),
      samples: s.samples(),
      averaged: s.read(),
    };
  }

  /**
   * Write model.json + weights.bin (tfjs layers format) and distributed.json (config + model spec),
   * atomically: everything is written into a temporary sibling folder first. A new `dir` then
   * appears complete in one rename; an existing one has each file replaced by a rename, weights
   * first and distributed.json last, so an interrupted save never leaves a half-written file.
   */
  async save(dir: string): Promise<void> {
    const model = this.toModel();
    const target = path.resolve(dir);
    const tmp = `${target}.saving-${process.pid}-${randomBytes(4).toString("hex")}`;
    const meta = { format: FORMAT, version: 1, model: this.spec, config: configToJson(this.config), weightCount: this.weightCount };
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await saveModelFiles(model, tmp);
      await fs.writeFile(path.join(tmp, DISTRIBUTED_JSON), JSON.stringify(meta, null, 2));
      await syncFiles(tmp, [WEIGHTS_BIN, MODEL_JSON, DISTRIBUTED_JSON]);
      const existing = await fs.readdir(target).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return null;
        throw err;
      });
      if (existing !== null && existing.length === 0) await fs.rmdir(target);
      if (existing === null || existing.length === 0) {
        await fs.rename(tmp, target);
        return;
      }
      for (const f of [WEIGHTS_BIN, MODEL_JSON, DISTRIBUTED_JSON]) await fs.rename(path.join(tmp, f), path.join(target, f));
      await fs.rm(tmp, { recursive: true, force: true });
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Rebuild from a folder written by save(); every JSON field is validated before use. */
  static async load(dir: string): Promise<DistributedModel> {
    const file = path.join(dir, DISTRIBUTED_JSON);
    const meta = expectObject(await readJsonFile(file), file);
    rejectUnknownKeys(meta, ["format", "version", "model", "config", "weightCount"], file);
    if (meta.format !== FORMAT) throw new TypeError(`${file}: format must be "${FORMAT}"`);
    expectInt(meta.version, `${file}: version`, 1, 1);
    const where = (e: unknown) => new TypeError(`${file}: ${(e as Error).message}`);
    let spec: ModelSpec;
    let config: ResolvedConfig;
    try {
      spec = parseModelSpec(meta.model);
      config = validateConfig(meta.config);
    } catch (e) {
      throw where(e);
    }
    const dm = await DistributedModel.create({ model: spec, config });
    if (meta.weightCount !== dm.weightCount) throw new TypeError(`${file}: weightCount ${String(meta.weightCount)} does not match the model's ${dm.weightCount}`);
    let files: Awaited<ReturnType<typeof readWeightFiles>>;
    try {
      files = await readWeightFiles(dir);
    } catch (e) {
      if (e instanceof SyntaxError) throw new TypeError(`${path.join(dir, MODEL_JSON)}: invalid JSON (${e.message})`);
      throw e;
    }
    const { specs, data } = files;
    if (specs.length !== dm.shapes.length) throw new TypeError(`${dir}: ${specs.length} weights saved, model has ${dm.shapes.length}`);
    specs.forEach((s, i) => {
      if (typeof s !== "object" || s === null || s.dtype !== "float32" || !Array.isArray(s.shape) || s.shape.join(",") !== dm.shapes[i].join(",")) {
        throw new TypeError(`${dir}: weight ${String(s?.name)} is ${String(s?.dtype)} [${String(s?.shape)}], model expects float32 [${dm.shapes[i]}]`);
      }
    });
    if (data.byteLength !== dm.weightCount * 4) throw new TypeError(`${dir}: weights.bin has ${data.byteLength} bytes, need ${dm.weightCount * 4}`);
    const flat = new Float32Array(data);
    const bad = flat.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new TypeError(`${path.join(dir, WEIGHTS_BIN)}: weight ${bad} is ${flat[bad]}; weights must be finite`);
    dm.setWeights(unflatten(flat, dm.shapes));
    return dm;
  }

  private requireReady(): void {
    if (!this.model) throw new Error("DistributedModel is not ready: use `await DistributedModel.create(...)` or `await model.ready()`");
  }

  private checkRows(x: Float32Array, count: number, dims: { T: number; F: number }): number {
    const { timesteps, features } = specInputShape(this.spec);
    if (dims.T !== timesteps || dims.F !== features) {
      throw new TypeError(`data is [${dims.T}, ${dims.F}] per window but the model expects [${timesteps}, ${features}]`);
    }
    if (!Number.isInteger(count) || count < 1) throw new TypeError(`count must be a positive integer; got ${count}`);
    const rowSize = timesteps * features;
    if (!(x instanceof Float32Array) || x.length !== count * rowSize) {
      throw new TypeError(`x must be a Float32Array of count × T × F = ${count * rowSize} floats; got ${x instanceof Float32Array ? x.length : typeof x}`);
    }
    return rowSize;
  }

  private async exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error("DistributedModel is busy: wait for the running fit/predict to finish");
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }
}

export type { MetricSums };

/** Several workers' (or fits') pushes as one: mean weighted by pushes, the largest max. */
export function mergeStaleness(list: Staleness[]): Staleness | null {
  if (list.length === 0) return null;
  const pushes = list.reduce((a, s) => a + s.pushes, 0);
  return {
    pushes,
    mean: pushes ? list.reduce((a, s) => a + s.mean * s.pushes, 0) / pushes : 0,
    max: Math.max(...list.map((s) => s.max)),
    dropped: list.reduce((a, s) => a + s.dropped, 0),
  };
}

/** A copy of `values` in a SharedArrayBuffer: posted to every worker without a copy each. */
function toShared(values: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(values.length * 4));
  out.set(values);
  return out;
}

async function readJsonFile(file: string): Promise<unknown> {
  const text = await fs.readFile(file, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new TypeError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

/** fsync each file, so a rename never publishes data still only in the page cache. */
async function syncFiles(dir: string, names: readonly string[]): Promise<void> {
  for (const n of names) {
    const h = await fs.open(path.join(dir, n), "r");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  }
}
