// The figures and reports that notebook 06 and report.html both show, built in one place.
import { FrameDataset, WindowSet } from "../types";
import { fallingSegment } from "../data/segments";
import { applyThreshold, classificationReport, Evaluation, rocCurve, sequenceScores } from "../evaluate";
import { confusionMatrixFigure, Figure, rocFigure, sequenceTimelineFigure, trainingCurvesFigure } from "../plot/figures";
import { FitResult } from "../distributed";
import { alarmTimelineFigure, AlarmTimelineRow } from "../plot/alarms";

export interface EvaluationViews {
  windowReport: string;
  sequenceReport: string;
  confusion: Figure[];
  roc: Figure;
  timelines: Figure[];
  /** Every replayed recording with its alarms (when `replayed` was given). */
  alarms: Figure | null;
}

/** Scores are thresholded at `threshold` (0.5 for threshold-aligned scores). */
export function evaluationViews(
  ds: FrameDataset,
  windows: WindowSet,
  scores: Float32Array,
  evaluation: Evaluation,
  opts: { threshold?: number; maxTimelines?: number; replayed?: readonly AlarmTimelineRow[]; fps?: number } = {},
): EvaluationViews {
  const threshold = opts.threshold ?? 0.5;
  const seq = sequenceScores(scores, windows);
  const windowRoc = rocCurve(scores, windows.y);
  const seqRoc = rocCurve(seq.scores, seq.labels);
  return {
    windowReport: classificationReport(applyThreshold(scores, threshold), windows.y, { targetNames: ["not fall", "fall"], digits: 3 }).text,
    sequenceReport: classificationReport(applyThreshold(seq.scores, threshold), seq.labels, { targetNames: ["daily activity", "fall"], digits: 3 }).text,
    confusion: [
      confusionMatrixFigure(evaluation.window.confusionMatrix, { title: "Windows", labels: ["not fall", "fall"] }),
      confusionMatrixFigure(evaluation.sequence.confusionMatrix, { title: "Recordings", labels: ["daily activity", "fall"] }),
    ],
    roc: rocFigure([
      { name: "windows", fpr: windowRoc.fpr, tpr: windowRoc.tpr, auc: evaluation.window.auc },
      { name: "recordings", fpr: seqRoc.fpr, tpr: seqRoc.tpr, auc: evaluation.sequence.auc },
    ]),
    timelines: timelineFigures(ds, windows, scores, evaluation, threshold, opts.maxTimelines ?? 6, opts.replayed),
    alarms: opts.replayed ? alarmTimelineFigure(opts.replayed, { fps: opts.fps ?? 30, title: "Alarms of the detector per test recording" }) : null,
  };
}

/** Mistakes first (missed falls, false alarms), then one correct fall and ADL for contrast. */
function timelineFigures(ds: FrameDataset, windows: WindowSet, scores: Float32Array, ev: Evaluation, threshold: number, max: number, replayed?: readonly AlarmTimelineRow[]): Figure[] {
  const wanted = [...ev.missedFalls, ...ev.falseAlarms];
  const present = new Set<number>();
  for (let i = 0; i < windows.count; i++) present.add(windows.seq[i]);
  const ids = [...present].map((s) => windows.sequenceIds[s]);
  const correctFall = ids.find((id) => !wanted.includes(id) && ds.sequences.find((s) => s.id === id)?.isFall);
  const correctAdl = ids.find((id) => !wanted.includes(id) && !ds.sequences.find((s) => s.id === id)?.isFall);
  for (const id of [correctFall, correctAdl]) if (id) wanted.push(id);
  return wanted.slice(0, max).map((id) => {
    const s = windows.sequenceIds.indexOf(id);
    const frames: number[] = [];
    const probs: number[] = [];
    for (let i = 0; i < windows.count; i++) {
      if (windows.seq[i] === s) {
        frames.push(windows.lastFrame[i]);
        probs.push(scores[i]);
      }
    }
    const kind = ev.missedFalls.includes(id) ? "missed fall" : ev.falseAlarms.includes(id) ? "false alarm" : "correct";
    const alarmFrames = replayed?.find((r) => r.id === id)?.alarms.map((a) => a.frame);
    return sequenceTimelineFigure({ id, frames, probs, fallingSegment: fallingSegment(ds, id), threshold, ...(alarmFrames ? { alarmFrames } : {}) }, { title: `${id} — ${kind}` });
  });
}

export function trainingFigure(fit: FitResult, title: string): Figure {
  return trainingCurvesFigure({ merged: fit.merged, workers: fit.workers }, { title });
}
