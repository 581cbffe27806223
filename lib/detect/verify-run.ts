// Does the detector raise the alarms a pipeline run reported? Each fold's model folder is loaded with
// FallDetector.fromDir, that fold's test recordings are replayed frame by frame, and the decisions and
// the detection block are compared with the run's metrics.json.
import * as path from "node:path";
import type { FrameDataset } from "../types";
import { readWindowSet } from "../data/arrow-io";
import { resolveData } from "../data/load";
import { readJson } from "../run/atomic";
import { FallDetector } from "./detector";
import { detectionFigures, DetectionFigures } from "./delay";
import { DatasetReplay, replayDataset } from "./replay-dataset";

export interface RunCheck {
  recordings: number;
  windows: number;
  /** Recordings whose decision (any alarm) differs from the run's. */
  decisionMismatches: string[];
  /** The detection block computed from the replay equals metrics.json's. */
  detectionEqual: boolean;
  replayed: DatasetReplay[];
  detection: DetectionFigures;
}

interface RunMetrics {
  config: { data: string | null; synthetic?: boolean; seed: number };
  folds?: unknown[];
  sequence: { missedFalls: string[]; falseAlarms: string[] };
  detection: DetectionFigures;
}

/**
 * Replay a finished run's test recordings (`ds` defaults to the data the run read). `live`: windows
 * from each recording's first frame, as a camera would place them (then the figures may differ).
 */
export async function verifyRun(runDir: string, ds?: FrameDataset, opts: { live?: boolean } = {}): Promise<RunCheck> {
  const metrics = readJson(path.join(runDir, "metrics.json")) as RunMetrics;
  // The data the run read, as the pipeline resolved it (its generated data when it ran with --synthetic).
  const { data: dir, synthetic, seed } = metrics.config;
  const data = ds ?? resolveData({ dir: dir ?? undefined, synthetic: synthetic === true, seed });
  const folds = metrics.folds ? metrics.folds.map((_, k) => ({ model: path.join(runDir, "models", `fold-${k + 1}`), test: path.join(runDir, "arrow", `fold-${k + 1}`, "test.arrow") })) : [{ model: path.join(runDir, "model"), test: path.join(runDir, "arrow", "test.arrow") }];
  const replayed: DatasetReplay[] = [];
  for (const f of folds) {
    const test = readWindowSet(f.test);
    const ids = [...new Set(test.seq)].sort((a, b) => a - b).map((s) => test.sequenceIds[s]);
    const detector = await FallDetector.fromDir(f.model);
    try {
      replayed.push(...replayDataset(detector, data, { ids, live: opts.live === true }));
    } finally {
      detector.dispose();
    }
  }
  const detection = detectionFigures(replayed, { refractorySec: metrics.detection.refractorySec, fps: metrics.detection.fps });
  const decisionMismatches = replayed
    .filter((r) => (r.alarms.length > 0) !== (r.isFall ? !metrics.sequence.missedFalls.includes(r.id) : metrics.sequence.falseAlarms.includes(r.id)))
    .map((r) => r.id);
  return {
    recordings: replayed.length,
    windows: replayed.reduce((a, r) => a + r.windows.length, 0),
    decisionMismatches,
    detectionEqual: JSON.stringify(detection) === JSON.stringify(metrics.detection),
    replayed,
    detection,
  };
}
