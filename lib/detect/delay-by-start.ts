// Where a run's detection delay comes from: falls whose falling segment starts before the first frame a
// window can end on (their earliest possible alarm is that window, whatever the model) against falls
// with whole windows before them. `node dist/lib/detect/delay-by-start.js RUN_DIR...` (URFD runs).
import * as path from "node:path";
import { findUrfdDir, loadUrfd } from "../data/load";
import { fallingSegment } from "../data/segments";
import { readJson } from "../run/atomic";
import { median } from "./delay";

export interface DelayByStart {
  /** Falls starting before `firstWindowEnd`: how many, their median delay, and how many alarmed on the first window. */
  early: { falls: number; medianDelay: number | null; atFirstWindow: number };
  late: { falls: number; medianDelay: number | null };
}

/**
 * Splits per-fall delays (alarm frame − segment start) by segment start. A fall "alarmed on the first window" when its
 * alarm came before the next window could end (`firstWindowEnd + stride`).
 */
export function delayByStart(delays: Record<string, number>, segmentStarts: Record<string, number>, firstWindowEnd: number, stride: number): DelayByStart {
  const early: number[] = [];
  const late: number[] = [];
  let atFirstWindow = 0;
  for (const [id, delay] of Object.entries(delays)) {
    const start = segmentStarts[id];
    if (start === undefined) throw new Error(`no falling segment for ${id}`);
    if (start < firstWindowEnd) {
      early.push(delay);
      if (start + delay < firstWindowEnd + stride) atFirstWindow++;
    } else late.push(delay);
  }
  const ascending = (v: number[]) => median(v.sort((a, b) => a - b));
  return { early: { falls: early.length, medianDelay: ascending(early), atFirstWindow }, late: { falls: late.length, medianDelay: ascending(late) } };
}

interface RunMetrics {
  config: { window: number; stride: number; seed: number; padStarts?: number };
  data: { source: string };
  detection: { delayFrames: { median: number | null; perRecording: Record<string, number> } };
}

if (require.main === module) {
  const runs = process.argv.slice(2);
  if (runs.length === 0) {
    console.error("usage: node dist/lib/detect/delay-by-start.js RUN_DIR [RUN_DIR ...]  (runs on URFD, with a detection block)");
    process.exit(2);
  }
  const dir = findUrfdDir();
  if (!dir) throw new Error("URFD data not found (data/urfd, or FALL_DATA_DIR)");
  const ds = loadUrfd(dir);
  const starts: Record<string, number> = {};
  for (const s of ds.sequences) {
    const seg = s.isFall ? fallingSegment(ds, s.id) : null;
    if (seg) starts[s.id] = seg[0];
  }
  console.log("| run | seed | falls starting before the first window's end: median delay | of these, alarm on the first window | later starts: median delay | all |");
  console.log("|---|---|---|---|---|---|");
  for (const run of runs) {
    const m = readJson(path.join(run, "metrics.json")) as RunMetrics;
    if (m.data.source !== "urfd") throw new Error(`${run}: not a URFD run (${m.data.source})`);
    // The first frame a window of real frames can end on; --pad-starts N lets windows end N frames earlier.
    const firstEnd = m.config.window - (m.config.padStarts ?? 0);
    const r = delayByStart(m.detection.delayFrames.perRecording, starts, firstEnd, m.config.stride);
    console.log(`| ${path.basename(run)} | ${m.config.seed} | ${r.early.medianDelay} (${r.early.falls} falls) | ${r.early.atFirstWindow} | ${r.late.medianDelay} (${r.late.falls} falls) | ${m.detection.delayFrames.median} |`);
  }
}
