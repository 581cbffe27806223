// What a person deploying the detector asks: how long after a fall starts does the alarm come, how
// many falls get none, and how often does it cry wolf on daily activities (per hour of footage).
import type { AlarmEvent } from "./alarms";

/** URFD's camera rate: frame numbers become seconds at this rate. */
export const URFD_FPS = 30;
/** One fall, one alarm: no second alarm within 10 s (longer than any URFD fall recording). */
export const DEFAULT_REFRACTORY_SEC = 10;

/** One replayed recording: where its annotated fall is and which alarms the detector raised. */
export interface RecordingDetection {
  id: string;
  isFall: boolean;
  /** First and last frame of the annotated falling segment (label 0); null when none is annotated. */
  fallingSegment: readonly [number, number] | null;
  /** First and last frame number of the footage scored (its length is lastFrame − firstFrame + 1 frames). */
  firstFrame: number;
  lastFrame: number;
  alarms: AlarmEvent[];
}

export interface DetectionFigures {
  fps: number;
  /** First alarm minus the first annotated falling frame, per detected fall (negative: before it). */
  delayFrames: {
    median: number | null;
    max: number | null;
    perRecording: Record<string, number>;
    /** The latest first alarm counted from the segment's last frame (the goal: at most 15). */
    maxAfterSegmentEnd: number | null;
  };
  delaySec: { median: number | null; max: number | null };
  /** Fall recordings without any alarm. */
  missedFalls: number;
  missedFallIds: string[];
  /** Alarms raised on daily-activity recordings (all of them, not only the first per recording). */
  falseAlarms: number;
  falseAlarmIds: string[];
  /** Footage of the daily-activity recordings replayed, in hours. */
  adlHours: number;
  falseAlarmsPerHour: number | null;
  refractorySec: number;
  /** Detected falls with no annotated falling segment: found, but no delay measured. */
  fallsWithoutSegment: string[];
}

/** The median of ascending values, null when there are none. */
export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** Delay and false-alarm figures over replayed recordings (pooled: pass every fold's recordings). */
export function detectionFigures(recordings: readonly RecordingDetection[], opts: { refractorySec: number; fps?: number }): DetectionFigures {
  const fps = opts.fps ?? URFD_FPS;
  const perRecording: Record<string, number> = {};
  const afterEnd: number[] = [];
  const missedFallIds: string[] = [];
  const falseAlarmIds: string[] = [];
  const fallsWithoutSegment: string[] = [];
  let falseAlarms = 0;
  let adlFrames = 0;
  for (const r of recordings) {
    if (r.isFall) {
      if (r.alarms.length === 0) missedFallIds.push(r.id);
      else if (r.fallingSegment === null) fallsWithoutSegment.push(r.id);
      else {
        perRecording[r.id] = r.alarms[0].frame - r.fallingSegment[0];
        afterEnd.push(r.alarms[0].frame - r.fallingSegment[1]);
      }
    } else {
      adlFrames += r.lastFrame - r.firstFrame + 1;
      falseAlarms += r.alarms.length;
      if (r.alarms.length > 0) falseAlarmIds.push(r.id);
    }
  }
  const delays = Object.values(perRecording).sort((a, b) => a - b);
  const med = median(delays);
  const max = delays.length ? delays[delays.length - 1] : null;
  const adlHours = adlFrames / fps / 3600;
  return {
    fps,
    delayFrames: { median: med, max, perRecording, maxAfterSegmentEnd: afterEnd.length ? Math.max(...afterEnd) : null },
    delaySec: { median: med === null ? null : med / fps, max: max === null ? null : max / fps },
    missedFalls: missedFallIds.length,
    missedFallIds,
    falseAlarms,
    falseAlarmIds,
    adlHours,
    falseAlarmsPerHour: adlHours > 0 ? falseAlarms / adlHours : null,
    refractorySec: opts.refractorySec,
    fallsWithoutSegment,
  };
}

/** Whole frames of a refractory period given in seconds, rounded up: two alarms are never closer than it. */
export function refractoryFrames(refractorySec: number, fps = URFD_FPS): number {
  if (!(refractorySec >= 0) || !Number.isFinite(refractorySec)) throw new RangeError(`refractory period must be a number of seconds >= 0, got ${refractorySec}`);
  // The 1e-9 keeps float noise (0.1 s × 30 = 3.0000000000000004) from adding a frame.
  return Math.max(0, Math.ceil(refractorySec * fps - 1e-9));
}
