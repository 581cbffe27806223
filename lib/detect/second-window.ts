// `--second-window N` (issue 15's twenty-fourth round, built in): beside the --start-models detector on windows of T
// frames, a second whole detector (main and start models) on windows of N > T frames, its start models padded with
// N − T more copies of the first frame, so both score the same frames. Each frame's two scores, each aligned to its own
// detector's threshold (0.5), are joined by the lower (`min`: an alarm needs both), or with the same alarms ranked by
// both (`min-agree`, the twenty-fifth round); with a hold (`--second-window-hold K`, the twenty-sixth round) each score
// is first held K frames, so two detectors that cross a few frames apart agree; with a level (`--second-window-level L`,
// the twenty-eighth round) the second's aligned score passes at L < 0.5, so it confirms sooner and vetoes less. Pure
// arithmetic on aligned scores here; the pipeline trains the two detectors and FallDetector and the browser page join
// them one frame at a time.
import type { WindowSet } from "../types";
import { alignWindows } from "./start-models";
import { joinAgreeing, joinAgreeingMean } from "../evaluate/member-combine";

export { joinAgreeing, joinAgreeingMean };

/**
 * How a frame's two aligned scores become one: `min`, the lower (both must pass 0.5); `min-agree`, the same alarms,
 * ranked by the mean log-odds where both scores sit on one side of 0.5 (joinAgreeing); `min-agree-mean`, the same
 * alarms, ranked by the mean log-odds where they disagree too, held below 0.5 there (joinAgreeingMean).
 */
export type SecondWindowRule = "min" | "min-agree" | "min-agree-mean";
export const SECOND_WINDOW_RULES: readonly SecondWindowRule[] = ["min", "min-agree", "min-agree-mean"];
/** --second-window-rule when not given: min-agree met as many goals as min or more on every seed of the twenty-fifth round. */
export const DEFAULT_SECOND_WINDOW_RULE: SecondWindowRule = "min-agree";

/** --second-window-level when not given: the second detector's own threshold. */
export const DEFAULT_SECOND_WINDOW_LEVEL = 0.5;

/** The subfolder of a fold's model folder (and Arrow folder) holding the second detector. */
export function secondWindowDir(window: number): string {
  return `window-${window}`;
}

/** The rule on one frame: the lower of the two aligned scores. */
export function joinAligned(first: number, second: number): number {
  return Math.min(first, second);
}

/** The rule's arithmetic on one frame. */
export function joinRule(rule: SecondWindowRule): (first: number, second: number) => number {
  return rule === "min-agree" ? joinAgreeing : rule === "min-agree-mean" ? joinAgreeingMean : joinAligned;
}

/**
 * A detector's aligned scores held for `hold` frames, one frame at a time: each push returns the highest score of the
 * frames in [frame − hold, frame] (frames must increase). Two detectors on different windows cross 0.5 a few frames
 * apart, and one may dip just before the other crosses; joined after holding, their alarm needs agreement within
 * `hold` frames. Self-contained: the browser page embeds it.
 */
export class ScoreHold {
  // Frames and scores of a decreasing run of scores inside the hold (a monotonic queue: each frame enters and leaves once).
  private frames: number[] = [];
  private scores: number[] = [];
  private last = -Infinity;
  constructor(readonly hold: number) {
    if (!Number.isInteger(hold) || hold < 0) throw new RangeError(`hold must be a whole number of frames >= 0, got ${hold}`);
  }
  push(frame: number, score: number): number {
    if (!(frame > this.last)) throw new RangeError(`ScoreHold: frame ${frame} after ${this.last}: frames must increase`);
    this.last = frame;
    while (this.scores.length && this.scores[this.scores.length - 1] <= score) {
      this.scores.pop();
      this.frames.pop();
    }
    this.scores.push(score);
    this.frames.push(frame);
    while (this.frames[0] < frame - this.hold) {
      this.frames.shift();
      this.scores.shift();
    }
    return this.scores[0];
  }
  reset(): void {
    this.frames = [];
    this.scores = [];
    this.last = -Infinity;
  }
}

/**
 * A frame's join with a hold: the unheld join, lifted to the threshold (0.5) where the held scores' join reaches it.
 * The alarms are the held join's; the ranking (window and recording AUCs) moves only for the frames lifted.
 */
export function joinHeld(join: (first: number, second: number) => number, first: number, second: number, heldFirst: number, heldSecond: number): number {
  const own = join(first, second);
  return join(heldFirst, heldSecond) >= 0.5 ? Math.max(own, 0.5) : own;
}

/**
 * One stream's two aligned scores joined frame by frame: by `join`, or with `hold` > 0 by joinHeld on both scores held
 * (frames must then increase). The one place a hold is applied: the pipeline, FallDetector, the study and the browser
 * page (which embeds it) each make one a recording.
 */
export class HeldJoin {
  private readonly holds: [ScoreHold, ScoreHold] | null;
  /**
   * `level` < 0.5: the second's aligned score is first mapped so `level` lands on 0.5 (alignToThreshold's arithmetic, to
   * float32 as it stores): its alarm level lowered, its ranking unchanged.
   */
  constructor(private readonly join: (first: number, second: number) => number, hold: number, private readonly level = 0.5) {
    if (!Number.isInteger(hold) || hold < 0) throw new RangeError(`hold must be a whole number of frames >= 0, got ${hold}`);
    if (!(level > 0 && level <= 0.5)) throw new RangeError(`the second window's level must be an aligned score in (0, 0.5], got ${level}`);
    this.holds = hold > 0 ? [new ScoreHold(hold), new ScoreHold(hold)] : null;
  }
  push(frame: number, first: number, second: number): number {
    const L = this.level;
    if (L !== 0.5) second = Math.fround(second < L ? (0.5 * second) / L : 0.5 + (0.5 * (second - L)) / (1 - L));
    if (!this.holds) return this.join(first, second);
    return joinHeld(this.join, first, second, this.holds[0].push(frame, first), this.holds[1].push(frame, second));
  }
  reset(): void {
    for (const h of this.holds ?? []) h.reset();
  }
}

type Placed = Pick<WindowSet, "count" | "seq" | "sequenceIds" | "lastFrame">;

/**
 * The first detector's evaluated windows scored by both: each window's aligned score joined with the second's at the
 * same recording and last frame. The second must score exactly those frames (no more, none missing). Each recording's
 * windows are joined in frame order by a HeldJoin (`hold` > 0: held; `level`: the second's alarm level), as FallDetector
 * joins a stream.
 */
export function joinSecondWindow(first: { windows: Placed; scores: Float32Array }, second: { windows: Placed; scores: Float32Array }, what: string, rule: SecondWindowRule, hold = 0, level = DEFAULT_SECOND_WINDOW_LEVEL): Float32Array {
  if (first.scores.length !== first.windows.count || second.scores.length !== second.windows.count) throw new RangeError(`${what}: scores and windows differ in number`);
  if (second.windows.count !== first.windows.count) throw new Error(`${what}: the second window's detector scores ${second.windows.count} windows, the first ${first.windows.count}: they must score the same frames`);
  const at = alignWindows(first.windows, second.windows, `${what} (second window)`);
  const out = new Float32Array(first.windows.count);
  const join = joinRule(rule);
  // Without a hold a window's join needs no other window: no grouping, no order.
  if (hold === 0) {
    const one = new HeldJoin(join, 0, level);
    for (let i = 0; i < out.length; i++) out[i] = one.push(first.windows.lastFrame[i], first.scores[i], second.scores[at[i]]);
    return out;
  }
  // Each recording's windows in frame order, joined as a stream joins them.
  const byRecording = new Map<number, number[]>();
  for (let i = 0; i < first.windows.count; i++) {
    const seq = first.windows.seq[i];
    if (!byRecording.has(seq)) byRecording.set(seq, []);
    byRecording.get(seq)!.push(i);
  }
  for (const order of byRecording.values()) {
    order.sort((x, y) => first.windows.lastFrame[x] - first.windows.lastFrame[y]);
    const joined = new HeldJoin(join, hold, level);
    for (const i of order) out[i] = joined.push(first.windows.lastFrame[i], first.scores[i], second.scores[at[i]]);
  }
  return out;
}
