// The deployable fall detector: exactly the evaluated model, one frame at a time. It keeps the last T
// standardised frames, scores a window every `stride` frames with every ensemble member (the fused
// native forward pass where it is built), averages them as the pipeline does, and hands the mean to
// the one alarm logic (smoothing over `smooth` windows, the threshold of preprocessing.json, a
// refractory period) that the pipeline's deployment figures and the browser page also run.
//
// Window placement: live, windows end at rows T−1+phase, T−1+phase+stride, ... after each reset.
// The pipeline aligns a recording's windows to its last frame; give phase = evaluationPhase(rows, T,
// stride) to replay a recorded file with the evaluation's windows (then scores, alarms and the
// recording's decision are the pipeline's, as test/detect/pipeline-equality.test.ts checks).
import * as tf from "@tensorflow/tfjs";
import { makePredictor, Predictor, TrainingKernel } from "../model/fused-model";
import type { Preprocessing } from "../export/preprocessing";
import { loadSavedDetector } from "../export/saved-model";
import { WindowRing } from "../streaming/window-ring";
import { windowInputShape } from "../streaming/stateful-copy";
import { AlarmEvent, AlarmLogic, alarmLogic } from "./alarms";
import { DEFAULT_REFRACTORY_SEC, refractoryFrames, URFD_FPS } from "./delay";

export interface DetectorOptions {
  /** No second alarm within this many seconds of the last (default 10). */
  refractorySec?: number;
  /** Frame rate: frame numbers become seconds at this rate (default 30, URFD's). */
  fps?: number;
  /** Overrides preprocessing.json's threshold. */
  threshold?: number;
  /** Windows end at rows T−1+phase (mod stride) after a reset; 0..stride−1, default 0. */
  phase?: number;
}

/** What one scored window gave. */
export interface DetectorStep {
  /** Frame number of the window's last frame (the push's `frame`, else rows since reset − 1). */
  frame: number;
  /** The members' mean probability for this window. */
  probability: number;
  /** Smoothed over the last `smooth` windows: what the threshold applies to. */
  score: number;
  alarm: AlarmEvent | null;
}

/** The phase that places windows where the pipeline does on a recording of `rows` frames (aligned to its last frame; `padStarts` copies of its first frame in front). */
export function evaluationPhase(rows: number, T: number, stride: number, padStarts = 0): number {
  if (rows + padStarts < T) return 0;
  return (rows + padStarts - T) % stride;
}

export class FallDetector {
  readonly T: number;
  readonly F: number;
  readonly stride: number;
  readonly smooth: number;
  readonly threshold: number;
  /** Copies of a recording's first frame pushed before it (preprocessing.json's window.padStarts), as the pipeline padded. */
  readonly padStarts: number;
  readonly refractorySec: number;
  readonly fps: number;
  /** Where windows end after a reset (see DetectorOptions.phase); reset(phase) changes it, checked. */
  get phase(): number {
    return this.windowPhase;
  }
  private windowPhase: number;
  /** Ensemble members averaged (1 = a single model). */
  readonly members: number;
  /** Which code runs the forward pass, and why not the fused kernel when it is not. */
  readonly kernel: TrainingKernel;
  readonly kernelNote?: string;
  /** Said when the folder loaded is one member of an ensemble and the threshold came from its preprocessing.json. */
  memberNote?: string;
  private readonly ring: WindowRing;
  private readonly predictors: Predictor[];
  private readonly logic: AlarmLogic;
  private disposed = false;

  /** `models` are the trained window models (an ensemble's members); disposed by dispose() only when `owned`. */
  constructor(
    private readonly models: readonly tf.LayersModel[],
    preprocessing: Preprocessing,
    opts: DetectorOptions = {},
    private readonly owned = false,
  ) {
    if (models.length === 0) throw new RangeError("FallDetector: no model");
    const { T, F } = windowInputShape(models[0]);
    for (const m of models) {
      const s = windowInputShape(m);
      if (s.T !== T || s.F !== F) throw new Error(`FallDetector: ensemble members take different windows ([${s.T}, ${s.F}] vs [${T}, ${F}])`);
    }
    if (T === null) throw new Error("FallDetector needs a model with a fixed window length T");
    if (T !== preprocessing.window.T) throw new Error(`preprocessing.json: window.T is ${preprocessing.window.T} but the model takes windows of ${T} frames`);
    const threshold = opts.threshold ?? preprocessing.threshold;
    if (threshold === undefined) throw new Error("preprocessing.json has no threshold (a model folder written by the pipeline has one); pass threshold");
    this.T = T;
    this.F = F;
    this.stride = preprocessing.window.stride;
    this.smooth = preprocessing.smooth ?? 1;
    this.padStarts = preprocessing.window.padStarts ?? 0;
    this.threshold = threshold;
    this.refractorySec = opts.refractorySec ?? DEFAULT_REFRACTORY_SEC;
    this.fps = opts.fps ?? URFD_FPS;
    this.windowPhase = this.checkedPhase(opts.phase ?? 0);
    this.ring = new WindowRing(T, F, preprocessing.scaler);
    this.logic = alarmLogic({ threshold, smooth: this.smooth, refractoryFrames: refractoryFrames(this.refractorySec, this.fps), fps: this.fps });
    this.predictors = models.map((m) => makePredictor(m));
    this.members = models.length;
    this.kernel = this.predictors[0].kernel;
    const note = this.predictors.find((p) => p.reason)?.reason;
    if (note) this.kernelNote = note;
  }

  /** From a pipeline model folder or an --ensemble folder of member folders. */
  static async fromDir(dir: string, opts: DetectorOptions = {}): Promise<FallDetector> {
    const saved = await loadSavedDetector(dir);
    try {
      const d = new FallDetector(saved.models, saved.preprocessing, opts, true);
      if (saved.memberNote && opts.threshold === undefined) d.memberNote = saved.memberNote;
      return d;
    } catch (e) {
      for (const m of saved.models) m.dispose();
      throw e;
    }
  }

  /**
   * The next frame (the 8 URFD features; `frame` its number when frames may be missing or the alarm
   * should carry it). Returns the scored window when this frame ends one, else null.
   */
  push(features: ArrayLike<number>, frame?: number): DetectorStep | null {
    if (this.disposed) throw new Error("FallDetector was disposed");
    if (this.padStarts > 0 && this.ring.count === 0) {
      // Numbered before the first frame, as makeWindows pads: the ring counts them, so phases follow evaluationPhase(rows, T, stride, padStarts).
      for (let p = this.padStarts; p >= 1; p--) this.ring.push(features, frame === undefined ? undefined : frame - p);
    }
    const n = this.ring.push(features, frame);
    if (n < this.T || (n - this.T) % this.stride !== this.windowPhase) return null;
    const probability = this.score(this.ring.window());
    const at = frame ?? n - 1 - this.padStarts;
    const { score, alarm } = this.logic.step(at, probability);
    return { frame: at, probability, score, alarm };
  }

  /** The members' mean probability, summed and divided in float32 as the pipeline's meanProbabilities does. */
  private score(window: Float32Array): number {
    let sum = 0;
    for (const p of this.predictors) {
      const v = tf.tidy(() => p.predict(tf.tensor3d(window, [1, this.T, this.F])).dataSync()[0]);
      sum = Math.fround(sum + v);
    }
    return Math.fround(sum / this.predictors.length);
  }

  /** Forget the stream: the next frame starts a new recording (window placement and refractory period restart), optionally at another phase. */
  reset(phase = this.windowPhase): void {
    if (this.disposed) throw new Error("FallDetector was disposed");
    this.windowPhase = this.checkedPhase(phase);
    this.ring.reset();
    this.logic.reset();
  }

  private checkedPhase(phase: number): number {
    if (!Number.isInteger(phase) || phase < 0 || phase >= this.stride) throw new RangeError(`phase must be an integer in 0..${this.stride - 1}, got ${phase}`);
    return phase;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.owned) for (const m of this.models) m.dispose();
  }
}
