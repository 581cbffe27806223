// From window probabilities to alarms, one window at a time: the smoothing the pipeline applies
// (mean of the last `smooth` windows, the same float64 running sum as smoothScores), the threshold,
// and a refractory period so one fall gives one alarm. The Node detector, the pipeline's deployment
// figures and the browser page all run this one function; the page embeds it with
// Function.prototype.toString, so it must stay self-contained: no imports, no outside names.

export interface AlarmSettings {
  /** An alarm needs a smoothed score >= threshold. */
  threshold: number;
  /** Windows averaged (1 = the probabilities as given, e.g. scores smoothed already). */
  smooth: number;
  /** No second alarm until this many frames after the last one. */
  refractoryFrames: number;
  /** Frames per second: an alarm's time is frame / fps. */
  fps: number;
}

export interface AlarmEvent {
  /** Frame number of the last frame of the window that raised it. */
  frame: number;
  /** frame / fps. */
  timeSec: number;
  /** The smoothed score that crossed the threshold. */
  score: number;
}

export interface AlarmStep {
  /** Mean of this window's probability and the smooth − 1 before it since the last reset (float32). */
  score: number;
  alarm: AlarmEvent | null;
}

export interface AlarmLogic {
  /** The next window (frames must increase) and its probability. */
  step(frame: number, probability: number): AlarmStep;
  /** Forget everything: the next window starts a new recording. */
  reset(): void;
}

/** The smoothing, threshold and refractory logic over a stream of windows. Throws a RangeError on bad settings or input. */
export function alarmLogic(settings: AlarmSettings): AlarmLogic {
  const { threshold, smooth, refractoryFrames, fps } = settings;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`alarm threshold must be in [0, 1], got ${threshold}`);
  if (!Number.isInteger(smooth) || smooth < 1) throw new RangeError(`alarm smoothing must be a positive integer of windows, got ${smooth}`);
  if (!Number.isInteger(refractoryFrames) || refractoryFrames < 0) throw new RangeError(`refractory period must be a whole number of frames >= 0, got ${refractoryFrames}`);
  if (!(fps > 0)) throw new RangeError(`fps must be positive, got ${fps}`);
  const recent: number[] = [];
  let sum = 0;
  let lastFrame = -Infinity;
  let lastAlarm: number | null = null;
  return {
    step(frame: number, probability: number): AlarmStep {
      if (!Number.isFinite(probability)) throw new RangeError(`window probability at frame ${frame} is not a finite number: ${probability}`);
      if (!Number.isFinite(frame) || frame <= lastFrame) throw new RangeError(`window frames must increase: frame ${frame} after ${lastFrame}`);
      lastFrame = frame;
      // Same order of float64 operations as smoothScores, so scores agree bit for bit.
      let score: number;
      if (smooth === 1) {
        score = Math.fround(probability); // smoothScores' k = 1 is the identity, not a running sum
      } else {
        sum += probability;
        recent.push(probability);
        if (recent.length > smooth) sum -= recent.shift() as number;
        score = Math.fround(sum / recent.length);
      }
      let alarm: AlarmEvent | null = null;
      if (score >= threshold && (lastAlarm === null || frame - lastAlarm >= refractoryFrames)) {
        lastAlarm = frame;
        alarm = { frame, timeSec: frame / fps, score };
      }
      return { score, alarm };
    },
    reset(): void {
      recent.length = 0;
      sum = 0;
      lastFrame = -Infinity;
      lastAlarm = null;
    },
  };
}

/** One recording's windows in time order through alarmLogic: every smoothed score and the alarms. */
export function recordingAlarms(frames: ArrayLike<number>, probabilities: ArrayLike<number>, settings: AlarmSettings): { scores: Float32Array; alarms: AlarmEvent[] } {
  if (frames.length !== probabilities.length) throw new RangeError(`recordingAlarms: ${frames.length} frames for ${probabilities.length} probabilities`);
  const logic = alarmLogic(settings);
  const scores = new Float32Array(frames.length);
  const alarms: AlarmEvent[] = [];
  for (let i = 0; i < frames.length; i++) {
    const s = logic.step(frames[i], probabilities[i]);
    scores[i] = s.score;
    if (s.alarm) alarms.push(s.alarm);
  }
  return { scores, alarms };
}
