// Where the annotated falling (label 0) segment of a sequence is, for plots and timelines.
import { FrameDataset, SequenceInfo } from "../types";

export function findSequence(ds: FrameDataset, id: string): SequenceInfo {
  const s = ds.sequences.find((q) => q.id === id);
  if (!s) throw new Error(`no sequence "${id}" in the data set (have ${ds.sequences.slice(0, 3).map((q) => q.id).join(", ")}, ...)`);
  return s;
}

/** First and last frame of the sequence's first label-0 run, or null when it has none. */
export function fallingSegment(ds: FrameDataset, id: string): [number, number] | null {
  const s = findSequence(ds, id);
  const { frame, label } = ds.table;
  let start = -1;
  for (let r = s.start; r < s.start + s.length; r++) {
    if (label[r] === 0 && start < 0) start = frame[r];
    if (label[r] !== 0 && start >= 0) return [start, frame[r - 1]];
  }
  return start >= 0 ? [start, frame[s.start + s.length - 1]] : null;
}
