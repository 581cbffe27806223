// A run cut at another window length than the default's 32 frames reports its window AUC over its own windows, which
// are other windows. This reads it over the default's: each default window keeps its label and takes the score of
// the run's window that ends on the same frame of the same recording (both cut every `stride` frames back from a
// recording's last frame, so their end frames coincide). docs/results.md, "A tenth round".
import * as path from "node:path";
import type { WindowSet } from "../types";
import { auc } from "../evaluate/metrics";
import { DEFAULT_STRIDE, DEFAULT_T, makeWindows } from "../data/windows";
import { concatWindowSets } from "../data/split";
import { resolveData } from "../data/load";
import { readJson } from "../run/atomic";
import { STUDIED_RULES } from "./alarm-rules";
import { rescoreRun } from "./rescore-run";
import { poolAligned } from "./rule-study";
import { alignToThreshold } from "../evaluate/align";
import type { DatasetReplay } from "./replay-dataset";
import { replayFolds, ReplayRunConfig } from "./replay-run";

type Ends = Pick<WindowSet, "count" | "seq" | "lastFrame" | "sequenceIds">;

/**
 * The AUC of `scores` (one per window of `windows`) over the `reference` windows that a window of `windows` ends on
 * the same frame of, with the reference windows' labels; and how many reference windows that is.
 */
export function windowAucOnReference(windows: Ends, scores: ArrayLike<number>, reference: Ends & Pick<WindowSet, "y">): { auc: number | null; windows: number } {
  if (scores.length !== windows.count) throw new RangeError(`windowAucOnReference: ${scores.length} scores for ${windows.count} windows`);
  const at = new Map<string, number>();
  for (let w = 0; w < windows.count; w++) at.set(`${windows.sequenceIds[windows.seq[w]]}@${windows.lastFrame[w]}`, scores[w]);
  const s: number[] = [];
  const y: number[] = [];
  for (let w = 0; w < reference.count; w++) {
    const score = at.get(`${reference.sequenceIds[reference.seq[w]]}@${reference.lastFrame[w]}`);
    if (score === undefined) continue;
    s.push(score);
    y.push(reference.y[w]);
  }
  return { auc: auc(s, y), windows: s.length };
}

/** Recordings' scored frames (in order, one score each) as window ends (recording, last frame) with their scores. */
export function scoredEnds(recs: readonly { id: string; frames: readonly number[]; scores: ArrayLike<number> }[]): { windows: Ends; scores: Float32Array } {
  const seq: number[] = [];
  const lastFrame: number[] = [];
  const scores: number[] = [];
  recs.forEach((r, i) => r.frames.forEach((f, j) => (seq.push(i), lastFrame.push(f), scores.push(r.scores[j]))));
  return { windows: { count: seq.length, seq: Int32Array.from(seq), lastFrame: Int32Array.from(lastFrame), sequenceIds: recs.map((r) => r.id) }, scores: Float32Array.from(scores) };
}

/** Every window the replays scored, as window ends (recording, last frame) with its score aligned to the replay's threshold. */
export function replayedEnds(replays: readonly DatasetReplay[]): { windows: Ends; scores: Float32Array } {
  return scoredEnds(replays.map((r) => {
    const raw = r.windows.map((w) => w.score);
    return { id: r.id, frames: r.windows.map((w) => w.frame), scores: r.threshold === 0.5 ? raw : alignToThreshold(raw, r.threshold) };
  }));
}

// node dist/lib/detect/window-length-study.js RUN_DIR... : each run's window AUC over its own windows and over the
// default's (T = 32, stride 4): a plain run's folds re-scored with its rule (mean of members, smooth 3, from arrow/);
// a --start-models run replayed through its saved detectors (no arrow/ needed), checked against its metrics.json.
if (require.main === module) {
  const runs = process.argv.slice(2);
  if (runs.length === 0) {
    console.error("usage: node dist/lib/detect/window-length-study.js RUN_DIR [RUN_DIR ...]  (pipeline runs written with --folds)");
    process.exit(2);
  }
  (async () => {
    const { initBackend } = await import("../backend");
    await initBackend();
    console.log("| run | seed | window length | window AUC, own windows | window AUC, the --stride grid's full windows (T 32, stride 4) | default windows matched |");
    console.log("|---|---|---|---|---|---|");
    for (const run of runs) {
      const metrics = readJson(path.join(run, "metrics.json")) as { config: ReplayRunConfig; windowOnGrid?: { auc: number | null } };
      const cfg = metrics.config;
      const ds = resolveData({ dir: cfg.data ?? undefined, synthetic: cfg.synthetic === true, seed: cfg.seed });
      const reference = makeWindows(ds, { T: DEFAULT_T, stride: DEFAULT_STRIDE, withDiffs: true });
      const f4 = (x: number | null) => (x === null ? "–" : x.toFixed(4));
      if ((cfg.startModels ?? 0) > 0) {
        // Scored every frame by both groups: replayed through each fold's saved detector, as it deploys.
        const { windows, scores } = replayedEnds(await replayFolds(run, cfg, ds));
        const own = windowAucOnReference(windows, scores, makeWindows(ds, { T: cfg.window, stride: cfg.stride, withDiffs: true }));
        // The replay must be the run: its AUC over the run's own full windows on the --stride grid is metrics.json's.
        const saved = metrics.windowOnGrid?.auc ?? null;
        if (saved === null || own.auc === null || Math.abs(own.auc - saved) > 1e-9) {
          throw new Error(`${run}: the replayed detector gives window AUC ${f4(own.auc)} over the run's own --stride grid, metrics.json's windowOnGrid says ${f4(saved)}: not this run's detector`);
        }
        const onRef = windowAucOnReference(windows, scores, reference);
        console.log(`| ${run} | ${cfg.seed} | ${cfg.window} | ${f4(own.auc)} (the --stride grid, = metrics.json) | ${f4(onRef.auc)} | ${onRef.windows} of ${reference.count} |`);
        continue;
      }
      const folds = await rescoreRun(run);
      // Pooled as the pipeline pools folds: each fold's scores mapped so its own threshold sits at 0.5.
      const windows = concatWindowSets(folds.map((f) => f.test));
      const scores = poolAligned(folds, STUDIED_RULES[0]);
      const onRef = windowAucOnReference(windows, scores, reference);
      console.log(`| ${run} | ${cfg.seed} | ${cfg.window} | ${f4(auc(scores, windows.y))} | ${f4(onRef.auc)} | ${onRef.windows} of ${reference.count} |`);
    }
    process.exit(0);
  })().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
