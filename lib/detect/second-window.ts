// `--second-window N` (issue 15's twenty-fourth round, built in): beside the --start-models detector on windows of T
// frames, a second whole detector (main and start models) on windows of N > T frames, its start models padded with
// N − T more copies of the first frame, so both score the same frames. Each frame's two scores, each aligned to its own
// detector's threshold (0.5), are joined by the lower: an alarm needs both. Pure arithmetic on aligned scores here; the
// pipeline trains the two detectors and FallDetector and the browser page join them one frame at a time.
import type { WindowSet } from "../types";
import { alignWindows } from "./start-models";
import { logitMeanOf } from "../evaluate/member-combine";

/** How a frame's two aligned scores become one: the lower (both must pass 0.5). */
export const SECOND_WINDOW_RULE = "min" as const;

/** The subfolder of a fold's model folder (and Arrow folder) holding the second detector. */
export function secondWindowDir(window: number): string {
  return `window-${window}`;
}

/** The rule on one frame: the lower of the two aligned scores. */
export function joinAligned(first: number, second: number): number {
  return Math.min(first, second);
}

/**
 * `min`'s alarms with another ranking (studied in the twenty-fifth round): where both aligned scores sit on the same
 * side of 0.5, their mean log-odds (on that side too; clamped to it against rounding); where they disagree, the lower.
 * A score reaches 0.5 exactly where both do.
 */
export function joinAgreeing(first: number, second: number): number {
  const lo = Math.min(first, second);
  const hi = Math.max(first, second);
  if (lo >= 0.5) return Math.max(logitMeanOf([first, second]), lo);
  if (hi < 0.5) return Math.min(logitMeanOf([first, second]), hi);
  return lo;
}

type Placed = Pick<WindowSet, "count" | "seq" | "sequenceIds" | "lastFrame">;

/**
 * The first detector's evaluated windows scored by both: each window's aligned score joined with the second's at the
 * same recording and last frame. The second must score exactly those frames (no more, none missing).
 */
export function joinSecondWindow(first: { windows: Placed; scores: Float32Array }, second: { windows: Placed; scores: Float32Array }, what: string): Float32Array {
  if (first.scores.length !== first.windows.count || second.scores.length !== second.windows.count) throw new RangeError(`${what}: scores and windows differ in number`);
  if (second.windows.count !== first.windows.count) throw new Error(`${what}: the second window's detector scores ${second.windows.count} windows, the first ${first.windows.count}: they must score the same frames`);
  const at = alignWindows(first.windows, second.windows, `${what} (second window)`);
  return Float32Array.from(at, (j, i) => joinAligned(first.scores[i], second.scores[j]));
}
