// The deployable fall detector: exactly the evaluated model, one frame at a time. It keeps the last T
// standardised frames, scores a window every `stride` frames with every ensemble member (the fused
// native forward pass where it is built), combines them as the pipeline does (their mean, or their mean log-odds:
// preprocessing.json's combine), and hands that to
// the one alarm logic (smoothing over `smooth` windows, the threshold of preprocessing.json, a
// refractory period) that the pipeline's deployment figures and the browser page also run.
//
// Window placement: live, windows end at rows T−1+phase, T−1+phase+stride, ... after each reset.
// The pipeline aligns a recording's windows to its last frame; give phase = evaluationPhase(rows, T,
// stride) to replay a recorded file with the evaluation's windows (then scores, alarms and the
// recording's decision are the pipeline's, as test/detect/pipeline-equality.test.ts checks).
//
// A --start-models folder holds two ensembles (lib/detect/start-models.ts): the start models see the stream with its
// first frame repeated padStarts times in front and alone score the windows before T real frames exist; full windows
// get all members combined (the main ones on the plain stream, the start ones on theirs). Each score is aligned to
// its threshold, so the alarm logic runs at 0.5; window placement then follows the start models' (padded) stream.
//
// A --second-window folder (lib/detect/second-window.ts) also holds a second whole detector on longer windows (its start
// models padded more, so it scores the same frames); every frame goes to both and the alarm logic runs on the lower of
// their two aligned scores: an alarm needs both.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { makePredictor, Predictor, TrainingKernel } from "../model/fused-model";
import type { Preprocessing } from "../export/preprocessing";
import { loadSavedDetector } from "../export/saved-model";
import { WindowRing } from "../streaming/window-ring";
import { windowInputShape } from "../streaming/stateful-copy";
import { AlarmEvent, AlarmLogic, alarmLogic } from "./alarms";
import { alignToThreshold } from "../evaluate/align";
import { combineOf, MemberCombineName } from "../evaluate/member-combine";
import { DEFAULT_SECOND_WINDOW_LEVEL, HeldJoin, joinRule, SecondWindowRule } from "./second-window";
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

/** What a detector is built from beside its main models (FallDetector.fromDir fills them from a folder). */
export interface DetectorParts {
  /** dispose() disposes the models, the start models and the second window's detector (default false). */
  owned?: boolean;
  /** The start models of a --start-models folder, with their own preprocessing.json. */
  startModels?: { models: readonly tf.LayersModel[]; preprocessing: Preprocessing };
  /** preprocessing.json's secondWindow detector, loaded whole. */
  secondWindow?: FallDetector;
  /** The members' recurrent types ("lstm", or "lstm+gru" for two) and the backend that loaded them. */
  source?: { kind: string; backend: string };
  /** Said when the folder loaded is one member of an ensemble and the threshold came from its preprocessing.json. */
  memberNote?: string;
}

/** What one scored window gave. */
export interface DetectorStep {
  /** Frame number of the window's last frame (the push's `frame`, else rows since reset − 1). */
  frame: number;
  /** The members' combined probability for this window (their mean, or their mean log-odds); with a second window, the two aligned scores joined by its rule. */
  probability: number;
  /** With a second window: each detector's aligned score for this window (0.5 = its threshold). */
  detectors?: { first: number; second: number };
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
  /** With start models: their members, padding and the two thresholds the scores are aligned to (threshold is then 0.5). */
  readonly startModels?: { members: number; padStarts: number; fullThreshold: number; startThreshold: number };
  /** With a second window: that detector (its T, members, padding and thresholds; preprocessing.json's secondWindow). */
  readonly secondWindow?: { dir: string; rule: SecondWindowRule; hold: number; level: number; T: number; members: number; padStarts: number; fullThreshold: number; startThreshold: number };
  /** Where windows end after a reset (see DetectorOptions.phase); reset(phase) changes it, checked. */
  get phase(): number {
    return this.windowPhase;
  }
  private windowPhase: number;
  /** Ensemble members averaged (1 = a single model). */
  readonly members: number;
  /** How the members' probabilities become one (preprocessing.json's combine; the threshold was chosen on it). */
  readonly combine: MemberCombineName;
  /** Which code runs the forward pass, and why not the fused kernel when it is not. */
  readonly kernel: TrainingKernel;
  readonly kernelNote?: string;
  /** Said when the folder loaded is one member of an ensemble and the threshold came from its preprocessing.json. */
  readonly memberNote?: string;
  /** From fromDir: the members' recurrent types ("lstm", or "lstm+gru" for two) and the backend that loaded them. */
  readonly source?: { kind: string; backend: string };
  private readonly ring: WindowRing;
  private readonly predictors: Predictor[];
  private readonly start: { ring: WindowRing; predictors: Predictor[]; models: readonly tf.LayersModel[] } | null = null;
  private readonly second: FallDetector | null = null;
  /** With a second window: the two aligned scores joined by its rule, held by its hold (preprocessing.json's secondWindow). */
  private readonly joined: HeldJoin | null = null;
  private readonly logic: AlarmLogic;
  private disposed = false;

  private readonly owned: boolean;

  /** `models` are the trained window models (an ensemble's members); `parts` the rest (DetectorParts). */
  constructor(
    private readonly models: readonly tf.LayersModel[],
    preprocessing: Preprocessing,
    opts: DetectorOptions = {},
    parts: DetectorParts = {},
  ) {
    const { startModels, secondWindow } = parts;
    this.owned = parts.owned ?? false;
    if (parts.source) this.source = parts.source;
    if (parts.memberNote && opts.threshold === undefined) this.memberNote = parts.memberNote;
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
    if ((preprocessing.startModels !== undefined) !== (startModels !== undefined)) {
      throw new Error(startModels ? "start models given, but preprocessing.json names none (startModels)" : `preprocessing.json: its threshold is for the mean with the start models in "${preprocessing.startModels}"; load the folder with FallDetector.fromDir`);
    }
    this.T = T;
    this.F = F;
    this.stride = preprocessing.window.stride;
    this.smooth = preprocessing.smooth ?? 1;
    this.padStarts = preprocessing.window.padStarts ?? 0;
    this.threshold = threshold;
    this.refractorySec = opts.refractorySec ?? DEFAULT_REFRACTORY_SEC;
    this.fps = opts.fps ?? URFD_FPS;
    this.combine = preprocessing.combine ?? "mean";
    if (startModels && (startModels.preprocessing.combine ?? "mean") !== this.combine) {
      throw new Error(`start models: their preprocessing.json combines members by ${startModels.preprocessing.combine ?? "mean"}, the main folder's by ${this.combine}`);
    }
    if (startModels) {
      const s = checkStartModels(models[0], preprocessing, startModels, opts);
      this.startModels = { members: startModels.models.length, padStarts: s.padStarts, fullThreshold: threshold, startThreshold: s.threshold };
      this.padStarts = s.padStarts;
      this.threshold = 0.5; // scores are aligned to their group's threshold
      this.start = { ring: new WindowRing(T, F, startModels.preprocessing.scaler), predictors: startModels.models.map((m) => makePredictor(m)), models: startModels.models };
    }
    if ((preprocessing.secondWindow !== undefined) !== (secondWindow !== undefined)) {
      throw new Error(secondWindow ? "a second window's detector given, but preprocessing.json names none (secondWindow)" : `preprocessing.json: its detector joins the one in "${preprocessing.secondWindow!.dir}" frame by frame; load the folder with FallDetector.fromDir`);
    }
    this.windowPhase = this.checkedPhase(opts.phase ?? 0);
    if (secondWindow) {
      const hold = preprocessing.secondWindow!.hold ?? 0;
      const level = preprocessing.secondWindow!.level ?? DEFAULT_SECOND_WINDOW_LEVEL;
      this.secondWindow = { ...checkSecondWindow(this, preprocessing.secondWindow!.dir, secondWindow), rule: preprocessing.secondWindow!.rule, hold, level };
      this.second = secondWindow;
      this.joined = new HeldJoin(joinRule(preprocessing.secondWindow!.rule), hold, level);
    }
    this.ring = new WindowRing(T, F, preprocessing.scaler);
    this.logic = alarmLogic({ threshold: this.threshold, smooth: this.smooth, refractoryFrames: refractoryFrames(this.refractorySec, this.fps), fps: this.fps });
    this.predictors = models.map((m) => makePredictor(m));
    this.members = models.length + (startModels?.models.length ?? 0);
    this.kernel = this.predictors[0].kernel;
    const note = [...this.predictors, ...(this.start?.predictors ?? [])].find((p) => p.reason)?.reason ?? secondWindow?.kernelNote;
    if (note) this.kernelNote = note;
  }

  /** From a pipeline model folder or an --ensemble folder of member folders (with its start models when it names them). */
  static async fromDir(dir: string, opts: DetectorOptions = {}): Promise<FallDetector> {
    const saved = await loadSavedDetector(dir);
    let start: Awaited<ReturnType<typeof loadSavedDetector>> | null = null;
    let second: FallDetector | null = null;
    try {
      const sub = saved.preprocessing.startModels;
      if (sub !== undefined) {
        if (saved.memberNote) throw new Error(`${dir}: one member of an ensemble with start models; ${saved.memberNote.replace(/^.*?; /, "")}`);
        start = await loadSavedDetector(path.join(dir, sub));
      }
      const secondDir = saved.preprocessing.secondWindow?.dir;
      if (secondDir !== undefined) second = await FallDetector.fromDir(path.join(dir, secondDir), opts);
      let d: FallDetector;
      try {
        d = new FallDetector(saved.models, saved.preprocessing, opts, {
          owned: true,
          startModels: start ? { models: start.models, preprocessing: start.preprocessing } : undefined,
          secondWindow: second ?? undefined,
          source: { kind: saved.kind, backend: saved.backend },
          memberNote: saved.memberNote,
        });
      } catch (e) {
        // Say which folder's settings disagree.
        if (start && e instanceof Error && e.message.startsWith("start models")) e.message = `${path.join(dir, sub!, "preprocessing.json")}: ${e.message}`;
        if (second && e instanceof Error && e.message.startsWith("second window")) e.message = `${path.join(dir, secondDir!, "preprocessing.json")}: ${e.message}`;
        throw e;
      }
      return d;
    } catch (e) {
      for (const m of [...saved.models, ...(start?.models ?? [])]) m.dispose();
      second?.dispose();
      throw e;
    }
  }

  /**
   * The next frame (the 8 URFD features; `frame` its number when frames may be missing or the alarm
   * should carry it). Returns the scored window when this frame ends one, else null.
   */
  push(features: ArrayLike<number>, frame?: number): DetectorStep | null {
    if (this.disposed) throw new Error("FallDetector was disposed");
    const own = this.scoreFrame(features, frame);
    if (this.second) {
      const other = this.second.scoreFrame(features, frame);
      // Both detectors place windows alike (checkSecondWindow): a frame one scores and the other not is a bug.
      if ((own === null) !== (other === null) || (own && other && own.at !== other.at)) throw new Error(`FallDetector: the second window's detector scores frame ${other?.at ?? "none"}, the first ${own?.at ?? "none"}`);
      if (!own || !other) return null;
      const joined = this.joined!.push(own.at, own.value, other.value);
      const { score, alarm } = this.logic.step(own.at, joined);
      return { frame: own.at, probability: joined, score, alarm, detectors: { first: own.value, second: other.value } };
    }
    if (!own) return null;
    const { score, alarm } = this.logic.step(own.at, own.value);
    return { frame: own.at, probability: own.probability, score: this.start ? own.value : score, alarm };
  }

  /** The frame into the rings; when it ends a window: its frame, the members' combined probability and what the alarm logic takes (aligned with start models). */
  private scoreFrame(features: ArrayLike<number>, frame: number | undefined): { at: number; probability: number; value: number } | null {
    if (this.start) return this.scoreMixed(features, frame, this.start);
    if (this.padStarts > 0 && this.ring.count === 0) {
      // Numbered before the first frame, as makeWindows pads: the ring counts them, so phases follow evaluationPhase(rows, T, stride, padStarts).
      for (let p = this.padStarts; p >= 1; p--) this.ring.push(features, frame === undefined ? undefined : frame - p);
    }
    const n = this.ring.push(features, frame);
    if (n < this.T || (n - this.T) % this.stride !== this.windowPhase) return null;
    const probability = this.score(this.ring.window());
    return { at: frame ?? n - 1 - this.padStarts, probability, value: probability };
  }

  /** With start models: the padded stream's windows before T real frames go to them alone, full windows to every member. */
  private scoreMixed(features: ArrayLike<number>, frame: number | undefined, start: NonNullable<FallDetector["start"]>): { at: number; probability: number; value: number } | null {
    const { fullThreshold, startThreshold } = this.startModels!;
    if (start.ring.count === 0) for (let p = this.padStarts; p >= 1; p--) start.ring.push(features, frame === undefined ? undefined : frame - p);
    const n = start.ring.push(features, frame);
    this.ring.push(features, frame);
    if (n < this.T || (n - this.T) % this.stride !== this.windowPhase) return null;
    const real = n - this.padStarts;
    let probability: number;
    let score: number;
    if (real < this.T) {
      probability = this.combineMembers([[start.predictors, start.ring.window()]]);
      score = alignToThreshold([probability], startThreshold)[0];
    } else {
      // Main members first, then the start ones, in the pipeline's order (mixFold).
      probability = this.combineMembers([[this.predictors, this.ring.window()], [start.predictors, start.ring.window()]]);
      score = alignToThreshold([probability], fullThreshold)[0];
    }
    return { at: frame ?? real - 1, probability, value: score };
  }

  /** The members combined as the pipeline combines them (meanProbabilities or logitMean). */
  private score(window: Float32Array): number {
    return this.combineMembers([[this.predictors, window]]);
  }

  /** Each group's predictors on its window, in order, combined as the pipeline combines them (member-combine.ts). */
  private combineMembers(groups: readonly (readonly [readonly Predictor[], Float32Array])[]): number {
    const values: number[] = [];
    for (const [predictors, window] of groups) {
      // One input tensor for the group's members (a copy into the backend each): the same values, made once.
      tf.tidy(() => {
        const xs = tf.tensor3d(window, [1, this.T, this.F]);
        for (const p of predictors) values.push(p.predict(xs).dataSync()[0]);
      });
    }
    return combineOf(this.combine, values);
  }

  /** Forget the stream: the next frame starts a new recording (window placement and refractory period restart), optionally at another phase. */
  reset(phase = this.windowPhase): void {
    if (this.disposed) throw new Error("FallDetector was disposed");
    this.windowPhase = this.checkedPhase(phase);
    this.ring.reset();
    this.start?.ring.reset();
    this.second?.reset(phase);
    this.joined?.reset();
    this.logic.reset();
  }

  private checkedPhase(phase: number): number {
    if (!Number.isInteger(phase) || phase < 0 || phase >= this.stride) throw new RangeError(`phase must be an integer in 0..${this.stride - 1}, got ${phase}`);
    return phase;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.owned) for (const m of [...this.models, ...(this.start?.models ?? [])]) m.dispose();
    this.second?.dispose();
  }
}

/**
 * A --second-window detector must score the frames the first scores: longer windows of the same features and stride,
 * start models padded by the difference of the two window lengths, unsmoothed scores aligned at 0.5.
 */
function checkSecondWindow(first: FallDetector, dir: string, second: FallDetector): Omit<NonNullable<FallDetector["secondWindow"]>, "rule" | "hold" | "level"> {
  const where = `second window ("${dir}")`;
  if (!first.startModels || !second.startModels) throw new Error(`${where}: both detectors need start models (they score a stream's first frames)`);
  if (second.secondWindow) throw new Error(`${where}: names a second window of its own`);
  if (second.F !== first.F || second.stride !== first.stride) throw new Error(`${where}: takes [${second.T}, ${second.F}] windows every ${second.stride}, the first detector [${first.T}, ${first.F}] every ${first.stride}: the features and stride must agree`);
  if (second.T <= first.T) throw new Error(`${where}: windows of ${second.T} frames, not longer than the first detector's ${first.T}`);
  if (second.padStarts - first.padStarts !== second.T - first.T) throw new Error(`${where}: start models padded ${second.padStarts} times, the first's ${first.padStarts}: they must differ by the window lengths' ${second.T - first.T} to score the same frames`);
  if (second.smooth !== 1 || first.smooth !== 1) throw new Error(`${where}: scores are joined unsmoothed (smooth 1)`);
  if (second.phase !== first.phase) throw new Error(`${where}: phase ${second.phase}, the first detector's ${first.phase}`);
  const s = second.startModels;
  return { dir, T: second.T, members: second.members, padStarts: second.padStarts, fullThreshold: s.fullThreshold, startThreshold: s.startThreshold };
}

/** A --start-models folder's start models must take the main models' windows (padded, unsmoothed) and carry their own threshold. */
function checkStartModels(main: tf.LayersModel, pre: Preprocessing, start: { models: readonly tf.LayersModel[]; preprocessing: Preprocessing }, opts: DetectorOptions): { padStarts: number; threshold: number } {
  const where = `start models ("${pre.startModels}")`;
  if (opts.threshold !== undefined) throw new Error("a detector with start models has two thresholds (preprocessing.json's): a threshold override does not apply");
  if (start.models.length === 0) throw new Error(`${where}: no model`);
  const { T, F } = windowInputShape(main);
  for (const m of start.models) {
    const s = windowInputShape(m);
    if (s.T !== T || s.F !== F) throw new Error(`${where}: take windows of [${s.T}, ${s.F}], the main models [${T}, ${F}]`);
  }
  const [a, b] = [pre.window, start.preprocessing.window];
  if (a.stride !== b.stride || a.withDiffs !== b.withDiffs || JSON.stringify(a.diffLags ?? null) !== JSON.stringify(b.diffLags ?? null)) throw new Error(`${where}: window settings differ from the main models' beyond padStarts`);
  const padStarts = b.padStarts ?? 0;
  if ((a.padStarts ?? 0) !== 0 || padStarts < 1) throw new Error(`${where}: the main models must see unpadded windows and the start models padded ones (window.padStarts ${a.padStarts ?? 0} and ${padStarts})`);
  if ((pre.smooth ?? 1) !== 1 || (start.preprocessing.smooth ?? 1) !== 1) throw new Error(`${where}: scores are unsmoothed with start models (smooth must be 1)`);
  if (start.preprocessing.threshold === undefined) throw new Error(`${where}: preprocessing.json has no threshold`);
  return { padStarts, threshold: start.preprocessing.threshold };
}
