// Inference of a trained detector: batch throughput on the main thread (tfjs-layers and the fused
// kernel) and through DistributedModel.predict, single-window latency, and (where lib/streaming offers it) per-frame
// streaming latency.
import * as tf from "@tensorflow/tfjs";
import type { DistributedModel } from "../distributed/distributed-model";
import { urfdShapedWindows } from "../distributed/measure-throughput";
import { createRng, gaussian } from "../random";
import { median, percentile, timeEach } from "./stats";
import { makePredictor } from "../model/fused-model";

export interface StreamingResult {
  /** StreamingDetector (stateful, one step a frame). */
  statefulP50Ms: number;
  statefulP99Ms: number;
  /** WindowedStream (the last T frames scored as one window). */
  windowedP50Ms: number | null;
  windowedP99Ms: number | null;
  frames: number;
}

export interface InferenceResult {
  model: string;
  backend: string;
  windows: number;
  predictBatchSize: number;
  /** Main thread model.predict, windows/s (median of `repeats`). */
  batchPerSec: number;
  /** DistributedModel.predict with `workers` workers, windows/s of the whole call (worker startup included). */
  distributedPerSec: number;
  workers: number;
  /** Single-window model.predict + dataSync after warm-up. */
  latencyRuns: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** The same through the fused kernel's forward pass (lib/model/fused-model.ts), which workers predict with; null when it is not built. */
  fused: { batchPerSec: number; p50Ms: number; p99Ms: number } | null;
  fusedSkipped: string | null;
  streaming: StreamingResult | null;
  streamingSkipped: string | null;
}

export async function measureInference(
  dm: DistributedModel,
  o: { windows: number; latencyRuns: number; warmup?: number; repeats?: number; predictBatchSize?: number; label: string },
): Promise<InferenceResult> {
  const { windows, latencyRuns, warmup = 50, repeats = 3, predictBatchSize = 256 } = o;
  const model = dm.toModel();
  const data = urfdShapedWindows(windows, 7);
  const xs = tf.tensor3d(data.x, [windows, data.T, data.F]);

  // Batch throughput (one warm-up pass first: the first predict builds kernels).
  tf.tidy(() => (model.predict(xs.slice(0, Math.min(windows, predictBatchSize)), { batchSize: predictBatchSize }) as tf.Tensor).dataSync());
  const batchMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    tf.tidy(() => (model.predict(xs, { batchSize: predictBatchSize }) as tf.Tensor).dataSync());
    batchMs.push(performance.now() - t0);
  }
  xs.dispose();

  const distMs: number[] = [];
  for (let r = 0; r < Math.max(1, repeats - 1); r++) {
    const t0 = performance.now();
    await dm.predict(data.x, windows);
    distMs.push(performance.now() - t0);
  }

  // Single-window latency.
  const one = tf.tensor3d(data.x.subarray(0, data.T * data.F), [1, data.T, data.F]);
  const ms = timeEach(() => tf.tidy(() => (model.predict(one) as tf.Tensor).dataSync()), latencyRuns, warmup);

  // The fused forward pass, batch by batch (its caches grow with the batch).
  const predictor = makePredictor(model);
  let fused: InferenceResult["fused"] = null;
  if (predictor.kernel === "fused-native") {
    const all = tf.tensor3d(data.x, [windows, data.T, data.F]);
    const pass = () => {
      for (let s = 0; s < windows; s += predictBatchSize) {
        tf.tidy(() => predictor.predict(all.slice(s, Math.min(predictBatchSize, windows - s))).dataSync());
      }
    };
    pass();
    const fusedMs: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      pass();
      fusedMs.push(performance.now() - t0);
    }
    all.dispose();
    const fms = timeEach(() => tf.tidy(() => predictor.predict(one).dataSync()), latencyRuns, warmup);
    fused = { batchPerSec: (windows * 1000) / median(fusedMs), p50Ms: percentile(fms, 0.5), p99Ms: percentile(fms, 0.99) };
  }
  one.dispose();

  let streaming: StreamingResult | null = null;
  let streamingSkipped: string | null = null;
  try {
    streaming = await measureStreaming(model, latencyRuns, warmup);
  } catch (err) {
    streamingSkipped = err instanceof Error ? err.message.split("\n")[0] : String(err);
  }

  return {
    model: o.label,
    backend: tf.getBackend(),
    windows,
    predictBatchSize,
    batchPerSec: (windows * 1000) / median(batchMs),
    distributedPerSec: (windows * 1000) / median(distMs),
    workers: dm.config.numWorkers,
    latencyRuns,
    p50Ms: percentile(ms, 0.5),
    p99Ms: percentile(ms, 0.99),
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    fused,
    fusedSkipped: predictor.kernel === "fused-native" ? null : predictor.reason ?? "not fused",
    streaming,
    streamingSkipped,
  };
}

/** The parts of lib/streaming used here, looked up at run time: the module is optional. */
interface StreamingApi {
  StreamingDetector: { fromModel(model: tf.LayersModel, scaler: unknown): Promise<{ push(f: ArrayLike<number>): unknown; reset(): void; dispose(): void }> };
  WindowedStream?: new (model: tf.LayersModel, scaler: unknown) => { push(f: ArrayLike<number>): unknown; reset(): void };
  measureStreamingLatency(detector: unknown, frames: readonly ArrayLike<number>[]): { p50Ms: number; p99Ms: number };
  inputFeatureNames(withDiffs: boolean, diffLags?: readonly number[]): string[];
}

function loadStreaming(): StreamingApi {
  let mod: Partial<StreamingApi>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require("../streaming") as Partial<StreamingApi>;
  } catch (err) {
    throw new Error(`lib/streaming not available (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
  }
  if (typeof mod.measureStreamingLatency !== "function" || typeof mod.StreamingDetector?.fromModel !== "function" || typeof mod.inputFeatureNames !== "function") {
    throw new Error("lib/streaming has no measureStreamingLatency / StreamingDetector.fromModel / inputFeatureNames");
  }
  return mod as StreamingApi;
}

async function measureStreaming(model: tf.LayersModel, frames: number, warmup: number): Promise<StreamingResult> {
  const api = loadStreaming();
  const F = (model.inputs[0].shape[2] as number) ?? 16;
  // 8 features, then 8 differences per lag: [1] for F = 16, [1, 4] for F = 24.
  const lags = [1, 4].slice(0, Math.max(0, F / 8 - 1));
  const names = api.inputFeatureNames(lags.length > 0, lags);
  const scaler = { mean: names.map(() => 0), std: names.map(() => 1), featureNames: names };
  const rng = createRng(11);
  const raw = Array.from({ length: warmup + frames }, () => Float32Array.from({ length: 8 }, () => gaussian(rng)));
  const detector = await api.StreamingDetector.fromModel(model, scaler);
  try {
    for (const f of raw.slice(0, warmup)) detector.push(f);
    const s = api.measureStreamingLatency(detector, raw.slice(warmup));
    let w: { p50Ms: number; p99Ms: number } | null = null;
    if (api.WindowedStream) {
      const ws = new api.WindowedStream(model, scaler);
      for (const f of raw.slice(0, warmup)) ws.push(f); // warmup ≥ T fills the window
      w = api.measureStreamingLatency(ws, raw.slice(warmup));
    }
    return { statefulP50Ms: s.p50Ms, statefulP99Ms: s.p99Ms, windowedP50Ms: w?.p50Ms ?? null, windowedP99Ms: w?.p99Ms ?? null, frames };
  } finally {
    detector.dispose();
  }
}
