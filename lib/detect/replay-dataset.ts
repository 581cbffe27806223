// Recorded footage replayed through the detector as a live stream, one frame at a time, recording by
// recording (the detector is reset between them): what `npm run detect` and the equality test run.
import type { FrameDataset } from "../types";
import { fallingSegment } from "../data/segments";
import type { AlarmEvent } from "./alarms";
import { evaluationPhase, FallDetector } from "./detector";
import type { RecordingDetection } from "./delay";

export interface DatasetReplay extends RecordingDetection {
  /** Frames (rows) of the recording. */
  rows: number;
  /** The window placement used (see FallDetector's phase). */
  phase: number;
  /** What the scores were compared with (the detector's threshold; 0.5 where start models align them). */
  threshold: number;
  /** Every scored window: its last frame, the members' mean probability and the smoothed score (with a second window, each detector's aligned score too). */
  windows: { frame: number; probability: number; score: number; detectors?: { first: number; second: number } }[];
  alarms: AlarmEvent[];
}

export interface ReplayOptions {
  /** Only these recordings (ids), in the data set's order; default all. */
  ids?: readonly string[];
  /** true: windows from each recording's first frame (phase 0), as a live camera; false (default): where the evaluation places them. */
  live?: boolean;
}

/** Push every frame of each chosen recording through `detector`. Throws on an unknown id. */
export function replayDataset(detector: FallDetector, ds: FrameDataset, opts: ReplayOptions = {}): DatasetReplay[] {
  const wanted = opts.ids ? new Set(opts.ids) : null;
  if (opts.ids) {
    const have = new Set(ds.sequences.map((s) => s.id));
    const unknown = opts.ids.filter((id) => !have.has(id));
    if (unknown.length) throw new Error(`no recording ${unknown.map((u) => `"${u}"`).join(", ")} (have ${ds.sequences.slice(0, 4).map((s) => s.id).join(", ")}${ds.sequences.length > 4 ? ", ..." : ""})`);
  }
  const { table } = ds;
  const nf = table.featureNames.length;
  const out: DatasetReplay[] = [];
  const before = detector.phase;
  for (const s of ds.sequences) {
    if (wanted && !wanted.has(s.id)) continue;
    const phase = opts.live ? 0 : evaluationPhase(s.length, detector.T, detector.stride, detector.padStarts);
    detector.reset(phase);
    const windows: DatasetReplay["windows"] = [];
    const alarms: AlarmEvent[] = [];
    for (let r = s.start; r < s.start + s.length; r++) {
      const step = detector.push(table.features.subarray(r * nf, (r + 1) * nf), table.frame[r]);
      if (step === null) continue;
      windows.push({ frame: step.frame, probability: step.probability, score: step.score, ...(step.detectors ? { detectors: step.detectors } : {}) });
      if (step.alarm) alarms.push(step.alarm);
    }
    out.push({
      id: s.id,
      isFall: s.isFall,
      fallingSegment: fallingSegment(ds, s.id),
      firstFrame: table.frame[s.start],
      lastFrame: table.frame[s.start + s.length - 1],
      rows: s.length,
      phase,
      threshold: detector.threshold,
      windows,
      alarms,
    });
  }
  detector.reset(before);
  return out;
}
