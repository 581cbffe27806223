// The alarm logic over a set of scored windows (the pipeline's test side), recording by recording,
// so the evaluation reports the alarms the deployed detector raises on the same windows.
import type { FrameDataset, WindowSet } from "../types";
import { fallingSegment, findSequence } from "../data/segments";
import { AlarmEvent, recordingAlarms } from "./alarms";
import { RecordingDetection, refractoryFrames, URFD_FPS } from "./delay";

export interface ReplayedRecording extends RecordingDetection {
  /** The windows' last frames, in time order, and their smoothed scores. */
  frames: number[];
  scores: Float32Array;
}

/**
 * Each recording of `windows` through the alarm logic. `probs` are per window, in `windows` order;
 * `smooth` is how many windows the logic averages (1 when `probs` are smoothed already, as the
 * pipeline's fold scores are).
 */
export function replayWindowSet(
  ds: FrameDataset,
  windows: Pick<WindowSet, "count" | "seq" | "lastFrame" | "sequenceIds" | "sequenceIsFall">,
  probs: ArrayLike<number>,
  opts: { threshold: number; smooth: number; refractorySec: number; fps?: number },
): ReplayedRecording[] {
  if (probs.length !== windows.count) throw new RangeError(`replayWindowSet: ${probs.length} scores for ${windows.count} windows`);
  const fps = opts.fps ?? URFD_FPS;
  const bySeq = new Map<number, number[]>();
  for (let i = 0; i < windows.count; i++) {
    const list = bySeq.get(windows.seq[i]);
    if (list) list.push(i);
    else bySeq.set(windows.seq[i], [i]);
  }
  const out: ReplayedRecording[] = [];
  for (const [s, idx] of [...bySeq.entries()].sort((a, b) => a[0] - b[0])) {
    idx.sort((a, b) => windows.lastFrame[a] - windows.lastFrame[b]);
    const id = windows.sequenceIds[s];
    const frames = idx.map((i) => windows.lastFrame[i]);
    const { scores, alarms } = recordingAlarms(frames, idx.map((i) => probs[i]), { threshold: opts.threshold, smooth: opts.smooth, refractoryFrames: refractoryFrames(opts.refractorySec, fps), fps });
    const info = findSequence(ds, id);
    out.push({
      id,
      isFall: windows.sequenceIsFall[s] === 1,
      fallingSegment: fallingSegment(ds, id),
      firstFrame: ds.table.frame[info.start],
      lastFrame: ds.table.frame[info.start + info.length - 1],
      alarms: alarms as AlarmEvent[],
      frames,
      scores,
    });
  }
  return out;
}
