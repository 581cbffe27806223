// Inference of a trained detector: batch throughput on the main thread (tfjs-layers and the fused
// kernel) and through DistributedModel.predict, single-window latency, and (where lib/streaming offers it) per-frame
// streaming latency: StreamingDetector on the native stream step and on the tfjs stateful copy, and the FallDetector
// the pipeline ships (the default detector: every member scores a window every frame).
import * as tf from "@tensorflow/tfjs";
import type { DistributedModel } from "../distributed/distributed-model";
import { urfdShapedWindows } from "../distributed/measure-throughput";
import { createRng, gaussian } from "../random";
import { median, percentile, round, timeEach } from "./stats";
import { makePredictor } from "../model/fused-model";
import { DEFAULT_PIPELINE_OPTIONS } from "../pipeline/options";
import { buildRnnModel, RnnKind } from "../model/rnn";

export interface StreamingResult {
  /** StreamingDetector as built by default (stateful, one step a frame): the native stream step where it can run. */
  statefulP50Ms: number;
  statefulP99Ms: number;
  /** Which code computed statefulP50Ms ("fused-native-stream" or "tfjs-layers-stateful"), and why not native when it is not. */
  statefulKernel: string;
  statefulKernelNote: string | null;
  /** The same detector forced onto the tfjs-layers stateful copy, side by side. */
  tfjsStatefulP50Ms: number;
  tfjsStatefulP99Ms: number;
  /** FallDetector as the pipeline ships it (the default detector, its second window included), or why it was not measured. */
  shipped: ShippedDetectorLatency | null;
  shippedSkipped: string | null;
  /** The same without its second window (`--second-window none`), or why not. */
  shippedOneWindow?: ShippedDetectorLatency | null;
  shippedOneWindowSkipped?: string | null;
  /** WindowedStream (the last T frames scored as one window). */
  windowedP50Ms: number | null;
  windowedP99Ms: number | null;
  frames: number;
}

/** The pipeline's default detector, per pushed frame: every `stride`-th frame (every frame by default) scores a window with every member. */
export interface ShippedDetectorLatency {
  members: number;
  /** Which members: the default detector's types and groups, untrained (the same work as trained ones). */
  membersNote: string;
  T: number;
  F: number;
  stride: number;
  smooth: number;
  /** With a second window: its window length, members (start models included), rule, hold and level. */
  secondWindow?: { T: number; members: number; rule: string; hold: number; level: number };
  /** Which code scores the windows ("fused-native" or "tfjs-layers"), and why not fused when it is not. */
  kernel: string;
  kernelNote: string | null;
  perFrameP50Ms: number;
  perFrameP99Ms: number;
  perFrameMeanMs: number;
  /** Only the frames that ended a window (scored by every member, smoothed, thresholded). */
  scoredWindows: number;
  scoredWindowP50Ms: number;
  scoredWindowP99Ms: number;
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

type Scorer = { push(f: ArrayLike<number>): unknown; reset(): void; dispose(): void };
type ShippedScorer = Scorer & { members: number; kernel: string; kernelNote?: string; stride: number; smooth: number };

/** The parts of lib/streaming used here, looked up at run time: the module is optional. */
interface StreamingApi {
  StreamingDetector: { fromModel(model: tf.LayersModel, scaler: unknown, opts?: { kernel?: string }): Promise<Scorer & { kernel?: string; kernelNote?: string }> };
  WindowedStream?: new (model: tf.LayersModel, scaler: unknown) => { push(f: ArrayLike<number>): unknown; reset(): void };
  FallDetector?: new (models: tf.LayersModel[], preprocessing: unknown, opts: object, parts: { owned: boolean; startModels?: { models: tf.LayersModel[]; preprocessing: unknown }; secondWindow?: ShippedScorer }) => ShippedScorer;
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

/** An identity scaler over the model's inputs, and seeded gaussian frames: the latency does not depend on their values. */
function streamInputs(api: StreamingApi, F: number, count: number): { scaler: { mean: number[]; std: number[]; featureNames: string[] }; raw: Float32Array[] } {
  // 8 features, then 8 differences per lag: [1] for F = 16, [1, 4] for F = 24.
  const lags = [1, 4].slice(0, Math.max(0, F / 8 - 1));
  const names = api.inputFeatureNames(lags.length > 0, lags);
  const rng = createRng(11);
  return {
    scaler: { mean: names.map(() => 0), std: names.map(() => 1), featureNames: names },
    raw: Array.from({ length: count }, () => Float32Array.from({ length: 8 }, () => gaussian(rng))),
  };
}

/** Per-frame latency of the streaming scorers and the shipped detector over `frames` timed frames after `warmup`. */
export async function measureStreaming(model: tf.LayersModel, frames: number, warmup: number): Promise<StreamingResult> {
  const api = loadStreaming();
  const F = (model.inputs[0].shape[2] as number) ?? 16;
  const { scaler, raw } = streamInputs(api, F, warmup + frames);
  const timed = async (opts: { kernel?: string }) => {
    const detector = await api.StreamingDetector.fromModel(model, scaler, opts);
    try {
      for (const f of raw.slice(0, warmup)) detector.push(f);
      return { ...api.measureStreamingLatency(detector, raw.slice(warmup)), kernel: detector.kernel ?? "tfjs-layers-stateful", note: detector.kernelNote ?? null };
    } finally {
      detector.dispose();
    }
  };
  const s = await timed({});
  const t = await timed({ kernel: "tfjs-layers-stateful" });
  let w: { p50Ms: number; p99Ms: number } | null = null;
  if (api.WindowedStream) {
    const ws = new api.WindowedStream(model, scaler);
    for (const f of raw.slice(0, warmup)) ws.push(f); // warmup ≥ T fills the window
    w = api.measureStreamingLatency(ws, raw.slice(warmup));
  }
  // bench.json's rounding (run.ts) covers the older fields only: the new ones are rounded here, to 1 ns (3 significant digits of µs figures).
  const r = (v: number) => round(v, 6) ?? NaN;
  const measured = async (second: SecondWindowShape | null): Promise<[ShippedDetectorLatency | null, string | null]> => {
    try {
      const h = await measureShipped(api, frames, warmup, second);
      for (const k of ["perFrameP50Ms", "perFrameP99Ms", "perFrameMeanMs", "scoredWindowP50Ms", "scoredWindowP99Ms"] as const) h[k] = r(h[k]);
      return [h, null];
    } catch (err) {
      return [null, err instanceof Error ? err.message.split("\n")[0] : String(err)];
    }
  };
  const [shipped, shippedSkipped] = await measured(defaultSecondWindow());
  const [shippedOneWindow, shippedOneWindowSkipped] = await measured(null);
  return {
    statefulP50Ms: s.p50Ms,
    statefulP99Ms: s.p99Ms,
    statefulKernel: s.kernel,
    statefulKernelNote: s.note,
    tfjsStatefulP50Ms: r(t.p50Ms),
    tfjsStatefulP99Ms: r(t.p99Ms),
    shipped,
    shippedSkipped,
    shippedOneWindow,
    shippedOneWindowSkipped,
    windowedP50Ms: w?.p50Ms ?? null,
    windowedP99Ms: w?.p99Ms ?? null,
    frames,
  };
}

/** A second window's shape for the bench: its length and the join. */
interface SecondWindowShape {
  T: number;
  rule: string;
  hold: number;
  level: number;
}

/** The default detector's second window (--detector deploy), or null when it has none. */
function defaultSecondWindow(): SecondWindowShape | null {
  const { secondWindow, secondWindowRule: rule, secondWindowHold: hold, secondWindowLevel: level } = DEFAULT_PIPELINE_OPTIONS;
  return secondWindow === null ? null : { T: secondWindow, rule, hold, level };
}

/** FallDetector as the default detector (--detector deploy) ships it, timed frame by frame; with `second`, joined with a detector on longer windows as --second-window builds it (null: the first alone). */
async function measureShipped(api: StreamingApi, frames: number, warmup: number, second: SecondWindowShape | null): Promise<ShippedDetectorLatency> {
  const FallDetector = api.FallDetector;
  if (!FallDetector) throw new Error("lib/streaming has no FallDetector");
  const { ensemble, model: kind, secondModel, startModels, scoreStride, smooth, combine, window: T, diffLags } = DEFAULT_PIPELINE_OPTIONS;
  // The pipeline's window shape, whatever the bench model's: 8 features and 8 differences per lag.
  const F = 8 * (1 + diffLags.length);
  const { scaler, raw } = streamInputs(api, F, warmup + frames);
  // Untrained members of the pipeline's layers: what scoring costs does not depend on the weights' values.
  const kinds = [...Array<RnnKind>(ensemble).fill(kind), ...Array<RnnKind>(secondModel ? ensemble : 0).fill(secondModel ?? kind)];
  const stride = scoreStride ?? DEFAULT_PIPELINE_OPTIONS.stride;
  const shared = { scaler, smooth, combine, members: kinds.length, ...(secondModel ? { memberKinds: kinds } : {}) };
  // One whole detector on windows of `t` frames, its start models padded `pad` times (--second-window pads the second's by the lengths' difference).
  const build = (t: number, pad: number, seed: number, extra: { secondWindow?: { dir: string; rule: string; hold: number; level: number } } = {}, inner?: ShippedScorer): ShippedScorer => {
    const group = (s: number) => kinds.map((k, i) => buildRnnModel({ kind: k, timesteps: t, features: F, seed: s + i }));
    const main = group(seed);
    const start = pad > 0 ? group(seed + 100) : [];
    const window = { T: t, stride, withDiffs: diffLags.length > 0, diffLags: [...diffLags] };
    const preprocessing = { ...shared, window, threshold: 0.5, ...(start.length ? { startModels: "start" } : {}), ...extra };
    const startGroup = start.length ? { models: start, preprocessing: { ...shared, window: { ...window, padStarts: pad }, threshold: 0.5 } } : undefined;
    return new FallDetector(main, preprocessing, {}, { owned: true, startModels: startGroup, secondWindow: inner });
  };
  // FallDetector refuses a second window without start models (checkSecondWindow): no check of its own here.
  const inner = second ? build(second.T, startModels + second.T - T, 201) : undefined;
  const joined = second && inner ? { T: second.T, members: inner.members, rule: second.rule, hold: second.hold, level: second.level } : undefined;
  let detector: ShippedScorer;
  try {
    detector = build(T, startModels, 1, second ? { secondWindow: { dir: "second", rule: second.rule, hold: second.hold, level: second.level } } : {}, inner);
  } catch (e) {
    inner?.dispose();
    throw e;
  }
  try {
    for (const f of raw.slice(0, Math.max(warmup, T + stride))) detector.push(f);
    const timedFrames = raw.slice(warmup);
    const all = new Float64Array(timedFrames.length);
    const scored: number[] = [];
    timedFrames.forEach((f, i) => {
      const t0 = performance.now();
      const step = detector.push(f);
      all[i] = performance.now() - t0;
      if (step !== null) scored.push(all[i]);
    });
    return {
      members: detector.members,
      membersNote: `the default detector's ${[...new Set(kinds)].map((k) => `${kinds.filter((x) => x === k).length} ${k}`).join(" + ")} members${startModels > 0 ? `, and as many start models (a stream's first windows; full windows are scored by all)` : ""}${joined ? `; joined (${joined.rule}, held ${joined.hold} frames, the second passing at ${joined.level}) with a detector of as many on windows of ${joined.T} frames (${joined.members} with its start models)` : ""}; untrained (the same work as trained ones)`,
      T,
      F,
      stride: detector.stride,
      smooth: detector.smooth,
      ...(joined ? { secondWindow: joined } : {}),
      kernel: detector.kernel,
      kernelNote: detector.kernelNote ?? null,
      perFrameP50Ms: percentile(all, 0.5),
      perFrameP99Ms: percentile(all, 0.99),
      perFrameMeanMs: all.reduce((a, b) => a + b, 0) / all.length,
      scoredWindows: scored.length,
      scoredWindowP50Ms: percentile(scored, 0.5),
      scoredWindowP99Ms: percentile(scored, 0.99),
    };
  } finally {
    detector.dispose();
  }
}
