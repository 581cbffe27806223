// `--start-models P` (issue 15's twelfth round, built in): beside the main ensemble, a second one (the "start models")
// trains with each recording's first frame repeated P times in front. A stream's first windows, holding T − P .. T − 1
// real frames, are scored by the start models alone against their own threshold; every full window by all members
// combined (the main ones first, then the start ones; their mean, or with --combine logit-mean their mean log-odds)
// against that score's own threshold, chosen on the main training windows. Both are aligned so 0.5 is the threshold: one alarm logic then runs over the stream. Pure arithmetic on
// scores here; the pipeline trains the two groups and the detector runs this rule one frame at a time.
import type { FrameDataset, WindowSet } from "../types";
import { concatWindowSets, takeWindows } from "../data/split";
import { windowsWithRealFrames } from "../data/pad-starts";
import { alignToThreshold } from "../evaluate/align";
import { chooseSequenceThreshold, clampThreshold } from "../evaluate/sequence-threshold";
import type { ThresholdMidpoint } from "../evaluate/threshold";
import { MemberCombine, memberMean } from "../evaluate/member-combine";

export { memberMean };
export type { MemberCombine };

type Placed = Pick<WindowSet, "count" | "seq" | "sequenceIds" | "lastFrame">;

const key = (ws: Placed, i: number) => `${ws.sequenceIds[ws.seq[i]]}@${ws.lastFrame[i]}`;

/** Where each of `target`'s windows sits in `source` (same recording, same last frame); throws when one is missing. */
export function alignWindows(target: Placed, source: Placed, what: string): number[] {
  const at = new Map<string, number>();
  for (let i = 0; i < source.count; i++) at.set(key(source, i), i);
  return Array.from({ length: target.count }, (_, i) => {
    const j = at.get(key(target, i));
    if (j === undefined) throw new Error(`${what}: window ${key(target, i)} is not among the windows it is matched with`);
    return j;
  });
}

/** Indices of the windows of `ws` that hold fewer than T real frames of `ds`: the start models' own. */
export function startWindowIndices(ws: Placed & { T: number }, ds: FrameDataset): number[] {
  const full = new Set(windowsWithRealFrames(ws, ds, ws.T));
  return Array.from({ length: ws.count }, (_, i) => i).filter((i) => !full.has(i));
}

/** A fold's test stream: the start models' windows (fewer than T real frames) first, then the main group's full windows. */
export function mixedTestWindows(mainTest: WindowSet, startTest: WindowSet, ds: FrameDataset): { windows: WindowSet; early: number[] } {
  const early = startWindowIndices(startTest, ds);
  return { windows: concatWindowSets([takeWindows(startTest, early), mainTest]), early };
}

/** One group's per-member probabilities on its own training and test windows. */
export interface GroupScores {
  train: WindowSet;
  test: WindowSet;
  trainMembers: readonly Float32Array[];
  testMembers: readonly Float32Array[];
}

export interface MixedFold {
  /** The start models' threshold, chosen on their own training windows (what their group's fold chose). */
  startThreshold: number;
  /** The threshold of all members' mean on full windows, chosen on the main training windows. */
  fullThreshold: number;
  /** Start windows first, then full windows (as mixedTestWindows). */
  testWindows: WindowSet;
  /** Each window's score aligned to its threshold: 0.5 is the alarm threshold of the whole stream. */
  testScores: Float32Array;
  /** All members' mean on the main training windows, aligned to fullThreshold. */
  trainScores: Float32Array;
}


/** All members combined on the main group's windows (the start members' scores picked at the same recording and frame). */
function allMembersOn(main: readonly Float32Array[], start: readonly Float32Array[], mainSide: Placed, startSide: Placed, what: string, combine: MemberCombine): Float32Array {
  const idx = alignWindows(mainSide, startSide, what);
  return combine([...main, ...start.map((m) => Float32Array.from(idx, (j) => m[j]))], mainSide.count);
}

/** The rule on one fold: both groups scored on their own windows, the start group's threshold as its training chose it. */
export function mixFold(main: GroupScores, start: GroupScores, ds: FrameDataset, opts: { startThreshold: number; midpoint: ThresholdMidpoint; what: string; combine?: MemberCombine; midpointAt?: number }): MixedFold {
  const combine = opts.combine ?? memberMean;
  const trainAll = allMembersOn(main.trainMembers, start.trainMembers, main.train, start.train, `${opts.what}, training side`, combine);
  const fullThreshold = clampThreshold(chooseSequenceThreshold(trainAll, main.train, { criterion: "youden", split: "train", midpoint: opts.midpoint, ...(opts.midpointAt !== undefined ? { midpointAt: opts.midpointAt } : {}) }));
  const testAll = allMembersOn(main.testMembers, start.testMembers, main.test, start.test, `${opts.what}, test side`, combine);
  const { windows, early } = mixedTestWindows(main.test, start.test, ds);
  const startScores = alignToThreshold(combine(start.testMembers, start.test.count), opts.startThreshold);
  const testScores = new Float32Array(windows.count);
  testScores.set(early.map((i) => startScores[i]));
  testScores.set(alignToThreshold(testAll, fullThreshold), early.length);
  return { startThreshold: opts.startThreshold, fullThreshold, testWindows: windows, testScores, trainScores: alignToThreshold(trainAll, fullThreshold) };
}
