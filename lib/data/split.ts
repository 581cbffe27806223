// Train/test splits by whole sequence, stratified by fall vs ADL: windows of one recording
// overlap heavily, so letting a recording sit on both sides would leak.

import { WindowSet } from "../types";
import { createRng, shuffleInPlace } from "../random";

/** A sequence to split: its index into WindowSet.sequenceIds and its class. */
export interface SplitItem {
  index: number;
  isFall: boolean;
}

export interface Fold {
  /** Sequence indices (into sequenceIds), ascending. */
  trainSeq: number[];
  testSeq: number[];
}

export interface SplitOptions {
  /** Share of each class's sequences that goes to test (default 0.2). */
  testFraction?: number;
  seed: number;
}

export interface KFoldOptions {
  k: number;
  seed: number;
}

function isWindowSet(v: WindowSet | readonly SplitItem[]): v is WindowSet {
  return !Array.isArray(v);
}

/** The sequences a WindowSet actually has windows for (sequences too short for T are left out). */
export function windowSequences(ws: WindowSet): SplitItem[] {
  const present = new Uint8Array(ws.sequenceIds.length);
  for (let i = 0; i < ws.count; i++) present[ws.seq[i]] = 1;
  const out: SplitItem[] = [];
  present.forEach((p, index) => {
    if (p) out.push({ index, isFall: ws.sequenceIsFall[index] === 1 });
  });
  return out;
}

function items(input: WindowSet | readonly SplitItem[]): SplitItem[] {
  const list = isWindowSet(input) ? windowSequences(input) : [...input];
  const seen = new Set<number>();
  for (const it of list) {
    if (seen.has(it.index)) throw new Error(`split: sequence index ${it.index} is listed twice`);
    seen.add(it.index);
  }
  return list;
}

/** Each class's indices, shuffled by the seed: falls first, then ADLs. */
function shuffledByClass(list: SplitItem[], seed: number): number[][] {
  const rng = createRng(seed);
  const falls = list.filter((s) => s.isFall).map((s) => s.index).sort((a, b) => a - b);
  const adls = list.filter((s) => !s.isFall).map((s) => s.index).sort((a, b) => a - b);
  return [shuffleInPlace(falls, rng), shuffleInPlace(adls, rng)];
}

const ascending = (a: number, b: number): number => a - b;

/** One stratified, seeded split of sequences; each class contributes round(n × testFraction). */
export function groupedSplit(input: WindowSet | readonly SplitItem[], opts: SplitOptions): Fold {
  const frac = opts.testFraction ?? 0.2;
  if (!(frac > 0 && frac < 1)) throw new RangeError(`groupedSplit: testFraction must be in (0, 1), got ${frac}`);
  const list = items(input);
  if (list.length < 2) throw new Error(`groupedSplit: need at least 2 sequences, got ${list.length}`);
  const trainSeq: number[] = [];
  const testSeq: number[] = [];
  for (const cls of shuffledByClass(list, opts.seed)) {
    // A class with 2+ sequences gets at least one on each side.
    let nTest = Math.round(cls.length * frac);
    if (cls.length >= 2) nTest = Math.min(cls.length - 1, Math.max(1, nTest));
    testSeq.push(...cls.slice(0, nTest));
    trainSeq.push(...cls.slice(nTest));
  }
  if (testSeq.length === 0 || trainSeq.length === 0) {
    throw new Error(`groupedSplit: testFraction ${frac} leaves one side empty with ${list.length} sequences`);
  }
  return { trainSeq: trainSeq.sort(ascending), testSeq: testSeq.sort(ascending) };
}

/**
 * K stratified folds: each class is shuffled and dealt round-robin, the ADLs continuing where the
 * falls stopped, so fold sizes differ by at most one and every sequence is tested exactly once.
 */
export function groupedKFold(input: WindowSet | readonly SplitItem[], opts: KFoldOptions): Fold[] {
  const { k } = opts;
  const list = items(input);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`groupedKFold: k must be an integer >= 2, got ${k}`);
  if (k > list.length) throw new RangeError(`groupedKFold: k=${k} is more than the ${list.length} sequences`);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const cls of shuffledByClass(list, opts.seed)) {
    for (const idx of cls) {
      folds[next].push(idx);
      next = (next + 1) % k;
    }
  }
  return folds.map((test, f) => ({
    trainSeq: folds.filter((_, g) => g !== f).flat().sort(ascending),
    testSeq: [...test].sort(ascending),
  }));
}

/** The windows whose sequence is in `seqIndices`, in their original order; metadata unchanged. */
export function selectWindows(ws: WindowSet, seqIndices: readonly number[]): WindowSet {
  const keep = new Uint8Array(ws.sequenceIds.length);
  for (const s of seqIndices) {
    if (!Number.isInteger(s) || s < 0 || s >= keep.length) throw new RangeError(`selectWindows: no sequence index ${s}`);
    keep[s] = 1;
  }
  const picked: number[] = [];
  for (let i = 0; i < ws.count; i++) if (keep[ws.seq[i]]) picked.push(i);
  return takeWindows(ws, picked);
}

/** The windows at the given positions, in that order (shared by selection and partitioning). */
export function takeWindows(ws: WindowSet, positions: readonly number[]): WindowSet {
  const block = ws.T * ws.F;
  const n = positions.length;
  const x = new Float32Array(n * block);
  const y = new Float32Array(n);
  const seq = new Int32Array(n);
  const lastFrame = new Int32Array(n);
  positions.forEach((i, o) => {
    if (!Number.isInteger(i) || i < 0 || i >= ws.count) throw new RangeError(`takeWindows: no window ${i}`);
    x.set(ws.x.subarray(i * block, (i + 1) * block), o * block);
    y[o] = ws.y[i];
    seq[o] = ws.seq[i];
    lastFrame[o] = ws.lastFrame[i];
  });
  return {
    count: n,
    T: ws.T,
    F: ws.F,
    x,
    y,
    seq,
    lastFrame,
    sequenceIds: [...ws.sequenceIds],
    sequenceIsFall: Uint8Array.from(ws.sequenceIsFall),
    featureNames: [...ws.featureNames],
  };
}

/** Train and test WindowSets for one fold. */
export function splitWindows(ws: WindowSet, fold: Fold): { train: WindowSet; test: WindowSet } {
  return { train: selectWindows(ws, fold.trainSeq), test: selectWindows(ws, fold.testSeq) };
}

/** Several WindowSets cut from one data set (same sequence table) as one, in order. */
export function concatWindowSets(sides: readonly WindowSet[]): WindowSet {
  if (sides.length === 0) throw new Error("concatWindowSets: nothing to join");
  const first = sides[0];
  const count = sides.reduce((a, s) => a + s.count, 0);
  const x = new Float32Array(count * first.T * first.F);
  const y = new Float32Array(count);
  const seq = new Int32Array(count);
  const lastFrame = new Int32Array(count);
  let at = 0;
  for (const s of sides) {
    x.set(s.x, at * first.T * first.F);
    y.set(s.y, at);
    seq.set(s.seq, at);
    lastFrame.set(s.lastFrame, at);
    at += s.count;
  }
  return { ...first, count, x, y, seq, lastFrame };
}
