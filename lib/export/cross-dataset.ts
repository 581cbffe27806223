// Cross-dataset validation: a model trained on URFD scores one MCFD chute/camera video whose
// per-frame features (URFD schema) are labelled from the reconciled MCFD annotations.
import { logitMean } from "../evaluate/member-combine";
import * as path from "node:path";
import type { FrameDataset } from "../types";
import { readUrfdFile } from "../data/urfd-csv";
import { makeWindows } from "../data/windows";
import { applyScaler } from "../data/scaler";
import { evaluateAll, Evaluation, smoothScores } from "../evaluate";
import { fallIntervals, labelMcfdFrames, loadMcfdAnnotations, mcfdDefaultDir } from "../mcfd";
import { loadSavedDetector, naming, readSavedPreprocessing, scoreWindows } from "./saved-model";
import { Preprocessing, windowDiffLags } from "./preprocessing";
import { FallDetector } from "../detect/detector";
import { replayDataset } from "../detect/replay-dataset";

export interface McfdValidationOptions {
  modelDir: string;
  dataFile: string;
  chute: number;
  cam: number;
  /** Overrides the model folder's threshold (default: preprocessing.json's, else 0.5). */
  threshold?: number;
  /** Folder of the MCFD annotation copies (default ../shared/data/mcfd). */
  annotationsDir?: string;
}

export interface McfdValidation {
  /** members: models combined (1 = a single model), start models included; startModels: how many of them (null: none). */
  model: { dir: string; kind: string; members: number; T: number; stride: number; F: number; startModels: number | null; secondWindow?: McfdSecondWindow };
  data: { file: string; sequence: string; frames: number; note: string };
  backend: string;
  threshold: number;
  thresholdSource: "--threshold" | "preprocessing.json" | "default";
  windows: { count: number; fall: number; lastFrame: number[]; probability: number[]; label: number[] };
  evaluation: Evaluation;
}

/** A --second-window folder's second detector: its window, members (start models included), and how the two join. */
export interface McfdSecondWindow {
  T: number;
  members: number;
  rule: string;
  hold: number;
  level: number;
}

export async function validateOnMcfd(o: McfdValidationOptions): Promise<McfdValidation> {
  // Two detectors joined frame by frame, held over frames: scored as the deployed detector scores a stream (it loads them).
  // A folder that cannot be read this way goes to the full loader, whose error names what is missing first.
  const head = await readSavedPreprocessing(o.modelDir).catch(() => null);
  if (head?.secondWindow !== undefined) return validateJoined(o, head);
  const saved = await loadSavedDetector(o.modelDir);
  // A --start-models folder (the default detector): every full window is scored by both groups together, against the
  // main folder's threshold, as FallDetector scores it; the start group's own first windows (fewer than T real frames) are not cut here.
  const startDir = saved.preprocessing.startModels === undefined ? null : path.join(o.modelDir, saved.preprocessing.startModels);
  const start = startDir === null ? null : await loadSavedDetector(startDir).catch((err: unknown) => {
    for (const m of saved.models) m.dispose();
    throw err;
  });
  const members = [...saved.models, ...(start?.models ?? [])];
  const { scaler, window, threshold: savedThreshold } = saved.preprocessing;
  const ds = await labelledVideo(o);
  const raw = await naming(o.dataFile, () => makeWindows(ds, { T: window.T, stride: window.stride, withDiffs: window.withDiffs, diffLags: windowDiffLags(window), ...(window.padStarts ? { padStarts: window.padStarts } : {}) }));
  const ws = applyScaler(raw, scaler);
  // The saved threshold applies to scores smoothed the way the pipeline smoothed them.
  // Members combined as the threshold was chosen on: their mean, or (--combine logit-mean) their mean log-odds.
  const combined = saved.preprocessing.combine === "logit-mean" ? logitMean(members.map((m) => scoreWindows(m, ws)), ws.count) : scoreWindows(members, ws);
  const probs = smoothScores(combined, ws, saved.preprocessing.smooth ?? 1);
  const [threshold, thresholdSource] =
    o.threshold !== undefined ? [o.threshold, "--threshold" as const] : savedThreshold !== undefined ? [savedThreshold, "preprocessing.json" as const] : [0.5, "default" as const];
  return {
    model: { dir: o.modelDir, kind: saved.preprocessing.memberKinds ? [...new Set(saved.preprocessing.memberKinds)].join("+") : saved.kind, members: members.length, T: window.T, stride: window.stride, F: ws.F, startModels: start === null ? null : start.models.length },
    data: { file: o.dataFile, sequence: ds.sequences[0].id, frames: ds.table.rows, note: ds.provenance.note },
    backend: saved.backend,
    threshold,
    thresholdSource,
    windows: { count: ws.count, fall: ws.y.reduce((a, v) => a + v, 0), lastFrame: Array.from(ws.lastFrame), probability: Array.from(probs), label: Array.from(ws.y) },
    evaluation: evaluateAll(probs, ws, threshold),
  };
}

/** The video's frames, labelled from the MCFD annotations of its chute and camera. */
async function labelledVideo(o: McfdValidationOptions): Promise<FrameDataset> {
  const annDir = o.annotationsDir ?? mcfdDefaultDir();
  const falls = await naming(annDir, () => fallIntervals(o.chute, o.cam, loadMcfdAnnotations(annDir)));
  return naming(o.dataFile, () => labelMcfdFrames(readUrfdFile(o.dataFile), { chute: o.chute, cam: o.cam, falls }, { files: [o.dataFile] }));
}

/**
 * A --second-window folder (the default detector): the video replayed frame by frame through FallDetector, which joins
 * the two detectors' aligned scores as the pipeline did; each full window of the first detector takes the joined score
 * of its last frame, against the aligned threshold 0.5. A stream's first windows (fewer than T real frames) are not
 * validated, as for a --start-models folder.
 */
async function validateJoined(o: McfdValidationOptions, preprocessing: Preprocessing): Promise<McfdValidation> {
  const { window, memberKinds } = preprocessing;
  const detector = await FallDetector.fromDir(o.modelDir, o.threshold !== undefined ? { threshold: o.threshold } : {});
  const source = detector.source!;
  try {
    const ds = await labelledVideo(o);
    // Labels and last frames only: the detector standardises its own frames.
    const ws = await naming(o.dataFile, () => makeWindows(ds, { T: window.T, stride: window.stride, withDiffs: window.withDiffs, diffLags: windowDiffLags(window) }));
    const [replay] = replayDataset(detector, ds);
    const byFrame = new Map(replay.windows.map((w) => [w.frame, w.score]));
    const probs = new Float32Array(ws.count);
    for (let i = 0; i < ws.count; i++) {
      const score = byFrame.get(ws.lastFrame[i]);
      if (score === undefined) throw new Error(`${o.modelDir}: the detector scored no window ending on frame ${ws.lastFrame[i]} of ${o.dataFile}, a full window there`);
      probs[i] = score;
    }
    const second = detector.secondWindow!;
    return {
      model: {
        dir: o.modelDir, kind: memberKinds ? [...new Set(memberKinds)].join("+") : source.kind, members: detector.members, T: window.T, stride: window.stride, F: ws.F,
        startModels: detector.startModels?.members ?? null,
        secondWindow: { T: second.T, members: second.members, rule: second.rule, hold: second.hold, level: second.level },
      },
      data: { file: o.dataFile, sequence: ds.sequences[0].id, frames: ds.table.rows, note: ds.provenance.note },
      backend: source.backend,
      threshold: detector.threshold,
      thresholdSource: "preprocessing.json",
      windows: { count: ws.count, fall: ws.y.reduce((a, v) => a + v, 0), lastFrame: Array.from(ws.lastFrame), probability: Array.from(probs), label: Array.from(ws.y) },
      evaluation: evaluateAll(probs, ws, detector.threshold),
    };
  } finally {
    detector.dispose();
  }
}
