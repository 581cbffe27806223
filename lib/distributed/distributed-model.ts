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
import { configToJson, DistributedConfig, ResolvedConfig, validateConfig, validateFitOptions, FitOptions } from "./config";
import { binaryMetricSums, MetricSums, metricsFromSums } from "./metrics";
import { readFlatWeights, weightShapes, writeFlatWeights } from "../model/model-weights";
import { ParamStore } from "./param-store";
import { wholeBatchRanges } from "./partition";
import { predictBatchSize } from "./worker-common";
import type { PredictTask } from "./protocol";
import { checkLabels, planFit } from "./fit-plan";
import { FitTracker } from "./fit-tracker";
import { fitResult } from "./fit-result";
import { activeWorkerCount, GroupTask, runWorkerGroup } from "./worker-group";
import { AdamState, flatten, Shape, sizeOf, totalSize, unflatten, unpackAdamState } from "./weights";

export type { FitData, FitResult, FitTiming } from "./fit-result";
import type { FitData, FitResult } from "./fit-result";

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

/** Synchronous with config.averageMoments: Adam's states around the last exchange (for checks). */
export interface MomentRoundState {
  /** What each worker brought to it. */
  sent: AdamState[];
  samples: number[];
  /** Their row-weighted average. */
  averaged: AdamState;
  /** What each worker held after it (every one should hold `averaged`). */
  held: AdamState[];
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
  private lastMoments: ParamStore | null = null;
  private disposed = false;

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
    // Disposed before or while the backend started: not to come back as a freshly seeded model.
    this.checkNotDisposed();
    if (this.model) return this; // another ready() built it meanwhile
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
    checkLabels(data);
    const plan = planFit({ spec: this.spec, config: this.config, weightCount: this.weightCount, params: this.params! }, data, opts, rowSize);
    const tracker = new FitTracker({
      workers: this.config.numWorkers, firstEpoch: opts.initialEpoch, epochs: opts.epochs - opts.initialEpoch, options: opts,
      // Taken when an epoch's last message arrives: the workers may move the shared weights on at any moment.
      snapshot: () => this.snapshotStore(plan.store),
    });
    const t0 = performance.now();
    await this.exclusive(() =>
      runWorkerGroup(plan.tasks, { onAbort: () => plan.store.abort(), onMessage: (msg, group) => tracker.onMessage(msg, group) }, {
        resourceLimits: opts.resourceLimits, stallTimeoutMs: opts.stallTimeoutSec * 1000, isWaiting: (id) => plan.store.isWaiting(id),
      }),
    );
    const wallSec = (performance.now() - t0) / 1000;
    this.lastStore = plan.store;
    this.lastMoments = plan.moments;
    writeFlatWeights(this.model!, new Float32Array(this.params!));
    return fitResult(tracker, { config: this.config, rowsOf: plan.rowsOf, withValidation: plan.nVal > 0, wallSec, t0 });
  }

  /**
   * Scores for `count` rows of x, computed by up to numWorkers workers on contiguous chunks of whole batches; row
   * order kept. A row's batch is the same at any worker count, so are its scores, bit for bit.
   */
  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    await this.ready();
    const { timesteps: T, features: F } = specInputShape(this.spec);
    const rowSize = this.checkRows(x, count, { T, F });
    const batchSize = predictBatchSize(this.config.batchSize);
    const ranges = wholeBatchRanges(count, batchSize, this.config.numWorkers);
    const W = ranges.length;
    const store = ParamStore.create(this.weightCount, W, { params: this.params! });
    const out = new Float32Array(count);
    const tasks: GroupTask[] = ranges.map(({ start, end }, w) => {
      const rows = x.slice(start * rowSize, end * rowSize);
      const task: PredictTask = { kind: "predict", workerId: w, spec: this.spec, store: store.handles, x: rows, count: end - start, batchSize };
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

  /** Synchronous with averageMoments: the workers' Adam states around the last exchange. */
  lastMomentRound(): MomentRoundState | null {
    const s = this.lastMoments;
    if (!s) return null;
    const W = s.parties;
    return {
      sent: Array.from({ length: W }, (_, i) => unpackAdamState(s.slot(i))),
      samples: s.samples().slice(0, W),
      averaged: unpackAdamState(s.read()),
      held: Array.from({ length: W }, (_, i) => unpackAdamState(s.slot(W + i))),
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

  /**
   * Free the main thread's tf model and its optimizer (workers free theirs when a task ends); nothing works after,
   * and a model `toModel()` returned is freed too.
   */
  dispose(): void {
    if (this.busy) throw new Error("DistributedModel.dispose: a fit or predict is running");
    this.model?.dispose();
    this.model = null;
    this.params = null;
    this.lastStore = null;
    this.lastMoments = null;
    this.disposed = true;
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new Error("DistributedModel is disposed");
  }

  private requireReady(): void {
    this.checkNotDisposed();
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
export { mergeStaleness } from "./fit-result";

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
