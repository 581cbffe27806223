// Shapes shared by the data layer, the trainer and the evaluation: typed arrays and plain data
// only, so every one of them can cross a worker_threads boundary as is.

/** The 8 numeric URFD features, in file order (columns 4–11). */
export const FEATURE_NAMES = [
  "HeightWidthRatio",
  "MajorMinorRatio",
  "BoundingBoxOccupancy",
  "MaxStdXZ",
  "HHmaxRatio",
  "H",
  "D",
  "P40",
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** URFD annotation: -1 not lying, 0 falling (transition), 1 lying. Never a model input. */
export type FrameLabel = -1 | 0 | 1;

/** Per-frame table in the URFD feature schema, columnar. */
export interface FrameTable {
  rows: number;
  /** Sequence name per row, e.g. "fall-01", "adl-17". */
  sequence: string[];
  frame: Int32Array;
  label: Int8Array;
  /** rows × FEATURE_NAMES.length, row-major. */
  features: Float32Array;
  featureNames: string[];
}

/** One recording: a contiguous block of rows in a FrameTable. */
export interface SequenceInfo {
  id: string;
  isFall: boolean;
  /** First row in the table. */
  start: number;
  /** Number of rows (frames present). */
  length: number;
}

/** Where a data set came from; shown by every notebook and written into every artifact. */
export interface DataProvenance {
  source: "urfd" | "synthetic" | "mcfd" | "dfcsv";
  /** Folder the files were read from, null for synthetic data. */
  dir: string | null;
  files: string[];
  /** Human-readable sentence, e.g. "synthetic data (seed 7): no URFD files found in ...". */
  note: string;
}

export interface FrameDataset {
  table: FrameTable;
  sequences: SequenceInfo[];
  provenance: DataProvenance;
}

/** Windows of T frames × F features ready for an RNN, with where each came from. */
export interface WindowSet {
  count: number;
  T: number;
  F: number;
  /** count × T × F, row-major. */
  x: Float32Array;
  /** 1 = fall window, 0 = not, per window. */
  y: Float32Array;
  /** Index into sequenceIds, per window. */
  seq: Int32Array;
  /** Frame number of each window's last frame. */
  lastFrame: Int32Array;
  sequenceIds: string[];
  /** 1 if the sequence (by index into sequenceIds) is a fall recording. */
  sequenceIsFall: Uint8Array;
  featureNames: string[];
}
